//! Capture devices, as `gst::DeviceMonitor` sees them (plus the X11 screen).

use gst::prelude::*;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeviceKind {
    Screen,
    Camera,
    Microphone,
    /// The monitor of an output: what the desktop plays.
    DesktopAudio,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Device {
    pub kind: DeviceKind,
    /// What to pass as `--camera`/`--mic`/`--screen` (device path, PulseAudio name, display).
    pub id: String,
    /// A human name.
    pub name: String,
    /// The GStreamer device class (`Video/Source`, `Audio/Source`, ...).
    pub class: String,
}

/// Lists screens, cameras, microphones and desktop-audio monitors. While a
/// [`crate::DeviceWatcher`] runs, ask it instead (see its module's note).
pub fn list_devices() -> crate::Result<Vec<Device>> {
    crate::init()?;
    // Without start() every provider probes synchronously: a complete list, no waiting
    // for asynchronous "device added" messages.
    Ok(collect(&capture_monitor()))
}

/// A monitor of the capture devices the studio offers.
pub(crate) fn capture_monitor() -> gst::DeviceMonitor {
    let monitor = gst::DeviceMonitor::new();
    monitor.add_filter(Some("Video/Source"), None);
    monitor.add_filter(Some("Audio/Source"), None);
    // The PipeWire provider hides the PulseAudio one, which then lists nothing on a
    // desktop that runs PulseAudio without PipeWire; duplicates are removed below.
    monitor.set_show_all(true);
    monitor
}

/// The screens and every device `monitor` knows, without duplicates.
pub(crate) fn collect(monitor: &gst::DeviceMonitor) -> Vec<Device> {
    let mut devices = screens();
    for device in monitor.devices() {
        if let Some(d) = describe(&device)
            && !devices
                .iter()
                .any(|known| known.kind == d.kind && known.id == d.id)
        {
            devices.push(d);
        }
    }
    devices
}

/// The X11 display, each of its monitors and each window with a title, as screen ids
/// [`crate::screen_from_id`] reads back. In a Wayland session: the portal alone (X11
/// would see only XWayland windows; the portal's dialog offers monitors and windows).
pub(crate) fn screens() -> Vec<Device> {
    if crate::portal::wayland_session() {
        return vec![Device {
            kind: DeviceKind::Screen,
            id: crate::portal::PORTAL_SCREEN_ID.into(),
            name: crate::portal::PORTAL_SCREEN_NAME.into(),
            class: "Video/Source/Screen".into(),
        }];
    }
    let Some(display) = std::env::var("DISPLAY").ok().filter(|d| !d.is_empty()) else {
        return Vec::new();
    };
    let screen = |id: String, name: String| Device {
        kind: DeviceKind::Screen,
        id,
        name,
        class: "Video/Source/Screen".into(),
    };
    let mut screens = vec![screen(display.clone(), format!("X11 display {display}"))];
    let monitors = crate::x11_monitors(Some(&display)).unwrap_or_default();
    // One monitor is the whole display: no second entry for it.
    if monitors.len() > 1 {
        screens.extend(monitors.iter().map(|m| {
            let r = m.region;
            let primary = if m.primary { ", primary" } else { "" };
            screen(
                format!("{display}#monitor={}", m.index),
                format!(
                    "Monitor {} {} ({}x{}{primary})",
                    m.index, m.name, r.width, r.height
                ),
            )
        }));
    }
    let windows = crate::x11_windows(Some(&display)).unwrap_or_default();
    screens.extend(windows.into_iter().map(|title| {
        screen(
            format!("{display}#window={title}"),
            format!("Window: {title}"),
        )
    }));
    screens
}

pub(crate) fn describe(device: &gst::Device) -> Option<Device> {
    let class = device.device_class().to_string();
    let props = device.properties();
    let prop = |key: &str| props.as_ref().and_then(|p| p.get::<String>(key).ok());
    let name = device.display_name().to_string();
    let (kind, id) = if class.starts_with("Video/Source") {
        (
            DeviceKind::Camera,
            prop("device.path").or_else(|| prop("api.v4l2.path"))?,
        )
    } else if class.starts_with("Audio/Source") {
        // PulseAudio names outputs' monitors `<sink>.monitor` (class `Audio/Source` too).
        // PulseAudio devices carry their name as the `internal-name` GObject property.
        let internal = device
            .find_property("internal-name")
            .and_then(|_| device.property::<Option<String>>("internal-name"));
        let id = internal
            .or_else(|| prop("device.name"))
            .or_else(|| prop("node.name"))?;
        let kind = if id.ends_with(".monitor") || prop("device.class").as_deref() == Some("monitor")
        {
            DeviceKind::DesktopAudio
        } else {
            DeviceKind::Microphone
        };
        (kind, id)
    } else {
        return None;
    };
    Some(Device {
        kind,
        id,
        name,
        class,
    })
}
