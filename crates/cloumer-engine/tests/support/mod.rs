#![allow(dead_code)] // each test binary uses part of these helpers
//! What the preview tests share: a test-source config and waiting for frames.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use cloumer_engine::{
    AudioSource, AudioSourceKind, BroadcastConfig, Outputs, RecordingOutput, ScreenSource,
    SessionHandle, SessionState, Sources,
};

/// 720p30 of a moving ball and two tones; `preview` on or off, an optional recording.
pub fn config(preview: bool, recording: Option<&std::path::Path>) -> BroadcastConfig {
    BroadcastConfig {
        sources: Sources {
            screen: Some(ScreenSource::TestPattern {
                pattern: "ball".into(),
            }),
            camera: None,
            audio: vec![
                AudioSource::new(AudioSourceKind::TestTone { frequency: 440 }),
                AudioSource::new(AudioSourceKind::TestTone { frequency: 880 }),
            ],
        },
        width: 1280,
        height: 720,
        fps: 30,
        video_bitrate_kbps: 2000,
        outputs: Outputs {
            stream: None,
            recording: recording.map(|path| RecordingOutput {
                path: path.to_owned(),
            }),
        },
        preview,
        ..Default::default()
    }
}

pub async fn wait_running(handle: &SessionHandle) {
    handle.start().await.expect("start");
    let mut state = handle.state();
    let state = tokio::time::timeout(
        Duration::from_secs(20),
        state.wait_for(|s| s.is_terminal() || matches!(s, SessionState::Live { .. })),
    )
    .await
    .expect("running within 20 s")
    .expect("state channel")
    .clone();
    assert!(!state.is_terminal(), "{state:?}");
}

/// Waits for the session's first preview frame.
pub async fn first_frame(
    preview: &mut tokio::sync::watch::Receiver<Option<cloumer_engine::PreviewFrame>>,
) {
    tokio::time::timeout(Duration::from_secs(10), preview.wait_for(Option::is_some))
        .await
        .expect("a first preview frame within 10 s")
        .expect("preview channel");
}

/// Distinct frames per second seen over `window`, and the last frame. A watch channel only
/// keeps the latest frame, so a frame missed by this reader is not a frame the engine failed
/// to make; the reader polls far faster than 15 fps.
pub async fn distinct_frame_rate(
    preview: &mut tokio::sync::watch::Receiver<Option<cloumer_engine::PreviewFrame>>,
    window: Duration,
) -> (f64, cloumer_engine::PreviewFrame) {
    let started = Instant::now();
    let mut seen = BTreeSet::new();
    let mut last = None;
    while started.elapsed() < window {
        if tokio::time::timeout(Duration::from_secs(2), preview.changed())
            .await
            .is_err()
        {
            break;
        }
        let frame = preview.borrow_and_update().clone().expect("a frame");
        seen.insert(frame.pts);
        last = Some(frame);
    }
    let fps = seen.len() as f64 / started.elapsed().as_secs_f64();
    (fps, last.expect("frames"))
}
