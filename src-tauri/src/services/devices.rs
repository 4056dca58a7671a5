//! The studio's source lists follow the devices: the engine's watcher reports a camera or
//! microphone plugged in or out, a sound output added, a monitor or window come or gone,
//! and the whole list goes to the UI (one typed event, [`crate::events::DevicesChanged`]).

use std::sync::Mutex;

use cloumer_engine::DeviceWatcher;

use super::Services;
use super::engine_map;
use crate::types::DeviceInfo;

/// The running watcher, if any (dropping it stops its thread).
#[derive(Default)]
pub struct Devices {
    watcher: Mutex<Option<DeviceWatcher>>,
}

impl Services {
    /// Starts watching the devices (once); `changed` gets the whole list after each change,
    /// on the watcher's thread. Without a device monitor (no GStreamer provider could start)
    /// the lists stay as first listed.
    pub fn watch_devices(&self, changed: impl Fn(Vec<DeviceInfo>) + Send + 'static) {
        let Ok(mut slot) = self.devices.watcher.lock() else {
            return;
        };
        if slot.is_some() {
            return;
        }
        let watcher = DeviceWatcher::start(move |_change, list| {
            changed(list.iter().cloned().map(engine_map::device).collect());
        });
        match watcher {
            Ok(watcher) => *slot = Some(watcher),
            Err(e) => tracing::warn!("the device lists will not refresh: {e}"),
        }
    }

    /// Stops watching (the app is closing).
    pub fn stop_watching_devices(&self) {
        let watcher = self.devices.watcher.lock().ok().and_then(|mut w| w.take());
        drop(watcher);
    }
}
