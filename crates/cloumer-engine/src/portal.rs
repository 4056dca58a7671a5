//! Wayland screen capture: the xdg-desktop-portal ScreenCast asks the user what to share
//! (once: the restore token remembers the choice) and hands over a PipeWire stream that
//! `pipewiresrc` reads.

use std::os::fd::{AsRawFd, OwnedFd};

use gst::prelude::*;

use crate::error::{Error, Result};

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
