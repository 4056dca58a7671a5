//! ivssink against a real nginx-rtmp started by the test: publish, record, survive an ingest
//! restart without blocking upstream, and fail fast with the right kind.

mod common;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use gst::glib;
use gst::prelude::*;

use common::pipeline::{Run, connect_then_kill_ingest, failure_kind, is_state};
use common::{Nginx, ffprobe_keyframes, ffprobe_start_times, ffprobe_streams};

const GOOD_KEY: &str = "goodkey";

use common::init_rtmp as init;

fn assert_h264_and_aac(file: &std::path::Path) {
    let streams = ffprobe_streams(file);
    assert!(
        streams.iter().any(|s| s.starts_with("h264,")),
        "{streams:?}"
    );
    assert!(streams.iter().any(|s| s.starts_with("aac,")), "{streams:?}");
}

#[test]
fn publishes_h264_and_aac_that_the_ingest_records() {
    if !init() {
        return;
    }
    let nginx = Nginx::start(GOOD_KEY);
    let mut run = Run::start(&nginx.url(), GOOD_KEY);
    // What `gst-launch-1.0 -v` prints: every property change anywhere in the pipeline.
    let notified = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let sink = notified.clone();
    run.pipeline.connect("deep-notify", false, move |args| {
        let obj = args[1].get::<gst::Object>().ok()?;
        let pspec = args[2].get::<glib::ParamSpec>().ok()?;
        if pspec.flags().contains(glib::ParamFlags::READABLE) {
            let value = obj.property_value(pspec.name());
            sink.lock()
                .ok()?
                .push(format!("{}={value:?}", pspec.name()));
        }
        None
    });
    let connected = run.pump_until(Duration::from_secs(15), |m| is_state(m, "connected"));
    assert!(
        connected.is_some(),
        "never connected: {:?}\n{}",
        run.errors(),
        nginx.log()
    );
    run.pump_for(Duration::from_secs(5));
    let run = run.stop();

    let notified = notified.lock().expect("notified");
    assert!(
        notified.iter().all(|n| !n.contains(GOOD_KEY)),
        "the stream key leaked through deep-notify: {notified:?}"
    );
    assert_eq!(run.states()[..2], ["connecting", "connected"]);
    let stats = run.element_structs(gstcloumer::STATS_MESSAGE);
    assert!(stats.len() >= 8, "stats every 500 ms, got {}", stats.len());
    let last = stats.last().expect("stats");
    eprintln!("last stats: {last:?}");
    assert!(last.get::<u64>("bytes-sent").expect("bytes-sent") > 100_000);
    assert!(last.get::<bool>("connected").expect("connected"));
    assert_eq!(last.get::<u32>("reconnects").expect("reconnects"), 0);
    let bitrate = stats[stats.len() - 2]
        .get::<u64>("bitrate")
        .expect("bitrate");
    assert!(
        (100_000..3_000_000).contains(&bitrate),
        "measured bitrate {bitrate} for 500k video + 128k audio"
    );

    let files = nginx.recordings();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_h264_and_aac(&files[0]);
    let keys = ffprobe_keyframes(&files[0]);
    assert!(keys.len() >= 3, "keyframes {keys:?}");
    for pair in keys.windows(2) {
        assert!((pair[1] - pair[0] - 2.0).abs() < 0.05, "keyframes {keys:?}");
    }
}

