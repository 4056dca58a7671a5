//! Inner chain, built when going NULL -> READY from the settings:
//!
//! `videoconvert ! capsfilter(format=I420|NV12) ! <encoder> ! capsfilter(profile) !
//!  h264parse config-interval=-1 ! capsfilter(stream-format=avc, alignment=au)`
//!
//! The keyframe distance is a number of frames, and encoders only read it when they start, so
//! the encoder is parked in READY (locked state) until the first CAPS event tells us the
//! framerate; it is then configured and started. A later framerate change restarts it.

use std::sync::{LazyLock, Mutex, MutexGuard};

use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;

use super::enums::{H264Encoder, H264Profile, X264SpeedPreset, nick};
use crate::error::Error;
use crate::h264_settings::{self, H264Params};
use crate::probe::{self, EncoderKind};

static CAT: LazyLock<gst::DebugCategory> = LazyLock::new(|| {
    gst::DebugCategory::new(
        "cloumerh264enc",
        gst::DebugColorFlags::empty(),
        Some("Cloumer IVS H.264 encoder bin"),
    )
});

const DEFAULT_ENCODER: H264Encoder = H264Encoder::Auto;
const DEFAULT_BITRATE_KBPS: u32 = 4500;
const DEFAULT_KEYFRAME_INTERVAL_S: f64 = 2.0;
const DEFAULT_PROFILE: H264Profile = H264Profile::High;
const DEFAULT_SPEED_PRESET: X264SpeedPreset = X264SpeedPreset::Veryfast;
const DEFAULT_BFRAMES: u32 = 0;
/// Used when the caps carry no usable framerate (variable rate).
const FALLBACK_FRAMERATE: gst::Fraction = gst::Fraction::from_integer(30);

#[derive(Debug, Clone, PartialEq)]
struct Settings {
    encoder: H264Encoder,
    bitrate: u32,
    keyframe_interval: f64,
    profile: H264Profile,
    speed_preset: X264SpeedPreset,
    bframes: u32,
}

/// What the inner chain is built from. These properties are flagged changeable in READY:
/// a change made there rebuilds the chain on the way to PAUSED. The bitrate applies live and
/// the keyframe interval at the next CAPS event.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ChainShape {
    encoder: H264Encoder,
    profile: H264Profile,
    speed_preset: X264SpeedPreset,
    bframes: u32,
}

impl Settings {
    fn shape(&self) -> ChainShape {
        ChainShape {
            encoder: self.encoder,
            profile: self.profile,
            speed_preset: self.speed_preset,
            bframes: self.bframes,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            encoder: DEFAULT_ENCODER,
            bitrate: DEFAULT_BITRATE_KBPS,
            keyframe_interval: DEFAULT_KEYFRAME_INTERVAL_S,
            profile: DEFAULT_PROFILE,
            speed_preset: DEFAULT_SPEED_PRESET,
            bframes: DEFAULT_BFRAMES,
        }
    }
}

/// The inner chain while READY or above.
struct Chain {
    kind: EncoderKind,
    shape: ChainShape,
    raw_filter: gst::Element,
    encoder: gst::Element,
    elements: Vec<gst::Element>,
    /// Keyframe distance the encoder was started with; None while parked.
    gop_frames: Option<u32>,
}

#[derive(Default)]
struct State {
    chain: Option<Chain>,
}

