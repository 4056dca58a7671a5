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
///  silence bed (live) ─────────────────────────────────────────────────────────────┐
///  source 0 ─ audioconvert ─ audioresample ─ caps(48k stereo) ─ volume [─ level] ──┤
///  source 1 ─ audioconvert ─ audioresample ─ caps(48k stereo) ─ volume [─ level] ─ audiomixer ─
/// ```
/// The silence bed makes the mix start at once and never wait for a device: a real
/// microphone delivers its first buffer up to a second or more after "Go live" (PulseAudio
/// opening and resuming the ALSA device), and a live mixer with a silent live input
/// produces silence until then and mixes the device in, aligned, when it delivers. Without
/// the bed the start gate (see `start_gate`) would hold the picture back until the
/// microphone's first buffer: the first second of every broadcast was lost. No source at
/// all gives the bed alone, because ingests (IVS among them) expect an audio track. With a
/// preview, a `level` meter after each source's volume measures what actually goes into
/// the mix (a muted source reads silence).
pub(super) fn mix(pipeline: &gst::Pipeline, config: &BroadcastConfig) -> Result<gst::Element> {
    let sources = &config.sources.audio;
    if sources.is_empty() {
        let silence = silence_source(Some(&names::audio_source(0)))?;
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
    let mixer = make("audiomixer", Some(names::AUDIO_MIXER))?;
    // Output starts at the first input's running time (the bed's, at once), not at zero:
    // nothing to make up for the moments before the pipeline ran.
    mixer.set_property_from_str("start-time-selection", "first");
    let out = capsfilter(None, stereo_caps())?;
    add_chain(pipeline, &[&mixer, &out])?;
    let bed = silence_source(Some(names::AUDIO_SILENCE_BED))?;
    let bed_caps = capsfilter(None, stereo_caps())?;
    add_chain(pipeline, &[&bed, &bed_caps])?;
    bed_caps.link(&mixer)?;
    for chain in &chains {
        chain.link(&mixer)?;
    }
    Ok(out)
}

/// A live source of silence at the mix's format.
fn silence_source(name: Option<&str>) -> Result<gst::Element> {
    let silence = make("audiotestsrc", name)?;
    silence.set_property("is-live", true);
    silence.set_property_from_str("wave", "silence");
    Ok(silence)
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
            let src = pulse_source(&name)?;
            if let Some(device) = device {
                src.set_property("device", device);
            }
            Ok(src)
        }
        AudioSourceKind::DesktopAudio { device } => {
            let src = pulse_source(&name)?;
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

/// `pulsesrc` that does not offer its clock to the pipeline.
///
/// A pipeline prefers the clock of its audio source, but a PulseAudio source's clock
/// counts captured samples: it stands still until the device delivers its first buffer.
/// The screen, timestamped by that clock, then got one timestamp for every frame of the
/// first second, which `videorate` dropped ("Dropped 30" right after "Go live"). The
/// system clock runs from the start; pulsesrc slaves its timestamps to it.
fn pulse_source(name: &str) -> Result<gst::Element> {
    let src = make("pulsesrc", Some(name))?;
    src.set_property("provide-clock", false);
    Ok(src)
}

/// Changes the device of audio source `index` while the pipeline plays: only the source
/// element is replaced, its volume (and meter) stay. The old source's data is dropped at
/// its pad from here on (no EOS or flush reaches the mixer), it is stopped and removed, and
/// the new one starts on the pipeline's clock; the mixer's silence bed covers the moment
/// between. A new device that cannot be opened is refused before anything changes (see
/// [`super::check_opens`]). Blocks while the sources start and stop: not on an async thread.
pub(crate) fn replace_source(
    pipeline: &gst::Pipeline,
    index: usize,
    kind: &AudioSourceKind,
) -> Result<()> {
    // Opened on its own first: a device that is not there must not end the broadcast.
    let new = source_element(index, kind)?;
    super::check_opens(&new)?;
    let name = names::audio_source(index);
    let old = pipeline
        .by_name(&name)
        .ok_or_else(|| Error::Pipeline(format!("there is no audio source number {index}")))?;
    let src = old
        .static_pad("src")
        .ok_or_else(|| Error::Pipeline(format!("{name} has no src pad")))?;
    let next = src
        .peer()
        .and_then(|p| p.parent_element())
        .ok_or_else(|| Error::Pipeline(format!("{name} is not linked")))?;
    src.add_probe(gst::PadProbeType::DATA_DOWNSTREAM, |_, _| {
        gst::PadProbeReturn::Drop
    });
    old.set_state(gst::State::Null)
        .map_err(|e| Error::Pipeline(format!("stopping audio source {index}: {e}")))?;
    old.unlink(&next);
    pipeline.remove(&old)?;
    pipeline.add(&new)?;
    new.link(&next)?;
    new.sync_state_with_parent()
        .map_err(|e| Error::Pipeline(format!("starting the new audio source {index}: {e}")))?;
    Ok(())
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
