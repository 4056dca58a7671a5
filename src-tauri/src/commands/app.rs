use super::{Result, Services, State};
use crate::types::{Account, AppInfo, Settings};

/// What the first screen needs: version, chosen backend, signed-in account.
#[tauri::command]
#[specta::specta]
pub async fn app_info(s: State<'_, Services>) -> Result<AppInfo> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        backend: s.backend_info().await,
        account: s.account().await,
        last_backend: s.settings.get().last_backend,
        log_dir: s.paths.logs.display().to_string(),
    })
}

/// Reopens the last backend and signs back in from the stored refresh token (no password);
/// `null` when the user has to sign in.
#[tauri::command]
#[specta::specta]
pub async fn restore_session(s: State<'_, Services>) -> Result<Option<Account>> {
    s.restore_session().await
}

#[tauri::command]
#[specta::specta]
pub fn get_settings(s: State<'_, Services>) -> Settings {
    s.settings.get()
}

#[tauri::command]
#[specta::specta]
pub async fn save_settings(s: State<'_, Services>, settings: Settings) -> Result<Settings> {
    s.save_settings(settings).await
}

/// Opens the folder with the studio's logs in the desktop's file manager; returns its path
/// (shown too, for desktops without one).
#[tauri::command]
#[specta::specta]
pub fn open_logs(s: State<'_, Services>) -> Result<String> {
    s.open_logs().map(|dir| dir.display().to_string())
}

/// Writes a zip of the recent logs, versions, the encoder probe and the settings (secrets
/// scrubbed) into the Downloads folder (or the home folder); returns its path.
#[tauri::command]
#[specta::specta]
pub async fn export_diagnostics(s: State<'_, Services>) -> Result<String> {
    s.export_diagnostics()
        .await
        .map(|p| p.display().to_string())
}
