//! ivssink: `video` + `audio` sink pads -> (per connection) `queue ! flvmux ! rtmp2sink`.
//!
//! The sink pads are ghost pads with their own chain function: they drop buffers while there
//! is no usable connection (so upstream never blocks), start each new connection on a video
//! keyframe with the sound of that instant (gate.rs), and turn the part's flow errors into
//! "dropped" since the supervisor handles them.

use std::sync::{Arc, LazyLock, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;

use super::classify::ChildError;
use super::gate::{Arrival, Gate};
use super::location::{self, StreamKey};
use super::messages::ConnectionState;
use super::part::{self, SinkPart};
use super::supervisor::{self, Config, Phase, Shared, lock};
use crate::error::Error;

pub(crate) static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "ivssink",
        gst::DebugColorFlags::empty(),
        Some("Cloumer RTMP(S) sink with reconnect"),
    )
});

const DEFAULT_LOCATION: &str = "";
const DEFAULT_RECONNECT: bool = true;
const DEFAULT_RECONNECT_DELAY_INITIAL_MS: u32 = 1000;
const DEFAULT_RECONNECT_DELAY_MAX_MS: u32 = 30_000;
const DEFAULT_MAX_RECONNECT_ATTEMPTS: u32 = 0;
const DEFAULT_STATS_INTERVAL_MS: u32 = 1000;
/// Where the stream key is taken from when the `stream-key` property is not set.
const STREAM_KEY_ENV: &str = "CLOUMER_STREAM_KEY";

#[derive(Debug, Clone)]
struct Settings {
    location: String,
    stream_key: StreamKey,
    reconnect: bool,
    reconnect_delay_initial_ms: u32,
    reconnect_delay_max_ms: u32,
    max_reconnect_attempts: u32,
    stats_interval_ms: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            location: DEFAULT_LOCATION.into(),
            stream_key: StreamKey::default(),
            reconnect: DEFAULT_RECONNECT,
            reconnect_delay_initial_ms: DEFAULT_RECONNECT_DELAY_INITIAL_MS,
            reconnect_delay_max_ms: DEFAULT_RECONNECT_DELAY_MAX_MS,
            max_reconnect_attempts: DEFAULT_MAX_RECONNECT_ATTEMPTS,
            stats_interval_ms: DEFAULT_STATS_INTERVAL_MS,
        }
    }
}

impl Settings {
    fn validate(&self) -> Result<Config, Error> {
        let location = location::validate(&self.location)?;
        // For gst-launch-1.0, where a stream-key=... argument would be visible in `ps`.
        let key = if self.stream_key.is_empty() {
            StreamKey::new(std::env::var(STREAM_KEY_ENV).unwrap_or_default())
        } else {
            self.stream_key.clone()
        };
        if key.is_empty() {
            return Err(Error::InvalidLocation(format!(
                "stream-key is not set (nor {STREAM_KEY_ENV} in the environment)"
            )));
        }
        Ok(Config {
            location,
            key,
            reconnect: self.reconnect,
            delay_initial: Duration::from_millis(self.reconnect_delay_initial_ms.into()),
            delay_max: Duration::from_millis(
                self.reconnect_delay_max_ms
                    .max(self.reconnect_delay_initial_ms)
                    .into(),
            ),
            max_attempts: self.max_reconnect_attempts,
            stats_interval: Duration::from_millis(self.stats_interval_ms.into()),
        })
    }
}

#[derive(glib::Properties)]
#[properties(wrapper_type = super::IvsSink)]
pub struct IvsSink {
    #[property(name = "location", get, set = Self::set_location, type = String, member = location,
        mutable_ready, blurb = "Ingest URL rtmp[s]://host[:port]/app/ without the stream key")]
    #[property(name = "stream-key", set = Self::set_stream_key, type = String, mutable_ready,
        blurb = "Stream key appended to location (write-only, never logged); \
        if unset, taken from the CLOUMER_STREAM_KEY environment variable")]
    #[property(name = "reconnect", get, set, type = bool, member = reconnect,
        default = DEFAULT_RECONNECT, mutable_ready, blurb = "Reconnect when the connection drops")]
    #[property(name = "reconnect-delay-initial-ms", get, set, type = u32,
        member = reconnect_delay_initial_ms, maximum = 600_000,
        default = DEFAULT_RECONNECT_DELAY_INITIAL_MS, mutable_ready,
        blurb = "Delay before the first reconnection attempt, then x1.5 per attempt (plus jitter)")]
    #[property(name = "reconnect-delay-max-ms", get, set, type = u32,
        member = reconnect_delay_max_ms, maximum = 3_600_000,
        default = DEFAULT_RECONNECT_DELAY_MAX_MS, mutable_ready, blurb = "Longest delay between attempts")]
    #[property(name = "max-reconnect-attempts", get, set, type = u32,
        member = max_reconnect_attempts, default = DEFAULT_MAX_RECONNECT_ATTEMPTS,
        mutable_ready, blurb = "Attempts before giving up (0 = unlimited)")]
    #[property(name = "stats-interval-ms", get, set, type = u32, member = stats_interval_ms,
        minimum = 50, maximum = 600_000, default = DEFAULT_STATS_INTERVAL_MS,
        mutable_ready, blurb = "Interval of cloumer-ivssink-stats element messages")]
    settings: Mutex<Settings>,
    shared: Arc<Shared>,
    supervisor: Mutex<Option<JoinHandle<()>>>,
    video_pad: gst::GhostPad,
    audio_pad: gst::GhostPad,
}

