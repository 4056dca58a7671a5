//! Going live through `cloumer-engine`, and the high-rate data it produces (stats, preview
//! frames, audio levels) forwarded to the UI's channels. Before going live the studio may
//! run a preview-only session (no output) so the user sees the sources; going live replaces
//! it with the broadcast session, which has the preview too.

use std::sync::{Arc, Mutex};

use cloumer_engine::SessionHandle;
use tauri::ipc::Channel;
use tokio::sync::watch;

use super::Services;
use super::cpu::CpuMeter;
use super::engine_map::{self, broadcast_config, engine_error};
use crate::error::{AppError, Result};
use crate::types::{AudioLevels, DeviceInfo, LiveState, PreviewFrame, StatsSample};

/// The UI's receivers for high-rate data; replaced when the window reloads.
pub struct MediaChannels {
    pub preview: Channel<PreviewFrame>,
    pub levels: Channel<AudioLevels>,
    pub stats: Channel<StatsSample>,
}

type SharedMedia = Arc<Mutex<Option<MediaChannels>>>;

#[derive(Default)]
pub struct Broadcast {
    media: SharedMedia,
    session: tokio::sync::Mutex<Option<SessionHandle>>,
    /// The preview-only session while not live (and the preview is on).
    preview: tokio::sync::Mutex<Option<SessionHandle>>,
}

impl Services {
    pub fn subscribe_media(&self, channels: MediaChannels) {
        if let Ok(mut media) = self.broadcast.media.lock() {
            *media = Some(channels);
        }
    }

    pub async fn devices(&self) -> Result<Vec<DeviceInfo>> {
        let devices = tokio::task::spawn_blocking(cloumer_engine::list_devices)
            .await
            .map_err(|e| AppError::Broadcast {
                message: e.to_string(),
                fix: None,
            })?
            .map_err(engine_error)?;
        Ok(devices.into_iter().map(engine_map::device).collect())
    }

    pub fn current_live_state(&self) -> LiveState {
        self.live.borrow().clone()
    }

    /// Resolves the destination, builds the engine config from the settings and starts.
    /// Later changes (live, reconnecting, failed) arrive through [`Services::live_state`].
    pub async fn go_live(&self) -> Result<()> {
        let mut slot = self.broadcast.session.lock().await;
        if let Some(session) = slot.as_ref().filter(|s| !s.state().borrow().is_terminal()) {
            tracing::debug!(state = session.state().borrow().name(), "already running");
            return Ok(());
        }
        let destination = self.destination().await?;
        // The devices cannot be opened twice: the broadcast session takes over the preview.
        self.stop_preview().await;
        let config = broadcast_config(&self.settings.get(), Some(destination), force_test());
        let session = SessionHandle::spawn(config).map_err(engine_error)?;
        forward_states(&session, self.live.clone());
        forward_stats(&session, self.broadcast.media.clone());
        forward_preview(&session, self.broadcast.media.clone());
        self.live.send_replace(LiveState::Connecting);
        if let Err(e) = session.start().await {
            let error = engine_error(e);
            self.live.send_replace(LiveState::Failed {
                reason: error.to_string(),
                fix: None,
            });
            return Err(error);
        }
        *slot = Some(session);
        Ok(())
    }

    /// Stops cleanly (EOS drain) and waits for the final state.
    pub async fn stop_live(&self) -> Result<()> {
        let session = self.broadcast.session.lock().await.take();
        if let Some(session) = session {
            let last = session.stop().await;
            self.live.send_replace(engine_map::live_state(&last));
        }
        Ok(())
    }

    /// Shows the sources before going live: a preview-only session (no output). While live
    /// the broadcast session already feeds the preview.
    pub async fn start_preview(&self) -> Result<()> {
        let live = self.broadcast.session.lock().await;
        if live
            .as_ref()
            .is_some_and(|s| !s.state().borrow().is_terminal())
        {
            return Ok(());
        }
        let mut slot = self.broadcast.preview.lock().await;
        if slot
            .as_ref()
            .is_some_and(|s| !s.state().borrow().is_terminal())
        {
            return Ok(());
        }
        let config = broadcast_config(&self.settings.get(), None, force_test());
        let session = SessionHandle::spawn(config).map_err(engine_error)?;
        forward_preview(&session, self.broadcast.media.clone());
        session.start().await.map_err(engine_error)?;
        *slot = Some(session);
        Ok(())
    }

    pub async fn stop_preview(&self) {
        let session = self.broadcast.preview.lock().await.take();
        if let Some(session) = session {
            session.stop().await;
        }
    }

    pub async fn reconnect_now(&self) -> Result<()> {
        let slot = self.broadcast.session.lock().await;
        let session = slot
            .as_ref()
            .ok_or_else(|| AppError::unavailable("not live: nothing to reconnect"))?;
        session.reconnect_now().await.map_err(engine_error)
    }
}

/// Every engine state, none skipped, becomes the studio's live state.
fn forward_states(session: &SessionHandle, live: Arc<watch::Sender<LiveState>>) {
    let mut transitions = session.transitions();
    tauri::async_runtime::spawn(async move {
        while let Ok(state) = transitions.recv().await {
            live.send_replace(engine_map::live_state(&state));
            if state.is_terminal() {
                break;
            }
        }
    });
}

/// `CLOUMER_STUDIO_TEST_SOURCES=1` swaps devices for a pattern and a tone (tests, demos).
fn force_test() -> bool {
    std::env::var("CLOUMER_STUDIO_TEST_SOURCES").is_ok_and(|v| v == "1")
}

/// Sends to the window's channels, if a window subscribed.
fn send_media(media: &SharedMedia, send: impl FnOnce(&MediaChannels)) {
    if let Ok(media) = media.lock()
        && let Some(m) = media.as_ref()
    {
        send(m);
    }
}

/// Preview frames (latest only: a slow window skips frames, never delays the stream) and
/// level meters; the meters fall silent when the session ends.
fn forward_preview(session: &SessionHandle, media: SharedMedia) {
    let mut frames = session.preview();
    let frame_media = media.clone();
    tauri::async_runtime::spawn(async move {
        while frames.changed().await.is_ok() {
            let frame = frames
                .borrow_and_update()
                .as_ref()
                .map(engine_map::preview_frame);
            if let Some(frame) = frame {
                send_media(&frame_media, |m| {
                    let _ = m.preview.send(frame);
                });
            }
        }
    });
    let mut levels = session.audio_levels();
    tauri::async_runtime::spawn(async move {
        while levels.changed().await.is_ok() {
            let sample = engine_map::audio_levels(&levels.borrow_and_update());
            send_media(&media, |m| {
                let _ = m.levels.send(sample);
            });
        }
        send_media(&media, |m| {
            let _ = m.levels.send(engine_map::audio_levels(&[]));
        });
    });
}

fn forward_stats(session: &SessionHandle, media: SharedMedia) {
    let mut stats = session.stats();
    tauri::async_runtime::spawn(async move {
        let mut cpu = CpuMeter::new();
        loop {
            let s = match stats.recv().await {
                Ok(s) => s,
                // A slow reader skips samples; the next one is as good.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(_) => break,
            };
            let sample = StatsSample {
                bitrate_kbps: s.output_bitrate_kbps,
                fps: s.fps,
                dropped_frames: u32::try_from(s.frames_dropped + s.network_dropped)
                    .unwrap_or(u32::MAX),
                encoder: s.encoder,
                cpu_percent: cpu.sample(),
                viewer_count: None,
                health: None,
            };
            send_media(&media, |m| {
                let _ = m.stats.send(sample);
            });
        }
    });
}
