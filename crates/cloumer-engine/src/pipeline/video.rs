//! Video capture and composition up to the fixed output canvas.

use gst::prelude::*;

use super::layout::{self, Slot};
use super::{capsfilter, make, names};
use crate::config::{BroadcastConfig, CameraSource, Corner, Layout, PipLayout, ScreenSource};
use crate::error::{Error, Result};
use crate::portal::PortalStream;

/// Builds capture + composition and returns the element whose src pad carries the canvas
/// (I420, configured size and rate, whatever the inputs are).
///
/// Every source sits in its own bin on a compositor pad for the whole session (the layout
/// only places them, see [`super::layout`]); the compositor outputs the configured rate.
/// ```text
///  [screen ─ videoscale ─ videoconvert ─ caps(canvas)] ─┐ cloumer-screen
///  [camera ─ videoscale ─ videoconvert ─ caps(canvas)] ─┼ compositor ─ capsfilter(canvas)
///  [still ─ ... ─ imagefreeze]                         ─┘ cloumer-still (from the
///                                                         first "be right back")
/// ```
pub(super) fn canvas(
    pipeline: &gst::Pipeline,
    config: &BroadcastConfig,
    portal: Option<&PortalStream>,
) -> Result<gst::Element> {
    if config.sources.screen.is_none() && config.sources.camera.is_none() {
        return Err(Error::Config(crate::ConfigError("no video source".into())));
    }
    let compositor = make("compositor", Some(names::COMPOSITOR))?;
    compositor.set_property_from_str("background", "black");
    let canvas_caps = capsfilter(Some(names::CANVAS_CAPS), canvas_caps(config, true))?;
    pipeline.add_many([&compositor, &canvas_caps])?;
    compositor.link(&canvas_caps)?;
    if let Some(screen) = &config.sources.screen {
        add_source(
            pipeline,
            config,
            Slot::Screen,
            screen_source(screen, portal)?,
        )?;
    }
    if let Some(camera) = &config.sources.camera {
        add_source(pipeline, config, Slot::Camera, camera_source(camera)?)?;
    }
    // The built-in card (Pango and its fonts, ~9 MiB) is made at the first "be right back"
    // (`layout::show`); an image is decoded now, so a broken file fails the start, not the
    // stream.
    if config.layout == Layout::BeRightBack || config.be_right_back.image.is_some() {
        let still = layout::still_bin(config)?;
        pipeline.add(&still)?;
        layout::connect_slot(&compositor, still.upcast_ref())?;
    }
    layout::apply(pipeline, config, &config.layout);
    Ok(canvas_caps)
}

/// Puts `source` in the bin of `slot` (scaled to the canvas) and connects it, hidden until
/// the layout is applied.
/// ```text
///  source ─ videoscale ─ videoconvert ─ caps(I420, canvas size, square pixels)
/// ```
/// Scaling first converts fewer pixels when a big screen goes to a smaller canvas;
/// videoscale keeps the aspect ratio with black borders.
fn add_source(
    pipeline: &gst::Pipeline,
    config: &BroadcastConfig,
    slot: Slot,
    source: gst::Element,
) -> Result<gst::Bin> {
    let scale = make("videoscale", None)?;
    let convert = make("videoconvert", None)?;
    let filter = capsfilter(None, canvas_caps(config, false))?;
    let bin = layout::slot_bin(slot, &[&source, &scale, &convert, &filter])?;
    pipeline.add(&bin)?;
    let compositor = pipeline
        .by_name(names::COMPOSITOR)
        .ok_or_else(|| Error::Pipeline("no compositor".into()))?;
    layout::connect_slot(&compositor, bin.upcast_ref())?;
    Ok(bin)
}

/// Changes the screen or camera while the pipeline plays: the old bin is cut off (its
/// frames dropped, so no EOS and no not-linked error reach anything), stopped and removed;
/// the new one joins the compositor on a fresh pad and starts on the pipeline's clock. The
/// compositor keeps producing frames meanwhile (from the other inputs or its background),
/// so the stream never misses a frame. Blocks while the old source stops: not on an async
/// thread.
pub(crate) fn replace_source(
    pipeline: &gst::Pipeline,
    config: &BroadcastConfig,
    slot: Slot,
    source: Option<gst::Element>,
) -> Result<()> {
    remove_slot(pipeline, slot)?;
    if let Some(source) = source {
        let bin = add_source(pipeline, config, slot, source)?;
        bin.sync_state_with_parent()
            .map_err(|e| Error::Pipeline(format!("starting the new {slot:?} source: {e}")))?;
    }
    layout::apply(pipeline, config, &config.layout);
    Ok(())
}

fn remove_slot(pipeline: &gst::Pipeline, slot: Slot) -> Result<()> {
    let Some(bin) = pipeline.by_name(slot.bin_name()) else {
        return Ok(());
    };
    let src = bin
        .static_pad("src")
        .ok_or_else(|| Error::Pipeline(format!("{} has no src pad", bin.name())))?;
    src.add_probe(gst::PadProbeType::DATA_DOWNSTREAM, |_, _| {
        gst::PadProbeReturn::Drop
    });
    let pad = src.peer();
    if let Some(pad) = &pad {
        pad.set_property("alpha", 0.0f64);
    }
    bin.set_state(gst::State::Null)
        .map_err(|e| Error::Pipeline(format!("stopping the old {slot:?} source: {e}")))?;
    if let Some(pad) = pad {
        let _ = src.unlink(&pad);
        if let Some(compositor) = pad.parent_element() {
            compositor.release_request_pad(&pad);
        }
    }
    pipeline.remove(&bin)?;
    Ok(())
}

