//! A self-hosted RTMPS ingest with a self-signed certificate that no trust store knows:
//! refused as a TLS failure by default, accepted once the user trusts exactly that
//! certificate (`StreamOutput::trusted_certificate`), while validation stays on (another
//! certificate does not help).
//!
//! One test in its own binary on purpose: trust added to GIO lasts for the process, so the
//! refusals must run before the acceptance and no other test may share the process.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use cloumer_engine::{
    AudioSource, AudioSourceKind, BroadcastConfig, Outputs, ScreenSource, SessionHandle,
    SessionState, Sources, StreamKey, StreamOutput,
};
use cloumer_testkit::{Ingest, probe, skip_unless};

const KEY: &str = "sk_test_trusted_cert_000001";

fn config(url: &str, trusted_certificate: Option<&Path>) -> BroadcastConfig {
    let mut output = StreamOutput::new(url.parse().expect("ingest URL"), StreamKey::new(KEY));
    output.trusted_certificate = trusted_certificate.map(Path::to_owned);
    BroadcastConfig {
        sources: Sources {
            screen: Some(ScreenSource::TestPattern {
                pattern: "ball".into(),
            }),
            camera: None,
            audio: vec![AudioSource::new(AudioSourceKind::TestTone {
                frequency: 440,
            })],
        },
        width: 640,
        height: 360,
        video_bitrate_kbps: 1000,
        outputs: Outputs {
            stream: Some(output),
            recording: None,
        },
        ..Default::default()
    }
}

/// Runs a session until it fails or has been live for `live_for`; returns the last state.
async fn run_session(config: BroadcastConfig, live_for: Duration) -> SessionState {
    let handle = SessionHandle::spawn(config).expect("valid config");
    if let Err(e) = handle.start().await {
        return SessionState::Failed { error: e };
    }
    let mut state = handle.state();
    let reached = tokio::time::timeout(
        Duration::from_secs(30),
        state.wait_for(|s| s.is_terminal() || matches!(s, SessionState::Live { .. })),
    )
    .await
    .expect("live or failed within 30 s")
    .expect("state channel")
    .clone();
    if reached.is_terminal() {
        return reached;
    }
    tokio::time::sleep(live_for).await;
    handle.stop().await
}

/// The certificate the ingest presents, fetched the way a user would (`openssl s_client`).
fn presented_certificate(url: &str, dir: &Path) -> anyhow::Result<std::path::PathBuf> {
    cloumer_testkit::require_programs(&["openssl"])?;
    let authority = url
        .trim_start_matches("rtmps://")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let shown = Command::new("openssl")
        .args(["s_client", "-connect", &authority])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()?;
    let text = String::from_utf8_lossy(&shown.stdout);
    let begin = text
        .find("-----BEGIN CERTIFICATE-----")
        .ok_or_else(|| anyhow::anyhow!("openssl s_client showed no certificate"))?;
    let end_marker = "-----END CERTIFICATE-----";
    let end = text[begin..]
        .find(end_marker)
        .ok_or_else(|| anyhow::anyhow!("truncated certificate"))?;
    let path = dir.join("ingest.pem");
    std::fs::write(
        &path,
        format!("{}\n", &text[begin..begin + end + end_marker.len()]),
    )?;
    Ok(path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_signed_ingest_needs_its_certificate_trusted() {
    let ingest = skip_unless!(Ingest::start(KEY));
    let dir = tempfile::tempdir().expect("temp dir");
    let url = ingest.untrusted_rtmps_url();
    let ingest_cert = skip_unless!(presented_certificate(&url, dir.path()));

    // Not in the system store: a TLS failure, nothing published.
    let end = run_session(config(&url, None), Duration::ZERO).await;
    let SessionState::Failed { error } = &end else {
        panic!("an untrusted certificate must fail the session, got {end:?}");
    };
    assert_eq!(error.kind(), "tls", "{error}");

    // Trusting some other self-signed certificate does not make this one valid.
    let other =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).expect("certificate");
    let other_path = dir.path().join("other.pem");
    std::fs::write(&other_path, other.cert.pem()).expect("write");
    let end = run_session(config(&url, Some(&other_path)), Duration::ZERO).await;
    let SessionState::Failed { error } = &end else {
        panic!("another certificate must not make the ingest trusted, got {end:?}");
    };
    assert_eq!(error.kind(), "tls", "{error}");
    assert!(
        ingest.publish_attempts().is_empty(),
        "published without valid TLS: {:?}",
        ingest.publish_attempts()
    );

    // Trusting exactly the ingest's certificate: the stream arrives.
    let end = run_session(config(&url, Some(&ingest_cert)), Duration::from_secs(4)).await;
    assert_eq!(end.name(), "stopped", "{end:?}\n{}", ingest.error_log());
    let recordings = ingest
        .wait_recordings(1, Duration::from_secs(20))
        .expect("the ingest recorded the stream");
    let video = probe::stream(&recordings[0].path, "video").expect("ffprobe video");
    assert_eq!(video["codec_name"], "h264", "{video}");
    assert_eq!(video["width"], 640, "{video}");
    assert_eq!(video["height"], 360, "{video}");
    let audio = probe::stream(&recordings[0].path, "audio").expect("ffprobe audio");
    assert_eq!(audio["codec_name"], "aac", "{audio}");
    let frames = probe::decoded_video_frames(&recordings[0].path).expect("frames");
    assert!(frames >= 60, "only {frames} frames arrived");
}

#[test]
fn unreadable_or_non_pem_certificate_is_a_config_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("missing.pem");
    let err = SessionHandle::spawn(config("rtmps://127.0.0.1:1/live/", Some(&missing)))
        .expect_err("missing file");
    assert_eq!(err.kind(), "config");
    assert!(err.to_string().contains("missing.pem"), "{err}");
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate").expect("write");
    let err = SessionHandle::spawn(config("rtmps://127.0.0.1:1/live/", Some(&garbage)))
        .expect_err("not PEM");
    assert_eq!(err.kind(), "config");
    assert!(err.to_string().contains("PEM"), "{err}");
}
