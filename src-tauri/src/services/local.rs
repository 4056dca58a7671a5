//! "Try it locally": `cloumer-server` in this process, on loopback with ports the OS picks,
//! keeping its data under the studio's XDG data dir, and the account of its owner (the
//! user on this machine), made and reused without a form: one click reaches the studio.
//!
//! The owner's e-mail and random password live only in the OS credential store (next to
//! the session tokens, scoped to the embedded server's pool): nothing on disk, nothing
//! typed.

use std::path::Path;

use cloumer_api::BackendProfile;
use cloumer_api::secrets::SecretStore;
use cloumer_server::{RunningServer, Server, ServerConfig};
use rand::distr::{Alphanumeric, SampleString};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::Services;
use super::account::off_thread;
use super::api_map::api_error;
use super::backend::ActiveBackend;
use crate::error::{AppError, AuthReason, Result};
use crate::types::Account;

/// The credential store entry of the owner's account (in the pool's scope).
const OWNER_ENTRY: &str = "local-owner";
/// Characters of the generated password (~190 bits from the thread CSPRNG).
const PASSWORD_CHARS: usize = 32;

pub async fn start(data_dir: &Path) -> Result<RunningServer> {
    let mut config = ServerConfig::ephemeral(data_dir);
    // As `cloumer serve --chat-room-rate`: a room busier than IVS's default 10 messages/s
    // (the studio's chat benchmark floods it at 100/s).
    if let Some(rate) = std::env::var("CLOUMER_CHAT_ROOM_RATE")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|r| (1..=10_000).contains(r))
    {
        config.chat_room_rate = rate;
    }
    Server::start(config).await.map_err(|e| AppError::Backend {
        message: format!("the local backend did not start: {e}"),
    })
}

/// The embedded server has no mail: it appends codes to `outbox.jsonl`. The newest code
/// of `purpose` ("confirm", "reset") sent to `email`.
pub fn outbox_code(data_dir: &Path, email: &str, purpose: &str) -> Result<String> {
    let text = std::fs::read_to_string(data_dir.join("outbox.jsonl")).map_err(AppError::storage)?;
    text.lines()
        .rev()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["purpose"] == purpose)
        .find(|m| m["to"] == email || m["username"] == email)
        .and_then(|m| m["code"].as_str().map(str::to_owned))
        .ok_or_else(|| AppError::Backend {
            message: "the local backend sent no code".into(),
        })
}

/// The owner's credentials as the credential store keeps them (one JSON secret).
#[derive(Serialize, Deserialize)]
struct Owner {
    email: String,
    password: String,
}

fn owner_store(profile: &BackendProfile) -> Result<SecretStore> {
    SecretStore::open(&format!("{}/{}", profile.user_pool_id, profile.client_id)).map_err(api_error)
}

fn load_owner(store: &SecretStore) -> Result<Option<(String, SecretString)>> {
    let Some(secret) = store.get(OWNER_ENTRY).map_err(api_error)? else {
        return Ok(None);
    };
    Ok(serde_json::from_str::<Owner>(secret.expose_secret())
        .ok()
        .map(|o| (o.email, SecretString::from(o.password))))
}

fn save_owner(store: &SecretStore, email: &str, password: &SecretString) -> Result<()> {
    let owner = Owner {
        email: email.to_owned(),
        password: password.expose_secret().to_owned(),
    };
    let json = serde_json::to_string(&owner).map_err(AppError::storage)?;
    store
        .set(OWNER_ENTRY, &SecretString::from(json))
        .map_err(api_error)
}

/// The system user's name: `$USER`, `$LOGNAME`, else the account of this process's uid
/// in /etc/passwd, else the home directory's name. The nickname starts as this (the user
/// edits it in the profile).
pub fn system_user_name() -> String {
    let usable = |n: &String| !n.trim().is_empty() && !n.chars().any(char::is_control);
    ["USER", "LOGNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(usable)
        .or_else(|| passwd_name().filter(usable))
        .or_else(|| {
            dirs::home_dir().and_then(|h| h.file_name().map(|n| n.to_string_lossy().into_owned()))
        })
        .map(|n| n.trim().chars().take(64).collect::<String>())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "streamer".to_owned())
}

/// The user name of this process's uid in /etc/passwd (getpwuid for local accounts,
/// without unsafe code: the uid is the owner of /proc/self).
fn passwd_name() -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let uid = std::fs::metadata("/proc/self").ok()?.uid().to_string();
        let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
        passwd.lines().find_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?;
            (fields.nth(1)? == uid).then(|| name.to_owned())
        })
    }
    #[cfg(not(unix))]
    None
}

/// `<name>@localhost`, the name cut down to what an address's local part safely holds.
pub fn owner_email(user: &str) -> String {
    let local: String = user
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .take(64)
        .collect::<String>()
        .to_ascii_lowercase();
    let local = if local.is_empty() {
        "streamer".into()
    } else {
        local
    };
    format!("{local}@localhost")
}

