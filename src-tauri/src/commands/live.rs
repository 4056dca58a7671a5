use tauri::ipc::Channel;

use super::{Result, Services, State};
use crate::native_preview::NativePreview;
use crate::services::MediaChannels;
use crate::types::{
    AudioControl, AudioLevels, AudioSourceId, DeviceInfo, LayoutChoice, LiveState, PreviewJpeg,
    PreviewRect, RecordingInfo, Settings, StatsSample,
};

#[tauri::command]
#[specta::specta]
pub async fn list_devices(s: State<'_, Services>) -> Result<Vec<DeviceInfo>> {
    s.devices().await
}

/// Registers the window's receivers for preview frames, audio levels and stats.
#[tauri::command]
#[specta::specta]
pub fn subscribe_media(
    s: State<'_, Services>,
    preview: Channel<PreviewJpeg>,
    levels: Channel<AudioLevels>,
    stats: Channel<StatsSample>,
) {
    s.subscribe_media(MediaChannels {
        preview,
        levels,
        stats,
    });
}

/// Lays the native preview over the UI's preview box, or hides it (`null`). Without a
/// native preview it does nothing: the UI draws every frame itself.
#[tauri::command]
#[specta::specta]
pub fn place_preview(native: State<'_, NativePreview>, rect: Option<PreviewRect>) {
    native.place(rect);
}

/// Frames the native preview painted so far (`null` without one): its frame counter.
#[tauri::command]
#[specta::specta]
pub fn preview_frames_painted(native: State<'_, NativePreview>) -> Option<u32> {
    native.painted()
}

#[tauri::command]
#[specta::specta]
pub fn get_live_state(s: State<'_, Services>) -> LiveState {
    s.current_live_state()
}

/// One click: resolves the destination and starts the engine. State follows as events.
#[tauri::command]
#[specta::specta]
pub async fn go_live(s: State<'_, Services>) -> Result<()> {
    s.go_live().await
}

#[tauri::command]
#[specta::specta]
pub async fn stop_live(s: State<'_, Services>) -> Result<()> {
    s.stop_live().await
}

/// A local recording without a stream; stopped with `stop_live`.
#[tauri::command]
#[specta::specta]
pub async fn record_only(s: State<'_, Services>) -> Result<()> {
    s.record_only().await
}

/// The recordings folder's newest files.
#[tauri::command]
#[specta::specta]
pub fn list_recordings(s: State<'_, Services>) -> Vec<RecordingInfo> {
    s.recordings()
}

/// Opens the recordings folder in the file manager; returns its path.
#[tauri::command]
#[specta::specta]
pub fn open_recordings_folder(s: State<'_, Services>) -> Result<String> {
    s.open_recordings_folder()
        .map(|dir| dir.display().to_string())
}

/// Shows the sources before going live (a preview-only session, no output).
#[tauri::command]
#[specta::specta]
pub async fn start_preview(s: State<'_, Services>) -> Result<()> {
    s.start_preview().await
}

#[tauri::command]
#[specta::specta]
pub async fn stop_preview(s: State<'_, Services>) -> Result<()> {
    s.stop_preview().await;
    Ok(())
}

/// The window shows or hides (minimised, in the tray, another tab of the desktop): no
/// preview frames are made while nobody can see them.
#[tauri::command]
#[specta::specta]
pub fn set_preview_visible(s: State<'_, Services>, visible: bool) {
    s.set_preview_visible(visible);
}

#[tauri::command]
#[specta::specta]
pub async fn reconnect_now(s: State<'_, Services>) -> Result<()> {
    s.reconnect_now().await
}

/// Sets one audio source's gain and mute: saved in the settings and, while live or
/// previewing, applied at once without restarting anything. Answers the saved settings.
#[tauri::command]
#[specta::specta]
pub async fn set_audio_control(
    s: State<'_, Services>,
    source: AudioSourceId,
    control: AudioControl,
) -> Result<Settings> {
    s.set_audio_control(source, control).await
}

/// Switches what the stream shows (screen, camera, picture-in-picture, be right back):
/// saved, and applied at once to a running session without reconnecting. Answers the saved
/// settings.
#[tauri::command]
#[specta::specta]
pub async fn set_layout(s: State<'_, Services>, layout: LayoutChoice) -> Result<Settings> {
    s.set_layout(layout).await
}
