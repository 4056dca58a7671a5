//! How IVS settings map onto each H.264 encoder's own properties.
//!
//! Shared by the usability probe (which negotiates with exactly these settings) and by
//! `cloumerh264enc`. Hardware encoders cannot be exercised on a machine without a GPU, so
//! every property is set only if the element really has it, and a missing one is logged.

use gst::glib;
use gst::prelude::*;

use crate::cloumerh264enc::{H264Profile, X264SpeedPreset, nick};
use crate::probe::EncoderKind;

pub(crate) static CAT: std::sync::LazyLock<gst::DebugCategory> = std::sync::LazyLock::new(|| {
    gst::DebugCategory::new(
        "cloumerh264settings",
        gst::DebugColorFlags::empty(),
        Some("Cloumer H.264 encoder settings"),
    )
});

/// The encoder-independent settings we apply.
#[derive(Debug, Clone)]
pub(crate) struct H264Params {
    pub bitrate_kbps: u32,
    pub bframes: u32,
    /// x264 only.
    pub speed_preset: X264SpeedPreset,
    pub profile: H264Profile,
}

impl EncoderKind {
    /// Raw format fed into the encoder: 4:2:0 8 bit so that the output is Main/High
    /// (x264 would otherwise happily pick High 4:4:4 from RGB-ish input).
    pub(crate) fn input_format(self) -> &'static str {
        match self {
            EncoderKind::X264 => "I420",
            EncoderKind::Nvenc | EncoderKind::Va | EncoderKind::Vaapi => "NV12",
        }
    }

    /// The GStreamer plugin providing the element, to explain why it is missing.
    pub(crate) fn plugin_name(self) -> &'static str {
        match self {
            EncoderKind::Nvenc => "nvcodec",
            EncoderKind::Va => "va",
            EncoderKind::Vaapi => "vaapi",
            EncoderKind::X264 => "x264",
        }
    }
}

fn set_value(element: &gst::Element, name: &str, value: glib::Value) {
    match element.find_property(name) {
        Some(pspec) if pspec.value_type() == value.type_() => element.set_property(name, value),
        Some(pspec) => match value.transform_with_type(pspec.value_type()) {
            Ok(v) => element.set_property(name, v),
            Err(_) => gst::warning!(
                CAT,
                obj = element,
                "property {name} has type {}, cannot set a {}",
                pspec.value_type(),
                value.type_()
            ),
        },
        None => gst::warning!(
            CAT,
            obj = element,
            "encoder has no property {name}, not set"
        ),
    }
}

/// Sets an enum/flags/any property from its string form (e.g. `rate-control=cbr`).
fn set_from_str(element: &gst::Element, name: &str, value: &str) {
    let Some(pspec) = element.find_property(name) else {
        gst::warning!(
            CAT,
            obj = element,
            "encoder has no property {name}, not set"
        );
        return;
    };
    match glib::Value::deserialize_with_pspec(value, &pspec) {
        Ok(v) => element.set_property(name, v),
        Err(err) => gst::warning!(CAT, obj = element, "cannot set {name}={value}: {err}"),
    }
}

/// Rate control, latency and B-frame settings. Called while the encoder is in NULL/READY.
pub(crate) fn apply_static(kind: EncoderKind, enc: &gst::Element, params: &H264Params) {
    match kind {
        EncoderKind::X264 => {
            set_from_str(enc, "pass", "cbr");
            set_from_str(enc, "tune", "zerolatency");
            set_from_str(enc, "speed-preset", &nick(params.speed_preset));
            set_value(enc, "bframes", params.bframes.to_value());
            // In milliseconds of the bitrate: 1000 = a VBV buffer of exactly one second of
            // bitrate, the most IVS accepts, and it follows live bitrate changes.
            set_value(enc, "vbv-buf-capacity", 1000u32.to_value());
            // Fast presets switch CABAC/8x8 transforms off, which silently degrades the
            // stream to Constrained Baseline while the caps still say Main/High.
            set_value(enc, "cabac", true.to_value());
            set_value(
                enc,
                "dct8x8",
                (params.profile == H264Profile::High).to_value(),
            );
        }
        EncoderKind::Nvenc => {
            set_from_str(enc, "rc-mode", "cbr");
            set_from_str(enc, "preset", "low-latency-hq");
            set_value(enc, "zerolatency", true.to_value());
            set_value(enc, "bframes", params.bframes.to_value());
        }
        EncoderKind::Va => {
            set_from_str(enc, "rate-control", "cbr");
            set_value(enc, "b-frames", params.bframes.to_value());
        }
        EncoderKind::Vaapi => {
            set_from_str(enc, "rate-control", "cbr");
            set_value(enc, "max-bframes", params.bframes.to_value());
            // Coded picture buffer in ms: one second of bitrate.
            set_value(enc, "cpb-length", 1000u32.to_value());
        }
    }
    apply_bitrate(kind, enc, params.bitrate_kbps);
}

