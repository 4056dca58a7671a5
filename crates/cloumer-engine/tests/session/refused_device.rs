//! A device chosen while live that cannot be opened is refused and the broadcast goes on:
//! over nginx-rtmp behind TLS, a green camera (shown alone) is asked to become a V4L2
//! device that does not exist and the tone's microphone a PulseAudio source that does not
//! exist. Each call returns an error naming the device, the session stays live with stats
//! coming and no reconnect, the ingest's recording keeps the green camera and the tone,
//! and valid swaps (a blue camera, a real PulseAudio monitor) still work afterwards.

use std::time::{Duration, Instant};

use cloumer_engine::{
    AudioSourceKind, CameraSource, Layout, SessionHandle, SessionState, VideoSources,
};
use cloumer_testkit::{Ingest, Pulse, probe, skip_unless};

use crate::layouts::{FPS, KEY, Seen, config, regions, states_without_reconnect};
use crate::support;

const MISSING_CAMERA: &str = "/dev/video-cloumer-missing";
const MISSING_MIC: &str = "cloumer-missing-microphone";

/// The session is live now and gave stats within the last second or so.
async fn assert_still_live(
    handle: &SessionHandle,
    stats: &mut tokio::sync::broadcast::Receiver<cloumer_engine::Stats>,
) {
    let state = handle.state().borrow().clone();
    assert!(matches!(state, SessionState::Live { .. }), "{state:?}");
    // Drop what queued up, then wait for a fresh one.
    while stats.try_recv().is_ok() {}
    let fresh = tokio::time::timeout(Duration::from_secs(3), stats.recv()).await;
    let fresh = fresh.expect("stats within 3 s").expect("stats channel");
    assert!(fresh.frames_encoded > 0, "{fresh:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_that_cannot_be_opened_is_refused_and_the_stream_goes_on() {
    skip_unless!(cloumer_testkit::require_programs(&["ffmpeg", "ffprobe"]));
    let pulse = skip_unless!(Pulse::start());
    // SAFETY: set before this test's session exists; the other tests of this binary use
    // no PulseAudio, and nothing else in them writes the environment.
    for (name, value) in pulse.env() {
        unsafe { std::env::set_var(name, value) };
    }
    let ingest = skip_unless!(Ingest::start(KEY));
    let mut config = config(&ingest.rtmps_url());
    config.layout = Layout::Camera;
    let handle = SessionHandle::spawn(config).expect("valid config");
    let mut transitions = handle.transitions();
    let mut stats = handle.stats();
    support::wait_running(&handle).await;
    let live_at = Instant::now();
    tokio::time::sleep(Duration::from_secs(2)).await;

    let before = handle.config().sources.clone();
    let missing = VideoSources {
        screen: before.screen.clone(),
        camera: Some(CameraSource::V4l2 {
            device: Some(MISSING_CAMERA.into()),
        }),
    };
    let error = handle
        .set_video_sources(missing)
        .await
        .expect_err("a camera that does not exist is refused");
    assert_eq!(error.kind(), "device", "{error}");
    assert!(error.to_string().contains(MISSING_CAMERA), "{error}");
    eprintln!("refused camera: {error}");
    let camera_refused = live_at.elapsed().as_secs_f64();

    let missing_mic = AudioSourceKind::Microphone {
        device: Some(MISSING_MIC.into()),
    };
    let error = handle
        .set_audio_device(0, missing_mic)
        .await
        .expect_err("a microphone that does not exist is refused");
    assert_eq!(error.kind(), "device", "{error}");
    assert!(error.to_string().contains(MISSING_MIC), "{error}");
    eprintln!("refused microphone: {error}");

    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_still_live(&handle, &mut stats).await;

    // Valid swaps still work.
    let blue = VideoSources {
        screen: before.screen.clone(),
        camera: Some(CameraSource::TestPattern {
            pattern: "blue".into(),
        }),
    };
    handle
        .set_video_sources(blue)
        .await
        .expect("a valid camera");
    let blue_at = live_at.elapsed().as_secs_f64();
    let monitor = AudioSourceKind::Microphone {
        device: Some(pulse.monitor_source()),
    };
    handle
        .set_audio_device(0, monitor)
        .await
        .expect("a valid microphone");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_still_live(&handle, &mut stats).await;
    let end = handle.stop().await;
    assert_eq!(end.name(), "stopped", "{end:?}");

    let seen_states = states_without_reconnect(&mut transitions);
    assert_eq!(ingest.publish_attempts().len(), 1, "one connection");
    let recordings = ingest
        .wait_recordings(1, Duration::from_secs(30))
        .expect("ingest recording");
    let file = &recordings[0].path;
    // After the refusals the green camera is still on air, then the blue one.
    for at in [camera_refused + 1.0, camera_refused + 3.0] {
        let frame = (at * FPS) as u32;
        assert_eq!(regions(file, frame).0, Seen::Green, "{at:.1} s after live");
    }
    let frame = ((blue_at + 2.0) * FPS) as u32;
    assert_eq!(regions(file, frame).0, Seen::Blue, "after the valid swap");
    // The tone (the old microphone) is still heard after the refusal.
    let (tone, _) =
        probe::volume_db_between(file, camera_refused + 0.5, camera_refused + 3.0).expect("volume");
    assert!(tone > -30.0, "the tone after the refusals: {tone} dB");
    let (frames, ratio) = probe::frame_ratio(file, FPS).expect("video packets");
    assert!(ratio >= 0.995, "{frames} frames = {:.2} %", ratio * 100.0);
    eprintln!(
        "refused device: {frames} frames, {:.2} %, states {seen_states:?}",
        ratio * 100.0
    );
}
