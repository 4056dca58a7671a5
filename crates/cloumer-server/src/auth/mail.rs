//! Codes by e-mail (`cloumer serve --smtp URL`): lettre's SMTP transport over TLS, always
//! (STARTTLS required on `smtp://`, implicit TLS on `smtps://`), never plain text.
//!
//! The URL names the server and the login user (`smtp://user@mail.example.com:587`); the
//! password never sits in the URL (argv is readable by every local user, URLs end up in
//! logs): it comes from `CLOUMER_SMTP_PASSWORD` or `--smtp-password-file`.
//!
//! Handlers do not wait for the mail server: letters go into a bounded queue that one task
//! drains, so a slow or dead mail server neither stalls sign-up nor grows memory (a full
//! queue drops the letter with a warning; the user asks for the code again, within the
//! code-sending limits of `auth::throttle`).

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::mpsc;

use crate::{Error, Result};

/// Letters waiting for the mail server at most.
const QUEUE: usize = 256;
/// One SMTP conversation at most (connect, TLS, auth, send).
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// How to reach the mail server.
#[derive(Clone)]
pub struct SmtpSettings {
    /// `smtp://[user@]host[:port]` (STARTTLS, default port 587) or `smtps://...` (465).
    pub url: String,
    /// The login password (from the environment or a file, never the URL).
    pub password: Option<String>,
    /// The `From:` address, e.g. `CLOUMER <no-reply@example.com>`.
    pub from: String,
    /// Extra PEM root certificate to trust (a private mail server); the system's roots are
    /// trusted either way.
    pub ca_cert: Option<PathBuf>,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("url", &self.url)
            .field("password", &self.password.as_ref().map(|_| "<hidden>"))
            .field("from", &self.from)
            .field("ca_cert", &self.ca_cert)
            .finish()
    }
}

struct Letter {
    to: String,
    subject: String,
    body: String,
}

/// The sending end of the letter queue.
pub struct Mailer {
    queue: mpsc::Sender<Letter>,
}

impl Mailer {
    /// Checks the settings and starts the sending task (inside a Tokio runtime). Nothing is
    /// sent yet: a mail server that is down at start-up is reported per letter.
    pub fn start(settings: &SmtpSettings) -> Result<Self> {
        let from: lettre::message::Mailbox = settings
            .from
            .parse()
            .map_err(|e| config(format!("--smtp-from {:?}: {e}", settings.from)))?;
        let transport = transport(settings)?;
        let (queue, mut letters) = mpsc::channel::<Letter>(QUEUE);
        tokio::spawn(async move {
            while let Some(letter) = letters.recv().await {
                let to = letter.to.clone();
                match tokio::time::timeout(SEND_TIMEOUT, send(&transport, &from, letter)).await {
                    Ok(Ok(())) => tracing::info!(%to, "mail sent"),
                    Ok(Err(error)) => tracing::warn!(%to, %error, "mail not sent"),
                    Err(_) => tracing::warn!(%to, "mail not sent: the mail server timed out"),
                }
            }
        });
        Ok(Self { queue })
    }

    /// Queues a letter; `false` when the queue is full (the letter is dropped).
    pub fn post(&self, to: &str, subject: &str, body: String) -> bool {
        let letter = Letter {
            to: to.to_owned(),
            subject: subject.to_owned(),
            body,
        };
        match self.queue.try_send(letter) {
            Ok(()) => true,
            Err(_) => {
                tracing::warn!(%to, "mail queue full: letter dropped");
                false
            }
        }
    }
}

async fn send(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &lettre::message::Mailbox,
    letter: Letter,
) -> std::result::Result<(), String> {
    let to: lettre::message::Mailbox = letter.to.parse().map_err(|e| format!("{e}"))?;
    let message = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(letter.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(letter.body)
        .map_err(|e| e.to_string())?;
    transport
        .send(message)
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}

fn config(message: String) -> Error {
    Error::Config(message)
}

/// The transport the URL describes, TLS always required.
fn transport(settings: &SmtpSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>> {
    let url = url::Url::parse(&settings.url)
        .map_err(|e| config(format!("--smtp must be smtp://[user@]host[:port] ({e})")))?;
    let implicit_tls = match url.scheme() {
        "smtp" => false,
        "smtps" => true,
        other => {
            return Err(config(format!(
                "--smtp: unknown scheme {other:?} (smtp:// with STARTTLS or smtps://)"
            )));
        }
    };
    if url.password().is_some() {
        return Err(config(
            "--smtp: the password must not be in the URL (argv and logs show it): use \
             CLOUMER_SMTP_PASSWORD or --smtp-password-file"
                .into(),
        ));
    }
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| config("--smtp: the URL has no host".into()))?
        .trim_matches(|c| c == '[' || c == ']')
        .to_owned();
    let port = url.port().unwrap_or(if implicit_tls { 465 } else { 587 });
    let mut tls = TlsParameters::builder(host.clone());
    if let Some(path) = &settings.ca_cert {
        let pem = std::fs::read(path).map_err(|e| config(format!("{}: {e}", path.display())))?;
        let cert =
            Certificate::from_pem(&pem).map_err(|e| config(format!("{}: {e}", path.display())))?;
        tls = tls.add_root_certificate(cert);
    }
    let tls = tls
        .build_rustls()
        .map_err(|e| config(format!("--smtp TLS: {e}")))?;
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(port)
        .timeout(Some(SEND_TIMEOUT))
        .tls(if implicit_tls {
            Tls::Wrapper(tls)
        } else {
            Tls::Required(tls)
        });
    let user = percent_encoding::percent_decode_str(url.username())
        .decode_utf8_lossy()
        .into_owned();
    match (user.is_empty(), &settings.password) {
        (false, Some(password)) => {
            builder = builder.credentials(Credentials::new(user, password.clone()));
        }
        (false, None) => {
            return Err(config(format!(
                "--smtp names the user {user:?} but no password was given \
                 (CLOUMER_SMTP_PASSWORD or --smtp-password-file)"
            )));
        }
        (true, _) => {}
    }
    Ok(builder.build())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: &str) -> SmtpSettings {
        SmtpSettings {
            url: url.into(),
            password: None,
            from: "CLOUMER <no-reply@example.com>".into(),
            ca_cert: None,
        }
    }

    #[test]
    fn plain_text_and_passwords_in_the_url_are_refused() {
        assert!(transport(&settings("smtp://mail.example.com")).is_ok());
        assert!(transport(&settings("smtps://mail.example.com")).is_ok());
        assert!(transport(&settings("http://mail.example.com")).is_err());
        assert!(transport(&settings("smtp://u:secret@mail.example.com")).is_err());
        assert!(
            transport(&settings("smtp://u@mail.example.com")).is_err(),
            "no password"
        );
        let debug = format!(
            "{:?}",
            SmtpSettings {
                password: Some("hunter2".into()),
                ..settings("smtp://u@m")
            }
        );
        assert!(!debug.contains("hunter2"));
    }
}
