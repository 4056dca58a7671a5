//! Which H.264 encoders really work on this machine.
//!
//! A factory being registered proves nothing (the `va`/`nvcodec` plugins load fine without a
//! GPU, drivers can be broken), so each candidate encodes a few frames with the settings
//! `cloumerh264enc` uses, in a tiny pipeline run to EOS with a timeout. Each encoder's result
//! is cached for the life of the process.

use std::fmt;
use std::sync::OnceLock;
use std::time::Duration;

use gst::prelude::*;

use crate::cloumerh264enc::{H264Profile, X264SpeedPreset, nick};
use crate::h264_settings::{self, H264Params};

/// How long one encoder may take to encode the probe frames on a loaded machine.
const PROBE_TIMEOUT: Duration = Duration::from_secs(15);
/// Frames pushed through each candidate.
const PROBE_FRAMES: i32 = 5;

/// The H.264 encoders Cloumer knows, in order of preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EncoderKind {
    /// NVIDIA NVENC (`nvh264enc`).
    Nvenc,
    /// VA (`vah264enc`, the newer VA plugin from gst-plugins-bad).
    Va,
    /// VA-API (`vaapih264enc`, gstreamer-vaapi).
    Vaapi,
    /// Software x264 (`x264enc`).
    X264,
}

impl EncoderKind {
    /// All kinds, best first.
    pub const ALL: [EncoderKind; 4] = [
        EncoderKind::Nvenc,
        EncoderKind::Va,
        EncoderKind::Vaapi,
        EncoderKind::X264,
    ];

    /// Short name used in settings, the CLI and stats: "nvenc", "va", "vaapi" or "x264".
    pub fn as_str(self) -> &'static str {
        match self {
            EncoderKind::Nvenc => "nvenc",
            EncoderKind::Va => "va",
            EncoderKind::Vaapi => "vaapi",
            EncoderKind::X264 => "x264",
        }
    }

    /// The GStreamer element implementing it.
    pub fn element_name(self) -> &'static str {
        match self {
            EncoderKind::Nvenc => "nvh264enc",
            EncoderKind::Va => "vah264enc",
            EncoderKind::Vaapi => "vaapih264enc",
            EncoderKind::X264 => "x264enc",
        }
    }
}

impl fmt::Display for EncoderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether one encoder can be used, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncoderProbe {
    pub kind: EncoderKind,
    /// GStreamer element name, e.g. "x264enc".
    pub element: &'static str,
    pub usable: bool,
    /// Why it is not usable (None when usable).
    pub reason: Option<String>,
}

/// Every known H.264 encoder, best first, each really tried once per process.
///
/// Initializes GStreamer if needed. The first call takes up to a few seconds.
pub fn h264_encoders() -> Vec<EncoderProbe> {
    if let Err(reason) = init() {
        return EncoderKind::ALL
            .into_iter()
            .map(|kind| unusable(kind, reason.clone()))
            .collect();
    }
    // In parallel: a hung GPU driver then costs one timeout, not one per encoder.
    std::thread::scope(|scope| {
        let running: Vec<_> = EncoderKind::ALL
            .into_iter()
            .map(|kind| (kind, scope.spawn(move || cached_probe(kind))))
            .collect();
        running
            .into_iter()
            .map(|(kind, handle)| {
                handle
                    .join()
                    .unwrap_or_else(|_| unusable(kind, "the probe crashed".into()))
            })
            .collect()
    })
}

fn init() -> Result<(), String> {
    gst::init().map_err(|err| format!("GStreamer could not be initialized: {err}"))
}

fn unusable(kind: EncoderKind, reason: String) -> EncoderProbe {
    EncoderProbe {
        kind,
        element: kind.element_name(),
        usable: false,
        reason: Some(reason),
    }
}

/// Each kind is tried at most once per process, whoever asks first.
fn cached_probe(kind: EncoderKind) -> EncoderProbe {
    static PROBES: [OnceLock<EncoderProbe>; EncoderKind::ALL.len()] =
        [const { OnceLock::new() }; EncoderKind::ALL.len()];
    let index = EncoderKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or_default();
    PROBES[index].get_or_init(|| probe_one(kind)).clone()
}

/// The best usable encoder, if any.
pub fn best_usable() -> Option<EncoderKind> {
    h264_encoders()
        .into_iter()
        .find(|p| p.usable)
        .map(|p| p.kind)
}

