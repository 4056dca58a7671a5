//! The encoders and the tees the outputs hang off.

use gst::prelude::*;

use super::start_gate::{StartGate, Track};
use super::{add_chain, make, names};
use crate::config::{BroadcastConfig, EncoderChoice, H264Profile};
use crate::error::{Error, Result};

/// IVS wants an IDR exactly every 2 s.
const KEYFRAME_INTERVAL_SECS: f64 = 2.0;

/// ```text
///  canvas ─[start gate]─ queue ─ cloumer-video-encoder ─ cloumer-video-tee
/// ```
/// The queue gives the encoder its own thread so capture never waits on it.
pub(super) fn video_encoder(
    pipeline: &gst::Pipeline,
    config: &BroadcastConfig,
    canvas: &gst::Element,
    gate: &StartGate,
) -> Result<gst::Element> {
    let queue = make("queue", None)?;
    let encoder = h264_encoder(config)?;
    let tee = make("tee", Some(names::VIDEO_TEE))?;
    tee.set_property("allow-not-linked", true);
    add_chain(pipeline, &[&queue, &encoder, &tee])?;
    canvas.link(&queue)?;
    gate_input(gate, &queue, Track::Video)?;
    Ok(tee)
}

/// `cloumerh264enc` (hardware first, the IVS settings of gst-plugins).
fn h264_encoder(config: &BroadcastConfig) -> Result<gst::Element> {
    let enc = make("cloumerh264enc", Some(names::VIDEO_ENCODER))?;
    enc.set_property("encoder", encoder_setting(config.encoder));
    enc.set_property("bitrate", config.video_bitrate_kbps);
    enc.set_property("keyframe-interval", KEYFRAME_INTERVAL_SECS);
    enc.set_property("profile", profile_setting(config.profile));
    enc.set_property("bframes", 0u32);
    Ok(enc)
}

/// The config's encoder choice as `cloumerh264enc`'s `encoder` property.
fn encoder_setting(choice: EncoderChoice) -> gstcloumer::H264Encoder {
    match choice {
        EncoderChoice::Auto => gstcloumer::H264Encoder::Auto,
        EncoderChoice::X264 => gstcloumer::H264Encoder::X264,
        EncoderChoice::Nvenc => gstcloumer::H264Encoder::Nvenc,
        EncoderChoice::Va => gstcloumer::H264Encoder::Va,
        EncoderChoice::Vaapi => gstcloumer::H264Encoder::Vaapi,
    }
}

/// The config's profile as `cloumerh264enc`'s `profile` property.
fn profile_setting(profile: H264Profile) -> gstcloumer::H264Profile {
    match profile {
        H264Profile::Main => gstcloumer::H264Profile::Main,
        H264Profile::High => gstcloumer::H264Profile::High,
    }
}

/// ```text
///  mixed audio ─[start gate]─ queue ─ audioconvert ─ cloumer-audio-encoder (AAC-LC) ─ cloumer-audio-tee
/// ```
pub(super) fn audio_encoder(
    pipeline: &gst::Pipeline,
    config: &BroadcastConfig,
    audio: &gst::Element,
    gate: &StartGate,
) -> Result<gst::Element> {
    let queue = make("queue", None)?;
    let convert = make("audioconvert", None)?;
    let encoder = aac_encoder(config.audio_bitrate_kbps)?;
    let tee = make("tee", Some(names::AUDIO_TEE))?;
    tee.set_property("allow-not-linked", true);
    add_chain(pipeline, &[&queue, &convert, &encoder, &tee])?;
    audio.link(&queue)?;
    gate_input(gate, &queue, Track::Audio)?;
    Ok(tee)
}

fn gate_input(gate: &StartGate, queue: &gst::Element, track: Track) -> Result<()> {
    let pad = queue
        .static_pad("sink")
        .ok_or_else(|| Error::Pipeline("a queue without a sink pad".into()))?;
    gate.install(&pad, track);
    Ok(())
}

/// Below this audio bitrate FFmpeg's AAC encoder is preferred (see [`aac_encoder`]).
const VOAAC_MIN_KBPS: u32 = 128;

/// AAC-LC from VisualOn's encoder (gst-plugins-bad) or FFmpeg's (gst-libav).
///
/// From 128 kbps, VisualOn's: at IVS's usual 128-160 kbps both are close to transparent,
/// and avenc_aac lives in gst-libav, whose plugin pulls in about 170 shared libraries
/// (libavfilter's flite voices, rsvg, x265...): much more resident memory for the same job
/// (docs/benchmarks.md). Below 128 kbps FFmpeg's encoder is audibly better, so it comes
/// first there.
fn aac_encoder(kbps: u32) -> Result<gst::Element> {
    let bitrate = (kbps * 1000).to_string();
    let order = if kbps >= VOAAC_MIN_KBPS {
        ["voaacenc", "avenc_aac"]
    } else {
        ["avenc_aac", "voaacenc"]
    };
    for factory in order {
        if gst::ElementFactory::find(factory).is_some() {
            let enc = make(factory, Some(names::AUDIO_ENCODER))?;
            // The property is gint64 on one encoder and gint on the other.
            enc.set_property_from_str("bitrate", &bitrate);
            return Ok(enc);
        }
    }
    Err(Error::MissingElement {
        element: order[0].into(),
        hint: "install gstreamer1.0-plugins-bad (voaacenc) or gstreamer1.0-libav (avenc_aac)"
            .into(),
    })
}

/// The encoder actually in use (`x264`, `nvenc`, ...).
pub(crate) fn encoder_in_use(pipeline: &gst::Pipeline) -> String {
    pipeline
        .by_name(names::VIDEO_ENCODER)
        .and_then(|enc| enc.property::<Option<String>>("encoder-in-use"))
        .unwrap_or_default()
}

/// Changes the video bitrate while running (`cloumerh264enc` takes it live).
pub(crate) fn set_bitrate(pipeline: &gst::Pipeline, kbps: u32) -> Result<()> {
    pipeline
        .by_name(names::VIDEO_ENCODER)
        .ok_or_else(|| Error::Pipeline("no video encoder".into()))?
        .set_property("bitrate", kbps);
    Ok(())
}
