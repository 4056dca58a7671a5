//! A live test pipeline around ivssink and helpers to read its bus messages.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gst::prelude::*;

use super::Nginx;

/// A live test pipeline: videotestsrc -> cloumerh264enc -> tee -> (ivssink | "safety" fakesink),
/// audiotestsrc -> avenc_aac -> ivssink.
pub struct Run {
    pub pipeline: gst::Pipeline,
    pub messages: Vec<gst::Message>,
    pub safety_frames: Arc<AtomicU64>,
    pub encoded_frames: Arc<AtomicU64>,
    /// Longest wall-clock gap between two frames reaching the safety branch.
    pub safety_max_gap: Arc<Mutex<Duration>>,
}

impl Run {
    pub fn start(location: &str, key: &str) -> Run {
        Self::start_with(location, key, "")
    }

    /// `ivssink_props` is appended to ivssink's description, e.g. "max-reconnect-attempts=2".
    pub fn start_with(location: &str, key: &str, ivssink_props: &str) -> Run {
        let desc = format!(
            "videotestsrc is-live=true pattern=ball \
               ! video/x-raw,width=320,height=240,framerate=30/1 \
               ! cloumerh264enc name=enc bitrate=500 speed-preset=ultrafast ! tee name=t \
             t. ! queue ! ivs.video \
             t. ! queue ! fakesink name=safety sync=false async=false \
             audiotestsrc is-live=true wave=sine freq=440 \
               ! audio/x-raw,rate=48000,channels=2 ! avenc_aac bitrate=128000 ! queue ! ivs.audio \
             ivssink name=ivs location={location} stats-interval-ms=500 \
               reconnect-delay-initial-ms=500 {ivssink_props}"
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
    pub fn pump_until(
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

    pub fn pump_for(&mut self, d: Duration) {
        let _ = self.pump_until(d, |_| false);
    }

    pub fn element_structs(&self, name: &str) -> Vec<gst::Structure> {
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

    pub fn states(&self) -> Vec<String> {
        self.element_structs(gstcloumer::STATE_MESSAGE)
            .iter()
            .map(|s| s.get::<String>("state").expect("state field"))
            .collect()
    }

    pub fn errors(&self) -> Vec<String> {
        self.messages
            .iter()
            .filter_map(|m| match m.view() {
                gst::MessageView::Error(e) => Some(format!("{} ({:?})", e.error(), e.debug())),
                _ => None,
            })
            .collect()
    }

    pub fn stop(mut self) -> Run {
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

pub fn is_state(m: &gst::Message, state: &str) -> bool {
    m.structure().is_some_and(|s| {
        s.name() == gstcloumer::STATE_MESSAGE && s.get::<&str>("state").ok() == Some(state)
    })
}

pub fn failure_kind(m: &gst::Message) -> Option<String> {
    match m.view() {
        gst::MessageView::Error(e) => e
            .details()
            .filter(|d| d.name() == gstcloumer::FAILURE_DETAILS)
            .and_then(|d| d.get::<String>("kind").ok()),
        _ => None,
    }
}

/// Streams to `nginx` until connected and a bit more, kills the ingest and waits until
/// ivssink reports "reconnecting".
pub fn connect_then_kill_ingest(nginx: &mut Nginx, key: &str, ivssink_props: &str) -> Run {
    let mut run = Run::start_with(&nginx.url(), key, ivssink_props);
    assert!(
        run.pump_until(Duration::from_secs(15), |m| is_state(m, "connected"))
            .is_some(),
        "never connected: {:?}\n{}",
        run.errors(),
        nginx.log()
    );
    // Past the window in which a cut-off first connection means "key refused".
    run.pump_for(Duration::from_secs(3));
    nginx.kill();
    assert!(
        run.pump_until(Duration::from_secs(10), |m| is_state(m, "reconnecting"))
            .is_some(),
        "drop not noticed: {:?}",
        run.element_structs(gstcloumer::STATE_MESSAGE)
    );
    run
}
