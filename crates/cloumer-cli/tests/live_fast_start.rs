//! A fast, honest start with a slow microphone (issue 20, item 7): a real microphone
//! delivers its first buffer a second or more after "Go live". The picture must not wait
//! for it: the ingest gets the screen from the start with silence under it, the
//! microphone joins when it delivers, and the start-up is not reported as dropped frames.
//!
//! The slow microphone is PulseAudio's own: the test suspends the null sink whose monitor
//! `cloumer live --mic` captures and resumes it 1.5 s after the command starts, so
//! `pulsesrc` gets its first buffer late exactly as with a device being opened.

mod live_support;

use std::time::Duration;

use cloumer_testkit::{Ingest, Pulse, Xvfb, probe, skip_unless};
use live_support::*;

const DURATION_SECS: f64 = 10.0;
const MIC_DELAY: Duration = Duration::from_millis(1500);

#[test]
fn a_late_microphone_neither_delays_nor_drops_the_picture() {
    let xvfb = skip_unless!(Xvfb::start());
    let pulse = skip_unless!(Pulse::start());
    let ingest = skip_unless!(Ingest::start(GOOD_KEY));
    pulse.suspend(true).expect("suspend the microphone");
    let mut cmd = cloumer();
    cmd.args([
        "live",
        "--to",
        &ingest.rtmps_url(),
        "--screen",
        xvfb.display(),
    ])
    .args(["--mic", &pulse.monitor_source()])
    .args(["--size", "1280x720", "--fps", "30", "--encoder", "x264"])
    .args(["--duration", &DURATION_SECS.to_string(), "--json"])
    .env("CLOUMER_STREAM_KEY", GOOD_KEY)
    .envs(pulse.env());
    let started = std::time::Instant::now();
    let child = spawn(&mut cmd);
    std::thread::sleep(MIC_DELAY);
    pulse.suspend(false).expect("resume the microphone");
    let run = finish(child, started, Duration::from_secs(90));
    assert_eq!(run.code(), Some(0), "{}", run.describe());

    let recordings = ingest
        .wait_recordings(1, Duration::from_secs(30))
        .expect("ingest recording");
    let file = &recordings[0].path;
    assert_h264_aac(file, 1280, 720, 30.0);

    // The target is >= 97 % of the frames (bench/ measures it on an idle machine);
    // 95 % leaves room for a CI machine busy with other builds, while the lost first
    // second this test guards against costs 15 % of a 10 s run.
    let video = probe::packets(file, "v").expect("video packets");
    let wanted = DURATION_SECS * 30.0;
    assert!(
        video.len() as f64 >= 0.95 * wanted,
        "{} of {wanted} frames reached the ingest\n{}",
        video.len(),
        run.describe()
    );

    // Picture and sound start together: the sound is silence until the microphone joins.
    let first_video = video[0].pts;
    let first_audio = probe::packets(file, "a").expect("audio")[0].pts;
    assert!(
        (first_video - first_audio).abs() <= 0.15,
        "A/V start offset: video {first_video} s, audio {first_audio} s"
    );
    let (early_mean, _) = probe::volume_db_between(file, first_audio, first_audio + 0.5)
        .expect("volume of the first half second");
    assert!(
        early_mean < -60.0,
        "the first half second should be silence, mean {early_mean} dB"
    );
    let (late_mean, late_max) = probe::volume_db_between(file, 4.0, 8.0).expect("volume");
    assert!(
        late_mean > -40.0 && late_max > -20.0,
        "the microphone never joined: mean {late_mean} dB, max {late_max} dB"
    );

    // Waiting for the microphone is no failure: the studio shows this counter as
    // "Dropped". A picture held back for the microphone read 30 and more; one frame is
    // `videorate` merging two of the X server's first captures that came in less than a
    // frame apart, which happens with or without a microphone.
    let dropped: Vec<u64> = run
        .events()
        .iter()
        .filter(|e| e["event"] == "stats")
        .filter_map(|e| e["frames_dropped"].as_u64())
        .collect();
    assert!(!dropped.is_empty(), "no stats\n{}", run.describe());
    assert!(
        dropped.iter().all(|d| *d <= 2),
        "frames reported dropped: {dropped:?}"
    );
}
