//! `cloumer serve` for the internet (issue 18 #3): `--public-url` / `--public-rtmps-host`
//! decide every URL handed out, `--tls-cert/--tls-key` put HTTPS on the HTTP listener, and
//! `--smtp` mails codes over STARTTLS to a real SMTP server (aiosmtpd) the test starts.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine;
use cloumer_server::auth::mail::SmtpSettings;
use cloumer_server::{HttpTls, PublicAddress, Server, ServerConfig};
use serde_json::{Value, json};

/// A self-signed certificate for localhost / 127.0.0.1, written as PEM files into `dir`.
fn self_signed(dir: &Path) -> (PathBuf, PathBuf) {
    let generated =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
            .expect("certificate");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, generated.cert.pem()).unwrap();
    std::fs::write(&key, generated.signing_key.serialize_pem()).unwrap();
    (cert, key)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn cognito(http: &reqwest::Client, base: &str, op: &str, body: Value) -> (u16, Value) {
    common::cognito_post(http, &format!("{base}/cognito/"), op, body).await
}

/// A GET answered with JSON (the ID token as the seed's `Authorization` header).
async fn get_json(http: &reqwest::Client, url: &str, id_token: Option<&str>) -> Value {
    let mut request = http.get(url);
    if let Some(token) = id_token {
        request = request.header("Authorization", token);
    }
    request.send().await.unwrap().json().await.unwrap()
}

fn jwt_claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("JWT payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("claims JSON")
}

