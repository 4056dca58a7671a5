//! Wayland screen capture: the xdg-desktop-portal ScreenCast asks the user what to share
//! (once: the restore token remembers the choice) and hands over a PipeWire stream that
//! `pipewiresrc` reads.

use std::os::fd::{AsRawFd, OwnedFd};

use gst::prelude::*;

use crate::error::{Error, Result};

/// The screen id (`--screen portal`, the studio's screen list) meaning "what the user
/// picks in the portal's dialog".
pub const PORTAL_SCREEN_ID: &str = "portal";

/// The name the device list gives the portal's entry.
pub(crate) const PORTAL_SCREEN_NAME: &str = "Screen or window (chosen in the system dialog)";

/// Whether this process runs in a Wayland session, where X11 capture sees only XWayland
/// windows and the screen must come through the ScreenCast portal.
pub fn wayland_session() -> bool {
    is_wayland(
        std::env::var("XDG_SESSION_TYPE").ok().as_deref(),
        std::env::var("WAYLAND_DISPLAY").ok().as_deref(),
    )
}

/// `XDG_SESSION_TYPE` says so where a login manager set it; a session started otherwise
/// (a compositor run by hand, a nested one) is known by its `WAYLAND_DISPLAY`.
fn is_wayland(session_type: Option<&str>, wayland_display: Option<&str>) -> bool {
    match session_type.filter(|t| !t.is_empty()) {
        Some(kind) => kind == "wayland",
        None => wayland_display.is_some_and(|d| !d.is_empty()),
    }
}

/// An open screen cast: keep it alive as long as the pipeline reads from it (dropping it
/// closes the PipeWire connection and ends the portal session).
pub(crate) struct PortalStream {
    fd: OwnedFd,
    node_id: u32,
    /// Give this back next time to skip the portal's dialog.
    pub(crate) restore_token: Option<String>,
    #[cfg(target_os = "linux")]
    _session: ashpd::desktop::Session<ashpd::desktop::screencast::Screencast>,
}

impl std::fmt::Debug for PortalStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortalStream")
            .field("node_id", &self.node_id)
            .finish_non_exhaustive()
    }
}

impl PortalStream {
    /// ```text
    ///  pipewiresrc(fd, path = node id)
    /// ```
    pub(crate) fn source_element(&self, name: &str) -> Result<gst::Element> {
        let src = crate::pipeline::make("pipewiresrc", Some(name))?;
        src.set_property("fd", self.fd.as_raw_fd());
        src.set_property("path", self.node_id.to_string());
        // Timestamps from the pipeline clock so the stream paces like ximagesrc; without
        // them a compositor that sends only damaged frames gives irregular timing.
        src.set_property("do-timestamp", true);
        if src.find_property("keepalive-time").is_some() {
            // Repeat the last frame while the screen is static: the canvas needs a steady rate.
            src.set_property("keepalive-time", 1000i32);
        }
        Ok(src)
    }
}

/// Runs the portal dialog (or restores the earlier choice) for one monitor with the cursor
/// embedded, asking the portal to remember the choice until revoked.
#[cfg(target_os = "linux")]
pub(crate) async fn open_screencast(restore_token: Option<&str>) -> Result<PortalStream> {
    use ashpd::desktop::PersistMode;
    use ashpd::desktop::screencast::{CursorMode, Screencast, SelectSourcesOptions, SourceType};

    let portal = |what: &str, e: ashpd::Error| Error::Portal(format!("{what}: {e}"));
    let proxy = Screencast::new().await.map_err(|e| {
        portal("no xdg-desktop-portal ScreenCast on the session bus (install xdg-desktop-portal and a backend for your desktop)", e)
    })?;
    let session = proxy
        .create_session(Default::default())
        .await
        .map_err(|e| portal("creating a session", e))?;
    let options = SelectSourcesOptions::default()
        .set_cursor_mode(CursorMode::Embedded)
        .set_sources(SourceType::Monitor | SourceType::Window)
        .set_multiple(false)
        .set_restore_token(restore_token)
        .set_persist_mode(PersistMode::ExplicitlyRevoked);
    proxy
        .select_sources(&session, options)
        .await
        .map_err(|e| portal("selecting the source", e))?;
    let response = proxy
        .start(&session, None, Default::default())
        .await
        .and_then(|request| request.response())
        .map_err(|e| portal("the screen cast was not started (cancelled?)", e))?;
    let stream = response
        .streams()
        .first()
        .ok_or_else(|| Error::Portal("the portal shared no screen".into()))?;
    let node_id = stream.pipe_wire_node_id();
    let restore_token = response.restore_token().map(str::to_owned);
    let fd = proxy
        .open_pipe_wire_remote(&session, Default::default())
        .await
        .map_err(|e| portal("opening the PipeWire remote", e))?;
    Ok(PortalStream {
        fd,
        node_id,
        restore_token,
        _session: session,
    })
}

#[cfg(not(target_os = "linux"))]
pub(crate) async fn open_screencast(_restore_token: Option<&str>) -> Result<PortalStream> {
    Err(Error::Portal(
        "the ScreenCast portal exists only on Linux".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::is_wayland;

    #[test]
    fn the_session_type_decides_and_wayland_display_fills_in() {
        assert!(is_wayland(Some("wayland"), None));
        assert!(is_wayland(Some("wayland"), Some("wayland-0")));
        // An X11 session with a nested compositor running is still X11.
        assert!(!is_wayland(Some("x11"), Some("wayland-1")));
        assert!(!is_wayland(Some("tty"), None));
        // No session type (a compositor started by hand): the display decides.
        assert!(is_wayland(None, Some("wayland-1")));
        assert!(is_wayland(Some(""), Some("/run/user/1000/wayland-1")));
        assert!(!is_wayland(None, None));
        assert!(!is_wayland(None, Some("")));
    }
}
