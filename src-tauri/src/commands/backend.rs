use super::{Result, Services, State};
use crate::types::{BackendInfo, ProfileSource};

/// "Try it locally": the embedded server on loopback.
#[tauri::command]
#[specta::specta]
pub async fn start_local_backend(s: State<'_, Services>) -> Result<BackendInfo> {
    s.start_local_backend().await
}

#[tauri::command]
#[specta::specta]
pub async fn connect_cloumer(s: State<'_, Services>, source: ProfileSource) -> Result<BackendInfo> {
    s.connect_cloumer(source).await
}

#[tauri::command]
#[specta::specta]
pub async fn use_ivs_channel(
    s: State<'_, Services>,
    region: String,
    channel_arn: String,
) -> Result<BackendInfo> {
    s.use_ivs_channel(region, channel_arn).await
}

#[tauri::command]
#[specta::specta]
pub async fn use_custom_rtmp(
    s: State<'_, Services>,
    url: String,
    stream_key: String,
) -> Result<BackendInfo> {
    s.use_custom_rtmp(url, stream_key).await
}