#[tokio::test]
async fn public_url_decides_every_url_and_https_serves_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed(dir.path());
    let port = free_port();
    let mut config = ServerConfig::ephemeral(dir.path().join("data"));
    config.listen = format!("127.0.0.1:{port}").parse().unwrap();
    config.http_tls = Some(HttpTls {
        cert: cert.clone(),
        key,
    });
    config.public = PublicAddress {
        url: Some("https://live.example.test/tv/".into()),
        rtmps_host: Some("ingest.example.test:443".into()),
    };
    let server = Server::start(config).await.expect("server starts");
    let public = "https://live.example.test/tv";

    // The backend profile clients load names the public URLs only.
    let profile = server.backend_profile();
    assert_eq!(server.api_url(), public);
    assert_eq!(profile.api_url, public);
    assert_eq!(profile.cognito_endpoint(), format!("{public}/cognito/"));
    assert_eq!(profile.chat_endpoint(), "wss://live.example.test/tv/chat");
    assert_eq!(
        profile.rtmps_url.as_deref(),
        Some("rtmps://ingest.example.test:443/app/")
    );
    assert!(
        profile
            .rtmp_url
            .as_deref()
            .unwrap()
            .starts_with("rtmp://live.example.test:"),
        "{:?}",
        profile.rtmp_url
    );

    // HTTPS on the listener, trusted through the given certificate.
    let root = reqwest::Certificate::from_pem(&std::fs::read(&cert).unwrap()).unwrap();
    let http = reqwest::Client::builder()
        .add_root_certificate(root)
        .build()
        .unwrap();
    let base = format!("https://localhost:{port}");
    let users = http
        .get(format!("{base}/public/users"))
        .send()
        .await
        .unwrap();
    assert_eq!(users.status(), 200);
    assert_eq!(users.version(), reqwest::Version::HTTP_11);
    // Plain HTTP on the TLS port gets no answer.
    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/public/users"))
        .timeout(Duration::from_secs(15))
        .send()
        .await;
    assert!(plain.is_err(), "plain HTTP answered on the HTTPS port");

    // A user: the token issuer, avatar, ingest and playback URLs are all public ones.
    let client_id = profile.client_id.clone();
    let email = "viewer@example.com";
    let (s, b) = cognito(&http, &base, "SignUp", json!({
        "ClientId": client_id, "Username": email, "Password": "Passw0rd!",
        "UserAttributes": [{"Name": "email", "Value": email}, {"Name": "nickname", "Value": "viewer"}],
    }))
    .await;
    assert_eq!(s, 200, "{b}");
    let code = common::last_code(&dir.path().join("data"), email);
    let (s, b) = cognito(
        &http,
        &base,
        "ConfirmSignUp",
        json!({"ClientId": client_id, "Username": email, "ConfirmationCode": code}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = cognito(
        &http,
        &base,
        "InitiateAuth",
        json!({
            "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
            "AuthParameters": {"USERNAME": email, "PASSWORD": "Passw0rd!"},
        }),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let id_token = b["AuthenticationResult"]["IdToken"].as_str().unwrap();
    assert_eq!(
        jwt_claims(id_token)["iss"],
        format!("{public}/cognito/{}", profile.user_pool_id)
    );
    let page: Value = get_json(&http, &format!("{base}/stream/mypage"), Some(id_token)).await;
    let text = page.to_string();
    assert!(
        text.contains("rtmps://ingest.example.test:443/app/"),
        "{text}"
    );
    assert!(text.contains(&format!("{public}/media/avatars/")), "{text}");
    assert!(
        !text.contains("127.0.0.1"),
        "a socket address leaked: {text}"
    );
    let users: Value = get_json(&http, &format!("{base}/public/users"), None).await;
    let channel = users[0]["chanelName"].as_str().expect("the user's channel");
    let playback: Value = get_json(
        &http,
        &format!("{base}/public/get_channel?code={channel}"),
        None,
    )
    .await;
    assert_eq!(
        playback["play_back"],
        format!("{public}/hls/{channel}/index.m3u8"),
        "{playback}"
    );
    server.shutdown().await;
}

/// aiosmtpd (from the test venv) with STARTTLS required, storing mail in a Maildir.
struct SmtpSink(std::process::Child);
impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn aiosmtpd() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-venv/bin/aiosmtpd");
    path.exists().then_some(path)
}

#[tokio::test]
async fn smtp_mails_the_confirmation_code_over_starttls() {
    let Some(aiosmtpd) = aiosmtpd() else {
        cloumer_testkit::skip("no aiosmtpd in target/test-venv (scripts/setup.sh installs it)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed(dir.path());
    let maildir = dir.path().join("maildir");
    let port = free_port();
    let _sink = SmtpSink(
        std::process::Command::new(aiosmtpd)
            .args(["-n", "-l", &format!("127.0.0.1:{port}"), "--tlscert"])
            .arg(&cert)
            .arg("--tlskey")
            .arg(&key)
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start aiosmtpd"),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "aiosmtpd did not listen");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let server = common::start_with(|mut config| {
        config.smtp = Some(SmtpSettings {
            // "localhost": the name the certificate carries (STARTTLS checks it).
            url: format!("smtp://localhost:{port}"),
            password: None,
            from: "CLOUMER <no-reply@example.test>".into(),
            ca_cert: Some(cert.clone()),
        });
        config
    })
    .await;
    let email = "mailed@example.com";
    let (s, b) = server
        .cognito("SignUp", json!({
            "ClientId": server.client_id(), "Username": email, "Password": "Passw0rd!",
            "UserAttributes": [{"Name": "email", "Value": email}, {"Name": "nickname", "Value": "mailed"}],
        }))
        .await;
    assert_eq!(s, 200, "{b}");

    // The letter arrives in the Maildir; the code in it confirms the account.
    let deadline = Instant::now() + Duration::from_secs(30);
    let letter = loop {
        let files: Vec<_> = std::fs::read_dir(maildir.join("new"))
            .into_iter()
            .flatten()
            .flatten()
            .collect();
        if let Some(file) = files.first() {
            break std::fs::read_to_string(file.path()).unwrap();
        }
        assert!(Instant::now() < deadline, "no mail arrived in 30 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(letter.contains(&format!("To: {email}")), "{letter}");
    assert!(
        letter.contains("From: CLOUMER <no-reply@example.test>"),
        "{letter}"
    );
    let code: String = letter
        .lines()
        .find(|l| l.starts_with("Your verification code: "))
        .and_then(|l| l.rsplit(' ').next())
        .expect("the code line")
        .to_owned();
    assert!(
        !server.dir.path().join("outbox.jsonl").exists(),
        "with --smtp no file keeps the code"
    );
    let (s, b) = server
        .cognito(
            "ConfirmSignUp",
            json!({"ClientId": server.client_id(), "Username": email, "ConfirmationCode": code}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    server.login(email, "Passw0rd!").await;
}
