//! ivssink against a real nginx-rtmp started by the test: publish, record, survive an ingest
//! restart without blocking upstream, and fail fast with the right kind.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gst::prelude::*;

use common::{Nginx, ffprobe_keyframes, ffprobe_streams, missing_prerequisite};

const GOOD_KEY: &str = "goodkey";

fn init() -> bool {
    gst::init().expect("gst init");
    gstcloumer::plugin_register_static().expect("register");
    if let Some(why) = missing_prerequisite() {
        eprintln!("skipping: {why}");
        return false;
    }
    true
}

/// A live test pipeline: videotestsrc -> cloumerh264enc -> tee -> (ivssink | "safety" fakesink),
/// audiotestsrc -> avenc_aac -> ivssink.
struct Run {
    pipeline: gst::Pipeline,
    messages: Vec<gst::Message>,
    safety_frames: Arc<AtomicU64>,
    encoded_frames: Arc<AtomicU64>,
    /// Longest wall-clock gap between two frames reaching the safety branch.
    safety_max_gap: Arc<Mutex<Duration>>,
}

impl Run {
    fn start(location: &str, key: &str) -> Run {
        let desc = format!(
            "videotestsrc is-live=true pattern=ball \
               ! video/x-raw,width=320,height=240,framerate=30/1 \
               ! cloumerh264enc name=enc bitrate=500 speed-preset=ultrafast ! tee name=t \
             t. ! queue ! ivs.video \
             t. ! queue ! fakesink name=safety sync=false async=false \
             audiotestsrc is-live=true wave=sine freq=440 \
               ! audio/x-raw,rate=48000,channels=2 ! avenc_aac bitrate=128000 ! queue ! ivs.audio \
             ivssink name=ivs location={location} stats-interval-ms=500 \
               reconnect-delay-initial-ms=500"
        );
        let pipeline = gst::parse::launch(&desc)
            .expect("pipeline")
            .downcast::<gst::Pipeline>()
            .expect("a pipeline");
        let ivs = pipeline.by_name("ivs").expect("ivssink");
        ivs.set_property("stream-key", key);

        let safety_frames = Arc::new(AtomicU64::new(0));
        let encoded_frames = Arc::new(AtomicU64::new(0));
        let safety_max_gap = Arc::new(Mutex::new(Duration::ZERO));
        let count =
            |name: &str, pad: &str, counter: Arc<AtomicU64>, gap: Option<Arc<Mutex<Duration>>>| {
                let last: Mutex<Option<Instant>> = Mutex::new(None);
                pipeline
                    .by_name(name)
                    .and_then(|e| e.static_pad(pad))
                    .expect("pad")
                    .add_probe(gst::PadProbeType::BUFFER, move |_, _| {
                        counter.fetch_add(1, Ordering::SeqCst);
                        if let Some(gap) = &gap {
                            let now = Instant::now();
                            let mut last = last.lock().expect("last");
                            if let Some(prev) = *last {
                                let mut g = gap.lock().expect("gap");
                                *g = (*g).max(now - prev);
                            }
                            *last = Some(now);
                        }
                        gst::PadProbeReturn::Ok
                    });
            };
        count(
            "safety",
            "sink",
            safety_frames.clone(),
            Some(safety_max_gap.clone()),
        );
        count("enc", "src", encoded_frames.clone(), None);

        pipeline.set_state(gst::State::Playing).expect("playing");
        Run {
            pipeline,
            messages: Vec::new(),
            safety_frames,
            encoded_frames,
            safety_max_gap,
        }
    }

