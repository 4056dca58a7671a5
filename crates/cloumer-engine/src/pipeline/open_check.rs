//! Opening a capture device on its own before it replaces a source in the playing pipeline.
//!
//! A device that cannot be opened posts an ERROR; inside the pipeline that ends the whole
//! broadcast. So a source chosen while live is first started alone: not in any bin, with a
//! private bus of its own, taken to PAUSED and back to NULL. Only if that worked does it
//! go into the pipeline. Where each capture element opens its device (checked with
//! `GST_DEBUG=GST_STATES:4,v4l2src:5,ximagesrc:5,pulsesrc:5`):
//! - `v4l2src` opens the device file in NULL->READY ("Cannot identify device"): the state
//!   change fails at once;
//! - `ximagesrc` opens the X display in READY->PAUSED (`start`): the state change fails;
//! - `pulsesrc` connects to the server in NULL->READY but asks for the device only when it
//!   negotiates caps, on its streaming thread once PAUSED ("Failed to connect stream: No
//!   such entity"): the state change succeeds (NO_PREROLL) and the ERROR comes a moment
//!   later. So after PAUSED we wait until the source has negotiated caps (it has its
//!   device) or posted an ERROR. A live source negotiates without a peer and then waits
//!   for PLAYING, so no data flows.

use std::time::{Duration, Instant};

use gst::prelude::*;

use crate::error::{Error, Result};

/// How long a source may take to negotiate (PulseAudio answers within milliseconds; a
/// V4L2 camera's format query takes up to a few hundred).
const NEGOTIATE_WITHIN: Duration = Duration::from_secs(3);

/// Starts `source` (not in any bin) to PAUSED and back to NULL; `Err(Error::Device)`
/// naming the device and what went wrong if it cannot be opened. Blocks up to
/// [`NEGOTIATE_WITHIN`]: not on an async thread.
pub(crate) fn check_opens(source: &gst::Element) -> Result<()> {
    let bus = gst::Bus::new();
    source.set_bus(Some(&bus));
    let outcome = open_and_wait(source, &bus);
    let _ = source.set_state(gst::State::Null);
    source.set_bus(None);
    outcome.map_err(|reason| {
        let what = describe(source);
        tracing::warn!(%what, %reason, "a new source cannot be opened; the old one stays");
        Error::Device(format!("{what} cannot be opened: {reason}"))
    })
}

/// `Err(reason)` in words a user understands: the text of the element's ERROR (GStreamer's
/// short, translated message, not its debug details).
fn open_and_wait(source: &gst::Element, bus: &gst::Bus) -> std::result::Result<(), String> {
    let changed = source.set_state(gst::State::Paused);
    if let Some(reason) = first_error(bus, Duration::ZERO) {
        return Err(reason);
    }
    changed.map_err(|_| "it refused to start".to_owned())?;
    // A source with several pads (none of ours) has nothing to wait on here.
    let Some(pad) = source.static_pad("src") else {
        return Ok(());
    };
    let deadline = Instant::now() + NEGOTIATE_WITHIN;
    while pad.current_caps().is_none() {
        if let Some(reason) = first_error(bus, Duration::from_millis(20)) {
            return Err(reason);
        }
        if Instant::now() >= deadline {
            // Not proven broken (a slow device): let it join; the old behaviour applies.
            tracing::warn!(source = %source.name(), "no caps negotiated yet; swapping anyway");
            return Ok(());
        }
    }
    first_error(bus, Duration::ZERO).map_or(Ok(()), Err)
}

/// The text of the first ERROR on `bus`, waiting up to `wait` for one.
fn first_error(bus: &gst::Bus, wait: Duration) -> Option<String> {
    let errors = [gst::MessageType::Error];
    // gstreamer-rs' timed_pop_filtered with a zero timeout returns None without looking
    // (its budget is spent before the first pop), so a zero wait is a plain pop.
    let message = if wait.is_zero() {
        bus.pop_filtered(&errors)
    } else {
        bus.timed_pop_filtered(
            gst::ClockTime::from_nseconds(wait.as_nanos() as u64),
            &errors,
        )
    }?;
    match message.view() {
        gst::MessageView::Error(e) => Some(e.error().to_string()),
        _ => None,
    }
}

/// "the camera /dev/video2", "the audio device alsa_input.usb-...", "the X display :1".
fn describe(source: &gst::Element) -> String {
    let text = |property: &str| {
        source
            .find_property(property)
            .and_then(|_| source.property::<Option<String>>(property))
    };
    let factory = source
        .factory()
        .map(|f| f.name().to_string())
        .unwrap_or_default();
    match factory.as_str() {
        "v4l2src" => format!("the camera {}", text("device").unwrap_or_default()),
        "pulsesrc" => match text("device") {
            Some(device) => format!("the audio device {device}"),
            None => "the default microphone".to_owned(),
        },
        "ximagesrc" => match text("display-name") {
            Some(display) => format!("the X display {display}"),
            None => "the X display".to_owned(),
        },
        _ => format!("the source {}", source.name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A camera file and an X display that do not exist fail at once (v4l2src: NULL->READY,
    /// ximagesrc: READY->PAUSED) with the element's own words. (pulsesrc needs a server: the
    /// `session` test's `refused_device` covers it.)
    #[test]
    fn a_missing_camera_or_display_is_named_with_the_reason() {
        crate::init().expect("gst");
        let cases = [
            (
                "v4l2src",
                "device",
                "/dev/video-cloumer-missing",
                "the camera /dev/video-cloumer-missing",
                "Cannot identify device",
            ),
            (
                "ximagesrc",
                "display-name",
                ":97",
                "the X display :97",
                "Could not open X display",
            ),
        ];
        for (factory, property, value, what, reason) in cases {
            let Ok(source) = gst::ElementFactory::make(factory)
                .property(property, value)
                .build()
            else {
                cloumer_testkit::skip(format!("{factory} is not installed"));
                continue;
            };
            let error = check_opens(&source)
                .expect_err("cannot be opened")
                .to_string();
            assert!(error.contains(what), "{error}");
            assert!(error.contains(reason), "{error}");
            assert_eq!(source.current_state(), gst::State::Null);
        }
    }
}