impl IvsSink {
    fn set_location(&self, location: String) {
        // Invalid values are kept (so they can be read back) but refused when starting.
        if let Err(err) = location::validate(&location) {
            gst::warning!(CAT, imp = self, "{err}");
        }
        lock(&self.settings).location = location;
    }

    fn set_stream_key(&self, key: String) {
        gst::debug!(CAT, imp = self, "stream key set ({} chars)", key.len());
        lock(&self.settings).stream_key = StreamKey::new(key);
    }

    fn reconnect_now(&self) {
        let mut link = lock(&self.shared.link);
        if link.phase == Phase::Reconnecting {
            gst::info!(CAT, imp = self, "reconnect-now: retrying immediately");
            link.retry_now = true;
            self.shared.cond.notify_all();
        } else {
            gst::debug!(
                CAT,
                imp = self,
                "reconnect-now ignored in state {:?}",
                link.phase
            );
        }
    }

    pub(crate) fn untarget_pads(&self) {
        let _ = self.video_pad.set_target(None::<&gst::Pad>);
        let _ = self.audio_pad.set_target(None::<&gst::Pad>);
    }

    /// Builds a new sink part, points the pads at it and starts it; the pads then wait for a
    /// keyframe, which we ask upstream for right away.
    pub(crate) fn start_part(
        &self,
        generation: u64,
        config: &Config,
    ) -> Result<(), glib::BoolError> {
        let obj = self.obj();
        let with_audio = self.audio_pad.is_linked();
        let part = SinkPart::build(
            obj.upcast_ref(),
            generation,
            &config.location,
            &config.key,
            with_audio,
        )?;
        let targeted = self
            .video_pad
            .set_target(Some(&part.video_sink))
            .and_then(|_| match &part.audio_sink {
                Some(pad) => self.audio_pad.set_target(Some(pad)),
                None => Ok(()),
            });
        if let Err(err) = targeted {
            self.untarget_pads();
            part.dispose(obj.upcast_ref());
            return Err(err);
        }
        // Registered before it starts: rtmp2sink connects in its own thread as soon as it
        // starts, and a fast refusal (an untrusted certificate on loopback takes
        // milliseconds) can post its error before start() returns. handle_message passes
        // only the registered part's errors to the supervisor; registering afterwards lost
        // that error and left the element waiting forever.
        let elements = part.elements.clone();
        lock(&self.shared.link).part = Some(part);
        if part::start(&elements).is_err() {
            self.untarget_pads();
            // Only this thread replaces parts (the supervisor, or the state change before
            // the supervisor exists), so the registered part is still ours.
            if let Some(part) = lock(&self.shared.link).part.take() {
                part.dispose(obj.upcast_ref());
            }
            return Err(glib::bool_error!("cannot start the RTMP output"));
        }
        {
            let mut link = lock(&self.shared.link);
            // An error already posted closed the gate: the supervisor replaces this part.
            if link.pending_error.is_none() {
                link.gate = Gate::AwaitKeyframe;
            }
        }
        self.request_keyframe();
        Ok(())
    }

    fn request_keyframe(&self) {
        let event = gst_video::UpstreamForceKeyUnitEvent::builder()
            .all_headers(true)
            .build();
        if !self.video_pad.push_event(event) {
            gst::debug!(
                CAT,
                imp = self,
                "upstream did not handle the keyframe request"
            );
        }
    }