    /// Collects bus messages until `pred` matches one (returned) or `timeout` passes.
    fn pump_until(
        &mut self,
        timeout: Duration,
        pred: impl Fn(&gst::Message) -> bool,
    ) -> Option<gst::Message> {
        let bus = self.pipeline.bus().expect("bus");
        let deadline = Instant::now() + timeout;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let Some(msg) = bus.timed_pop(gst::ClockTime::from_mseconds(left.as_millis() as u64))
            else {
                break;
            };
            self.messages.push(msg.clone());
            if pred(&msg) {
                return Some(msg);
            }
        }
        None
    }

    fn pump_for(&mut self, d: Duration) {
        let _ = self.pump_until(d, |_| false);
    }

    fn element_structs(&self, name: &str) -> Vec<gst::Structure> {
        self.messages
            .iter()
            .filter_map(|m| match m.view() {
                gst::MessageView::Element(e) => e
                    .structure()
                    .filter(|s| s.name() == name)
                    .map(|s| s.to_owned()),
                _ => None,
            })
            .collect()
    }

    fn states(&self) -> Vec<String> {
        self.element_structs(gstcloumer::STATE_MESSAGE)
            .iter()
            .map(|s| s.get::<String>("state").expect("state field"))
            .collect()
    }

    fn errors(&self) -> Vec<String> {
        self.messages
            .iter()
            .filter_map(|m| match m.view() {
                gst::MessageView::Error(e) => Some(format!("{} ({:?})", e.error(), e.debug())),
                _ => None,
            })
            .collect()
    }

    fn stop(mut self) -> Run {
        self.pipeline.send_event(gst::event::Eos::new());
        let eos = self.pump_until(Duration::from_secs(20), |m| {
            matches!(
                m.view(),
                gst::MessageView::Eos(_) | gst::MessageView::Error(_)
            )
        });
        assert!(
            matches!(
                eos.as_ref().map(|m| m.view()),
                Some(gst::MessageView::Eos(_))
            ),
            "no clean EOS: {:?}",
            self.errors()
        );
        self.pipeline.set_state(gst::State::Null).expect("null");
        self
    }
}

fn is_state(m: &gst::Message, state: &str) -> bool {
    m.structure().is_some_and(|s| {
        s.name() == gstcloumer::STATE_MESSAGE && s.get::<&str>("state").ok() == Some(state)
    })
}

fn failure_kind(m: &gst::Message) -> Option<String> {
    match m.view() {
        gst::MessageView::Error(e) => e
            .details()
            .filter(|d| d.name() == gstcloumer::FAILURE_DETAILS)
            .and_then(|d| d.get::<String>("kind").ok()),
        _ => None,
    }
}

#[test]
fn publishes_h264_and_aac_that_the_ingest_records() {
    if !init() {
        return;
    }
    let nginx = Nginx::start(GOOD_KEY);
    let mut run = Run::start(&nginx.url(), GOOD_KEY);
    let connected = run.pump_until(Duration::from_secs(15), |m| is_state(m, "connected"));
    assert!(
        connected.is_some(),
        "never connected: {:?}\n{}",
        run.errors(),
        nginx.log()
    );
    run.pump_for(Duration::from_secs(5));
    let run = run.stop();

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
        (300_000..2_000_000).contains(&bitrate),
        "measured bitrate {bitrate} for 500k video + 128k audio"
    );

    let files = nginx.recordings();
    assert_eq!(files.len(), 1, "{files:?}");
    let streams = ffprobe_streams(&files[0]);
    assert!(
        streams.iter().any(|s| s.starts_with("h264,")),
        "{streams:?}"
    );
    assert!(streams.iter().any(|s| s.starts_with("aac,")), "{streams:?}");
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
    let mut run = Run::start(&nginx.url(), GOOD_KEY);
    assert!(
        run.pump_until(Duration::from_secs(15), |m| is_state(m, "connected"))
            .is_some(),
        "never connected: {:?}",
        run.errors()
    );
    run.pump_for(Duration::from_secs(3));

    nginx.kill();
    assert!(
        run.pump_until(Duration::from_secs(10), |m| is_state(m, "reconnecting"))
            .is_some(),
        "drop not noticed: {:?}",
        run.element_structs(gstcloumer::STATE_MESSAGE)
    );
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
        gap < Duration::from_millis(700),
        "upstream stalled for {gap:?}"
    );

    // The ingest recorded a second, valid stream that starts on a keyframe.
    let files = nginx.recordings();
    assert_eq!(files.len(), 2, "{files:?}");
    let streams = ffprobe_streams(&files[1]);
    assert!(
        streams.iter().any(|s| s.starts_with("h264,")),
        "{streams:?}"
    );
    assert!(streams.iter().any(|s| s.starts_with("aac,")), "{streams:?}");
    assert!(!ffprobe_keyframes(&files[1]).is_empty());
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
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
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
