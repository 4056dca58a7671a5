//! The native preview's part of the preview branch (with `BroadcastConfig::preview_window`,
//! see [`crate::preview_window`]): `ximagesink` painting the scaled preview into the front
//! end's window, and a probe that follows the window's size and visibility.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use gst::prelude::*;
use gst_video::prelude::*;

use super::preview::scaled_caps;
use super::{add_chain, make, names};
use crate::error::{Error, Result};
use crate::preview::preview_size;
use crate::preview_window::{PreviewWindow, STILL_FPS, fit};

/// Adds the window sink after `scaled` (the preview's caps filter) and returns the
/// `videorate` the JPEG preview continues from.
/// ```text
///  scaled ─ tee ─┬─ [shown?] videoconvert ─ cloumer-preview-window (ximagesink, no sync)
///                └─ videorate (drop only) ─ (JPEG preview)
/// ```
/// `ximagesink` rather than `xvimagesink` or `glimagesink`: it needs no Xv adaptor or GL
/// (Xvfb and GPU-less machines have neither), and the picture arrives at the window's size,
/// so the X server only copies it (over shared memory).
pub(super) fn sink(
    pipeline: &gst::Pipeline,
    scaled: &gst::Element,
    window: &PreviewWindow,
) -> Result<gst::Element> {
    let tee = make("tee", None)?;
    let convert = make("videoconvert", None)?;
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
    let still_rate = make("videorate", None)?;
    still_rate.set_property("drop-only", true);
    pipeline.add(&tee)?;
    scaled.link(&tee)?;
    add_chain(pipeline, &[&convert, &sink])?;
    add_chain(pipeline, &[&still_rate])?;
    tee.link(&convert)?;
    tee.link(&still_rate)?;
    paint_only_when_shown(&convert, window.clone())?;
    Ok(still_rate)
}

/// Drops frames before conversion while the window is hidden and counts the painted ones.
fn paint_only_when_shown(convert: &gst::Element, window: PreviewWindow) -> Result<()> {
    let pad = convert
        .static_pad("sink")
        .ok_or_else(|| Error::Pipeline("videoconvert without sink pad".into()))?;
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

/// Follows the window, frame by frame, on the preview's thread before scaling: a new size
/// is a new scaling target; while the window shows, the JPEG preview drops to a still a
/// second, and back to the full rate when it is hidden. Any change lets the next frame
/// through even if it repeats the last (the window needs a picture at its new size).
pub(super) struct Follow {
    pub window: PreviewWindow,
    /// The preview's caps filter after `videoscale`.
    pub caps: gst::Element,
    /// The JPEG preview's `videorate`.
    pub still_rate: gst::Element,
    pub canvas: (u32, u32),
    pub fps: u32,
    pub repaint: Arc<AtomicBool>,
}

impl Follow {
    /// Adds the probe on `queue`'s source pad (the preview's own thread).
    pub fn attach(self, queue: &gst::Element) -> Result<()> {
        let pad = queue
            .static_pad("src")
            .ok_or_else(|| Error::Pipeline("queue without src pad".into()))?;
        // The branch is built for a hidden window (the JPEG preview's size and rate).
        let applied = Mutex::new(None::<(u32, u32)>);
        pad.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
            let size = self.window.size();
            if let Ok(mut applied) = applied.lock()
                && *applied != size
            {
                *applied = size;
                self.apply(size);
            }
            gst::PadProbeReturn::Ok
        });
        Ok(())
    }

    fn apply(&self, size: Option<(u32, u32)>) {
        let (width, height) = match size {
            Some((width, height)) => fit(self.canvas, width, height),
            None => preview_size(self.canvas.0, self.canvas.1),
        };
        tracing::debug!(width, height, shown = size.is_some(), "preview window");
        self.caps
            .set_property("caps", scaled_caps(width, height, self.fps));
        let jpeg_fps = if size.is_some() { STILL_FPS } else { self.fps };
        self.still_rate.set_property("max-rate", jpeg_fps as i32);
        self.repaint.store(true, Ordering::Relaxed);
    }
}
