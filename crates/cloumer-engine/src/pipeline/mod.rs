//! [`PipelineBuilder`]: a validated [`BroadcastConfig`] becomes one `gst::Pipeline`.
//!
//! ```text
//!  screen ─┐               ┌ canvas-tee* ┐                     ┌─ ivssink.video ─────────┐
//!          ├─ compositor ──┤             └ cloumerh264enc ─ tee┤                         ├─ RTMP(S)
//!  camera ─┘   (PiP)       └─ preview*: leaky queue [gate] ─   └─ queue ─ matroskamux ─ filesink
//!                             videorate ─ videoscale ─ jpegenc ─ appsink        ^
//!  silence bed ───────────┐
//!  mic ─ volume [─ level*] ┤                                   ┌─ ivssink.audio ─────────┘   |
//!                          ├─ audiomixer ─── aacenc ─────── tee┤                             |
//!  desktop ─ volume [─ level*] ┘                               └─ queue ─────────────────────┘
//! ```
//! The silence bed starts the sound at once, whenever the devices deliver (see [`audio`]).
//! `aacenc` is voaacenc or avenc_aac, chosen by bitrate (`encode::aac_encoder`). Both
//! encoders sit behind a start gate ([`start_gate`]) so picture and sound begin together.
//! `*` only with `BroadcastConfig::preview` (see [`preview`]). A preview-only session (no
//! output yet: the studio before going live) has no encoders at all: the canvas feeds only
//! the preview and the mixed audio ends in a `fakesink` after its level meters.
//!
//! Each stage lives in its own module with its own diagram; elements get the stable names
//! of [`names`].

mod audio;
mod encode;
mod layout;
pub mod names;
mod open_check;
mod outputs;
mod preview;
mod preview_window;
mod start_gate;
mod video;

pub(crate) use audio::{replace_source as replace_audio_source, set_volume};
pub(crate) use encode::{encoder_in_use, set_bitrate};
pub(crate) use layout::{Slot, end_still, show as show_layout};
pub(crate) use open_check::check_opens;
pub(crate) use video::{live_camera_source, live_screen_source, replace_source};

use gst::prelude::*;

use crate::config::BroadcastConfig;
use crate::error::{Error, Result};
use crate::preview::PreviewChannels;

/// Registers our own elements (`cloumerh264enc`, `ivssink`) in this process; the engine
/// does not start without them.
pub(crate) fn register_cloumer_elements() -> Result<()> {
    gstcloumer::plugin_register_static()
        .map_err(|e| Error::Pipeline(format!("registering Cloumer's elements: {e}")))
}

/// A built (not yet started) pipeline and what the session needs to know about it.
#[derive(Debug)]
pub struct BuiltPipeline {
    pub pipeline: gst::Pipeline,
    pub streaming: bool,
    pub recording: bool,
}

/// Builds the pipeline for one broadcast. Kooha's shape: one small function per stage.
pub struct PipelineBuilder<'a> {
    config: &'a BroadcastConfig,
    portal: Option<&'a crate::portal::PortalStream>,
    preview: Option<&'a PreviewChannels>,
}

impl<'a> PipelineBuilder<'a> {
    pub fn new(config: &'a BroadcastConfig) -> Self {
        Self {
            config,
            portal: None,
            preview: None,
        }
    }

    /// Where the preview branch publishes its frames (the session's channels); without it
    /// a preview branch is still built but nobody can watch it.
    pub(crate) fn with_preview(mut self, channels: &'a PreviewChannels) -> Self {
        self.preview = Some(channels);
        self
    }

    /// The open Wayland screen cast a `ScreenSource::Portal` reads from.
    pub(crate) fn with_portal(mut self, portal: &'a crate::portal::PortalStream) -> Self {
        self.portal = Some(portal);
        self
    }

