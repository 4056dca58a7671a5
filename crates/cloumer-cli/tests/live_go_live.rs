//! The main go-live check: the real `cloumer` captures an Xvfb screen with moving content
//! and a PulseAudio tone, streams 720p30 over RTMPS to nginx-rtmp behind TLS (test CA in
//! the system store), and what the ingest recorded passes ffprobe like a user would check.

mod live_support;

use std::time::Duration;

use cloumer_testkit::{Ingest, Pulse, Xvfb, probe, skip_unless};
use live_support::*;

#[test]
fn screen_and_mic_to_rtmps_ingest() {
    let xvfb = skip_unless!(Xvfb::start());
    let pulse = skip_unless!(Pulse::start());
    let ingest = skip_unless!(Ingest::start(GOOD_KEY));
    let mut cmd = cloumer();
    cmd.args([
        "live",
        "--to",
        &ingest.rtmps_url(),
        "--screen",
        xvfb.display(),
    ])
    .args([
        "--mic",
        &pulse.monitor_source(),
        "--size",
        "1280x720",
        "--fps",
        "30",
    ])
    .args(["--encoder", "x264", "--duration", "8", "--json"])
    .env("CLOUMER_STREAM_KEY", GOOD_KEY)
    .envs(pulse.env());
    let run = run(&mut cmd, Duration::from_secs(90));
    assert_eq!(run.code(), Some(0), "{}", run.describe());
    let states = run.states();
    for wanted in ["connecting", "live", "stopping", "stopped"] {
        assert!(
            states.iter().any(|s| s == wanted),
            "no `{wanted}` in {states:?}\n{}",
            run.describe()
        );
    }
    assert!(
        run.events().iter().any(|e| e["event"] == "stats"),
        "no stats events\n{}",
        run.describe()
    );
    assert!(
        !run.stderr.contains(GOOD_KEY) && !run.stdout.contains(GOOD_KEY),
        "the stream key leaked into the output"
    );

    let recordings = ingest
        .wait_recordings(1, Duration::from_secs(30))
        .expect("ingest recording");
    let file = &recordings[0].path;
    assert_h264_aac(file, 1280, 720, 30.0);

    let keys = probe::keyframe_times(file).expect("keyframes");
    assert!(keys.len() >= 3, "keyframes at {keys:?}");
    for pair in keys.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(
            (gap - 2.0).abs() <= 0.05,
            "keyframe gap {gap:.3} s (keyframes at {keys:?})"
        );
    }

    let (frames, ratio) = frame_ratio(file, 30.0);
    assert!(
        ratio >= 0.97,
        "{frames} frames = {:.1}% of the expected",
        ratio * 100.0
    );

    let (mean, max) = probe::volume_db(file).expect("volume");
    assert!(
        mean > -40.0 && max > -20.0,
        "audio is silent: mean {mean} dB, max {max} dB"
    );

    let first_video = probe::packets(file, "v").expect("video")[0].pts;
    let first_audio = probe::packets(file, "a").expect("audio")[0].pts;
    let offset = (first_video - first_audio).abs();
    assert!(
        offset <= 0.15,
        "A/V start offset {offset:.3} s (video {first_video}, audio {first_audio})"
    );
}
