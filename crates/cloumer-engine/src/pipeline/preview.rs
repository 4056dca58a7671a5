//! The preview branch (with `BroadcastConfig::preview`): small JPEGs of the canvas for a
//! front end, paid for only while somebody watches.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use gst::prelude::*;
use tokio::sync::watch;

use super::{add_chain, capsfilter, make, names};
use crate::config::BroadcastConfig;
use crate::error::{Error, Result};
use crate::preview::{PREVIEW_FPS, PreviewFrame, preview_size};

/// JPEG quality: small frames (~15-30 KB at 480x270) that still read well in a preview.
const JPEG_QUALITY: i32 = 70;

/// Splits the canvas and returns the tee the encoder branch links to.
/// ```text
///  canvas ─ cloumer-canvas-tee ─┬─ (encoder branch)
///                               └─ videorate (drop only, <= 15 fps)
///                                  ─ cloumer-preview-queue (leaky, 1 frame) [gate] [window] [repeats]
///                                  ─ videoscale ─ caps (<= 480 px wide) ─ jpegenc ─ cloumer-preview-sink
///  with a preview window, after the queue:
///                                  ─ tee ─┬─ (native branch, see `preview_window`)
///                                         └─ [a still every few seconds while the window shows]
///                                            videoscale ─ …
/// ```
/// The gate is a buffer probe on the queue's sink pad that consumes every frame while no
/// [`crate::SessionHandle::preview`] receiver exists (events such as EOS still pass, which a
/// `valve` in drop mode would swallow and so hold up the end of the session). Rate is cut
/// before scaling so that only the kept frames are scaled and encoded, and before the gate:
/// videorate paces by the frames it has let through, so behind a closed gate it would see a
/// gap and then pass every canvas frame until its count caught up with the clock (a window
/// hidden for a minute got a minute of 30 fps). Dropping by reference costs the canvas
/// thread next to nothing; the leaky queue gives the rest of the branch its own thread and
/// never lets it slow the canvas down. A frame equal to the last one let through is dropped
/// after the queue (see [`skip_repeats`]); the native window's size is followed there too
/// (see [`super::preview_window`]).
pub(super) fn branch(
    pipeline: &gst::Pipeline,
    config: &BroadcastConfig,
    canvas: &gst::Element,
    frames: Arc<watch::Sender<Option<PreviewFrame>>>,
) -> Result<gst::Element> {
    let tee = make("tee", Some(names::CANVAS_TEE))?;
    tee.set_property("allow-not-linked", true);
    pipeline.add(&tee)?;
    canvas.link(&tee)?;

    let queue = make("queue", Some(names::PREVIEW_QUEUE))?;
    queue.set_property("max-size-buffers", 1u32);
    queue.set_property("max-size-bytes", 0u32);
    queue.set_property("max-size-time", 0u64);
    queue.set_property_from_str("leaky", "downstream");
    let rate = make("videorate", None)?;
    rate.set_property("drop-only", true);
    add_chain(pipeline, &[&rate, &queue])?;
    tee.link(&rate)?;
    gate(&queue, frames.clone())?;
    let fps = config.fps.min(PREVIEW_FPS);
    let repaint = Arc::new(AtomicBool::new(false));
    let jpeg_input = match &config.preview_window {
        None => queue.clone(),
        Some(window) => {
            let native = super::preview_window::branch(pipeline, &queue, window, config)?;
            native.follow(&queue, repaint.clone())?;
            native.split
        }
    };
    skip_repeats(&queue, repaint)?;

    let scale = make("videoscale", None)?;
    let (width, height) = preview_size(config.width, config.height);
    let caps = capsfilter(None, scaled_caps(width, height, fps))?;
    let jpeg = make("jpegenc", None)?;
    jpeg.set_property("quality", JPEG_QUALITY);
    let sink = gst_app::AppSink::builder()
        .name(names::PREVIEW_SINK)
        .max_buffers(1)
        .drop(true)
        .sync(false)
        .enable_last_sample(false)
        .build();
    // Never wait for a preview frame to preroll: the gate may hold every frame back.
    sink.set_property("async", false);
    add_chain(pipeline, &[&scale, &caps, &jpeg, sink.upcast_ref()])?;
    jpeg_input.link(&scale)?;
    if let Some(window) = &config.preview_window {
        super::preview_window::stills_while_shown(&scale, window.clone())?;
    }
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |sink| {
                let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                if let Some(frame) = to_frame(&sample) {
                    frames.send_replace(Some(frame));
                }
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    Ok(tee)
}

/// The preview's caps after scaling: this size, square pixels, this rate.
pub(super) fn scaled_caps(width: u32, height: u32, fps: u32) -> gst::Caps {
    gst::Caps::builder("video/x-raw")
        .field("width", width as i32)
        .field("height", height as i32)
        .field("pixel-aspect-ratio", gst::Fraction::new(1, 1))
        .field("framerate", gst::Fraction::new(fps as i32, 1))
        .build()
}

/// Drops frames at the queue's input while nobody holds a preview receiver.
fn gate(queue: &gst::Element, frames: Arc<watch::Sender<Option<PreviewFrame>>>) -> Result<()> {
    let pad = queue
        .static_pad("sink")
        .ok_or_else(|| Error::Pipeline("queue without sink pad".into()))?;
    pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if frames.receiver_count() > 0 {
            return gst::PadProbeReturn::Ok;
        }
        // Consume the frame here and report it handled: returning `PadProbeReturn::Drop`
        // instead logged a GStreamer-CRITICAL (unref of NULL) per frame on 1.22.
        drop(info.take_buffer());
        gst::PadProbeReturn::Handled
    });
    Ok(())
}

