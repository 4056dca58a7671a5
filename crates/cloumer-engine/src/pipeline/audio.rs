//! Audio capture and mixing up to one 48 kHz stereo stream.

use gst::prelude::*;

use super::{add_chain, capsfilter, make, names};
use crate::config::{AudioSource, AudioSourceKind, BroadcastConfig};
use crate::error::{Error, Result};

pub(super) const RATE: i32 = 48_000;
pub(super) const CHANNELS: i32 = 2;

/// Builds audio capture and returns the element carrying the mixed audio.
///
/// ```text
///  source 0 ─ audioconvert ─ audioresample ─ caps(48k stereo) ─ volume [─ level] ──┐
///  source 1 ─ audioconvert ─ audioresample ─ caps(48k stereo) ─ volume [─ level] ─ audiomixer ─
/// ```
/// One source goes straight on without a mixer; none gives live silence, because ingests
/// (IVS among them) expect an audio track. With a preview, a `level` meter after each
/// source's volume measures what actually goes into the mix (a muted source reads silence).
pub(super) fn mix(pipeline: &gst::Pipeline, config: &BroadcastConfig) -> Result<gst::Element> {
    let sources = &config.sources.audio;
    if sources.is_empty() {
        let silence = make("audiotestsrc", Some(&names::audio_source(0)))?;
        silence.set_property("is-live", true);
        silence.set_property_from_str("wave", "silence");
        return conformed(
            pipeline,
            &silence,
            0,
            &AudioSource::new(AudioSourceKind::TestTone { frequency: 0 }),
        );
    }
    let chains = sources
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let chain = conformed(pipeline, &source_element(i, &s.kind)?, i, s)?;
            if config.preview {
                return metered(pipeline, &chain, i);
            }
            Ok(chain)
        })
        .collect::<Result<Vec<_>>>()?;
    if let [only] = chains.as_slice() {
        return Ok(only.clone());
    }
    let mixer = make("audiomixer", Some(names::AUDIO_MIXER))?;
    let out = capsfilter(None, stereo_caps())?;
    add_chain(pipeline, &[&mixer, &out])?;
    for chain in &chains {
        chain.link(&mixer)?;
    }
    Ok(out)
}

fn stereo_caps() -> gst::Caps {
    gst::Caps::builder("audio/x-raw")
        .field("rate", RATE)
        .field("channels", CHANNELS)
        .build()
}

/// ```text
///  source ─ audioconvert ─ audioresample ─ caps(48k stereo) ─ volume(name, gain, mute)
/// ```
fn conformed(
    pipeline: &gst::Pipeline,
    source: &gst::Element,
    index: usize,
    config: &AudioSource,
) -> Result<gst::Element> {
    let convert = make("audioconvert", None)?;
    let resample = make("audioresample", None)?;
    let caps = capsfilter(None, stereo_caps())?;
    let volume = make("volume", Some(&names::audio_volume(index)))?;
    volume.set_property("volume", config.volume);
    volume.set_property("mute", config.muted);
    add_chain(pipeline, &[source, &convert, &resample, &caps, &volume])?;
    Ok(volume)
}

/// ```text
///  volume ─ level(cloumer-audio-level-N, a message every LEVEL_INTERVAL)
/// ```
fn metered(
    pipeline: &gst::Pipeline,
    upstream: &gst::Element,
    index: usize,
) -> Result<gst::Element> {
    let level = make("level", Some(&names::audio_level(index)))?;
    level.set_property("post-messages", true);
    level.set_property("interval", crate::preview::LEVEL_INTERVAL.as_nanos() as u64);
    pipeline.add(&level)?;
    upstream.link(&level)?;
    Ok(level)
}

fn source_element(index: usize, kind: &AudioSourceKind) -> Result<gst::Element> {
    let name = names::audio_source(index);
    match kind {
        AudioSourceKind::Microphone { device } => {
            let src = make("pulsesrc", Some(&name))?;
            if let Some(device) = device {
                src.set_property("device", device);
            }
            Ok(src)
        }
        AudioSourceKind::DesktopAudio { device } => {
            let src = make("pulsesrc", Some(&name))?;
            // PulseAudio (and PipeWire's pulse server) name the default output's monitor so.
            let monitor = match device {
                Some(d) if d.ends_with(".monitor") => d.clone(),
                Some(d) => format!("{d}.monitor"),
                None => "@DEFAULT_MONITOR@".to_owned(),
            };
            src.set_property("device", monitor);
            Ok(src)
        }
        AudioSourceKind::TestTone { frequency } => {
            let src = make("audiotestsrc", Some(&name))?;
            src.set_property("is-live", true);
            src.set_property("freq", *frequency as f64);
            src.set_property("volume", 0.3f64);
            Ok(src)
        }
    }
}

/// Sets the gain and mute of audio source `index` while running.
pub(crate) fn set_volume(
    pipeline: &gst::Pipeline,
    index: usize,
    volume: f64,
    muted: bool,
) -> Result<()> {
    let element = pipeline
        .by_name(&names::audio_volume(index))
        .ok_or_else(|| Error::Pipeline(format!("there is no audio source number {index}")))?;
    element.set_property("volume", volume);
    element.set_property("mute", muted);
    Ok(())
}