#[derive(glib::Properties)]
#[properties(wrapper_type = super::CloumerH264Enc)]
pub struct CloumerH264Enc {
    #[property(name = "encoder", get, set, type = H264Encoder, member = encoder,
        blurb = "H.264 encoder: auto (best usable: nvenc > va > vaapi > x264), x264, nvenc, va or vaapi",
        builder(DEFAULT_ENCODER).mutable_ready())]
    #[property(name = "bitrate", get, set = Self::set_bitrate, type = u32, member = bitrate,
        minimum = 100, maximum = 100_000, default = DEFAULT_BITRATE_KBPS, mutable_playing,
        blurb = "Target bitrate in kbit/s (CBR, VBV buffer = 1 s of bitrate); changeable while playing")]
    #[property(name = "keyframe-interval", get, set, type = f64, member = keyframe_interval,
        minimum = 0.1, maximum = 10.0, default = DEFAULT_KEYFRAME_INTERVAL_S, mutable_ready,
        blurb = "Seconds between IDR frames (exact, no scene-cut keyframes)")]
    #[property(name = "profile", get, set, type = H264Profile, member = profile,
        blurb = "H.264 profile: main or high", builder(DEFAULT_PROFILE).mutable_ready())]
    #[property(name = "speed-preset", get, set, type = X264SpeedPreset, member = speed_preset,
        blurb = "x264 speed preset (ultrafast .. placebo); x264 only",
        builder(DEFAULT_SPEED_PRESET).mutable_ready())]
    #[property(name = "bframes", get, set, type = u32, member = bframes,
        maximum = 16, default = DEFAULT_BFRAMES, mutable_ready,
        blurb = "B-frames between references (0 for real-time stages)")]
    settings: Mutex<Settings>,
    #[property(name = "encoder-in-use", get = Self::encoder_in_use, type = String,
        blurb = "The encoder actually used (nvenc, va, vaapi or x264); empty before READY")]
    state: Mutex<State>,
    sinkpad: gst::GhostPad,
    srcpad: gst::GhostPad,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain data behind: keep going with it.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl CloumerH264Enc {
    fn set_bitrate(&self, kbps: u32) {
        lock(&self.settings).bitrate = kbps;
        let state = lock(&self.state);
        if let Some(chain) = state.chain.as_ref() {
            gst::info!(CAT, imp = self, "bitrate now {kbps} kbit/s");
            h264_settings::apply_bitrate(chain.kind, &chain.encoder, kbps);
        }
    }

    fn encoder_in_use(&self) -> String {
        lock(&self.state)
            .chain
            .as_ref()
            .map(|c| c.kind.as_str().to_owned())
            .unwrap_or_default()
    }

    /// Picks the encoder (the probe result is cached per process). The property types
    /// already refused any value outside the known ones.
    fn pick_encoder(shape: &ChainShape) -> Result<EncoderKind, Error> {
        let Some(kind) = shape.encoder.kind() else {
            return probe::best_usable().ok_or_else(|| {
                Error::NoUsableEncoder(
                    probe::h264_encoders()
                        .into_iter()
                        .map(|p| format!("{}: {}", p.element, p.reason.unwrap_or_default()))
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            });
        };
        let probed = probe::probe_of(kind);
        if probed.usable {
            Ok(kind)
        } else {
            Err(Error::EncoderUnusable {
                kind,
                element: kind.element_name(),
                reason: probed.reason.unwrap_or_default(),
            })
        }
    }

    fn build_chain(&self) -> Result<(), Error> {
        let settings = lock(&self.settings).clone();
        let shape = settings.shape();
        let kind = Self::pick_encoder(&shape)?;
        gst::info!(CAT, imp = self, "using {} ({})", kind, kind.element_name());

        let make =
            |factory: &str, name: &str| gst::ElementFactory::make(factory).name(name).build();
        let convert = make("videoconvert", "convert")?;
        let raw_filter = make("capsfilter", "rawfilter")?;
        raw_filter.set_property(
            "caps",
            gst::Caps::builder("video/x-raw")
                .field("format", kind.input_format())
                .build(),
        );
        let encoder = make(kind.element_name(), "encoder")?;
        h264_settings::apply_static(
            kind,
            &encoder,
            &H264Params {
                bitrate_kbps: settings.bitrate,
                bframes: shape.bframes,
                speed_preset: shape.speed_preset,
                profile: shape.profile,
            },
        );
        let profile_filter = make("capsfilter", "profilefilter")?;
        profile_filter.set_property(
            "caps",
            gst::Caps::builder("video/x-h264")
                .field("profile", nick(shape.profile))
                .build(),
        );
        let parse = make("h264parse", "parse")?;
        // Every IDR carries SPS/PPS, so a viewer (or a reconnect) can start on any keyframe.
        parse.set_property("config-interval", -1i32);
        let out_filter = make("capsfilter", "outfilter")?;
        out_filter.set_property(
            "caps",
            gst::Caps::builder("video/x-h264")
                .field("stream-format", "avc")
                .field("alignment", "au")
                .build(),
        );

        let elements = vec![
            convert.clone(),
            raw_filter.clone(),
            encoder.clone(),
            profile_filter,
            parse,
            out_filter.clone(),
        ];
        let obj = self.obj();
        obj.add_many(&elements)?;
        gst::Element::link_many(&elements)?;
        // Parked until the framerate is known, see `configure_gop`.
        encoder.set_locked_state(true);
        if encoder.set_state(gst::State::Ready).is_err() {
            let _ = obj.remove_many(&elements);
            return Err(Error::EncoderUnusable {
                kind,
                element: kind.element_name(),
                reason: "failed to open the encoder".into(),
            });
        }

        let convert_sink = convert
            .static_pad("sink")
            .ok_or_else(|| glib::bool_error!("videoconvert has no sink pad"))?;
        let out_src = out_filter
            .static_pad("src")
            .ok_or_else(|| glib::bool_error!("capsfilter has no src pad"))?;
        self.sinkpad.set_target(Some(&convert_sink))?;
        self.srcpad.set_target(Some(&out_src))?;

        let weak = obj.downgrade();
        convert_sink.add_probe(gst::PadProbeType::EVENT_DOWNSTREAM, move |_, info| {
            if let (Some(obj), Some(gst::PadProbeData::Event(ev))) = (weak.upgrade(), &info.data)
                && let gst::EventView::Caps(caps) = ev.view()
            {
                obj.imp().configure_gop(caps.caps());
            }
            gst::PadProbeReturn::Ok
        });

        lock(&self.state).chain = Some(Chain {
            kind,
            shape,
            raw_filter,
            encoder,
            elements,
            gop_frames: None,
        });
        Ok(())
    }

    /// Runs in the streaming thread on every CAPS event, before videoconvert sees it.
    fn configure_gop(&self, caps: &gst::CapsRef) {
        let s = caps.structure(0);
        let framerate = s
            .and_then(|s| s.get::<gst::Fraction>("framerate").ok())
            .filter(|f| f.numer() > 0 && f.denom() > 0)
            .or_else(|| {
                s.and_then(|s| s.get::<gst::Fraction>("max-framerate").ok())
                    .filter(|f| f.numer() > 0 && f.denom() > 0)
            })
            .unwrap_or_else(|| {
                gst::warning!(
                    CAT,
                    imp = self,
                    "no framerate in {caps:?}, assuming {FALLBACK_FRAMERATE}"
                );
                FALLBACK_FRAMERATE
            });
        let interval = lock(&self.settings).keyframe_interval;
        let gop = h264_settings::gop_frames(framerate, interval);

        let mut state = lock(&self.state);
        let Some(chain) = state.chain.as_mut() else {
            return;
        };
        if chain.gop_frames == Some(gop) {
            return;
        }
        gst::info!(
            CAT,
            imp = self,
            "{framerate} fps, IDR every {interval} s = every {gop} frames"
        );
        let restart = chain.gop_frames.is_some();
        chain.encoder.set_locked_state(true);
        if restart {
            let _ = chain.encoder.set_state(gst::State::Ready);
            // Relinking marks the sticky events (stream-start ...) to be sent again to the
            // restarted encoder, ahead of the new caps.
            chain.raw_filter.unlink(&chain.encoder);
            if let Err(err) = chain.raw_filter.link(&chain.encoder) {
                gst::error!(CAT, imp = self, "cannot relink the encoder: {err}");
            }
        }
        h264_settings::apply_gop(chain.kind, &chain.encoder, gop);
        chain.gop_frames = Some(gop);
        chain.encoder.set_locked_state(false);
        if let Err(err) = chain.encoder.sync_state_with_parent() {
            gst::element_imp_error!(
                self,
                gst::StreamError::Encode,
                ["Failed to start {}: {err}", chain.kind.element_name()]
            );
        }
    }

    /// After PAUSED -> READY: park the encoder again until the next CAPS event.
    fn park_encoder(&self) {
        if let Some(chain) = lock(&self.state).chain.as_mut() {
            chain.encoder.set_locked_state(true);
            let _ = chain.encoder.set_state(gst::State::Ready);
            chain.gop_frames = None;
        }
    }

    /// Before READY -> PAUSED: rebuilds the chain when a READY-changeable property changed
    /// since it was built.
    fn rebuild_if_changed(&self) -> Result<(), Error> {
        let wanted = lock(&self.settings).shape();
        let built = lock(&self.state).chain.as_ref().map(|c| c.shape);
        if built.is_none_or(|built| built == wanted) {
            return Ok(());
        }
        gst::info!(CAT, imp = self, "settings changed in READY, rebuilding");
        self.teardown();
        self.build_chain()?;
        // The new elements are at NULL: the bin's state change takes them on from there.
        Ok(())
    }

    fn teardown(&self) {
        let chain = lock(&self.state).chain.take();
        let Some(chain) = chain else { return };
        let _ = self.sinkpad.set_target(None::<&gst::Pad>);
        let _ = self.srcpad.set_target(None::<&gst::Pad>);
        chain.encoder.set_locked_state(false);
        for e in &chain.elements {
            let _ = e.set_state(gst::State::Null);
        }
        let _ = self.obj().remove_many(&chain.elements);
    }
}

#[glib::object_subclass]
impl ObjectSubclass for CloumerH264Enc {
    const NAME: &'static str = "GstCloumerH264Enc";
    type Type = super::CloumerH264Enc;
    type ParentType = gst::Bin;

    fn with_class(klass: &Self::Class) -> Self {
        let sink_templ = klass
            .pad_template("sink")
            .expect("sink pad template is registered");
        let src_templ = klass
            .pad_template("src")
            .expect("src pad template is registered");
        CloumerH264Enc {
            settings: Mutex::default(),
            state: Mutex::default(),
            sinkpad: gst::GhostPad::builder_from_template(&sink_templ).build(),
            srcpad: gst::GhostPad::builder_from_template(&src_templ).build(),
        }
    }
}

#[glib::derived_properties]
impl ObjectImpl for CloumerH264Enc {
    fn constructed(&self) {
        self.parent_constructed();
        let obj = self.obj();
        obj.add_pad(&self.sinkpad).expect("adding the sink pad");
        obj.add_pad(&self.srcpad).expect("adding the src pad");
    }
}

impl GstObjectImpl for CloumerH264Enc {}

impl ElementImpl for CloumerH264Enc {
    fn metadata() -> Option<&'static gst::subclass::ElementMetadata> {
        static METADATA: LazyLock<gst::subclass::ElementMetadata> = LazyLock::new(|| {
            gst::subclass::ElementMetadata::new(
                "Cloumer IVS H.264 encoder",
                "Codec/Encoder/Video",
                "H.264 for Amazon IVS: exact keyframe interval, CBR, zero latency, Main/High, \
                 hardware encoder when usable, bitrate changeable while playing",
                "Cloumer developers",
            )
        });
        Some(&*METADATA)
    }

    fn pad_templates() -> &'static [gst::PadTemplate] {
        static TEMPLATES: LazyLock<Vec<gst::PadTemplate>> = LazyLock::new(|| {
            let sink = gst::PadTemplate::new(
                "sink",
                gst::PadDirection::Sink,
                gst::PadPresence::Always,
                &gst::Caps::new_empty_simple("video/x-raw"),
            )
            .expect("valid sink template");
            let src_caps = gst::Caps::builder("video/x-h264")
                .field("stream-format", "avc")
                .field("alignment", "au")
                .field("profile", gst::List::new(["main", "high"]))
                .build();
            let src = gst::PadTemplate::new(
                "src",
                gst::PadDirection::Src,
                gst::PadPresence::Always,
                &src_caps,
            )
            .expect("valid src template");
            vec![sink, src]
        });
        TEMPLATES.as_ref()
    }

    fn change_state(
        &self,
        transition: gst::StateChange,
    ) -> Result<gst::StateChangeSuccess, gst::StateChangeError> {
        let prepared = match transition {
            gst::StateChange::NullToReady => self.build_chain(),
            gst::StateChange::ReadyToPaused => self.rebuild_if_changed(),
            _ => Ok(()),
        };
        if let Err(err) = prepared {
            gst::element_imp_error!(self, gst::LibraryError::Settings, ("{err}"));
            self.teardown();
            return Err(gst::StateChangeError);
        }
        let ret = self.parent_change_state(transition);
        match transition {
            gst::StateChange::NullToReady if ret.is_err() => self.teardown(),
            gst::StateChange::PausedToReady => self.park_encoder(),
            gst::StateChange::ReadyToNull => self.teardown(),
            _ => {}
        }
        ret
    }
}

impl BinImpl for CloumerH264Enc {}