    fn sink_chain(
        &self,
        pad: &gst::GhostPad,
        buffer: gst::Buffer,
        is_video: bool,
    ) -> Result<gst::FlowSuccess, gst::FlowError> {
        let arrival = arrival(pad, &buffer, is_video);
        let pass = {
            let mut link = lock(&self.shared.link);
            let pass = link.gate.admit(arrival);
            if !pass {
                link.dropped_buffers += 1;
            }
            pass
        };
        if !pass {
            return Ok(gst::FlowSuccess::Ok);
        }
        match gst::ProxyPad::chain_default(pad, Some(&*self.obj()), buffer) {
            Ok(success) => Ok(success),
            Err(gst::FlowError::Eos) => Err(gst::FlowError::Eos),
            Err(err) => {
                let mut link = lock(&self.shared.link);
                if link.stop || link.phase == Phase::Idle {
                    return Err(err);
                }
                // The part failed or is being replaced; its error message (handled in
                // handle_message) drives the reconnect. Upstream just goes on.
                gst::debug!(
                    CAT,
                    imp = self,
                    "dropping after {err:?} from the RTMP output"
                );
                link.dropped_buffers += 1;
                Ok(gst::FlowSuccess::Ok)
            }
        }
    }

    fn sink_event(&self, pad: &gst::GhostPad, event: gst::Event) -> bool {
        if let gst::EventView::Eos(_) = event.view() {
            let other = if pad == &self.video_pad {
                &self.audio_pad
            } else {
                &self.video_pad
            };
            let other_done =
                !other.is_linked() || other.sticky_event::<gst::event::Eos>(0).is_some();
            if other_done {
                let mut link = lock(&self.shared.link);
                link.eos = true;
                link.retry_at = None;
            }
        }
        gst::Pad::event_default(pad, Some(&*self.obj()), event)
    }

    fn start_streaming(&self) -> Result<(), Error> {
        let config = lock(&self.settings).validate()?;
        {
            let mut link = lock(&self.shared.link);
            *link = supervisor::Link {
                phase: Phase::Connecting,
                initial: true,
                generation: 1,
                ..Default::default()
            };
        }
        self.start_part(1, &config)?;
        let obj = self.obj();
        supervisor::post_state(&obj, ConnectionState::Connecting, 0, "starting");
        let handle = supervisor::spawn(&obj, self.shared.clone(), config)
            .map_err(|e| glib::bool_error!("cannot start the supervisor thread: {e}"))?;
        *lock(&self.supervisor) = Some(handle);
        Ok(())
    }

    fn stop_supervisor(&self) {
        {
            let mut link = lock(&self.shared.link);
            link.stop = true;
            self.shared.cond.notify_all();
        }
        if let Some(handle) = lock(&self.supervisor).take() {
            let _ = handle.join();
        }
    }

    fn stop_streaming(&self) {
        self.stop_supervisor();
        let part = {
            let mut link = lock(&self.shared.link);
            let part = link.part.take();
            link.phase = Phase::Idle;
            link.gate = Gate::Closed;
            part
        };
        self.untarget_pads();
        if let Some(part) = part {
            part.dispose(self.obj().upcast_ref());
        }
    }
}

#[glib::object_subclass]
impl ObjectSubclass for IvsSink {
    const NAME: &'static str = "GstCloumerIvsSink";
    type Type = super::IvsSink;
    type ParentType = gst::Bin;

    fn with_class(klass: &Self::Class) -> Self {
        let make_pad = |name: &str, is_video: bool| {
            let templ = klass
                .pad_template(name)
                .expect("pad template is registered");
            gst::GhostPad::builder_from_template(&templ)
                .name(name)
                .chain_function(move |pad, parent, buffer| {
                    IvsSink::catch_panic_pad_function(
                        parent,
                        || Err(gst::FlowError::Error),
                        |imp| imp.sink_chain(pad, buffer, is_video),
                    )
                })
                .event_function(|pad, parent, event| {
                    IvsSink::catch_panic_pad_function(
                        parent,
                        || false,
                        |imp| imp.sink_event(pad, event),
                    )
                })
                .build()
        };
        IvsSink {
            settings: Mutex::default(),
            shared: Arc::default(),
            supervisor: Mutex::default(),
            video_pad: make_pad("video", true),
            audio_pad: make_pad("audio", false),
        }
    }
}

#[glib::derived_properties]
impl ObjectImpl for IvsSink {
    fn constructed(&self) {
        self.parent_constructed();
        let obj = self.obj();
        obj.add_pad(&self.video_pad).expect("adding the video pad");
        obj.add_pad(&self.audio_pad).expect("adding the audio pad");
        obj.set_element_flags(gst::ElementFlags::SINK);
    }

