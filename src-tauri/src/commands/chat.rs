use tauri::ipc::Channel;

use super::{Result, Services, State};
use crate::types::{ChatRoom, ChatUpdate};

/// Opens a channel's chat (`channel = null`: the user's own); messages arrive on `updates`.
#[tauri::command]
#[specta::specta]
pub async fn chat_open(
    s: State<'_, Services>,
    channel: Option<String>,
    updates: Channel<ChatUpdate>,
) -> Result<ChatRoom> {
    s.chat_open(channel, updates).await
}

#[tauri::command]
#[specta::specta]
pub async fn chat_send(s: State<'_, Services>, text: String) -> Result<()> {
    s.chat_send(text).await
}

#[tauri::command]
#[specta::specta]
pub async fn chat_delete(s: State<'_, Services>, message_id: String) -> Result<()> {
    s.chat_delete(message_id).await
}

/// Disconnects a user from the open chat.
#[tauri::command]
#[specta::specta]
pub async fn chat_kick(s: State<'_, Services>, user_id: String) -> Result<()> {
    s.chat_kick(user_id).await
}
