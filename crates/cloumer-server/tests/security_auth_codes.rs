//! Issue 15 #1 and #14: one-time codes cannot be brute-forced (five wrong guesses spend a
//! code), code messages are limited per account, and codes never reach the log; the
//! outbox that holds them is owner-only.

mod common;
mod security_auth_support;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use common::{assert_cognito_error, last_code};
use security_auth_support::{PASSWORD, password_login, user};
use serde_json::json;

/// Six-digit guesses other than `real`.
fn wrong_guesses(real: &str, n: usize) -> Vec<String> {
    (0..)
        .map(|i: u32| format!("{:06}", (i * 7919) % 1_000_000))
        .filter(|g| g != real)
        .take(n)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn reset_code_guessing_stops_after_five_and_the_attackers_password_never_works() {
    let t = common::start().await;
    let victim = "victim@example.com";
    user(&t, victim).await;
    let client_id = t.client_id();
    let forgot = json!({"ClientId": client_id, "Username": victim});
    assert_eq!(t.cognito("ForgotPassword", forgot.clone()).await.0, 200);
    let real = last_code(t.dir.path(), victim);

    // The attack: many wrong codes with the attacker's password, then the right one.
    let attacker_password = "Attacker#Pw1";
    let mut answers = Vec::new();
    for guess in wrong_guesses(&real, 30).into_iter().chain([real.clone()]) {
        let (_, b) = t
            .cognito(
                "ConfirmForgotPassword",
                json!({"ClientId": client_id, "Username": victim,
                       "ConfirmationCode": guess, "Password": attacker_password}),
            )
            .await;
        answers.push(b["__type"].as_str().unwrap_or("OK").to_owned());
    }
    assert!(
        answers[..5].iter().all(|a| a == "CodeMismatchException"),
        "{answers:?}"
    );
    assert!(
        answers[5..].iter().all(|a| a == "LimitExceededException"),
        "after five wrong guesses even the right code is refused: {answers:?}"
    );
    assert_cognito_error(
        password_login(&t, victim, attacker_password).await,
        "NotAuthorizedException",
    );
    assert_eq!(password_login(&t, victim, PASSWORD).await.0, 200);

    // The owner recovers with a new code.
    assert_eq!(t.cognito("ForgotPassword", forgot).await.0, 200);
    let fresh = last_code(t.dir.path(), victim);
    let (s, b) = t
        .cognito(
            "ConfirmForgotPassword",
            json!({"ClientId": client_id, "Username": victim,
                   "ConfirmationCode": fresh, "Password": "N3w-Passw0rd"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(password_login(&t, victim, "N3w-Passw0rd").await.0, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_up_code_guessing_stops_after_five() {
    let t = common::start().await;
    let client_id = t.client_id();
    let email = "squatted@example.com";
    let (s, b) = t
        .cognito(
            "SignUp",
            json!({"ClientId": client_id, "Username": email, "Password": PASSWORD,
                   "UserAttributes": [{"Name": "email", "Value": email}]}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let real = last_code(t.dir.path(), email);
    let confirm = |code: String| {
        t.cognito(
            "ConfirmSignUp",
            json!({"ClientId": client_id, "Username": email, "ConfirmationCode": code}),
        )
    };
    for guess in wrong_guesses(&real, 5) {
        assert_cognito_error(confirm(guess).await, "CodeMismatchException");
    }
    assert_cognito_error(confirm(real).await, "LimitExceededException");
    assert_cognito_error(
        password_login(&t, email, PASSWORD).await,
        "UserNotConfirmedException",
    );
    // A new code (ResendConfirmationCode) works.
    let (s, _) = t
        .cognito(
            "ResendConfirmationCode",
            json!({"ClientId": client_id, "Username": email}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(confirm(last_code(t.dir.path(), email)).await.0, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn code_messages_are_limited_per_account() {
    let t = common::start().await;
    let client_id = t.client_id();
    let email = "flooded@example.com";
    t.cognito(
        "SignUp",
        json!({"ClientId": client_id, "Username": email, "Password": PASSWORD,
               "UserAttributes": [{"Name": "email", "Value": email}]}),
    )
    .await;
    for op in ["ResendConfirmationCode", "ForgotPassword"] {
        let mut sent = 0;
        let mut limited = 0;
        for _ in 0..100 {
            let (s, b) = t
                .cognito(op, json!({"ClientId": client_id, "Username": email}))
                .await;
            match (s, b["__type"].as_str()) {
                (200, _) => sent += 1,
                (400, Some("LimitExceededException")) => limited += 1,
                other => panic!("{op}: unexpected {other:?} {b}"),
            }
        }
        eprintln!("{op}: 100 requests → {sent} sent, {limited} LimitExceeded");
        assert!(sent <= 6, "{op} sent {sent} codes");
        assert!(limited >= 94);
    }
    let outbox = std::fs::read_to_string(t.dir.path().join("outbox.jsonl")).unwrap();
    let messages = outbox.lines().filter(|l| l.contains(email)).count();
    assert!(messages <= 1 + 2 * 6, "{messages} messages to one address");
}

/// Everything the process logs, for the test that looks for codes in it.
fn captured_log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = log.clone();
        let writer = move || Sink(sink.clone());
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(writer)
            .init();
        log
    })
    .clone()
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn codes_never_reach_the_log_and_the_outbox_is_owner_only() {
    let log = captured_log();
    let t = common::start().await;
    let client_id = t.client_id();
    let email = "quiet@example.com";
    user(&t, email).await;
    t.cognito(
        "ForgotPassword",
        json!({"ClientId": client_id, "Username": email}),
    )
    .await;
    let outbox = std::fs::read_to_string(t.dir.path().join("outbox.jsonl")).unwrap();
    let codes: Vec<String> = outbox
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["code"].to_string())
        .map(|c| c.trim_matches('"').to_owned())
        .collect();
    assert_eq!(codes.len(), 2, "{outbox}");
    let text = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
    assert!(
        text.contains("outbox message"),
        "the log was captured: {text}"
    );
    for code in &codes {
        assert!(
            !text.contains(code.as_str()),
            "code {code} in the log:\n{text}"
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(t.dir.path().join("outbox.jsonl"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