/// Target bitrate in kbit/s. All four encoders accept this while PLAYING.
pub(crate) fn apply_bitrate(kind: EncoderKind, enc: &gst::Element, kbps: u32) {
    set_value(enc, "bitrate", kbps.to_value());
    match kind {
        // VBV/CPB sizes in kbit: one second of bitrate.
        EncoderKind::Nvenc => set_value(enc, "vbv-buffer-size", kbps.to_value()),
        EncoderKind::Va => set_value(enc, "cpb-size", kbps.to_value()),
        // x264 (vbv-buf-capacity) and vaapi (cpb-length) size it in ms, it follows the bitrate.
        EncoderKind::X264 | EncoderKind::Vaapi => {}
    }
}

/// Distance between IDR frames, in frames. Must be called while the encoder is in NULL/READY
/// (the encoders only read it when they start).
pub(crate) fn apply_gop(kind: EncoderKind, enc: &gst::Element, gop_frames: u32) {
    match kind {
        EncoderKind::X264 => {
            set_value(enc, "key-int-max", gop_frames.to_value());
            // No scene-cut keyframes, minimum interval equal to the maximum: IDR exactly every
            // `gop_frames` (x264 clamps min-keyint itself where it must).
            // vbv-init: x264 starts with its VBV buffer 90 % full, so the first half second
            // carries about twice the bitrate (3.3 Mbit at 3500 kbit/s, measured), a burst
            // that overflows a slow uplink's queue before adaptive bitrate has seen a single
            // sample. 20 % full: the start is as even as the rest.
            set_value(
                enc,
                "option-string",
                format!("scenecut=0:min-keyint={gop_frames}:vbv-init=0.2").to_value(),
            );
        }
        EncoderKind::Nvenc => {
            let gop = i32::try_from(gop_frames).unwrap_or(i32::MAX);
            set_value(enc, "gop-size", gop.to_value());
            set_value(enc, "i-adapt", false.to_value());
        }
        EncoderKind::Va => set_value(enc, "key-int-max", gop_frames.to_value()),
        EncoderKind::Vaapi => set_value(enc, "keyframe-period", gop_frames.to_value()),
    }
}

/// Frames between IDRs for `interval_s` seconds at `fps`; at least 1.
pub(crate) fn gop_frames(fps: gst::Fraction, interval_s: f64) -> u32 {
    let fps = f64::from(fps.numer()) / f64::from(fps.denom());
    let frames = (fps * interval_s).round();
    if frames.is_finite() && frames >= 1.0 {
        frames.min(f64::from(u32::MAX)) as u32
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gop_is_interval_times_framerate() {
        assert_eq!(gop_frames(gst::Fraction::new(30, 1), 2.0), 60);
        assert_eq!(gop_frames(gst::Fraction::new(30000, 1001), 2.0), 60);
        assert_eq!(gop_frames(gst::Fraction::new(60, 1), 1.0), 60);
        assert_eq!(gop_frames(gst::Fraction::new(25, 1), 2.0), 50);
        assert_eq!(gop_frames(gst::Fraction::new(1, 10), 2.0), 1);
    }
}