#[test]
fn survives_an_ingest_restart_without_blocking_upstream() {
    if !init() {
        return;
    }
    let mut nginx = Nginx::start(GOOD_KEY);
    let mut run = connect_then_kill_ingest(&mut nginx, GOOD_KEY, "");
    run.pump_for(Duration::from_secs(2));
    let back = Instant::now();
    nginx.restart();
    let reconnected = run.pump_until(Duration::from_secs(30), |m| is_state(m, "connected"));
    assert!(
        reconnected.is_some(),
        "no reconnection: {:?} {:?}",
        run.states(),
        run.errors()
    );
    eprintln!(
        "reconnected {:?} after the ingest came back",
        back.elapsed()
    );
    run.pump_for(Duration::from_secs(3));
    let run = run.stop();

    assert!(run.errors().is_empty(), "errors: {:?}", run.errors());
    let states = run.states();
    let dropped_at = states
        .iter()
        .position(|s| s == "reconnecting")
        .expect("reconnecting");
    assert_eq!(
        states.last().map(String::as_str),
        Some("connected"),
        "{states:?}"
    );
    assert!(
        states[..dropped_at].contains(&"connected".to_owned()),
        "{states:?}"
    );

    let stats = run.element_structs(gstcloumer::STATS_MESSAGE);
    let last = stats.last().expect("stats");
    assert_eq!(last.get::<u32>("reconnects").expect("reconnects"), 1);
    assert!(last.get::<u64>("dropped-buffers").expect("dropped") > 0);

    // The safety branch got every encoded frame, without a stall.
    let encoded = run.encoded_frames.load(Ordering::SeqCst);
    let safety = run.safety_frames.load(Ordering::SeqCst);
    assert_eq!(safety, encoded, "safety branch lost frames");
    let gap = *run.safety_max_gap.lock().expect("gap");
    assert!(
        gap < Duration::from_millis(1500),
        "upstream stalled for {gap:?}"
    );

    // The ingest recorded a second, valid stream that starts on a keyframe.
    let files = nginx.recordings();
    assert_eq!(files.len(), 2, "{files:?}");
    assert_h264_and_aac(&files[1]);
    let keys = ffprobe_keyframes(&files[1]);
    let (video_start, _) = ffprobe_start_times(&files[1]);
    assert!(
        keys.first()
            .is_some_and(|k| (k - video_start).abs() < 0.001),
        "second stream does not start on a keyframe: {keys:?} vs {video_start}"
    );
    // The first stream is held to the go-live limit. A reconnected stream starts on the
    // first keyframe after the ingest is back while audio resumes with its next buffer, so
    // on a loaded machine the two can start a few frames apart (0.2 s seen in CI).
    for (i, f) in files.iter().enumerate() {
        let limit = if i == 0 { 0.15 } else { 0.5 };
        let (v, a) = ffprobe_start_times(f);
        assert!(
            (v - a).abs() <= limit,
            "A/V start offset {v} vs {a} in {}",
            f.display()
        );
    }
}

#[test]
fn wrong_key_fails_fast_as_key_rejected() {
    if !init() {
        return;
    }
    let nginx = Nginx::start(GOOD_KEY);
    let started = Instant::now();
    let mut run = Run::start(&nginx.url(), "not-the-key");
    let err = run.pump_until(Duration::from_secs(20), |m| {
        matches!(m.view(), gst::MessageView::Error(_))
    });
    let elapsed = started.elapsed();
    let err = err.expect("an error");
    assert_eq!(
        failure_kind(&err).as_deref(),
        Some("key-rejected"),
        "{:?}",
        run.errors()
    );
    // Generous for a loaded machine; retrying would take far longer (and never end).
    assert!(elapsed < Duration::from_secs(8), "took {elapsed:?}");
    assert!(run.states().contains(&"failed".to_owned()));
    assert!(
        run.errors().iter().all(|e| !e.contains("not-the-key")),
        "key leaked into an error: {:?}",
        run.errors()
    );
    run.pipeline.set_state(gst::State::Null).expect("null");
}

#[test]
fn unreachable_ingest_fails_fast_as_network() {
    if !init() {
        return;
    }
    let port = common::free_port();
    let mut run = Run::start(&format!("rtmp://127.0.0.1:{port}/app/"), GOOD_KEY);
    let err = run
        .pump_until(Duration::from_secs(20), |m| {
            matches!(m.view(), gst::MessageView::Error(_))
        })
        .expect("an error");
    assert_eq!(failure_kind(&err).as_deref(), Some("network"));
    run.pipeline.set_state(gst::State::Null).expect("null");
}

#[test]
fn untrusted_certificate_fails_fast_as_tls() {
    if !init() {
        return;
    }
    let Some(nginx) = Nginx::start_with_untrusted_tls(GOOD_KEY) else {
        cloumer_testkit::skip("no TLS listener available");
        return;
    };
    let port = nginx.tls_port.expect("tls port");
    let mut run = Run::start(&format!("rtmps://localhost:{port}/app/"), GOOD_KEY);
    let err = run
        .pump_until(Duration::from_secs(20), |m| {
            matches!(m.view(), gst::MessageView::Error(_))
        })
        .expect("an error");
    assert_eq!(
        failure_kind(&err).as_deref(),
        Some("tls"),
        "{:?}",
        run.errors()
    );
    run.pipeline.set_state(gst::State::Null).expect("null");
}
