//! Source lists that refresh (issue 20, item 1): the device watcher reports a PulseAudio
//! null sink's monitor when the sink is loaded and its removal when it is unloaded, and an
//! X11 monitor added to and removed from the display, as a user plugging things in would
//! see them in the studio.

use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use cloumer_engine::{DeviceChange, DeviceKind, DeviceWatcher};
use cloumer_testkit::{Pulse, Xvfb, skip_unless};
use x11rb::connection::Connection;
use x11rb::protocol::randr::{ConnectionExt as _, MonitorInfo};
use x11rb::protocol::xproto::ConnectionExt as _;

/// Waits for the first reported change that `wanted` accepts.
fn wait_for(
    changes: &mpsc::Receiver<DeviceChange>,
    what: &str,
    wanted: impl Fn(&DeviceChange) -> bool,
) -> DeviceChange {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match changes.recv_timeout(left) {
            Ok(change) if wanted(&change) => return change,
            Ok(change) => seen.push(change),
            Err(_) => break,
        }
    }
    panic!("no report of {what} within 10 s; reported: {seen:#?}");
}

fn pactl(pulse: &Pulse, args: &[&str]) -> String {
    let out = Command::new("pactl")
        .args(args)
        .envs(pulse.env())
        .output()
        .expect("pactl");
    assert!(out.status.success(), "pactl {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Sets (or with `None` deletes) a RandR monitor named `name` on the left half of the screen.
fn set_monitor(display: &str, name: &str, present: bool) {
    let (conn, screen) = x11rb::connect(Some(display)).expect("connect to Xvfb");
    let root = conn.setup().roots[screen].root;
    conn.randr_query_version(1, 5)
        .expect("RandR")
        .reply()
        .expect("RandR version");
    let atom = conn
        .intern_atom(false, name.as_bytes())
        .expect("atom")
        .reply()
        .expect("atom")
        .atom;
    if present {
        let monitor = MonitorInfo {
            name: atom,
            primary: false,
            automatic: false,
            x: 0,
            y: 0,
            width: 960,
            height: 1080,
            width_in_millimeters: 250,
            height_in_millimeters: 280,
            outputs: Vec::new(),
        };
        conn.randr_set_monitor(root, monitor)
            .expect("set monitor")
            .check()
            .expect("set monitor");
    } else {
        conn.randr_delete_monitor(root, atom)
            .expect("delete monitor")
            .check()
            .expect("delete monitor");
    }
}

#[test]
fn the_watcher_reports_sound_sources_and_monitors_that_come_and_go() {
    let pulse = skip_unless!(Pulse::start());
    let xvfb = skip_unless!(Xvfb::start());
    skip_unless!(cloumer_testkit::require_programs(&["pactl"]));
    // SAFETY: the only test in this binary, before GStreamer (and so any thread that reads
    // the environment) starts: PulseAudio's client library and the X11 watch read them.
    unsafe {
        for (name, value) in pulse.env() {
            std::env::set_var(name, value);
        }
        std::env::set_var("DISPLAY", xvfb.display());
    }
    let (tx, changes) = mpsc::channel();
    let watcher = DeviceWatcher::start(move |change, _list| {
        let _ = tx.send(change.clone());
    })
    .expect("the watcher starts");
    assert!(
        watcher
            .devices()
            .iter()
            .any(|d| d.id == pulse.monitor_source()),
        "the running sink's monitor is listed from the start: {:#?}",
        watcher.devices()
    );
    // PulseAudio's provider subscribes to the server's events just after start() returns:
    // a sink loaded in that instant would be missed (the first run on a busy machine did).
    std::thread::sleep(Duration::from_secs(1));

    // A sink loaded while the studio runs: what it plays can be captured at once.
    let module = pactl(
        &pulse,
        &[
            "load-module",
            "module-null-sink",
            "sink_name=cloumer_watch",
            "sink_properties=device.description=Watch-test",
        ],
    );
    let added = wait_for(
        &changes,
        "the new sink's monitor",
        |c| matches!(c, DeviceChange::Added(d) if d.id == "cloumer_watch.monitor"),
    );
    let DeviceChange::Added(monitor) = added else {
        unreachable!()
    };
    assert_eq!(monitor.kind, DeviceKind::DesktopAudio, "{monitor:?}");
    pactl(&pulse, &["unload-module", &module]);
    wait_for(
        &changes,
        "the monitor's removal",
        |c| matches!(c, DeviceChange::Removed(d) if d.id == "cloumer_watch.monitor"),
    );

    // A second monitor on the display (one monitor is the whole display: not listed).
    let has_monitors = |c: &DeviceChange| match c {
        DeviceChange::Screens(s) => s.iter().any(|d| d.id.contains("#monitor=")),
        _ => false,
    };
    set_monitor(xvfb.display(), "LEFT-HALF", true);
    let DeviceChange::Screens(screens) = wait_for(&changes, "the new monitor", has_monitors) else {
        unreachable!()
    };
    assert!(
        screens.iter().any(|d| d.name.contains("LEFT-HALF")),
        "the monitor is named: {screens:#?}"
    );
    set_monitor(xvfb.display(), "LEFT-HALF", false);
    wait_for(&changes, "the monitor's removal", |c| {
        matches!(c, DeviceChange::Screens(_)) && !has_monitors(c)
    });
}
