//! X11 monitors (RandR 1.5), so `--screen 1` can capture one monitor of a multi-monitor
//! desktop: ximagesrc captures a whole display, the monitor becomes a crop region.

use serde::Serialize;

use crate::config::Region;
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct X11Monitor {
    pub index: usize,
    pub name: String,
    pub primary: bool,
    pub region: Region,
}

/// The monitors of `display` (`None` = `$DISPLAY`), in RandR order.
#[cfg(target_os = "linux")]
pub fn x11_monitors(display: Option<&str>) -> Result<Vec<X11Monitor>> {
    use x11rb::connection::Connection;
    use x11rb::protocol::randr::ConnectionExt as _;
    use x11rb::protocol::xproto::ConnectionExt as _;

    let err = |what: &str, e: &dyn std::fmt::Display| {
        Error::Device(format!(
            "X11 display {}: {what}: {e}",
            display.unwrap_or("$DISPLAY")
        ))
    };
    let (conn, screen_num) = x11rb::connect(display).map_err(|e| err("cannot connect", &e))?;
    let root = conn.setup().roots[screen_num].root;
    let reply = conn
        .randr_get_monitors(root, true)
        .map_err(|e| err("RandR is not available", &e))?
        .reply()
        .map_err(|e| err("RandR is not available", &e))?;
    let mut monitors = Vec::new();
    for (index, m) in reply.monitors.iter().enumerate() {
        let name = conn
            .get_atom_name(m.name)
            .ok()
            .and_then(|c| c.reply().ok())
            .map(|r| String::from_utf8_lossy(&r.name).into_owned())
            .unwrap_or_else(|| format!("monitor-{index}"));
        monitors.push(X11Monitor {
            index,
            name,
            primary: m.primary,
            region: Region {
                x: m.x.max(0) as u32,
                y: m.y.max(0) as u32,
                width: u32::from(m.width),
                height: u32::from(m.height),
            },
        });
    }
    Ok(monitors)
}

#[cfg(not(target_os = "linux"))]
pub fn x11_monitors(_display: Option<&str>) -> Result<Vec<X11Monitor>> {
    Err(Error::Device("X11 capture exists only on Linux".into()))
}

/// The region of monitor `index` (or named so) on `display`, with a message that lists the
/// monitors when there is no such one.
pub fn x11_monitor_region(display: Option<&str>, monitor: usize) -> Result<Region> {
    let monitors = x11_monitors(display)?;
    monitors
        .iter()
        .find(|m| m.index == monitor)
        .map(|m| m.region)
        .ok_or_else(|| {
            let known: Vec<String> = monitors
                .iter()
                .map(|m| format!("{} ({})", m.index, m.name))
                .collect();
            Error::Config(crate::ConfigError(format!(
                "there is no monitor {monitor}: choose one of {}",
                if known.is_empty() {
                    "none found".to_owned()
                } else {
                    known.join(", ")
                }
            )))
        })
}
