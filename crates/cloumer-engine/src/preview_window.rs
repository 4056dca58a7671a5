//! The native preview: the session paints its preview straight into a window the front end
//! owns (an X11 window id), with GStreamer's `ximagesink`, instead of handing it JPEGs.
//!
//! A front end that shows the preview in a web view pays for JPEG encoding and decoding
//! and software page painting on every frame, several times what painting it this way costs
//! (docs/studio-benchmarks.md). The front end lays the window over its preview box and tells the session where and how big the
//! box is ([`PreviewWindow::show`]) or that it cannot be seen ([`PreviewWindow::hide`]).
//! While it is shown the JPEG preview slows to a still every [`STILL_INTERVAL`]: the web
//! page then only needs a picture under the window (screenshots, the moments the window is
//! hidden before the full rate is back).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How often the JPEG preview sends a picture while the native window shows it.
pub const STILL_INTERVAL: Duration = Duration::from_secs(5);

/// A front end's window for the native preview. Clones share the window and its state, so
/// the front end keeps one and gives a clone to each session
/// (`BroadcastConfig::preview_window`).
#[derive(Clone)]
pub struct PreviewWindow(Arc<Inner>);

struct Inner {
    /// The X display the window is on (`:0`): where the session's `ximagesink` connects.
    display: String,
    /// The X11 window id (what `GstVideoOverlay` calls the window handle).
    handle: usize,
    /// Where the picture goes: width in the high 32 bits, height in the low; 0 = hidden.
    size: AtomicU64,
    /// Frames painted into the window so far, by every session.
    painted: AtomicU64,
}

impl PreviewWindow {
    /// Whether sessions can paint into a window here: GStreamer's `ximagesink` is
    /// installed (gstreamer1.0-x). A front end without it keeps its own preview.
    pub fn supported() -> bool {
        crate::init().is_ok() && gst::ElementFactory::find("ximagesink").is_some()
    }

    /// X11 window `handle` on `display` (`:0`, as in `DISPLAY`). The window starts hidden.
    pub fn new(display: impl Into<String>, handle: usize) -> Self {
        Self(Arc::new(Inner {
            display: display.into(),
            handle,
            size: AtomicU64::new(0),
            painted: AtomicU64::new(0),
        }))
    }

    pub fn display(&self) -> &str {
        &self.0.display
    }

    pub fn handle(&self) -> usize {
        self.0.handle
    }

    /// Paints the preview into the window, fitted into `width` x `height` pixels (the
    /// window's size) with the canvas' aspect ratio kept. A zero size hides it.
    pub fn show(&self, width: u32, height: u32) {
        let packed = (u64::from(width) << 32) | u64::from(height);
        let packed = if width == 0 || height == 0 { 0 } else { packed };
        self.0.size.store(packed, Ordering::Relaxed);
    }

    /// Stops painting: the window cannot be seen (the front end hid or covered it).
    pub fn hide(&self) {
        self.0.size.store(0, Ordering::Relaxed);
    }

    /// The window's size while the preview is painted into it.
    pub fn size(&self) -> Option<(u32, u32)> {
        let packed = self.0.size.load(Ordering::Relaxed);
        (packed != 0).then_some(((packed >> 32) as u32, packed as u32))
    }

    /// Frames painted into the window so far (a front end's frame counter, the benchmark's
    /// frame rate).
    pub fn painted(&self) -> u64 {
        self.0.painted.load(Ordering::Relaxed)
    }

    pub(crate) fn count_painted(&self) {
        self.0.painted.fetch_add(1, Ordering::Relaxed);
    }
}

impl std::fmt::Debug for PreviewWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreviewWindow")
            .field("display", &self.display())
            .field("handle", &self.handle())
            .field("size", &self.size())
            .field("painted", &self.painted())
            .finish()
    }
}

/// The largest picture with the canvas' aspect ratio that fits in `width` x `height`, no
/// larger than the canvas, with even sides (I420 needs them).
pub(crate) fn fit(canvas: (u32, u32), width: u32, height: u32) -> (u32, u32) {
    let (cw, ch) = (u64::from(canvas.0.max(1)), u64::from(canvas.1.max(1)));
    let (w, h) = (u64::from(width), u64::from(height));
    let (w, h) = if w * ch <= h * cw {
        (w, w * ch / cw)
    } else {
        (h * cw / ch, h)
    };
    let even = |v: u64, max: u32| ((v.min(u64::from(max)) as u32) & !1).max(2);
    (even(w, canvas.0), even(h, canvas.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_fits_the_box_with_the_canvas_aspect_ratio() {
        assert_eq!(fit((1280, 720), 640, 360), (640, 360));
        // A wider box: letterboxed left and right.
        assert_eq!(fit((1280, 720), 800, 360), (640, 360));
        // A taller box: letterboxed top and bottom.
        assert_eq!(fit((1280, 720), 640, 500), (640, 360));
        // Odd sizes round down to even ones.
        assert_eq!(fit((1280, 720), 631, 355), (630, 354));
        // Never larger than the canvas.
        assert_eq!(fit((1280, 720), 2560, 1440), (1280, 720));
        assert_eq!(fit((1280, 720), 1, 1), (2, 2));
    }

    #[test]
    fn showing_and_hiding_is_seen_by_every_clone() {
        let window = PreviewWindow::new(":0", 42);
        let session_copy = window.clone();
        assert_eq!(session_copy.size(), None);
        window.show(640, 360);
        assert_eq!(session_copy.size(), Some((640, 360)));
        window.show(0, 360);
        assert_eq!(session_copy.size(), None);
        window.show(320, 180);
        window.hide();
        assert_eq!(session_copy.size(), None);
        session_copy.count_painted();
        assert_eq!(window.painted(), 1);
    }
}
