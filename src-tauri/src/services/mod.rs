//! The shell's view of the crates below it. Commands and the tray call these methods;
//! these methods call `cloumer-server` (embedded backend), `cloumer-api` (accounts,
//! profile, chat, credential store) and `cloumer-engine` (capture, encode, push).
//! Nothing here renders UI or knows about windows.

mod account;
mod api_map;
mod audience;
mod audio;
mod backend;
mod broadcast;
mod channel_type;
mod chat;
mod cpu;
mod devices;
pub mod diagnostics;
mod engine_map;
mod folders;
mod layout;
mod local;
mod moderation;
mod recordings;
mod restore;
mod screen_choice;

use std::sync::Arc;

use tokio::sync::{Mutex, watch};

use crate::paths::AppPaths;
use crate::settings::SettingsStore;
use crate::types::{Account, BackendInfo, LiveState};

pub use broadcast::MediaChannels;
/// Public so the shell tests can check that saved settings reach the engine's config.
pub use engine_map::broadcast_config;

/// The state the whole app shares (managed by Tauri, one per app).
pub struct Services {
    pub paths: AppPaths,
    pub settings: SettingsStore,
    backend: Mutex<Option<backend::ActiveBackend>>,
    account: Mutex<Option<account::SignedIn>>,
    /// A NEW_PASSWORD_REQUIRED challenge waiting for the user's new password.
    challenge: Mutex<Option<account::Challenge>>,
    live: Arc<watch::Sender<LiveState>>,
    broadcast: broadcast::Broadcast,
    chat: chat::Chat,
    devices: devices::Devices,
}

impl Services {
    pub fn new(paths: AppPaths) -> Self {
        let settings = SettingsStore::load(&paths.config);
        let (live, _) = watch::channel(LiveState::Idle);
        Self {
            paths,
            settings,
            backend: Mutex::new(None),
            account: Mutex::new(None),
            challenge: Mutex::new(None),
            live: Arc::new(live),
            broadcast: broadcast::Broadcast::default(),
            chat: chat::Chat::default(),
            devices: devices::Devices::default(),
        }
    }

    /// Every broadcast state change, for the event forwarder and the tray.
    pub fn live_state(&self) -> watch::Receiver<LiveState> {
        self.live.subscribe()
    }

    pub async fn backend_info(&self) -> Option<BackendInfo> {
        self.backend.lock().await.as_ref().map(|b| b.info())
    }

    pub async fn account(&self) -> Option<Account> {
        self.account.lock().await.as_ref().map(|s| s.info.clone())
    }
}

impl Services {
    /// Stops a running broadcast and the embedded server before the process exits.
    pub async fn shutdown(&self) {
        self.stop_watching_devices();
        self.stop_preview().await;
        if let Err(e) = self.stop_live().await {
            tracing::warn!("stopping the broadcast on exit: {e}");
        }
        if let Some(server) = self
            .backend
            .lock()
            .await
            .take()
            .and_then(backend::ActiveBackend::into_server)
        {
            server.shutdown().await;
        }
    }
}

/// Test set-up shared by the services' tests: services under a temporary directory, with
/// the preview running on test sources (no devices needed), live.
#[cfg(test)]
pub(crate) async fn preview_on_test_sources(dir: &std::path::Path) -> Services {
    let services = Services::new(crate::paths::AppPaths::under(dir));
    services
        .settings
        .update(|s| s.sources.test_sources = true)
        .expect("settings");
    services
        .start_preview()
        .await
        .expect("preview on test sources");
    let mut state = {
        let slot = services.broadcast.preview.lock().await;
        slot.as_ref().expect("preview session").state()
    };
    tokio::time::timeout(
        std::time::Duration::from_secs(20),
        state.wait_for(|s| s.name() == "live"),
    )
    .await
    .expect("previewing within 20 s")
    .expect("state");
    services
}
