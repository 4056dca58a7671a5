//! Typed events (state changes). High-rate data goes over `tauri::ipc::Channel` instead.

use serde::{Deserialize, Serialize};

use crate::types::LiveState;

/// The broadcast state changed (from a command, the tray or the engine itself).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct LiveStateChanged(pub LiveState);
