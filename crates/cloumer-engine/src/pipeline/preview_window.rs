//! The native preview's part of the preview branch (with `BroadcastConfig::preview_window`,
//! see [`crate::preview_window`]): `ximagesink` painting the preview into the front end's
//! window at the window's size, a probe that follows that size, and the JPEG preview cut
//! to a still now and then while the window shows the picture.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use gst::prelude::*;
use gst_video::prelude::*;

use super::preview::scaled_caps;
use super::{add_chain, capsfilter, make, names};
use crate::config::BroadcastConfig;
use crate::error::{Error, Result};
use crate::preview::{PREVIEW_FPS, preview_size};
use crate::preview_window::{PreviewWindow, STILL_INTERVAL, fit};

/// The native branch, linked after `queue`; the JPEG preview continues from `split`.
pub(super) struct NativeBranch {
    /// The tee between the native branch and the JPEG preview.
    pub split: gst::Element,
    window: PreviewWindow,
    caps: gst::Element,
    canvas: (u32, u32),
    fps: u32,
}

/// ```text
///  queue ─ tee ─┬─ [shown?] videoconvertscale ─ cloumer-preview-window-caps
///               │           ─ cloumer-preview-window (ximagesink, no sync)
///               └─ (JPEG preview)
/// ```
/// Each side scales on its own: the window's picture has the window's size (in `ximagesink`'s
/// pixel format, converted in the same pass), the JPEG preview stays small. `ximagesink`
/// rather than `xvimagesink` or `glimagesink`: it needs no Xv adaptor or GL (Xvfb and
/// GPU-less machines have neither), and with the picture at the window's size the X server
/// only copies it (over shared memory).
pub(super) fn branch(
    pipeline: &gst::Pipeline,
    queue: &gst::Element,
    window: &PreviewWindow,
    config: &BroadcastConfig,
) -> Result<NativeBranch> {
    let split = make("tee", None)?;
    let (width, height) = preview_size(config.width, config.height);
    let fps = config.fps.min(PREVIEW_FPS);
    let caps = capsfilter(
        Some(names::PREVIEW_WINDOW_CAPS),
        scaled_caps(width, height, fps),
    )?;
    let sink = make("ximagesink", Some(names::PREVIEW_WINDOW_SINK))?;
    sink.set_property("display", window.display());
    sink.set_property("sync", false);
    // Never wait for a frame to preroll: the gate may hold every frame back.
    sink.set_property("async", false);
    // The sink repaints its last picture when the window is exposed (uncovered, shown).
    sink.set_property("handle-events", true);
    let overlay = sink
        .dynamic_cast_ref::<gst_video::VideoOverlay>()
        .ok_or_else(|| Error::Pipeline("ximagesink is not a video overlay".into()))?;
    // SAFETY: an X11 window id is a plain number, not a pointer; the front end keeps the
    // window for as long as sessions may paint into it (a destroyed one is an X error, not
    // memory unsafety).
    unsafe { overlay.set_window_handle(window.handle()) };

    pipeline.add(&split)?;
    queue.link(&split)?;
    let mut chain = scale_and_convert()?;
    chain.extend([caps.clone(), sink]);
    add_chain(pipeline, &chain.iter().collect::<Vec<_>>())?;
    split.link(&chain[0])?;
    paint_only_when_shown(&chain[0], window.clone())?;
    Ok(NativeBranch {
        split,
        window: window.clone(),
        caps,
        canvas: (config.width, config.height),
        fps,
    })
}

/// One `videoconvertscale` (GStreamer >= 1.22: scales and converts in one pass), else
/// `videoscale ! videoconvert`.
///
/// Without chroma resampling (`chroma-mode=none`): the canvas's chroma planes (4:2:0) are
/// already about the window's size (640x360 for 720p), so interpolating them up to 4:4:4
/// before scaling back down is wasted, about a third of the conversion's cost
/// (docs/studio-benchmarks.md). Where the window is larger, colour edges are a little
/// blockier, which a preview can afford.
fn scale_and_convert() -> Result<Vec<gst::Element>> {
    let (scale, convert) = if gst::ElementFactory::find("videoconvertscale").is_some() {
        (None, make("videoconvertscale", None)?)
    } else {
        (Some(make("videoscale", None)?), make("videoconvert", None)?)
    };
    convert.set_property_from_str("chroma-mode", "none");
    Ok(scale.into_iter().chain([convert]).collect())
}

/// Drops frames before scaling while the window is hidden and counts the painted ones.
fn paint_only_when_shown(first: &gst::Element, window: PreviewWindow) -> Result<()> {
    let pad = first
        .static_pad("sink")
        .ok_or_else(|| Error::Pipeline("scaler without sink pad".into()))?;
    pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if window.size().is_some() {
            window.count_painted();
            return gst::PadProbeReturn::Ok;
        }
        // See `preview::gate` on why not `PadProbeReturn::Drop`.
        drop(info.take_buffer());
        gst::PadProbeReturn::Handled
    });
    Ok(())
}

impl NativeBranch {
    /// Follows the window, frame by frame, with a probe on `queue`'s source pad (the
    /// preview's thread, before anything is scaled): a new size is a new scaling target.
    /// Any change lets the next frame through even if it repeats the last (`repaint`): the
    /// window needs a picture at its new size, or again after being hidden.
    pub fn follow(&self, queue: &gst::Element, repaint: Arc<AtomicBool>) -> Result<()> {
        let pad = queue
            .static_pad("src")
            .ok_or_else(|| Error::Pipeline("queue without src pad".into()))?;
        let (window, caps, canvas, fps) = (
            self.window.clone(),
            self.caps.clone(),
            self.canvas,
            self.fps,
        );
        let applied = Mutex::new(None::<(u32, u32)>);
        pad.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
            let size = window.size();
            if let Ok(mut applied) = applied.lock()
                && *applied != size
            {
                *applied = size;
                if let Some((width, height)) = size {
                    let (width, height) = fit(canvas, width, height);
                    tracing::debug!(width, height, "preview window shown");
                    caps.set_property("caps", scaled_caps(width, height, fps));
                }
                repaint.store(true, Ordering::Relaxed);
            }
            gst::PadProbeReturn::Ok
        });
        Ok(())
    }
}

/// While the window shows the picture, lets one frame a [`STILL_INTERVAL`] into the JPEG
/// preview at `element` (the first after the split); all of them while it is hidden.
pub(super) fn stills_while_shown(element: &gst::Element, window: PreviewWindow) -> Result<()> {
    let pad = element
        .static_pad("sink")
        .ok_or_else(|| Error::Pipeline("JPEG preview without sink pad".into()))?;
    let last_still = Mutex::new(None::<Instant>);
    pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        let Ok(mut last_still) = last_still.lock() else {
            return gst::PadProbeReturn::Ok;
        };
        if window.size().is_none() {
            *last_still = None;
            return gst::PadProbeReturn::Ok;
        }
        if last_still.is_some_and(|at| at.elapsed() < STILL_INTERVAL) {
            drop(info.take_buffer()); // See `preview::gate` on why not `PadProbeReturn::Drop`.
            return gst::PadProbeReturn::Handled;
        }
        *last_still = Some(Instant::now());
        gst::PadProbeReturn::Ok
    });
    Ok(())
}
