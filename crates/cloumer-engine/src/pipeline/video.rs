//! Video capture and composition up to the fixed output canvas.

use gst::prelude::*;

use super::{add_chain, capsfilter, make, names};
use crate::config::{BroadcastConfig, CameraSource, Corner, PipLayout, ScreenSource};
use crate::error::{Error, Result};
use crate::portal::PortalStream;

/// Builds capture + composition and returns the element whose src pad carries the canvas
/// (I420, configured size and rate, whatever the inputs are).
///
/// One source (the common case) needs no compositor, which saves a full-frame copy:
/// ```text
///  source ─ videoscale ─ videoconvert ─ videorate ─ capsfilter(canvas)
/// ```
/// Screen and camera: the camera sits picture-in-picture over the screen:
/// ```text
///  screen ─ videoscale ─ videoconvert ─ caps(w x h) ──────┐ sink_0 (z 0)
///  camera ─ videoscale ─ videoconvert ─ caps(pip size) ─ compositor ─ capsfilter(canvas)
///                                                        sink_1 (z 1, corner + margin)
/// ```
pub(super) fn canvas(
    pipeline: &gst::Pipeline,
    config: &BroadcastConfig,
    portal: Option<&PortalStream>,
) -> Result<gst::Element> {
    let screen = config
        .sources
        .screen
        .as_ref()
        .map(|s| screen_source(s, portal))
        .transpose()?;
    let camera = config
        .sources
        .camera
        .as_ref()
        .map(camera_source)
        .transpose()?;
    let canvas_caps = capsfilter(Some(names::CANVAS_CAPS), canvas_caps(config, true))?;
    match (screen, camera) {
        (Some(only), None) | (None, Some(only)) => {
            let rate = make("videorate", Some(names::VIDEO_RATE))?;
            let chain = scaled(pipeline, &only, config.width, config.height)?;
            pipeline.add_many([&rate, &canvas_caps])?;
            gst::Element::link_many([&chain, &rate, &canvas_caps])?;
            Ok(canvas_caps)
        }
        (Some(screen), Some(camera)) => {
            let compositor = make("compositor", Some(names::COMPOSITOR))?;
            compositor.set_property_from_str("background", "black");
            pipeline.add_many([&compositor, &canvas_caps])?;
            compositor.link(&canvas_caps)?;
            let screen_out = scaled(pipeline, &screen, config.width, config.height)?;
            link_to_compositor(&compositor, &screen_out, 0, None)?;
            let pip = pip_geometry(config.width, config.height, &config.layout);
            let camera_out = scaled(pipeline, &camera, pip.width, pip.height)?;
            link_to_compositor(&compositor, &camera_out, 1, Some(pip))?;
            Ok(canvas_caps)
        }
        (None, None) => Err(Error::Config(crate::ConfigError("no video source".into()))),
    }
}

/// The canvas caps: I420 (x264 and hardware encoders take it; no 4:4:4 profile surprises),
/// square pixels, the configured size and, after the rate stage, the configured rate.
pub(super) fn canvas_caps(config: &BroadcastConfig, with_rate: bool) -> gst::Caps {
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

/// ```text
///  source ─ videoscale ─ videoconvert ─ caps(I420, width x height, square pixels)
/// ```
/// Scaling first converts fewer pixels when a big screen goes to a smaller canvas;
/// videoscale keeps the aspect ratio with black borders.
fn scaled(
    pipeline: &gst::Pipeline,
    source: &gst::Element,
    width: u32,
    height: u32,
) -> Result<gst::Element> {
    let scale = make("videoscale", None)?;
    let convert = make("videoconvert", None)?;
    let caps = gst::Caps::builder("video/x-raw")
        .field("format", "I420")
        .field("width", width as i32)
        .field("height", height as i32)
        .field("pixel-aspect-ratio", gst::Fraction::new(1, 1))
        .build();
    let filter = capsfilter(None, caps)?;
    pipeline.add(source)?;
    add_chain(pipeline, &[&scale, &convert, &filter])?;
    source.link(&scale)?;
    Ok(filter)
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

fn link_to_compositor(
    compositor: &gst::Element,
    upstream: &gst::Element,
    zorder: u32,
    geometry: Option<PipGeometry>,
) -> Result<()> {
    let pad = compositor
        .request_pad_simple("sink_%u")
        .ok_or_else(|| Error::Pipeline("compositor gave no sink pad".into()))?;
    pad.set_property("zorder", zorder);
    if let Some(g) = geometry {
        pad.set_property("xpos", g.x as i32);
        pad.set_property("ypos", g.y as i32);
        pad.set_property("width", g.width as i32);
        pad.set_property("height", g.height as i32);
    }
    let src = upstream
        .static_pad("src")
        .ok_or_else(|| Error::Pipeline("capsfilter without src pad".into()))?;
    src.link(&pad).map(|_| ()).map_err(|e| {
        Error::Pipeline(format!(
            "cannot link a video source to the compositor: {e:?}"
        ))
    })
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
