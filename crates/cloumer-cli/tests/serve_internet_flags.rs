//! `cloumer serve`'s internet flags from the command line (issue 18 #3): --public-url and
//! --public-rtmps-host reach the backend profile; malformed values and an SMTP password in
//! the URL stop the start with one clear line that does not repeat the password. (HTTPS and
//! SMTP delivery themselves: cloumer-server tests/serve_internet.rs.)

mod account_support;

use std::process::{Command, Stdio};

use account_support::*;

#[test]
fn public_urls_reach_the_backend_profile() {
    let tmp = tempfile::tempdir().unwrap();
    let (_serve, backend) = start_serve_with(
        tmp.path(),
        Stdio::null(),
        &[
            "--public-url",
            "https://live.example.test",
            "--public-rtmps-host",
            "ingest.example.test:443",
        ],
    );
    let text = std::fs::read_to_string(backend).unwrap();
    assert!(
        text.contains("api_url = \"https://live.example.test\""),
        "{text}"
    );
    assert!(text.contains("wss://live.example.test/chat"), "{text}");
    assert!(
        text.contains("rtmps://ingest.example.test:443/app/"),
        "{text}"
    );
    assert!(!text.contains("127.0.0.1"), "{text}");
}

fn serve_fails(extra: &[&str]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--data-dir"])
        .arg(tmp.path().join("data"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--rtmp",
            "127.0.0.1:0",
            "--rtmps",
            "127.0.0.1:0",
        ])
        .args(extra)
        .env_remove("CLOUMER_SMTP_PASSWORD")
        .stdin(Stdio::null())
        .output()
        .expect("run cloumer serve");
    assert!(!out.status.success(), "started with {extra:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn malformed_internet_settings_stop_the_start() {
    assert!(serve_fails(&["--public-url", "ftp://x"]).contains("--public-url"));
    assert!(serve_fails(&["--public-rtmps-host", "a/b"]).contains("--public-rtmps-host"));
    let err = serve_fails(&[
        "--tls-cert",
        "/nonexistent.pem",
        "--tls-key",
        "/nonexistent.pem",
    ]);
    assert!(err.contains("/nonexistent.pem"), "{err}");
    let err = serve_fails(&[
        "--smtp",
        "smtp://user:s3cr3t-pw@mail.example.test",
        "--smtp-from",
        "no-reply@example.test",
    ]);
    assert!(err.contains("CLOUMER_SMTP_PASSWORD"), "{err}");
    assert!(
        !err.contains("s3cr3t-pw"),
        "the password was repeated: {err}"
    );
    // --smtp without --smtp-from is a usage error.
    let err = serve_fails(&["--smtp", "smtp://mail.example.test"]);
    assert!(err.contains("--smtp-from"), "{err}");
}