/// The element for a new screen source while live (a Wayland screen needs its portal
/// opened before the pipeline is built, so it cannot be switched to while live).
pub(crate) fn live_screen_source(source: &ScreenSource) -> Result<gst::Element> {
    screen_source(source, None)
}

pub(crate) fn live_camera_source(source: &CameraSource) -> Result<gst::Element> {
    camera_source(source)
}

/// The canvas caps: I420 (x264 and hardware encoders take it; no 4:4:4 profile surprises),
/// square pixels, the configured size and, after the rate stage, the configured rate.
pub(crate) fn canvas_caps(config: &BroadcastConfig, with_rate: bool) -> gst::Caps {
    let mut builder = gst::Caps::builder("video/x-raw")
        .field("format", "I420")
        .field("width", config.width as i32)
        .field("height", config.height as i32)
        .field("pixel-aspect-ratio", gst::Fraction::new(1, 1));
    if with_rate {
        builder = builder.field("framerate", gst::Fraction::new(config.fps as i32, 1));
    }
    builder.build()
}

/// Where the camera goes on the canvas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PipGeometry {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// The camera is `layout.size` of the canvas width, 16:9, `margin` pixels from the corner.
pub(crate) fn pip_geometry(canvas_w: u32, canvas_h: u32, layout: &PipLayout) -> PipGeometry {
    let even = |v: f64| ((v.round() as u32) / 2 * 2).max(2);
    let width = even(canvas_w as f64 * layout.size);
    let height = even(width as f64 * 9.0 / 16.0).min(canvas_h);
    let margin = layout
        .margin
        .min(canvas_w.saturating_sub(width) / 2)
        .min(canvas_h.saturating_sub(height) / 2);
    let right = canvas_w.saturating_sub(width + margin);
    let bottom = canvas_h.saturating_sub(height + margin);
    let (x, y) = match layout.corner {
        Corner::TopLeft => (margin, margin),
        Corner::TopRight => (right, margin),
        Corner::BottomLeft => (margin, bottom),
        Corner::BottomRight => (right, bottom),
    };
    PipGeometry {
        x,
        y,
        width,
        height,
    }
}

/// The screen capture element.
pub(super) fn screen_source(
    source: &ScreenSource,
    portal: Option<&PortalStream>,
) -> Result<gst::Element> {
    match source {
        ScreenSource::X11 { display, region } => {
            let src = ximagesrc(display.as_deref())?;
            if let Some(r) = region {
                src.set_property("startx", r.x);
                src.set_property("starty", r.y);
                src.set_property("endx", r.x + r.width - 1);
                src.set_property("endy", r.y + r.height - 1);
            }
            Ok(src)
        }
        ScreenSource::X11Window { display, title } => {
            let src = ximagesrc(display.as_deref())?;
            src.set_property("xname", title);
            Ok(src)
        }
        ScreenSource::Portal { .. } => match portal {
            Some(stream) => stream.source_element(names::SCREEN_SOURCE),
            None => Err(Error::Portal(
                "the screen cast portal was not opened before building".into(),
            )),
        },
        ScreenSource::TestPattern { pattern } => test_pattern(names::SCREEN_SOURCE, pattern),
    }
}

/// X11 capture of `display` (`None` = `$DISPLAY`) at a steady rate, with the pointer.
fn ximagesrc(display: Option<&str>) -> Result<gst::Element> {
    let src = make("ximagesrc", Some(names::SCREEN_SOURCE))?;
    if let Some(display) = display {
        src.set_property("display-name", display);
    }
    // Damage tracking makes static screens cheap but gives irregular frame timing; an
    // ingest wants a steady rate.
    src.set_property("use-damage", false);
    src.set_property("show-pointer", true);
    Ok(src)
}

fn camera_source(source: &CameraSource) -> Result<gst::Element> {
    match source {
        CameraSource::V4l2 { device } => {
            let src = make("v4l2src", Some(names::CAMERA_SOURCE))?;
            if let Some(device) = device {
                src.set_property("device", device);
            }
            Ok(src)
        }
        CameraSource::TestPattern { pattern } => test_pattern(names::CAMERA_SOURCE, pattern),
    }
}

/// A live `videotestsrc`: live so it is paced by the clock like a real capture device.
fn test_pattern(name: &str, pattern: &str) -> Result<gst::Element> {
    let src = make("videotestsrc", Some(name))?;
    src.set_property("is-live", true);
    let known = src
        .find_property("pattern")
        .and_then(|p| p.downcast::<gst::glib::ParamSpecEnum>().ok())
        .is_some_and(|p| p.enum_class().value_by_nick(pattern).is_some());
    if !known {
        return Err(Error::Config(crate::ConfigError(format!(
            "unknown test pattern `{pattern}`: use e.g. ball, smpte, snow"
        ))));
    }
    src.set_property_from_str("pattern", pattern);
    Ok(src)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pip_corners() {
        let layout = |corner| PipLayout {
            corner,
            size: 0.25,
            margin: 20,
        };
        let g = pip_geometry(1280, 720, &layout(Corner::BottomRight));
        assert_eq!(
            g,
            PipGeometry {
                x: 1280 - 320 - 20,
                y: 720 - 180 - 20,
                width: 320,
                height: 180
            }
        );
        let g = pip_geometry(1280, 720, &layout(Corner::TopLeft));
        assert_eq!((g.x, g.y), (20, 20));
        let g = pip_geometry(1280, 720, &layout(Corner::TopRight));
        assert_eq!((g.x, g.y), (940, 20));
        let g = pip_geometry(1280, 720, &layout(Corner::BottomLeft));
        assert_eq!((g.x, g.y), (20, 520));
    }
}