    fn signals() -> &'static [glib::subclass::Signal] {
        static SIGNALS: LazyLock<Vec<glib::subclass::Signal>> = LazyLock::new(|| {
            vec![
                glib::subclass::Signal::builder("reconnect-now")
                    .action()
                    .class_handler(|args| {
                        if let Some(Ok(sink)) = args.first().map(|v| v.get::<super::IvsSink>()) {
                            sink.imp().reconnect_now();
                        }
                        None
                    })
                    .build(),
            ]
        });
        SIGNALS.as_ref()
    }
}

impl GstObjectImpl for IvsSink {}

impl ElementImpl for IvsSink {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static METADATA: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Cloumer IVS RTMP(S) sink",
                "Sink/Network",
                "flvmux + rtmp2sink that reconnects with backoff, restarts on a keyframe, fails \
                 fast on a rejected key or TLS failure, and posts stats/state messages",
                "Cloumer developers",
            )
        });
        Some(&*METADATA)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let video = gst::Caps::builder("video/x-h264")
                .field("stream-format", "avc")
                .field("alignment", "au")
                .build();
            let audio = gst::Caps::builder("audio/mpeg")
                .field("mpegversion", 4i32)
                .build();
            [("video", video), ("audio", audio)]
                .into_iter()
                .map(|(name, caps)| {
                    gst::PadTemplate::new(
                        name,
                        gst::PadDirection::Sink,
                        gst::PadPresence::Always,
                        &caps,
                    )
                    .expect("valid pad template")
                })
                .collect()
        });
        TEMPLATES.as_ref()
    }

    fn change_state(
        &self,
        transition: gst::StateChange,
    ) -> Result<gst::StateChangeSuccess, gst::StateChangeError> {
        match transition {
            gst::StateChange::NullToReady => {
                if let Err(err) = lock(&self.settings).validate() {
                    gst::element_imp_error!(self, gst::ResourceError::Settings, ("{err}"));
                    return Err(gst::StateChangeError);
                }
            }
            gst::StateChange::ReadyToPaused => {
                if let Err(err) = self.start_streaming() {
                    gst::element_imp_error!(self, gst::ResourceError::Settings, ("{err}"));
                    self.stop_streaming();
                    return Err(gst::StateChangeError);
                }
            }
            gst::StateChange::PausedToReady => self.stop_supervisor(),
            _ => {}
        }
        let ret = self.parent_change_state(transition);
        if transition == gst::StateChange::PausedToReady
            || (transition == gst::StateChange::ReadyToPaused && ret.is_err())
        {
            self.stop_streaming();
        }
        ret
    }
}

impl BinImpl for IvsSink {
    fn handle_message(&self, msg: gst::Message) {
        if let gst::MessageView::Error(err) = msg.view() {
            // Our only children are the sink parts. Errors of the current one are handed to
            // the supervisor; late ones from a part being replaced are dropped. Either way
            // they never reach the application: it gets our own error when we give up.
            let key = lock(&self.settings)
                .validate()
                .map(|c| c.key)
                .unwrap_or_default();
            let mut link = lock(&self.shared.link);
            let current = msg
                .src()
                .is_some_and(|src| link.part.as_ref().is_some_and(|p| p.contains(src)));
            if current && link.pending_error.is_none() {
                link.gate = Gate::Closed;
                link.pending_error = Some(ChildError {
                    message: key.redact(&err.error().to_string()),
                    debug: key.redact(&err.debug().map(|d| d.to_string()).unwrap_or_default()),
                    not_authorized: err.error().matches(gst::ResourceError::NotAuthorized),
                });
                self.shared.cond.notify_all();
            }
            return;
        }
        self.parent_handle_message(msg)
    }
}

/// The gate's view of a buffer: its running time comes from the pad's current segment.
fn arrival(pad: &gst::GhostPad, buffer: &gst::Buffer, is_video: bool) -> Arrival {
    let segment = pad
        .sticky_event::<gst::event::Segment>(0)
        .and_then(|event| event.segment().downcast_ref::<gst::ClockTime>().cloned());
    let running_time = |pts: Option<gst::ClockTime>| {
        segment
            .as_ref()
            .zip(pts)
            .and_then(|(segment, pts)| segment.to_running_time(pts))
    };
    let pts = buffer.pts();
    Arrival {
        is_video,
        keyframe: !buffer.flags().contains(gst::BufferFlags::DELTA_UNIT),
        start: running_time(pts),
        end: running_time(pts.zip(buffer.duration()).map(|(pts, d)| pts + d)),
    }
}
