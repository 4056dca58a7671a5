//! Mute and volume changed while live take effect in what is recorded (issue 20, item 3):
//! a tone is recorded, muted, then unmuted at a quarter of its gain. The recording's silent
//! stretch lasts as long as the mute did, within 100 ms (wall-clock time and file time
//! cannot be lined up more closely than a buffer from outside, but a change that lagged or
//! waited for anything, a keyframe or a queue, would stretch or shrink it), and the tone
//! comes back 12 dB lower.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use cloumer_engine::{
    AudioSource, AudioSourceKind, BroadcastConfig, Outputs, RecordingOutput, ScreenSource,
    SessionHandle, SessionState, Sources,
};
use cloumer_testkit::{probe, skip_unless};

fn config(path: &Path) -> BroadcastConfig {
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
        video_bitrate_kbps: 800,
        outputs: Outputs {
            stream: None,
            recording: Some(RecordingOutput {
                path: path.to_owned(),
            }),
        },
        ..Default::default()
    }
}

/// The silent stretches ffmpeg's `silencedetect` finds: (start, end) in file seconds.
fn silences(path: &Path) -> Vec<(f64, f64)> {
    let output = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats", "-i"])
        .arg(path)
        .args([
            "-map",
            "0:a:0",
            "-af",
            "silencedetect=noise=-60dB:d=0.1",
            "-f",
            "null",
            "-",
        ])
        .output()
        .expect("ffmpeg");
    let text = String::from_utf8_lossy(&output.stderr);
    let value = |line: &str, key: &str| -> Option<f64> {
        let rest = line.split_once(key)?.1.trim();
        rest.split_whitespace().next()?.parse().ok()
    };
    let starts = text.lines().filter_map(|l| value(l, "silence_start:"));
    let ends = text.lines().filter_map(|l| value(l, "silence_end:"));
    starts.zip(ends).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_mute_and_volume_follow_in_the_recording_within_100_ms() {
    skip_unless!(cloumer_testkit::require_programs(&["ffmpeg", "ffprobe"]));
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("controls.mkv");
    let handle = SessionHandle::spawn(config(&path)).expect("spawn");
    handle.start().await.expect("start");
    let mut state = handle.state();
    tokio::time::timeout(
        Duration::from_secs(20),
        state.wait_for(|s| matches!(s, SessionState::Live { .. })),
    )
    .await
    .expect("live in time")
    .expect("state channel");

    tokio::time::sleep(Duration::from_secs(2)).await;
    handle.set_audio_volume(0, 1.0, true).await.expect("mute");
    let muted_at = Instant::now();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    handle
        .set_audio_volume(0, 0.25, false)
        .await
        .expect("unmute");
    let mute_lasted = muted_at.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let end = handle.stop().await;
    assert_eq!(end.name(), "stopped", "{end:?}");

    let found = silences(&path);
    let [(start, stop)] = found.as_slice() else {
        panic!("wanted one silent stretch, found {found:?}");
    };
    let silent_for = stop - start;
    assert!(
        (silent_for - mute_lasted).abs() <= 0.1,
        "muted for {mute_lasted:.3} s, silent in the recording for {silent_for:.3} s ({start:.3}-{stop:.3})"
    );
    let (before, _) = probe::volume_db_between(&path, start - 1.5, start - 0.2).expect("before");
    let (after, _) = probe::volume_db_between(&path, stop + 0.2, stop + 1.5).expect("after");
    // A quarter of the gain is 20 * log10(0.25) = -12 dB.
    let drop = before - after;
    assert!(
        (drop - 12.0).abs() <= 1.5,
        "the tone came back {drop:.1} dB lower, wanted 12 (before {before} dB, after {after} dB)"
    );
}
