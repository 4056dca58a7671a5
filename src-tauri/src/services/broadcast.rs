//! Going live through `cloumer-engine`, and the high-rate data it produces (preview
//! frames, audio levels, stats) forwarded to the UI's channels.

use std::sync::Mutex;

use tauri::ipc::Channel;

use super::Services;
use crate::error::{AppError, Result};
use crate::types::{AudioLevels, DeviceInfo, LiveState, PreviewFrame, StatsSample};

/// The UI's receivers for high-rate data; replaced when the window reloads.
pub struct MediaChannels {
    pub preview: Channel<PreviewFrame>,
    pub levels: Channel<AudioLevels>,
    pub stats: Channel<StatsSample>,
}

#[derive(Default)]
pub struct Broadcast {
    media: Mutex<Option<MediaChannels>>,
}

impl Services {
    pub fn subscribe_media(&self, channels: MediaChannels) {
        if let Ok(mut media) = self.broadcast.media.lock() {
            *media = Some(channels);
        }
    }

    pub async fn devices(&self) -> Result<Vec<DeviceInfo>> {
        Ok(Vec::new())
    }

    pub fn current_live_state(&self) -> LiveState {
        self.live.borrow().clone()
    }

    pub async fn go_live(&self) -> Result<()> {
        self.require_backend().await?;
        Err(AppError::Broadcast {
            message: "the broadcast engine is not part of this build yet".into(),
            fix: None,
        })
    }

    pub async fn stop_live(&self) -> Result<()> {
        if matches!(*self.live.borrow(), LiveState::Idle) {
            return Ok(());
        }
        self.live.send_replace(LiveState::Stopped { reason: "stopped by you".into() });
        Ok(())
    }

    pub async fn reconnect_now(&self) -> Result<()> {
        Err(AppError::unavailable("nothing to reconnect"))
    }
}
