//! Layouts and sources switched while live (issue 20, item 2), checked on what the ingest
//! (nginx-rtmp behind TLS) recorded: a red screen and a green camera go screen only ->
//! camera only -> picture-in-picture -> "be right back", then the camera is swapped for a
//! blue one and shown alone. At each step the picture is what the layout says (the mean
//! colour of a screen-only region and of the camera's corner), and over the whole run there
//! was one connection, no missing frame (>= 99.5 % of the frames the time span needs) and
//! no keyframe gap over 2 s. (A module of the `session` test binary: one binary less on
//! CI's disk.)

use std::path::Path;
use std::time::{Duration, Instant};

use cloumer_engine::{
    AudioSource, AudioSourceKind, BroadcastConfig, CameraSource, Layout, Outputs, PipLayout,
    ScreenSource, SessionHandle, Sources, StreamKey, StreamOutput, VideoSources,
};
use cloumer_testkit::{Ingest, probe, skip_unless};

use crate::support;

pub(crate) const KEY: &str = "sk_test_layout_switch_00001";
const WIDTH: usize = 640;
const HEIGHT: usize = 360;
pub(crate) const FPS: f64 = 30.0;
/// How long each step is on air.
const STEP: Duration = Duration::from_secs(3);

pub(crate) fn config(url: &str) -> BroadcastConfig {
    BroadcastConfig {
        sources: Sources {
            screen: Some(ScreenSource::TestPattern {
                pattern: "red".into(),
            }),
            camera: Some(CameraSource::TestPattern {
                pattern: "green".into(),
            }),
            audio: vec![AudioSource::new(AudioSourceKind::TestTone {
                frequency: 440,
            })],
        },
        layout: Layout::Screen,
        width: WIDTH as u32,
        height: HEIGHT as u32,
        fps: FPS as u32,
        video_bitrate_kbps: 1000,
        outputs: Outputs {
            stream: Some(StreamOutput::new(
                url.parse().expect("ingest URL"),
                StreamKey::new(KEY),
            )),
            recording: None,
        },
        ..Default::default()
    }
}

/// A colour as the eye would name it (x264 and YUV round trips move values a little).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seen {
    Red,
    Green,
    Blue,
    /// The built-in "be right back" card: dark slate blue (30, 42, 58).
    Card,
    Other([u8; 3]),
}

fn name(rgb: [u8; 3]) -> Seen {
    let [r, g, b] = rgb.map(i32::from);
    let near = |want: [i32; 3]| {
        (r - want[0]).abs() <= 25 && (g - want[1]).abs() <= 25 && (b - want[2]).abs() <= 25
    };
    if near([30, 42, 58]) {
        Seen::Card
    } else if r > 180 && g < 70 && b < 70 {
        Seen::Red
    } else if g > 100 && r < 70 && b < 70 {
        Seen::Green
    } else if b > 180 && r < 70 && g < 70 {
        Seen::Blue
    } else {
        Seen::Other(rgb)
    }
}

/// The mean colour of a 32x32 square centred on (`cx`, `cy`).
fn mean(rgb: &[u8], cx: usize, cy: usize) -> [u8; 3] {
    let mut sum = [0u64; 3];
    for y in cy - 16..cy + 16 {
        for x in cx - 16..cx + 16 {
            for (c, total) in sum.iter_mut().enumerate() {
                *total += u64::from(rgb[(y * WIDTH + x) * 3 + c]);
            }
        }
    }
    sum.map(|t| (t / (32 * 32)) as u8)
}

/// (top-left region, camera corner region) of frame `n`. The picture-in-picture is the
/// default bottom-right corner: 160x90 at 24 px from the edges of 640x360.
pub(crate) fn regions(path: &Path, n: u32) -> (Seen, Seen) {
    let rgb = probe::rgb_frame(path, n).expect("frame");
    assert_eq!(rgb.len(), WIDTH * HEIGHT * 3);
    let corner = (WIDTH - 24 - 80, HEIGHT - 24 - 45);
    (
        name(mean(&rgb, 100, 80)),
        name(mean(&rgb, corner.0, corner.1)),
    )
}

