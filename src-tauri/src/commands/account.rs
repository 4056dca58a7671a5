use base64::Engine as _;
use tauri::ipc::Channel;

use super::{Result, Services, State};
use crate::error::AppError;
use crate::types::{Account, ModeratorInfo, Profile, SignUpOutcome, UploadProgress};

#[tauri::command]
#[specta::specta]
pub async fn sign_up(
    s: State<'_, Services>,
    email: String,
    password: String,
    nickname: String,
) -> Result<SignUpOutcome> {
    s.sign_up(email, password, nickname).await
}

#[tauri::command]
#[specta::specta]
pub async fn confirm_sign_up(
    s: State<'_, Services>,
    email: String,
    code: String,
    password: String,
) -> Result<Account> {
    s.confirm_sign_up(email, code, password).await
}

#[tauri::command]
#[specta::specta]
pub async fn sign_in(s: State<'_, Services>, email: String, password: String) -> Result<Account> {
    s.sign_in(email, password).await
}

#[tauri::command]
#[specta::specta]
pub async fn sign_out(s: State<'_, Services>) -> Result<()> {
    s.sign_out().await
}

#[tauri::command]
#[specta::specta]
pub async fn get_profile(s: State<'_, Services>) -> Result<Profile> {
    s.profile().await
}

/// Saves the title on its own (the seed only saved it together with an image).
#[tauri::command]
#[specta::specta]
pub async fn save_title(s: State<'_, Services>, title: String) -> Result<Profile> {
    s.save_title(title).await
}

/// `data_base64` is the file's content; progress goes over `on_progress`.
#[tauri::command]
#[specta::specta]
pub async fn upload_avatar(
    s: State<'_, Services>,
    file_name: String,
    data_base64: String,
    on_progress: Channel<UploadProgress>,
) -> Result<Profile> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data_base64.as_bytes())
        .map_err(|_| AppError::validation("avatar", "the image could not be read"))?;
    s.upload_avatar(file_name, bytes, move |p| drop(on_progress.send(p)))
        .await
}

/// The full stream key, only when the user clicked "show" or "copy".
#[tauri::command]
#[specta::specta]
pub async fn reveal_stream_key(s: State<'_, Services>) -> Result<String> {
    s.reveal_stream_key().await
}

#[tauri::command]
#[specta::specta]
pub async fn rotate_stream_key(s: State<'_, Services>) -> Result<Profile> {
    s.rotate_stream_key().await
}

#[tauri::command]
#[specta::specta]
pub async fn list_moderators(s: State<'_, Services>) -> Result<Vec<ModeratorInfo>> {
    s.moderators().await
}

/// Adds (`moderator = true`) or removes a moderator, named by channel.
#[tauri::command]
#[specta::specta]
pub async fn set_moderator(
    s: State<'_, Services>,
    channel: String,
    moderator: bool,
) -> Result<Vec<ModeratorInfo>> {
    s.set_moderator(channel, moderator).await
}