    /// Validates the config, then makes, adds and links every element.
    pub fn build(self) -> Result<BuiltPipeline> {
        crate::validate::validate(self.config)?;
        crate::init()?;
        let pipeline = gst::Pipeline::with_name(names::PIPELINE);
        let mut canvas = video::canvas(&pipeline, self.config, self.portal)?;
        if self.config.preview {
            let frames = match self.preview {
                Some(channels) => channels.frames.clone(),
                None => PreviewChannels::new(&self.config.sources.audio).frames,
            };
            canvas = preview::branch(&pipeline, self.config, &canvas, frames)?;
        }
        let audio = audio::mix(&pipeline, self.config)?;
        let outputs = &self.config.outputs;
        if outputs.stream.is_none() && outputs.recording.is_none() {
            // Preview only (validation allows no output only with a preview).
            let discard = make("fakesink", Some(names::AUDIO_DISCARD))?;
            discard.set_property("sync", false);
            discard.set_property("async", false);
            pipeline.add(&discard)?;
            audio.link(&discard)?;
            return Ok(BuiltPipeline {
                pipeline,
                streaming: false,
                recording: false,
            });
        }
        // Encoded picture and sound start together (see `start_gate`).
        let gate = start_gate::StartGate::default();
        let video_tee = encode::video_encoder(&pipeline, self.config, &canvas, &gate)?;
        let audio_tee = encode::audio_encoder(&pipeline, self.config, &audio, &gate)?;
        if let Some(stream) = &self.config.outputs.stream {
            outputs::stream(&pipeline, stream, &video_tee, &audio_tee)?;
        }
        if let Some(recording) = &self.config.outputs.recording {
            outputs::recording(&pipeline, recording, &video_tee, &audio_tee)?;
        }
        Ok(BuiltPipeline {
            pipeline,
            streaming: self.config.outputs.stream.is_some(),
            recording: self.config.outputs.recording.is_some(),
        })
    }
}

/// Makes one element, turning "factory not found" into an error that names the plugin.
pub(crate) fn make(factory: &str, name: Option<&str>) -> Result<gst::Element> {
    let mut builder = gst::ElementFactory::make(factory);
    if let Some(name) = name {
        builder = builder.name(name);
    }
    builder.build().map_err(|_| Error::MissingElement {
        element: factory.to_owned(),
        hint: plugin_hint(factory).to_owned(),
    })
}

fn plugin_hint(factory: &str) -> &'static str {
    match factory {
        "avenc_aac" => "install gstreamer1.0-libav",
        "ximagesrc" => "install gstreamer1.0-x (X11 screen capture)",
        "pulsesrc" | "v4l2src" | "matroskamux" | "videorate" | "level" | "jpegenc" => {
            "install gstreamer1.0-plugins-good"
        }
        "compositor" | "voaacenc" => "install gstreamer1.0-plugins-bad",
        "pipewiresrc" => "install gstreamer1.0-pipewire",
        "cloumerh264enc" | "ivssink" => "Cloumer's own elements are not registered (gst-plugins)",
        _ => "install the GStreamer plugin packages (base, good, bad, ugly, libav)",
    }
}

/// Adds `elements` to `pipeline` and links them in order.
pub(crate) fn add_chain(pipeline: &gst::Pipeline, elements: &[&gst::Element]) -> Result<()> {
    pipeline.add_many(elements.iter().copied())?;
    gst::Element::link_many(elements.iter().copied()).map_err(|e| {
        let names: Vec<String> = elements.iter().map(|e| e.name().to_string()).collect();
        Error::Pipeline(format!("cannot link {}: {e}", names.join(" ! ")))
    })
}

/// A `capsfilter` with the given caps.
pub(crate) fn capsfilter(name: Option<&str>, caps: gst::Caps) -> Result<gst::Element> {
    let filter = make("capsfilter", name)?;
    filter.set_property("caps", caps);
    Ok(filter)
}

/// A queue that drops the oldest data instead of blocking: a stalled branch (network gone,
/// slow disk) must never stall capture or the other branch.
pub(crate) fn leaky_queue(max_seconds: u64) -> Result<gst::Element> {
    let queue = make("queue", None)?;
    queue.set_property("max-size-buffers", 0u32);
    queue.set_property("max-size-bytes", 0u32);
    queue.set_property("max-size-time", max_seconds * 1_000_000_000);
    queue.set_property_from_str("leaky", "downstream");
    Ok(queue)
}

/// Requests a pad from a tee and links it to `sink`'s pad `sink_pad` (or its always sink).
pub(crate) fn link_from_tee(
    tee: &gst::Element,
    sink: &gst::Element,
    sink_pad: Option<&str>,
) -> Result<()> {
    let src = tee
        .request_pad_simple("src_%u")
        .ok_or_else(|| Error::Pipeline(format!("{} gave no src pad", tee.name())))?;
    let sink_pad = match sink_pad {
        Some(name) => sink
            .static_pad(name)
            .or_else(|| sink.request_pad_simple(name)),
        None => sink.static_pad("sink"),
    }
    .ok_or_else(|| Error::Pipeline(format!("{} has no pad to link to", sink.name())))?;
    src.link(&sink_pad).map(|_| ()).map_err(|e| {
        Error::Pipeline(format!(
            "cannot link {} to {}: {e:?}",
            tee.name(),
            sink.name()
        ))
    })
}
