//! Devices that come and go while a front end runs: a started `gst::DeviceMonitor`
//! announces cameras and sound sources (a USB microphone plugged in, a PulseAudio null sink
//! loaded, a Bluetooth headset leaving) on its bus, and on X11 the display's monitors and
//! windows are watched too, so the studio's source lists follow without a restart.
//!
//! One thread per watcher reads the monitor's bus (no GLib main loop needed) and the X11
//! connection's events; it ends when the [`DeviceWatcher`] is dropped.
//!
//! While a watcher runs, ask it for the list ([`DeviceWatcher::devices`]) rather than
//! [`crate::list_devices`]: device providers are shared, and another monitor made and
//! dropped meanwhile silences the watcher's PulseAudio announcements (seen with
//! GStreamer 1.22: a null sink loaded afterwards was never reported).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use gst::prelude::*;

use crate::devices::{Device, DeviceKind, capture_monitor, collect, describe, screens};
use crate::error::{Error, Result};

/// How long the thread waits for a device message before it looks at X11 and at whether
/// it should stop: the latency of a screen change and of dropping the watcher.
const TICK: Duration = Duration::from_millis(200);

/// One change of the device list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceChange {
    Added(Device),
    Removed(Device),
    /// The X11 display's monitors or windows changed: its screen entries as they are now.
    Screens(Vec<Device>),
}

impl DeviceChange {
    /// Applies the change to a list as [`crate::list_devices`] makes it (screens first);
    /// false when nothing changed (a device announced again, the same screens).
    pub fn apply(&self, devices: &mut Vec<Device>) -> bool {
        let same = |a: &Device, b: &Device| a.kind == b.kind && a.id == b.id;
        match self {
            DeviceChange::Added(d) => {
                if devices.iter().any(|k| same(k, d)) {
                    return false;
                }
                devices.push(d.clone());
                true
            }
            DeviceChange::Removed(d) => {
                let before = devices.len();
                devices.retain(|k| !same(k, d));
                devices.len() != before
            }
            DeviceChange::Screens(screens) => {
                let others = devices.iter().filter(|d| d.kind != DeviceKind::Screen);
                let next: Vec<Device> = screens.iter().chain(others).cloned().collect();
                if next == *devices {
                    return false;
                }
                *devices = next;
                true
            }
        }
    }
}

/// Watches the capture devices until dropped.
#[derive(Debug)]
pub struct DeviceWatcher {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    devices: Arc<Mutex<Vec<Device>>>,
}

impl DeviceWatcher {
    /// Starts watching. `on_change` runs on the watcher's thread after every change that
    /// altered the list, with that change and the whole list (screens first, as
    /// [`crate::list_devices`] orders it).
    pub fn start(
        mut on_change: impl FnMut(&DeviceChange, &[Device]) + Send + 'static,
    ) -> Result<Self> {
        crate::init()?;
        let monitor = capture_monitor();
        monitor
            .start()
            .map_err(|e| Error::Device(format!("cannot watch the devices: {e}")))?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        // The list as it is once the providers run; their first announcements repeat it.
        let devices = Arc::new(Mutex::new(collect(&monitor)));
        let list = devices.clone();
        let thread = std::thread::Builder::new()
            .name("cloumer-devices".into())
            .spawn(move || {
                watch(&monitor, &flag, &list, &mut on_change);
                monitor.stop();
            })
            .map_err(|e| Error::Device(format!("cannot watch the devices: {e}")))?;
        Ok(Self {
            stop,
            thread: Some(thread),
            devices,
        })
    }

    /// The devices as they are now (screens first, as [`crate::list_devices`] orders them).
    pub fn devices(&self) -> Vec<Device> {
        self.devices.lock().map(|d| d.clone()).unwrap_or_default()
    }
}

impl Drop for DeviceWatcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn watch(
    monitor: &gst::DeviceMonitor,
    stop: &AtomicBool,
    devices: &Mutex<Vec<Device>>,
    on_change: &mut dyn FnMut(&DeviceChange, &[Device]),
) {
    let bus = monitor.bus();
    let mut x11 = x11_changes::X11Changes::open();
    let mut report = |change: DeviceChange| {
        let Ok(mut list) = devices.lock() else {
            return;
        };
        if change.apply(&mut list) {
            tracing::debug!(?change, "devices changed");
            let now = list.clone();
            // Not under the lock: the callback may ask for the list.
            drop(list);
            on_change(&change, &now);
        }
    };
    while !stop.load(Ordering::Relaxed) {
        let tick = gst::ClockTime::from_mseconds(TICK.as_millis() as u64);
        if let Some(message) = bus.timed_pop(tick) {
            for change in changes(&message) {
                report(change);
            }
        }
        if x11.as_mut().is_some_and(|x| x.changed()) {
            report(DeviceChange::Screens(screens()));
        }
    }
}

/// What a device monitor's message says about the list.
fn changes(message: &gst::Message) -> Vec<DeviceChange> {
    use gst::MessageView;
    match message.view() {
        MessageView::DeviceAdded(m) => describe(&m.device())
            .map(DeviceChange::Added)
            .into_iter()
            .collect(),
        MessageView::DeviceRemoved(m) => describe(&m.device())
            .map(DeviceChange::Removed)
            .into_iter()
            .collect(),
        // A device whose properties changed (the default source moved, say): the old entry
        // goes, the new one comes.
        MessageView::DeviceChanged(m) => {
            let (new, old) = m.device_changed();
            let old = describe(&old).map(DeviceChange::Removed);
            let new = describe(&new).map(DeviceChange::Added);
            old.into_iter().chain(new).collect()
        }
        _ => Vec::new(),
    }
}

