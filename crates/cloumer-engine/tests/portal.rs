//! Wayland capture through the ScreenCast portal: where no portal answers, the session
//! fails at start with a portal error that says what to install, instead of hanging.

use std::time::Duration;

use cloumer_engine::{
    BroadcastConfig, Outputs, RecordingOutput, ScreenSource, SessionHandle, SessionState, Sources,
};

#[tokio::test]
async fn no_portal_fails_fast_with_a_clear_reason() {
    // SAFETY: this test binary has this single test, so no other thread reads the
    // environment concurrently.
    unsafe {
        std::env::set_var(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/cloumer-test-bus",
        )
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let config = BroadcastConfig {
        sources: Sources {
            screen: Some(ScreenSource::Portal {
                restore_token: None,
            }),
            ..Default::default()
        },
        outputs: Outputs {
            stream: None,
            recording: Some(RecordingOutput {
                path: dir.path().join("w.mkv"),
            }),
        },
        ..Default::default()
    };
    let handle = SessionHandle::spawn(config).expect("valid config");
    let err = tokio::time::timeout(Duration::from_secs(30), handle.start())
        .await
        .expect("no hang")
        .expect_err("no portal here");
    assert_eq!(err.kind(), "portal", "{err}");
    assert!(err.to_string().contains("xdg-desktop-portal"), "{err}");
    assert!(matches!(
        handle.finished().await,
        SessionState::Failed { .. }
    ));
    assert_eq!(handle.portal_restore_token(), None);
}
