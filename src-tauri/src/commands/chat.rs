use tauri::ipc::Channel;

use super::{Result, Services, State};
use crate::types::{ChatRestrictionInfo, ChatRoom, ChatUpdate, ModeratorInfo};

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

/// Keeps a user out of the open chat for `seconds` (1 s to 30 days) and disconnects them.
#[tauri::command]
#[specta::specta]
pub async fn chat_timeout(
    s: State<'_, Services>,
    user_id: String,
    seconds: u32,
) -> Result<ChatRestrictionInfo> {
    s.chat_restrict(user_id, Some(u64::from(seconds))).await
}

/// Keeps a user out of the open chat until lifted and disconnects them.
#[tauri::command]
#[specta::specta]
pub async fn chat_ban(s: State<'_, Services>, user_id: String) -> Result<ChatRestrictionInfo> {
    s.chat_restrict(user_id, None).await
}

/// Lifts a timeout or ban in the open chat; answers the remaining ones.
#[tauri::command]
#[specta::specta]
pub async fn chat_lift(
    s: State<'_, Services>,
    user_id: String,
) -> Result<Vec<ChatRestrictionInfo>> {
    s.chat_lift(user_id).await
}

/// The timeouts and bans in force in the open chat.
#[tauri::command]
#[specta::specta]
pub async fn chat_restrictions(s: State<'_, Services>) -> Result<Vec<ChatRestrictionInfo>> {
    s.chat_restrictions().await
}

/// The open chat's moderators.
#[tauri::command]
#[specta::specta]
pub async fn chat_moderators(s: State<'_, Services>) -> Result<Vec<ModeratorInfo>> {
    s.chat_moderators().await
}

/// Adds (`on`) or removes a moderator of the open chat (its owner only).
#[tauri::command]
#[specta::specta]
pub async fn chat_set_moderator(
    s: State<'_, Services>,
    channel: String,
    on: bool,
) -> Result<Vec<ModeratorInfo>> {
    s.chat_set_moderator(channel, on).await
}

/// The channels the user moderates, each with its owner's nickname.
#[tauri::command]
#[specta::specta]
pub async fn moderated_channels(s: State<'_, Services>) -> Result<Vec<ModeratorInfo>> {
    s.moderated_channels().await
}