#[cfg(target_os = "linux")]
mod x11_changes {
    use std::time::{Duration, Instant};

    use x11rb::connection::Connection;
    use x11rb::protocol::Event;
    use x11rb::protocol::randr::{ConnectionExt as _, NotifyMask};
    use x11rb::protocol::xproto::{Atom, ChangeWindowAttributesAux, ConnectionExt as _, EventMask};
    use x11rb::rust_connection::RustConnection;

    /// Monitors set by a client (`xrandr --setmonitor`: virtual monitors, one screen split
    /// in two) change without a RandR event: their list is read again this often (one
    /// round trip).
    const MONITOR_POLL: Duration = Duration::from_secs(2);

    /// The `$DISPLAY` connection that hears of monitors (RandR) and of windows coming and
    /// going (the window manager's client list, or top-level windows mapped without one).
    pub struct X11Changes {
        conn: RustConnection,
        root: u32,
        client_list: Atom,
        monitors: Vec<(u32, i16, i16, u16, u16)>,
        polled: Instant,
    }

    impl X11Changes {
        /// `None` without an X11 display (a Wayland session without XWayland, a server).
        pub fn open() -> Option<Self> {
            std::env::var("DISPLAY").ok().filter(|d| !d.is_empty())?;
            let (conn, screen) = x11rb::connect(None).ok()?;
            let root = conn.setup().roots[screen].root;
            // RandR answers monitor requests only to clients that told it their version.
            conn.randr_query_version(1, 5).ok()?.reply().ok()?;
            let mask =
                NotifyMask::SCREEN_CHANGE | NotifyMask::OUTPUT_CHANGE | NotifyMask::CRTC_CHANGE;
            conn.randr_select_input(root, mask).ok()?.check().ok()?;
            let events = EventMask::PROPERTY_CHANGE | EventMask::SUBSTRUCTURE_NOTIFY;
            let aux = ChangeWindowAttributesAux::new().event_mask(events);
            conn.change_window_attributes(root, &aux)
                .ok()?
                .check()
                .ok()?;
            let client_list = conn
                .intern_atom(false, b"_NET_CLIENT_LIST")
                .ok()?
                .reply()
                .ok()?
                .atom;
            let mut changes = Self {
                conn,
                root,
                client_list,
                monitors: Vec::new(),
                polled: Instant::now(),
            };
            changes.monitors = changes.read_monitors();
            Some(changes)
        }

        /// Whether the screens may have changed since the last call.
        pub fn changed(&mut self) -> bool {
            let mut changed = false;
            while let Ok(Some(event)) = self.conn.poll_for_event() {
                changed |= match event {
                    Event::RandrScreenChangeNotify(_) | Event::RandrNotify(_) => true,
                    Event::PropertyNotify(e) => e.atom == self.client_list,
                    // Top-level windows (moves and resizes, ConfigureNotify, are not changes;
                    // menus and tooltips, override-redirect, are never listed).
                    Event::MapNotify(e) => !e.override_redirect,
                    Event::UnmapNotify(_) | Event::DestroyNotify(_) => true,
                    _ => false,
                };
            }
            if self.polled.elapsed() >= MONITOR_POLL {
                self.polled = Instant::now();
                let monitors = self.read_monitors();
                if monitors != self.monitors {
                    self.monitors = monitors;
                    changed = true;
                }
            }
            changed
        }

        fn read_monitors(&self) -> Vec<(u32, i16, i16, u16, u16)> {
            let reply = self
                .conn
                .randr_get_monitors(self.root, true)
                .ok()
                .and_then(|c| c.reply().ok());
            reply
                .map(|r| {
                    r.monitors
                        .iter()
                        .map(|m| (m.name, m.x, m.y, m.width, m.height))
                        .collect()
                })
                .unwrap_or_default()
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod x11_changes {
    pub struct X11Changes;

    impl X11Changes {
        pub fn open() -> Option<Self> {
            None
        }

        pub fn changed(&mut self) -> bool {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(kind: DeviceKind, id: &str) -> Device {
        Device {
            kind,
            id: id.into(),
            name: id.into(),
            class: "Audio/Source".into(),
        }
    }

    #[test]
    fn changes_apply_once_and_screens_stay_first() {
        let display = device(DeviceKind::Screen, ":0");
        let mic = device(DeviceKind::Microphone, "usb-mic");
        let mut list = vec![display.clone(), mic.clone()];
        assert!(
            !DeviceChange::Added(mic.clone()).apply(&mut list),
            "announced again"
        );
        let sink = device(DeviceKind::DesktopAudio, "null.monitor");
        assert!(DeviceChange::Added(sink.clone()).apply(&mut list));
        assert_eq!(list.len(), 3);

        let monitor = device(DeviceKind::Screen, ":0#monitor=1");
        let screens = DeviceChange::Screens(vec![display.clone(), monitor.clone()]);
        assert!(screens.apply(&mut list));
        assert_eq!(
            list,
            vec![display.clone(), monitor, mic.clone(), sink.clone()]
        );
        assert!(!screens.apply(&mut list), "the same screens again");

        assert!(DeviceChange::Removed(sink.clone()).apply(&mut list));
        assert!(
            !DeviceChange::Removed(sink).apply(&mut list),
            "already gone"
        );
        assert!(DeviceChange::Screens(vec![display.clone()]).apply(&mut list));
        assert_eq!(list, vec![display, mic]);
    }
}