/// The states the session went through (names), asserting it never reconnected.
pub(crate) fn states_without_reconnect(
    transitions: &mut tokio::sync::broadcast::Receiver<cloumer_engine::SessionState>,
) -> Vec<&'static str> {
    let mut seen_states = Vec::new();
    while let Ok(state) = transitions.try_recv() {
        seen_states.push(state.name());
    }
    assert!(
        !seen_states.contains(&"reconnecting"),
        "the stream reconnected: {seen_states:?}"
    );
    seen_states
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn layouts_and_camera_switch_live_without_reconnect_or_lost_frames() {
    skip_unless!(cloumer_testkit::require_programs(&["ffmpeg", "ffprobe"]));
    let ingest = skip_unless!(Ingest::start(KEY));
    let handle = SessionHandle::spawn(config(&ingest.rtmps_url())).expect("valid config");
    let mut transitions = handle.transitions();
    support::wait_running(&handle).await;
    let live_at = Instant::now();

    // (when the step began, seconds after live; what the two regions must show)
    let mut steps = vec![(0.0, (Seen::Red, Seen::Red))];
    tokio::time::sleep(STEP).await;
    let switches = [
        (Layout::Camera, (Seen::Green, Seen::Green)),
        (Layout::Pip(PipLayout::default()), (Seen::Red, Seen::Green)),
        (Layout::BeRightBack, (Seen::Card, Seen::Card)),
    ];
    for (layout, wanted) in switches {
        handle.set_layout(layout).await.expect("set layout");
        steps.push((live_at.elapsed().as_secs_f64(), wanted));
        tokio::time::sleep(STEP).await;
    }
    let sources = VideoSources {
        screen: handle.config().sources.screen.clone(),
        camera: Some(CameraSource::TestPattern {
            pattern: "blue".into(),
        }),
    };
    handle
        .set_video_sources(sources)
        .await
        .expect("swap camera");
    handle.set_layout(Layout::Camera).await.expect("set layout");
    steps.push((live_at.elapsed().as_secs_f64(), (Seen::Blue, Seen::Blue)));
    tokio::time::sleep(STEP).await;
    let end = handle.stop().await;
    assert_eq!(end.name(), "stopped", "{end:?}");

    let seen_states = states_without_reconnect(&mut transitions);
    assert_eq!(
        ingest.publish_attempts().len(),
        1,
        "one connection for the whole run"
    );
    let recordings = ingest
        .wait_recordings(1, Duration::from_secs(30))
        .expect("ingest recording");
    let file = &recordings[0].path;

    // The middle of each step (wall clock and file time line up within a few hundred ms;
    // each step lasts 3 s).
    for (i, (began, wanted)) in steps.iter().enumerate() {
        let frame = ((began + STEP.as_secs_f64() / 2.0) * FPS) as u32;
        let got = regions(file, frame);
        assert_eq!(got, *wanted, "step {i} (frame {frame})");
    }

    let (frames, ratio) = probe::frame_ratio(file, FPS).expect("video packets");
    assert!(
        ratio >= 0.995,
        "{frames} frames = {:.2} % of what the time span needs",
        ratio * 100.0
    );
    let keys = probe::keyframe_times(file).expect("keyframes");
    for pair in keys.windows(2) {
        assert!(
            pair[1] - pair[0] <= 2.05,
            "keyframe gap {:.3} s (keyframes at {keys:?})",
            pair[1] - pair[0]
        );
    }
    eprintln!(
        "layout switch: {frames} frames, {:.2} % of expected, {} keyframes, states {seen_states:?}",
        ratio * 100.0,
        keys.len()
    );
}

/// A "be right back" image (PNG) fills the canvas while the sources run underneath, and the
/// session still stops at once: the still's endless repeat does not hold up the EOS drain.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_be_right_back_image_is_shown_and_the_session_stops_at_once() {
    skip_unless!(cloumer_testkit::require_programs(&["ffmpeg", "ffprobe"]));
    let dir = tempfile::tempdir().expect("temp dir");
    let image = dir.path().join("brb.png");
    let made = std::process::Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "color=c=0xff8000:s=160x90",
        ])
        .args(["-frames:v", "1"])
        .arg(&image)
        .status()
        .expect("ffmpeg");
    assert!(made.success(), "ffmpeg made no PNG");
    let path = dir.path().join("brb.mkv");
    let mut config = config("rtmp://127.0.0.1:1/live");
    config.outputs = Outputs {
        stream: None,
        recording: Some(cloumer_engine::RecordingOutput { path: path.clone() }),
    };
    config.layout = Layout::BeRightBack;
    config.be_right_back.image = Some(image);
    let handle = SessionHandle::spawn(config).expect("valid config");
    support::wait_running(&handle).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let asked = Instant::now();
    let end = handle.stop().await;
    assert_eq!(end.name(), "stopped", "{end:?}");
    assert!(
        asked.elapsed() < Duration::from_secs(5),
        "stopping took {:?}: the EOS did not get past the still",
        asked.elapsed()
    );
    let rgb = probe::rgb_frame(&path, 30).expect("frame");
    let [r, g, b] = mean(&rgb, WIDTH / 2, HEIGHT / 2).map(i32::from);
    assert!(
        r > 200 && (100..160).contains(&g) && b < 60,
        "the middle of the picture is ({r}, {g}, {b}), not the orange image"
    );
}

/// The microphone changed while running (here a tone swapped for a silent source and back):
/// what is recorded follows within a moment, the picture never misses a frame and the
/// session still stops cleanly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audio_source_swapped_while_running_is_heard_in_the_recording() {
    skip_unless!(cloumer_testkit::require_programs(&["ffmpeg", "ffprobe"]));
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("swap.mkv");
    let mut config = config("rtmp://127.0.0.1:1/live");
    config.outputs = Outputs {
        stream: None,
        recording: Some(cloumer_engine::RecordingOutput { path: path.clone() }),
    };
    let handle = SessionHandle::spawn(config).expect("valid config");
    support::wait_running(&handle).await;
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let silent = AudioSourceKind::TestTone { frequency: 0 };
    handle.set_audio_device(0, silent).await.expect("swap");
    let swapped = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let tone = AudioSourceKind::TestTone { frequency: 440 };
    handle.set_audio_device(0, tone).await.expect("swap back");
    let back = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let end = handle.stop().await;
    assert_eq!(end.name(), "stopped", "{end:?}");

    // Windows well inside each stretch (wall clock and file time differ by a few hundred ms).
    let level = |from: f64, to: f64| probe::volume_db_between(&path, from, to).expect("volume").0;
    let before = level(0.5, swapped - 0.5);
    let during = level(swapped + 0.5, back - 0.5);
    let after = level(back + 0.5, back + 1.5);
    assert!(before > -30.0, "the tone before the swap: {before} dB");
    assert!(
        during < -60.0,
        "the silent source after the swap: {during} dB"
    );
    assert!(after > -30.0, "the tone after swapping back: {after} dB");
    let (frames, ratio) = probe::frame_ratio(&path, FPS).expect("video packets");
    assert!(ratio >= 0.995, "{frames} frames = {:.2} %", ratio * 100.0);
}
