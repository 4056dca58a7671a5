use base64::Engine as _;
use tauri::ipc::Channel;

use super::{Result, Services, State};
use crate::error::AppError;
use crate::types::{Account, ModeratorInfo, Profile, SignInOutcome, SignUpOutcome, UploadProgress};

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

/// Signs in, or says which step the account needs first (its code, a new password).
#[tauri::command]
#[specta::specta]
pub async fn sign_in(
    s: State<'_, Services>,
    email: String,
    password: String,
) -> Result<SignInOutcome> {
    s.sign_in(email, password).await
}

/// Signs out on this computer only.
#[tauri::command]
#[specta::specta]
pub async fn sign_out(s: State<'_, Services>) -> Result<()> {
    s.sign_out().await
}

/// "Try it locally" in one click: the embedded server and its owner's account, made on
/// the first start and reused on later ones (credentials in the OS credential store).
#[tauri::command]
#[specta::specta]
pub async fn try_locally(s: State<'_, Services>) -> Result<Account> {
    s.try_locally().await
}

/// Sends a new confirmation code to an account not confirmed yet.
#[tauri::command]
#[specta::specta]
pub async fn resend_code(s: State<'_, Services>, email: String) -> Result<()> {
    s.resend_code(email).await
}

/// "Forgot password": sends a reset code.
#[tauri::command]
#[specta::specta]
pub async fn forgot_password(s: State<'_, Services>, email: String) -> Result<()> {
    s.forgot_password(email).await
}

/// Sets a new password with the reset code and signs in with it.
#[tauri::command]
#[specta::specta]
pub async fn reset_password(
    s: State<'_, Services>,
    email: String,
    code: String,
    new_password: String,
) -> Result<Account> {
    s.reset_password(email, code, new_password).await
}

/// Answers the pool's NEW_PASSWORD_REQUIRED (after `sign_in` said `needsNewPassword`).
#[tauri::command]
#[specta::specta]
pub async fn set_new_password(s: State<'_, Services>, new_password: String) -> Result<Account> {
    s.set_new_password(new_password).await
}

/// Renames the account (the nickname others see in chat).
#[tauri::command]
#[specta::specta]
pub async fn set_nickname(s: State<'_, Services>, nickname: String) -> Result<Account> {
    s.set_nickname(nickname).await
}

/// Ends every session of the account on every device (GlobalSignOut).
#[tauri::command]
#[specta::specta]
pub async fn sign_out_everywhere(s: State<'_, Services>) -> Result<()> {
    s.sign_out_everywhere().await
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
