//! Typed events (state changes). High-rate data goes over `tauri::ipc::Channel` instead.

use serde::{Deserialize, Serialize};

use crate::types::LiveState;

/// The broadcast state changed (from a command, the tray or the engine itself).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct LiveStateChanged(pub LiveState);

/// The capture devices changed (a camera or microphone plugged in or out, a sound output
/// added, a monitor or window come or gone): the whole list, as `list_devices` returns it.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct DevicesChanged(pub Vec<crate::types::DeviceInfo>);
