//! The session API as the desktop app uses it: spawn, start, watch states and stats,
//! change the bitrate live, stop with a drained, valid file.

use std::time::Duration;

use cloumer_engine::{
    AudioSource, AudioSourceKind, BroadcastConfig, CameraSource, Outputs, PipelineBuilder,
    RecordingOutput, ScreenSource, SessionHandle, SessionState, Sources, names,
};
use gst::prelude::*;

#[path = "session/layouts.rs"]
mod layouts;
#[path = "session/refused_device.rs"]
mod refused_device;
mod support;

fn test_config(path: &std::path::Path) -> BroadcastConfig {
    BroadcastConfig {
        sources: Sources {
            screen: Some(ScreenSource::TestPattern {
                pattern: "ball".into(),
            }),
            camera: Some(CameraSource::TestPattern {
                pattern: "smpte".into(),
            }),
            audio: vec![
                AudioSource::new(AudioSourceKind::TestTone { frequency: 440 }),
                AudioSource::new(AudioSourceKind::TestTone { frequency: 880 }),
            ],
        },
        width: 640,
        height: 360,
        video_bitrate_kbps: 1200,
        outputs: Outputs {
            stream: None,
            recording: Some(RecordingOutput {
                path: path.to_owned(),
            }),
        },
        ..Default::default()
    }
}

#[test]
fn pipeline_has_stable_names_and_no_unlinked_pads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = test_config(&dir.path().join("x.mkv"));
    let built = PipelineBuilder::new(&config).build().expect("build");
    for name in [
        names::SCREEN_SOURCE,
        names::CAMERA_SOURCE,
        names::COMPOSITOR,
        names::CANVAS_CAPS,
        names::VIDEO_ENCODER,
        names::VIDEO_TEE,
        names::AUDIO_MIXER,
        names::AUDIO_ENCODER,
        names::AUDIO_TEE,
        names::RECORDING_MUX,
        names::RECORDING_SINK,
    ] {
        assert!(built.pipeline.by_name(name).is_some(), "no element {name}");
    }
    for element in built.pipeline.iterate_recurse().into_iter().flatten() {
        for pad in element.pads() {
            let inside_bin = element
                .parent()
                .is_some_and(|p| p != *built.pipeline.upcast_ref::<gst::Object>());
            if !inside_bin {
                assert!(
                    pad.is_linked(),
                    "unlinked pad {}:{}",
                    element.name(),
                    pad.name()
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_live_bitrate_stop_drains_to_a_valid_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("session.mkv");
    let handle = SessionHandle::spawn(test_config(&path)).expect("spawn");
    let mut transitions = handle.transitions();
    let mut stats = handle.stats();
    handle.start().await.expect("start");
    let mut state = handle.state();
    tokio::time::timeout(
        Duration::from_secs(20),
        state.wait_for(|s| matches!(s, SessionState::Live { .. })),
    )
    .await
    .expect("live in time")
    .expect("state channel");
    handle.set_bitrate(800).await.expect("live bitrate change");
    assert!(
        handle.set_bitrate(20_000).await.is_err(),
        "over the IVS limit must be refused"
    );
    handle
        .set_audio_volume(1, 0.5, true)
        .await
        .expect("mute the second tone");
    let sample = tokio::time::timeout(Duration::from_secs(10), stats.recv())
        .await
        .expect("stats")
        .expect("sample");
    assert_eq!(sample.encoder, "x264");
    assert!(sample.fps > 0.0, "{sample:?}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let end = handle.stop().await;
    assert_eq!(end.name(), "stopped", "{end:?}");
    let mut seen = Vec::new();
    while let Ok(s) = transitions.try_recv() {
        seen.push(s.name());
    }
    assert_eq!(seen, ["connecting", "live", "stopping", "stopped"]);
    // Drained by EOS: the file is complete and decodable to the end.
    let status = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-count_frames",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=nb_read_frames",
            "-of",
            "csv=p=0",
        ])
        .arg(&path)
        .output()
        .expect("ffprobe");
    let frames: u64 = String::from_utf8_lossy(&status.stdout)
        .trim()
        .parse()
        .unwrap_or(0);
    assert!(frames >= 60, "{frames} frames");
    assert!(
        handle.start().await.is_err(),
        "a stopped session cannot start again"
    );
}

#[tokio::test]
async fn invalid_config_is_refused_before_any_element() {
    let mut config = test_config(std::path::Path::new("/tmp/never.mkv"));
    config.fps = 120;
    let err = SessionHandle::spawn(config).expect_err("120 fps");
    assert_eq!(err.kind(), "config");
    assert!(err.to_string().contains("60"), "{err}");
}