/// Drops a frame whose pixels equal the last frame's that went on. A still screen (slides,
/// a paused game, a desktop) then costs no scaling, JPEG, IPC or painting, which would show
/// the very same picture again; each frame costs a comparison instead, a few tenths of a
/// millisecond for a 720p canvas, on the preview's own thread, after the queue. The last
/// frame is kept by reference, not copied: buffers are not written once they are shared.
/// `repaint` lets the next frame through whatever it shows (the native window was shown
/// again or resized and needs a picture).
fn skip_repeats(queue: &gst::Element, repaint: Arc<AtomicBool>) -> Result<()> {
    let pad = queue
        .static_pad("src")
        .ok_or_else(|| Error::Pipeline("queue without src pad".into()))?;
    // Only this pad's streaming thread takes the lock: it is never contended.
    let last = std::sync::Mutex::new(None::<gst::Buffer>);
    pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        let (Ok(mut last), Some(buffer)) = (last.lock(), info.buffer()) else {
            return gst::PadProbeReturn::Ok;
        };
        let forced = repaint.swap(false, Ordering::Relaxed);
        if !forced && last.as_ref().is_some_and(|last| same_pixels(last, buffer)) {
            drop(info.take_buffer()); // See `gate` on why not `PadProbeReturn::Drop`.
            return gst::PadProbeReturn::Handled;
        }
        *last = Some(buffer.to_owned());
        gst::PadProbeReturn::Ok
    });
    Ok(())
}

fn same_pixels(a: &gst::BufferRef, b: &gst::BufferRef) -> bool {
    match (a.map_readable(), b.map_readable()) {
        (Ok(a), Ok(b)) => a.as_slice() == b.as_slice(),
        _ => false,
    }
}

fn to_frame(sample: &gst::Sample) -> Option<PreviewFrame> {
    let buffer = sample.buffer()?;
    let structure = sample.caps()?.structure(0)?;
    let width = structure.get::<i32>("width").ok()?;
    let height = structure.get::<i32>("height").ok()?;
    let map = buffer.map_readable().ok()?;
    Some(PreviewFrame {
        jpeg: bytes::Bytes::copy_from_slice(map.as_slice()),
        width: u32::try_from(width).ok()?,
        height: u32::try_from(height).ok()?,
        pts: buffer.pts().map(|t| Duration::from_nanos(t.nseconds())),
    })
}
