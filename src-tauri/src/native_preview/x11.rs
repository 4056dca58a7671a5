//! The native preview's X11 child window.

use std::sync::Mutex;

use cloumer_engine::PreviewWindow;
use raw_window_handle::{HasWindowHandle, RawWindowHandle};
use tauri::{Runtime, WebviewWindow};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    ConfigureWindowAux, ConnectionExt, CreateWindowAux, StackMode, WindowClass,
};
use x11rb::rust_connection::RustConnection;

use crate::types::PreviewRect;

/// An X window inside the studio's, on a connection of its own (closing it would destroy
/// the window, so it lives as long as the window).
pub(super) struct ChildWindow {
    conn: RustConnection,
    id: u32,
    pub(super) engine: PreviewWindow,
    /// Where it is now (`None`: unmapped), so that a repeated report costs nothing.
    placed: Mutex<Option<PreviewRect>>,
}

impl ChildWindow {
    pub(super) fn open<R: Runtime>(window: &WebviewWindow<R>) -> Result<Self, String> {
        if !PreviewWindow::supported() {
            return Err("GStreamer's ximagesink is not installed".into());
        }
        let parent = match window.window_handle().map_err(|e| e.to_string())?.as_raw() {
            RawWindowHandle::Xlib(handle) => handle.window as u32,
            RawWindowHandle::Xcb(handle) => handle.window.get(),
            _ => return Err("not an X11 window".into()),
        };
        // The display GTK opened the studio's window on.
        let display = std::env::var("DISPLAY").map_err(|_| "DISPLAY is not set")?;
        Self::open_in(display, parent)
    }

    /// A child of X window `parent` on `display`, unmapped until placed.
    fn open_in(display: String, parent: u32) -> Result<Self, String> {
        let (conn, screen) = x11rb::connect(Some(&display)).map_err(|e| e.to_string())?;
        let id = conn.generate_id().map_err(|e| e.to_string())?;
        let screen = &conn.setup().roots[screen];
        // Black where no picture is yet and around a letterboxed one, like the UI's box.
        let aux = CreateWindowAux::new().background_pixel(screen.black_pixel);
        conn.create_window(
            x11rb::COPY_DEPTH_FROM_PARENT,
            id,
            parent,
            0,
            0,
            1,
            1,
            0,
            WindowClass::INPUT_OUTPUT,
            0,
            &aux,
        )
        .map_err(|e| e.to_string())?
        // Checked (a round trip): a parent that is not there fails here, not later.
        .check()
        .map_err(|e| e.to_string())?;
        Ok(Self {
            conn,
            id,
            engine: PreviewWindow::new(display, id as usize),
            placed: Mutex::new(None),
        })
    }

    pub(super) fn place(&self, rect: Option<PreviewRect>) -> Result<(), String> {
        let mut placed = self.placed.lock().map_err(|e| e.to_string())?;
        if *placed == rect {
            return Ok(());
        }
        match rect {
            Some(r) if r.width > 0 && r.height > 0 => {
                let aux = ConfigureWindowAux::new()
                    .x(r.x)
                    .y(r.y)
                    .width(r.width)
                    .height(r.height)
                    .stack_mode(StackMode::ABOVE);
                self.conn
                    .configure_window(self.id, &aux)
                    .map_err(|e| e.to_string())?;
                // Checked: done once it returns, errors included.
                self.conn
                    .map_window(self.id)
                    .map_err(|e| e.to_string())?
                    .check()
                    .map_err(|e| e.to_string())?;
                self.engine.show(r.width, r.height);
            }
            _ => {
                self.engine.hide();
                self.conn
                    .unmap_window(self.id)
                    .map_err(|e| e.to_string())?
                    .check()
                    .map_err(|e| e.to_string())?;
            }
        }
        *placed = rect;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use x11rb::protocol::xproto::MapState;

    use super::*;

    /// A top-level window on a private Xvfb, as the studio's would be.
    fn parent(conn: &RustConnection, screen: usize) -> u32 {
        let root = &conn.setup().roots[screen];
        let id = conn.generate_id().expect("id");
        conn.create_window(
            x11rb::COPY_DEPTH_FROM_PARENT,
            id,
            root.root,
            0,
            0,
            1400,
            860,
            0,
            WindowClass::INPUT_OUTPUT,
            0,
            &CreateWindowAux::new(),
        )
        .expect("create");
        conn.map_window(id).expect("map");
        conn.flush().expect("flush");
        id
    }

    #[test]
    fn the_window_follows_the_preview_box_and_hides() {
        let xvfb = match cloumer_testkit::Xvfb::start() {
            Ok(xvfb) => xvfb,
            Err(e) => {
                cloumer_testkit::skip(format!("needs Xvfb: {e:#}"));
                return;
            }
        };
        let (conn, screen) = x11rb::connect(Some(xvfb.display())).expect("connect");
        let studio = parent(&conn, screen);
        let child = ChildWindow::open_in(xvfb.display().to_owned(), studio).expect("open");
        let state = || {
            let attributes = conn
                .get_window_attributes(child.id)
                .unwrap()
                .reply()
                .unwrap();
            let geometry = conn.get_geometry(child.id).unwrap().reply().unwrap();
            (
                attributes.map_state,
                (geometry.x, geometry.y, geometry.width, geometry.height),
            )
        };
        let tree = conn.query_tree(child.id).unwrap().reply().unwrap();
        assert_eq!(tree.parent, studio, "not inside the studio's window");
        assert_eq!(state().0, MapState::UNMAPPED, "shown before being placed");
        assert_eq!(child.engine.size(), None);

        let rect = PreviewRect {
            x: 12,
            y: 60,
            width: 630,
            height: 354,
        };
        child.place(Some(rect)).expect("place");
        assert_eq!(state(), (MapState::VIEWABLE, (12, 60, 630, 354)));
        assert_eq!(child.engine.size(), Some((630, 354)));

        child
            .place(Some(PreviewRect { width: 800, ..rect }))
            .expect("resize");
        assert_eq!(state().1, (12, 60, 800, 354));
        assert_eq!(child.engine.size(), Some((800, 354)));

        child.place(None).expect("hide");
        assert_eq!(state().0, MapState::UNMAPPED);
        assert_eq!(child.engine.size(), None, "still painted while hidden");
    }
}
