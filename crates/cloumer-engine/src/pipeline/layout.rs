//! Layouts: where each video source sits on the canvas, switched while live.
//!
//! Every source the session has is connected to the compositor for the whole session, so a
//! layout switch changes only pad properties (alpha, position, size): the encoder never
//! sees a gap, needs no new keyframe, and the ingest connection is untouched.
//! ```text
//!  screen slot ─ (canvas size) ──────────── sink (z 1) ┐
//!  camera slot ─ (canvas size) ──────────── sink (z 2) ├─ compositor ─ capsfilter(canvas)
//!  still ─ (canvas size) ─ imagefreeze ──── sink (z 3) ┘   alpha 0 pads are not drawn
//! ```
//! The still ("be right back") is decoded once and repeated by `imagefreeze`, so it costs
//! a buffer reference per frame, not a decode; the built-in card is only made at the first
//! "be right back" of a session (see [`show`]).

use gst::prelude::*;

use super::video::{PipGeometry, pip_geometry};
use super::{capsfilter, make, names};
use crate::config::{BeRightBack, BroadcastConfig, Layout};
use crate::error::{Error, Result};

/// One input of the compositor. The order is the stacking order (zorder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Screen,
    Camera,
    Still,
}

impl Slot {
    /// The bin holding this slot's chain; its ghost src pad feeds the compositor.
    pub(crate) fn bin_name(self) -> &'static str {
        match self {
            Slot::Screen => names::SCREEN_SLOT,
            Slot::Camera => names::CAMERA_SLOT,
            Slot::Still => names::STILL_SLOT,
        }
    }

    fn zorder(self) -> u32 {
        match self {
            Slot::Screen => 1,
            Slot::Camera => 2,
            Slot::Still => 3,
        }
    }
}

/// How one slot is drawn: hidden, or at a rectangle of the canvas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placement {
    Hidden,
    At(PipGeometry),
}

/// Which slots exist and where each goes, for a canvas of `width` x `height`. A layout
/// whose source is missing falls back to what there is, so removing a source while live
/// never leaves a black canvas: screen-only without a screen shows the camera, camera-only
/// without a camera shows the screen, picture-in-picture shows whichever of the two exists.
/// With neither, the still.
pub(crate) fn placements(
    layout: &Layout,
    width: u32,
    height: u32,
    has_screen: bool,
    has_camera: bool,
) -> [(Slot, Placement); 3] {
    let full = Placement::At(PipGeometry {
        x: 0,
        y: 0,
        width,
        height,
    });
    let (screen, camera, still) = match (layout, has_screen, has_camera) {
        (_, false, false) | (Layout::BeRightBack, _, _) => (false, false, true),
        (Layout::Screen, true, _) | (Layout::Camera, true, false) => (true, false, false),
        (Layout::Camera, _, true) | (Layout::Screen, false, true) => (false, true, false),
        (Layout::Pip(_), true, false) => (true, false, false),
        (Layout::Pip(_), false, true) => (false, true, false),
        (Layout::Pip(_), true, true) => (true, true, false),
    };
    let camera_place = match layout {
        Layout::Pip(pip) if screen => Placement::At(pip_geometry(width, height, pip)),
        _ => full,
    };
    let shown = |on: bool, place: Placement| if on { place } else { Placement::Hidden };
    [
        (Slot::Screen, shown(screen, full)),
        (Slot::Camera, shown(camera, camera_place)),
        (Slot::Still, shown(still, full)),
    ]
}

/// The compositor sink pad a slot feeds, if the slot exists.
pub(crate) fn slot_pad(pipeline: &gst::Pipeline, slot: Slot) -> Option<gst::Pad> {
    let bin = pipeline.by_name(slot.bin_name())?;
    bin.static_pad("src")?.peer()
}

/// Places every slot for `layout`: only pad properties change, from any thread.
pub(crate) fn apply(pipeline: &gst::Pipeline, config: &BroadcastConfig, layout: &Layout) {
    let has = |slot| slot_pad(pipeline, slot).is_some();
    let places = placements(
        layout,
        config.width,
        config.height,
        has(Slot::Screen),
        has(Slot::Camera),
    );
    for (slot, place) in places {
        let Some(pad) = slot_pad(pipeline, slot) else {
            continue;
        };
        pad.set_property("zorder", slot.zorder());
        match place {
            Placement::Hidden => pad.set_property("alpha", 0.0f64),
            Placement::At(g) => {
                // Geometry first: a pad made visible must not flash at its old place.
                pad.set_property("xpos", g.x as i32);
                pad.set_property("ypos", g.y as i32);
                pad.set_property("width", g.width as i32);
                pad.set_property("height", g.height as i32);
                pad.set_property("alpha", 1.0f64);
            }
        }
    }
    tracing::debug!(?layout, "layout applied");
}

