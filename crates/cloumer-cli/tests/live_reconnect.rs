//! The ingest goes away mid-stream and comes back: publishing resumes, the run still ends
//! with 0, and the safety recording (written all along) has every frame.

mod live_support;

use std::time::{Duration, Instant};

use cloumer_testkit::{Ingest, probe, skip_unless};
use live_support::*;

#[test]
fn ingest_restart_resumes_and_recording_keeps_every_frame() {
    restart_mid_stream(Ingest::rtmp_url);
}

/// The same over RTMPS, as IVS is used: the drop shows up as a TLS error ("TLS connection
/// closed unexpectedly"), which must be retried, not reported as a TLS failure.
#[test]
fn ingest_restart_over_rtmps_resumes() {
    restart_mid_stream(Ingest::rtmps_url);
}

fn restart_mid_stream(url_of: fn(&Ingest) -> String) {
    let mut ingest = skip_unless!(Ingest::start(GOOD_KEY));
    let dir = tempfile::tempdir().expect("temp dir");
    let recording = dir.path().join("safety.mkv");
    let mut cmd = cloumer();
    let url = url_of(&ingest);
    cmd.args(["live", "--test-sources", "--to", &url, "--record"])
        .arg(&recording)
        .args([
            "--size",
            "1280x720",
            "--fps",
            "30",
            "--duration",
            "16",
            "--json",
        ])
        .env("CLOUMER_STREAM_KEY", GOOD_KEY);
    let started = Instant::now();
    let child = spawn(&mut cmd);
    let first_publish = cloumer_testkit::wait_until(Duration::from_secs(20), || {
        ingest.publish_attempts().iter().any(|a| a.accepted)
    });
    assert!(
        first_publish,
        "never published; nginx log: {}",
        ingest.error_log()
    );
    std::thread::sleep(Duration::from_secs(3));
    ingest.kill();
    std::thread::sleep(Duration::from_secs(3));
    let back = ingest.start_again().expect("restart nginx");
    let run = finish(child, started, Duration::from_secs(90));
    assert_eq!(run.code(), Some(0), "{}", run.describe());

    let states = run.states();
    let reconnecting = states.iter().position(|s| s == "reconnecting");
    let relive = reconnecting.and_then(|i| states[i..].iter().position(|s| s == "live"));
    assert!(
        relive.is_some(),
        "no reconnecting -> live in {states:?}\n{}",
        run.describe()
    );
    let republished = ingest
        .publish_attempts()
        .into_iter()
        .filter(|a| a.accepted && a.at > back)
        .collect::<Vec<_>>();
    assert!(
        !republished.is_empty(),
        "no publish after the restart; {}",
        run.describe()
    );
    eprintln!(
        "first publish {:.2} s after the ingest was back",
        republished[0].at.duration_since(back).as_secs_f64()
    );
    let files = ingest.recordings_on_disk();
    let last = files.last().expect("an ingest recording after the restart");
    assert!(
        probe::packets(last, "v").expect("video").len() > 30,
        "too little after the restart in {last:?}"
    );

    // The safety recording went on through the outage.
    assert_h264_aac(&recording, 1280, 720, 30.0);
    let (frames, ratio) = frame_ratio(&recording, 30.0);
    assert!(
        ratio >= 0.99,
        "safety recording: {frames} frames = {:.1}% of expected",
        ratio * 100.0
    );
    let pts: Vec<f64> = probe::packets(&recording, "v")
        .expect("video")
        .iter()
        .map(|p| p.pts)
        .collect();
    let mut sorted = pts.clone();
    sorted.sort_by(f64::total_cmp);
    let worst_gap = sorted.windows(2).map(|w| w[1] - w[0]).fold(0.0, f64::max);
    assert!(
        worst_gap < 0.1,
        "the safety recording has a {worst_gap:.2} s hole"
    );
    assert!(
        frames as f64 >= 14.0 * 30.0,
        "only {frames} frames in a 16 s recording"
    );
}
