//! The studio's source lists follow the devices: the engine's watcher reports a camera or
//! microphone plugged in or out, a sound output added, a monitor or window come or gone,
//! and the whole list goes to the UI (one typed event, [`crate::events::DevicesChanged`]).

use std::sync::{Arc, Mutex, MutexGuard};

use cloumer_engine::DeviceWatcher;

use super::Services;
use super::engine_map::{self, engine_error};
use crate::error::{AppError, Result};
use crate::types::DeviceInfo;

/// The running watcher, if any (dropping it stops its thread).
#[derive(Default)]
pub struct Devices {
    watcher: Arc<Mutex<Option<DeviceWatcher>>>,
}

/// The watcher's slot. Every device listing happens under it: a second device monitor made
/// while the watcher starts or runs would silence its PulseAudio announcements (the note
/// in cloumer-engine's device_watch module).
fn slot(watcher: &Mutex<Option<DeviceWatcher>>) -> MutexGuard<'_, Option<DeviceWatcher>> {
    watcher
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Services {
    /// Starts watching the devices (once); `changed` gets the whole list after each change,
    /// on the watcher's thread. Without a device monitor (no GStreamer provider could start)
    /// the lists stay as first listed.
    pub fn watch_devices(&self, changed: impl Fn(Vec<DeviceInfo>) + Send + 'static) {
        let mut slot = slot(&self.devices.watcher);
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

    /// The capture devices: the watcher's list while it runs, else a fresh listing.
    pub async fn devices(&self) -> Result<Vec<DeviceInfo>> {
        let watcher = self.devices.watcher.clone();
        let devices = tokio::task::spawn_blocking(move || match slot(&watcher).as_ref() {
            Some(watcher) => Ok(watcher.devices()),
            None => cloumer_engine::list_devices(),
        })
        .await
        .map_err(|e| AppError::Broadcast {
            message: e.to_string(),
            fix: None,
        })?
        .map_err(engine_error)?;
        Ok(devices.into_iter().map(engine_map::device).collect())
    }

    /// Stops watching (the app is closing).
    pub fn stop_watching_devices(&self) {
        let watcher = slot(&self.devices.watcher).take();
        drop(watcher);
    }
}