/// Switches to `layout` while the pipeline plays. The first "be right back" of a session
/// first makes the still and waits (at most [`STILL_WAIT`]) until its frame reaches the
/// compositor, so the canvas goes from the sources straight to the card, never through
/// black. Blocks meanwhile: not on an async thread.
pub(crate) fn show(
    pipeline: &gst::Pipeline,
    config: &BroadcastConfig,
    layout: &Layout,
) -> Result<()> {
    if *layout == Layout::BeRightBack && slot_pad(pipeline, Slot::Still).is_none() {
        add_still(pipeline, config)?;
    }
    apply(pipeline, config, layout);
    Ok(())
}

/// How long the first "be right back" waits for the still's frame before switching anyway.
const STILL_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

fn add_still(pipeline: &gst::Pipeline, config: &BroadcastConfig) -> Result<()> {
    let compositor = pipeline
        .by_name(names::COMPOSITOR)
        .ok_or_else(|| Error::Pipeline("no compositor".into()))?;
    let still = still_bin(config)?;
    let (ready, first_frame) = std::sync::mpsc::sync_channel(1);
    if let Some(src) = still.static_pad("src") {
        src.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
            let _ = ready.try_send(());
            gst::PadProbeReturn::Remove
        });
    }
    pipeline.add(&still)?;
    connect_slot(&compositor, still.upcast_ref())?;
    still
        .sync_state_with_parent()
        .map_err(|e| Error::Pipeline(format!("starting the \"be right back\" still: {e}")))?;
    if first_frame.recv_timeout(STILL_WAIT).is_err() {
        tracing::warn!("the \"be right back\" still made no frame within {STILL_WAIT:?}");
    }
    Ok(())
}

/// Links a slot's bin (ghost src pad) to a new compositor pad.
pub(crate) fn connect_slot(compositor: &gst::Element, bin: &gst::Element) -> Result<()> {
    let pad = compositor
        .request_pad_simple("sink_%u")
        .ok_or_else(|| Error::Pipeline("compositor gave no sink pad".into()))?;
    // Hidden until the layout places it.
    pad.set_property("alpha", 0.0f64);
    let src = bin
        .static_pad("src")
        .ok_or_else(|| Error::Pipeline(format!("{} has no src pad", bin.name())))?;
    src.link(&pad).map(|_| ()).map_err(|e| {
        Error::Pipeline(format!(
            "cannot link {} to the compositor: {e:?}",
            bin.name()
        ))
    })
}

/// Wraps `elements` (linked in order) in a bin named for `slot`, with the last element's
/// src pad as the bin's.
pub(crate) fn slot_bin(slot: Slot, elements: &[&gst::Element]) -> Result<gst::Bin> {
    let bin = gst::Bin::with_name(slot.bin_name());
    bin.add_many(elements.iter().copied())?;
    gst::Element::link_many(elements.iter().copied())
        .map_err(|e| Error::Pipeline(format!("cannot link the {slot:?} chain: {e}")))?;
    let last = elements
        .last()
        .and_then(|e| e.static_pad("src"))
        .ok_or_else(|| Error::Pipeline("empty slot chain".into()))?;
    let ghost = gst::GhostPad::builder_with_target(&last)
        .map_err(|e| Error::Pipeline(format!("ghost pad: {e}")))?
        .name("src")
        .build();
    bin.add_pad(&ghost)?;
    Ok(bin)
}