/// The probe result of one kind. Only that encoder is tried: an explicit choice (e.g.
/// `encoder=x264`) does not pay for probing the GPUs at start-up.
pub fn probe_of(kind: EncoderKind) -> EncoderProbe {
    match init() {
        Ok(()) => cached_probe(kind),
        Err(reason) => unusable(kind, reason),
    }
}

fn probe_one(kind: EncoderKind) -> EncoderProbe {
    let (usable, reason) = match try_encode(kind) {
        Ok(()) => (true, None),
        Err(reason) => (false, Some(reason)),
    };
    EncoderProbe {
        kind,
        element: kind.element_name(),
        usable,
        reason,
    }
}

fn try_encode(kind: EncoderKind) -> Result<(), String> {
    let name = kind.element_name();
    if gst::ElementFactory::find(name).is_none() {
        let plugin = kind.plugin_name();
        return Err(if gst::Registry::get().find_plugin(plugin).is_some() {
            format!(
                "element {name} is missing: the GStreamer plugin '{plugin}' is installed but \
                 found no usable device or driver"
            )
        } else {
            format!("element {name} is missing: GStreamer plugin '{plugin}' is not installed")
        });
    }

    let make = |factory: &str| {
        gst::ElementFactory::make(factory)
            .build()
            .map_err(|e| format!("cannot create {factory}: {e}"))
    };
    let src = make("videotestsrc")?;
    src.set_property("num-buffers", PROBE_FRAMES);
    let raw_caps = gst::Caps::builder("video/x-raw")
        .field("format", kind.input_format())
        .field("width", 320i32)
        .field("height", 240i32)
        .field("framerate", gst::Fraction::new(30, 1))
        .build();
    let raw_filter = make("capsfilter")?;
    raw_filter.set_property("caps", &raw_caps);
    let enc = make(name)?;
    h264_settings::apply_static(
        kind,
        &enc,
        &H264Params {
            bitrate_kbps: 1000,
            bframes: 0,
            speed_preset: X264SpeedPreset::Ultrafast,
            profile: H264Profile::High,
        },
    );
    h264_settings::apply_gop(kind, &enc, 60);
    let h264_filter = make("capsfilter")?;
    h264_filter.set_property(
        "caps",
        gst::Caps::builder("video/x-h264")
            .field("profile", nick(H264Profile::High))
            .build(),
    );
    let sink = make("fakesink")?;
    sink.set_property("sync", false);

    let pipeline = gst::Pipeline::with_name(&format!("cloumer-probe-{name}"));
    let elements = [&src, &raw_filter, &enc, &h264_filter, &sink];
    pipeline
        .add_many(elements)
        .map_err(|e| format!("cannot build the probe pipeline: {e}"))?;
    gst::Element::link_many(elements).map_err(|e| format!("failed to negotiate: {e}"))?;

    let result = run_to_eos(&pipeline);
    let _ = pipeline.set_state(gst::State::Null);
    result
}

fn run_to_eos(pipeline: &gst::Pipeline) -> Result<(), String> {
    let bus = pipeline.bus().ok_or("probe pipeline has no bus")?;
    pipeline
        .set_state(gst::State::Playing)
        .map_err(|_| first_error(&bus).unwrap_or_else(|| "failed to start".into()))?;
    let msg = bus.timed_pop_filtered(
        gst::ClockTime::from_nseconds(PROBE_TIMEOUT.as_nanos() as u64),
        &[gst::MessageType::Eos, gst::MessageType::Error],
    );
    match msg.as_ref().map(|m| m.view()) {
        Some(gst::MessageView::Eos(_)) => Ok(()),
        Some(gst::MessageView::Error(err)) => Err(format!(
            "failed to negotiate/encode: {}{}",
            err.error(),
            err.debug().map(|d| format!(" ({d})")).unwrap_or_default()
        )),
        _ => Err(format!(
            "no output within {} s (encoder hung)",
            PROBE_TIMEOUT.as_secs()
        )),
    }
}

fn first_error(bus: &gst::Bus) -> Option<String> {
    bus.pop_filtered(&[gst::MessageType::Error])
        .and_then(|m| match m.view() {
            gst::MessageView::Error(err) => Some(format!("failed to start: {}", err.error())),
            _ => None,
        })
}