fn random_password() -> SecretString {
    SecretString::from(Alphanumeric.sample_string(&mut rand::rng(), PASSWORD_CHARS))
}

impl Services {
    /// "Try it locally" in one click: starts the embedded server and signs its owner in:
    /// from the stored session, else with the stored credentials, else by making the
    /// account (confirmed by the server itself: it is the user's own).
    pub async fn try_locally(&self) -> Result<Account> {
        self.start_local_backend().await?;
        if let Some(account) = self.restore_session().await? {
            return Ok(account);
        }
        let (_, profile) = self.backend_profile().await?;
        let store = owner_store(&profile)?;
        if let Some((email, password)) = load_owner(&store)? {
            match self.log_in(email, password).await {
                Ok(account) => return Ok(account),
                // The server's data was removed while the credential store kept the entry.
                Err(AppError::Auth {
                    reason: Some(AuthReason::WrongPassword | AuthReason::UnknownAccount),
                    ..
                }) => tracing::info!("the stored local account is gone: making it again"),
                Err(e) => return Err(e),
            }
        }
        self.make_owner(&store, &profile).await
    }

    async fn make_owner(&self, store: &SecretStore, profile: &BackendProfile) -> Result<Account> {
        let nickname = system_user_name();
        let email = owner_email(&nickname);
        let password = random_password();
        // Kept first: an account whose password was never stored could not be reused.
        save_owner(store, &email, &password)?;
        let cognito = cloumer_api::cognito::CognitoClient::new(profile).map_err(api_error)?;
        let (c, e, p) = (cognito.clone(), email.clone(), password.clone());
        let signed_up =
            off_thread(move || async move { Ok(c.sign_up(&e, &p, &nickname).await) }).await?;
        match signed_up {
            Ok(_) => {}
            // The account is there but its password is not (a new credential store, say):
            // the server is the user's own, so reset it with the code it wrote for them.
            Err(cloumer_api::Error::Auth {
                kind: cloumer_api::AuthErrorKind::UsernameExists,
                ..
            }) => {
                tracing::info!(
                    "the local account exists without stored credentials: resetting its password"
                );
                let (c, e) = (cognito.clone(), email.clone());
                off_thread(move || async move { c.forgot_password(&e).await }).await?;
                let code = outbox_code(&self.paths.local_server_dir(), &email, "reset")?;
                let (e, p) = (email.clone(), password.clone());
                off_thread(
                    move || async move { cognito.confirm_forgot_password(&e, &code, &p).await },
                )
                .await?;
            }
            Err(e) => return Err(api_error(e)),
        }
        self.confirm_locally(&email).await?;
        tracing::info!("local account made for the system user");
        self.log_in(email, password).await
    }

    /// Confirms a sign-up on the embedded server without a code (its owner is this user).
    pub(super) async fn confirm_locally(&self, email: &str) -> Result<()> {
        let backend = self.backend.lock().await;
        let Some(ActiveBackend::Local { server, .. }) = backend.as_ref() else {
            return Err(AppError::unavailable(
                "only the local backend confirms an account without a code",
            ));
        };
        let found = server
            .confirm_user_locally(email)
            .await
            .map_err(|e| AppError::Backend {
                message: format!("the local backend could not confirm the account: {e}"),
            })?;
        if !found {
            return Err(AppError::Backend {
                message: "the local backend has no such account".into(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_the_newest_code_of_the_purpose_for_the_address() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("outbox.jsonl"),
            concat!(
                "{\"to\":\"a@x\",\"purpose\":\"reset\",\"code\":\"111111\"}\n",
                "{\"to\":\"b@x\",\"purpose\":\"reset\",\"code\":\"222222\"}\n",
                "{\"to\":\"a@x\",\"purpose\":\"reset\",\"code\":\"333333\"}\n",
                "{\"to\":\"a@x\",\"purpose\":\"confirm\",\"code\":\"444444\"}\n",
            ),
        )
        .expect("write outbox");
        assert_eq!(
            super::outbox_code(dir.path(), "a@x", "reset").expect("code"),
            "333333"
        );
        assert!(super::outbox_code(dir.path(), "c@x", "reset").is_err());
    }

    #[test]
    fn the_owners_address_is_made_of_the_user_name() {
        assert_eq!(super::owner_email("Neo"), "neo@localhost");
        assert_eq!(super::owner_email("김철수"), "streamer@localhost");
        assert_eq!(super::owner_email("a b/c"), "abc@localhost");
        assert!(!super::system_user_name().is_empty());
        #[cfg(target_os = "linux")]
        assert!(super::passwd_name().is_some_and(|n| !n.is_empty()));
    }

    #[test]
    fn generated_passwords_are_long_and_differ() {
        use secrecy::ExposeSecret;
        let (a, b) = (super::random_password(), super::random_password());
        assert_eq!(a.expose_secret().len(), super::PASSWORD_CHARS);
        assert_ne!(a.expose_secret(), b.expose_secret());
    }
}