/// The "be right back" still, decoded once:
/// ```text
///  filesrc ─ decodebin ┐                                               (an image)
///  videotestsrc(1 frame) ─ textoverlay(caption) ┴ videoconvert ─ videoscale ─ caps(canvas)
///                                                ─ imagefreeze(live) ─▶ compositor
/// ```
pub(crate) fn still_bin(config: &BroadcastConfig) -> Result<gst::Bin> {
    let convert = make("videoconvert", None)?;
    let scale = make("videoscale", None)?;
    let caps = capsfilter(None, super::video::canvas_caps(config, false))?;
    let freeze = make("imagefreeze", Some(names::STILL_FREEZE))?;
    // Live: timestamps follow the clock like the other inputs, from when it starts.
    freeze.set_property("is-live", true);
    let bin = slot_bin(Slot::Still, &[&convert, &scale, &caps, &freeze])?;
    let BeRightBack { image, caption } = &config.be_right_back;
    match image {
        Some(path) => {
            let file = make("filesrc", None)?;
            file.set_property("location", path);
            let decode = make("decodebin", None)?;
            bin.add_many([&file, &decode])?;
            file.link(&decode)?;
            let convert = convert.downgrade();
            decode.connect_pad_added(move |_, pad| {
                let Some(sink) = convert.upgrade().and_then(|c| c.static_pad("sink")) else {
                    return;
                };
                if !sink.is_linked()
                    && let Err(e) = pad.link(&sink)
                {
                    tracing::warn!("linking the still image: {e:?}");
                }
            });
        }
        None => {
            let card = make("videotestsrc", None)?;
            card.set_property("num-buffers", 1i32);
            card.set_property_from_str("pattern", "solid-color");
            // A dark slate blue: clearly not a frozen black screen.
            card.set_property("foreground-color", 0xff1e_2a3au32);
            let size = capsfilter(None, super::video::canvas_caps(config, false))?;
            let text = make("textoverlay", None)?;
            text.set_property("text", caption);
            text.set_property_from_str("valignment", "center");
            text.set_property_from_str("halignment", "center");
            text.set_property("font-desc", "Sans Bold 40");
            bin.add_many([&card, &size, &text])?;
            gst::Element::link_many([&card, &size, &text, &convert])?;
        }
    }
    Ok(bin)
}

/// `imagefreeze` repeats its frame past an EOS, so the EOS that stops the session never
/// leaves the still slot and the compositor would wait for it forever: end it by hand, from
/// the still's own streaming thread (a buffer probe), the one thread allowed to send there.
pub(crate) fn end_still(pipeline: &gst::Pipeline) {
    let Some(src) = pipeline
        .by_name(names::STILL_FREEZE)
        .and_then(|f| f.static_pad("src"))
    else {
        return;
    };
    let sent = std::sync::atomic::AtomicBool::new(false);
    // Every later frame is dropped: after EOS the compositor pad would refuse it anyway.
    src.add_probe(gst::PadProbeType::BUFFER, move |pad, _| {
        if !sent.swap(true, std::sync::atomic::Ordering::Relaxed)
            && let Some(peer) = pad.peer()
        {
            peer.send_event(gst::event::Eos::new());
        }
        gst::PadProbeReturn::Drop
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Corner, PipLayout};

    fn shown(places: [(Slot, Placement); 3]) -> Vec<Slot> {
        places
            .iter()
            .filter(|(_, p)| *p != Placement::Hidden)
            .map(|(s, _)| *s)
            .collect()
    }

    const PIP: Layout = Layout::Pip(PipLayout {
        corner: Corner::TopLeft,
        size: 0.25,
        margin: 20,
    });

    #[test]
    fn each_layout_shows_its_sources() {
        let table = [
            (Layout::Screen, vec![Slot::Screen]),
            (Layout::Camera, vec![Slot::Camera]),
            (PIP, vec![Slot::Screen, Slot::Camera]),
            (Layout::BeRightBack, vec![Slot::Still]),
        ];
        for (layout, wanted) in table {
            assert_eq!(
                shown(placements(&layout, 1280, 720, true, true)),
                wanted,
                "{layout:?}"
            );
        }
    }

    #[test]
    fn a_missing_source_falls_back_to_what_there_is() {
        let table = [
            (Layout::Screen, false, true, vec![Slot::Camera]),
            (Layout::Camera, true, false, vec![Slot::Screen]),
            (PIP, true, false, vec![Slot::Screen]),
            (PIP, false, true, vec![Slot::Camera]),
            (Layout::Screen, false, false, vec![Slot::Still]),
            (Layout::BeRightBack, false, false, vec![Slot::Still]),
        ];
        for (layout, screen, camera, wanted) in table {
            let got = shown(placements(&layout, 1280, 720, screen, camera));
            assert_eq!(got, wanted, "{layout:?} screen {screen} camera {camera}");
        }
    }

    #[test]
    fn the_camera_is_full_canvas_alone_and_in_its_corner_over_the_screen() {
        let full = Placement::At(PipGeometry {
            x: 0,
            y: 0,
            width: 1280,
            height: 720,
        });
        let camera = |layout: &Layout, screen| placements(layout, 1280, 720, screen, true)[1].1;
        assert_eq!(camera(&Layout::Camera, true), full);
        assert_eq!(camera(&PIP, false), full);
        assert_eq!(
            camera(&PIP, true),
            Placement::At(PipGeometry {
                x: 20,
                y: 20,
                width: 320,
                height: 180
            })
        );
    }
}
