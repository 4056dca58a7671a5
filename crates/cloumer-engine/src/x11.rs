//! X11 monitors (RandR 1.5), so `--screen 1` can capture one monitor of a multi-monitor
//! desktop: ximagesrc captures a whole display, the monitor becomes a crop region; and X11
//! windows by title, which ximagesrc captures on its own (`xname`).
//!
//! The device list names them with screen ids the studio hands back: `:0` (the display),
//! `:0#monitor=1` (a monitor, by RandR index), `:0#window=<title>` (a window);
//! [`screen_from_id`] turns one into a [`ScreenSource`].

use serde::Serialize;

use crate::config::{Region, ScreenSource};
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

/// The titles of the windows a user would pick on `display`: the window manager's client
/// list (`_NET_CLIENT_LIST`), or without one the mapped top-level windows, that have a
/// title. Sorted, without duplicates (ximagesrc finds a window by title).
#[cfg(target_os = "linux")]
pub fn x11_windows(display: Option<&str>) -> Result<Vec<String>> {
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{AtomEnum, ConnectionExt as _, MapState};

    let (conn, screen_num) = x11rb::connect(display).map_err(|e| {
        Error::Device(format!(
            "X11 display {}: cannot connect: {e}",
            display.unwrap_or("$DISPLAY")
        ))
    })?;
    let root = conn.setup().roots[screen_num].root;
    let atom = |name: &[u8]| {
        conn.intern_atom(false, name)
            .ok()
            .and_then(|c| c.reply().ok())
            .map(|r| r.atom)
    };
    let (client_list, net_wm_name, utf8) = (
        atom(b"_NET_CLIENT_LIST"),
        atom(b"_NET_WM_NAME"),
        atom(b"UTF8_STRING"),
    );
    let property = |window, property, kind: u32| {
        conn.get_property(false, window, property, kind, 0, 1024)
            .ok()
            .and_then(|c| c.reply().ok())
    };
    let managed: Vec<u32> = client_list
        .and_then(|list| property(root, list, AtomEnum::WINDOW.into()))
        .and_then(|r| r.value32().map(|v| v.collect()))
        .unwrap_or_default();
    let candidates = if managed.is_empty() {
        let children = conn
            .query_tree(root)
            .ok()
            .and_then(|c| c.reply().ok())
            .map(|t| t.children)
            .unwrap_or_default();
        children
            .into_iter()
            .filter(|w| {
                conn.get_window_attributes(*w)
                    .ok()
                    .and_then(|c| c.reply().ok())
                    .is_some_and(|a| a.map_state == MapState::VIEWABLE && !a.override_redirect)
            })
            .collect()
    } else {
        managed
    };
    let mut titles: Vec<String> = candidates
        .into_iter()
        .filter_map(|w| {
            let utf8_name = net_wm_name
                .zip(utf8)
                .and_then(|(name, kind)| property(w, name, kind))
                .filter(|r| !r.value.is_empty());
            let name = utf8_name
                .or_else(|| property(w, AtomEnum::WM_NAME.into(), AtomEnum::STRING.into()))?;
            let title = String::from_utf8_lossy(&name.value).trim().to_owned();
            (!title.is_empty()).then_some(title)
        })
        .collect();
    titles.sort();
    titles.dedup();
    Ok(titles)
}

#[cfg(not(target_os = "linux"))]
pub fn x11_windows(_display: Option<&str>) -> Result<Vec<String>> {
    Err(Error::Device("X11 capture exists only on Linux".into()))
}

/// A screen id from the device list as a source: `:0`, `:0#monitor=1`, `:0#window=<title>`,
/// or `portal` (Wayland: the user's choice in the ScreenCast portal, without a restore
/// token; the caller adds one it kept). A monitor's region is looked up now (monitors
/// move and change size).
pub fn screen_from_id(id: &str) -> Result<ScreenSource> {
    if id == crate::portal::PORTAL_SCREEN_ID {
        return Ok(ScreenSource::Portal {
            restore_token: None,
        });
    }
    let (display, choice) = id.split_once('#').unwrap_or((id, ""));
    if !display.is_empty() && !display.contains(':') {
        return Err(Error::Config(crate::ConfigError(format!(
            "screen {id}: an X11 display is named like :0"
        ))));
    }
    let display = (!display.is_empty()).then(|| display.to_owned());
    if let Some(title) = choice.strip_prefix("window=") {
        return Ok(ScreenSource::X11Window {
            display,
            title: title.to_owned(),
        });
    }
    let region = match choice.strip_prefix("monitor=") {
        Some(index) => {
            let index = index.parse::<usize>().map_err(|_| {
                Error::Config(crate::ConfigError(format!(
                    "screen {id}: the monitor must be a number"
                )))
            })?;
            Some(x11_monitor_region(display.as_deref(), index)?)
        }
        None if choice.is_empty() => None,
        None => {
            return Err(Error::Config(crate::ConfigError(format!(
                "screen {id}: expected a display (:0), a monitor (:0#monitor=1) or a window (:0#window=Title)"
            ))));
        }
    };
    Ok(ScreenSource::X11 { display, region })
}

#[cfg(test)]
mod id_tests {
    use super::*;

    #[test]
    fn screen_ids_name_a_display_or_a_window() {
        assert_eq!(
            screen_from_id("portal").expect("portal"),
            ScreenSource::Portal {
                restore_token: None
            }
        );
        assert_eq!(
            screen_from_id(":3").expect("display"),
            ScreenSource::X11 {
                display: Some(":3".into()),
                region: None
            }
        );
        assert_eq!(
            screen_from_id(":3#window=Slides — 발표 #2").expect("window"),
            ScreenSource::X11Window {
                display: Some(":3".into()),
                title: "Slides — 발표 #2".into()
            }
        );
        assert!(screen_from_id("HDMI-1").is_err());
        let err = screen_from_id(":3#tab=1").expect_err("unknown");
        assert!(err.to_string().contains(":0#monitor=1"), "{err}");
        let err = screen_from_id(":3#monitor=x").expect_err("not a number");
        assert!(err.to_string().contains("number"), "{err}");
    }
}
