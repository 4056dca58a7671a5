//! The native preview on X11: a child window of the studio's, laid over the UI's preview
//! box, which the engine paints the preview into (`cloumer_engine::PreviewWindow`).
//!
//! Why: a preview drawn by the web view costs JPEG encoding, IPC, JPEG decoding and
//! software page painting on every frame, several times what painting it this way costs on
//! a GPU-less machine (figures in docs/studio-benchmarks.md). The UI
//! reports where its preview box is ([`NativePreview::place`]) and hides the window while
//! the page shows something over the box (an error banner) or the box is partly scrolled
//! out of sight. Under the window the UI's canvas keeps a still picture, refreshed every
//! few seconds, for screenshots and for the moments the window is hidden.
//!
//! Without X11 (Wayland, macOS, Windows) there is no native window and the UI draws every
//! frame on its canvas as before.

#[cfg(target_os = "linux")]
mod x11;

use std::sync::OnceLock;

use cloumer_engine::PreviewWindow;
use tauri::{Runtime, WebviewWindow};

use crate::types::PreviewRect;
#[cfg(target_os = "linux")]
use x11::ChildWindow;

/// The app's native preview (managed state): opened with the main window, kept until the
/// app exits. Sessions paint into it from their own X connections, so it must never be
/// destroyed while one could still run (an X error there would end the process).
#[derive(Default)]
pub struct NativePreview(OnceLock<Option<ChildWindow>>);

impl NativePreview {
    /// Opens the native window inside `window` (once) and returns the engine's handle for
    /// it; `None` where there is no X11 window to put it in.
    pub fn open<R: Runtime>(&self, window: &WebviewWindow<R>) -> Option<PreviewWindow> {
        let child = self.0.get_or_init(|| match ChildWindow::open(window) {
            Ok(child) => {
                tracing::info!("native preview window opened");
                Some(child)
            }
            Err(reason) => {
                tracing::info!("no native preview ({reason}): the UI draws it");
                None
            }
        });
        child.as_ref().map(|c| c.engine.clone())
    }

    /// Lays the window over `rect` (physical pixels in the studio window) or hides it.
    pub fn place(&self, rect: Option<PreviewRect>) {
        if let Some(Some(child)) = self.0.get()
            && let Err(e) = child.place(rect)
        {
            tracing::warn!("cannot place the native preview: {e}");
        }
    }

    /// Frames painted natively so far; `None` without a native window.
    pub fn painted(&self) -> Option<u32> {
        let painted = self.0.get()?.as_ref()?.engine.painted();
        Some(u32::try_from(painted).unwrap_or(u32::MAX))
    }
}

/// Elsewhere there is no native window: the UI draws the preview.
#[cfg(not(target_os = "linux"))]
#[allow(dead_code)] // Never made: `open` always fails here.
struct ChildWindow {
    engine: PreviewWindow,
}

#[cfg(not(target_os = "linux"))]
impl ChildWindow {
    fn open<R: Runtime>(_: &WebviewWindow<R>) -> Result<Self, String> {
        Err("only on X11".into())
    }

    fn place(&self, _: Option<PreviewRect>) -> Result<(), String> {
        Ok(())
    }
}
