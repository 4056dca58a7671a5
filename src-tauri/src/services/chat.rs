//! A channel's chat through `cloumer-api`'s IVS Chat client.

use tauri::ipc::Channel;

use super::Services;
use crate::error::{AppError, Result};
use crate::types::{ChatRoom, ChatUpdate};

#[derive(Default)]
pub struct Chat {}

impl Services {
    /// Opens `channel`'s chat (the user's own when `None`), replacing any open one.
    pub async fn chat_open(
        &self,
        _channel: Option<String>,
        _updates: Channel<ChatUpdate>,
    ) -> Result<ChatRoom> {
        self.require_account().await?;
        Err(AppError::Chat {
            message: "chat is not part of this build yet".into(),
        })
    }

    pub async fn chat_send(&self, text: String) -> Result<()> {
        if text.trim().is_empty() {
            return Err(AppError::validation("text", "type a message first"));
        }
        if !cloumer_protocol::chat::content_fits(&text) {
            return Err(AppError::validation(
                "text",
                "messages are at most 500 characters",
            ));
        }
        Err(AppError::Chat {
            message: "chat is not part of this build yet".into(),
        })
    }

    pub async fn chat_delete(&self, _message_id: String) -> Result<()> {
        Err(AppError::Chat {
            message: "chat is not part of this build yet".into(),
        })
    }

    pub async fn chat_kick(&self, _user_id: String) -> Result<()> {
        Err(AppError::Chat {
            message: "chat is not part of this build yet".into(),
        })
    }
}
