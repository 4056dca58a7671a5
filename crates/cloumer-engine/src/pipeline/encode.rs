//! The encoders and the tees the outputs hang off.

use gst::prelude::*;

use super::start_gate::{StartGate, Track};
use super::{add_chain, make, names};
use crate::config::{BroadcastConfig, EncoderChoice};
use crate::error::{Error, Result};

/// IVS wants an IDR exactly every 2 s.
pub(crate) const KEYFRAME_INTERVAL_SECS: u32 = 2;

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

/// The one place that decides how H.264 is made: our `cloumerh264enc` (hardware first,
/// IVS settings) when registered, else the same IVS settings on stock `x264enc`.
fn h264_encoder(config: &BroadcastConfig) -> Result<gst::Element> {
    if gst::ElementFactory::find("cloumerh264enc").is_some() {
        let enc = make("cloumerh264enc", Some(names::VIDEO_ENCODER))?;
        enc.set_property("encoder", config.encoder.as_str());
        enc.set_property("bitrate", config.video_bitrate_kbps);
        enc.set_property("keyframe-interval", KEYFRAME_INTERVAL_SECS as f64);
        enc.set_property("profile", config.profile.as_str());
        enc.set_property("bframes", 0u32);
        return Ok(enc);
    }
    if !matches!(config.encoder, EncoderChoice::Auto | EncoderChoice::X264) {
        return Err(Error::Encoder(format!(
            "the {} encoder needs Cloumer's cloumerh264enc element, which is not registered: use --encoder x264",
            config.encoder
        )));
    }
    stock_x264(config)
}

/// ```text
///  [bin cloumer-video-encoder: x264enc ─ caps(profile, avc, au) ─ h264parse]
/// ```
/// zerolatency, CBR with a 1 s VBV (never more than the bitrate), IDR every 2 s with
/// scene-cut keyframes off so the interval is exact, no B-frames.
fn stock_x264(config: &BroadcastConfig) -> Result<gst::Element> {
    let bin = gst::Bin::with_name(names::VIDEO_ENCODER);
    let x264 = make("x264enc", Some("x264"))?;
    x264.set_property("bitrate", config.video_bitrate_kbps);
    x264.set_property("vbv-buf-capacity", 1000u32);
    x264.set_property("key-int-max", config.fps * KEYFRAME_INTERVAL_SECS);
    x264.set_property("bframes", 0u32);
    x264.set_property_from_str("tune", "zerolatency");
    x264.set_property_from_str("speed-preset", "veryfast");
    x264.set_property_from_str("pass", "cbr");
    x264.set_property("option-string", "scenecut=0");
    let caps = gst::Caps::builder("video/x-h264")
        .field("profile", config.profile.as_str())
        .field("stream-format", "avc")
        .field("alignment", "au")
        .build();
    let filter = super::capsfilter(None, caps)?;
    let parse = make("h264parse", None)?;
    bin.add_many([&x264, &filter, &parse])?;
    gst::Element::link_many([&x264, &filter, &parse])?;
    ghost(&bin, &x264, "sink")?;
    ghost(&bin, &parse, "src")?;
    Ok(bin.upcast())
}

fn ghost(bin: &gst::Bin, element: &gst::Element, pad: &str) -> Result<()> {
    let target = element
        .static_pad(pad)
        .ok_or_else(|| Error::Pipeline(format!("{} has no {pad} pad", element.name())))?;
    let ghost = gst::GhostPad::builder_with_target(&target)?
        .name(pad)
        .build();
    bin.add_pad(&ghost)?;
    Ok(())
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
/// (libavfilter's flite voices, rsvg, x265...): ~35 MiB more resident memory for the same
/// job (measured with gst-launch-1.0, 720p30, docs/benchmarks.md). Below 128 kbps FFmpeg's
/// encoder is audibly better, so it comes first there.
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
    let Some(enc) = pipeline.by_name(names::VIDEO_ENCODER) else {
        return String::new();
    };
    if enc.find_property("encoder-in-use").is_some() {
        enc.property::<Option<String>>("encoder-in-use")
            .unwrap_or_default()
    } else {
        "x264".to_owned()
    }
}

/// Changes the video bitrate while running (both encoders take it live).
pub(crate) fn set_bitrate(pipeline: &gst::Pipeline, kbps: u32) -> Result<()> {
    let enc = pipeline
        .by_name(names::VIDEO_ENCODER)
        .ok_or_else(|| Error::Pipeline("no video encoder".into()))?;
    let target = match enc
        .downcast_ref::<gst::Bin>()
        .and_then(|b| b.by_name("x264"))
    {
        Some(x264) if enc.find_property("bitrate").is_none() => x264,
        _ => enc,
    };
    target.set_property("bitrate", kbps);
    Ok(())
}
