//! Going live through `cloumer-engine`, and the high-rate data it produces (stats, preview
//! frames, audio levels) forwarded to the UI's channels. Before going live the studio may
//! run a preview-only session (no output) so the user sees the sources; going live replaces
//! it with the broadcast session, which has the preview too.

use std::sync::{Arc, Mutex};

use cloumer_engine::{
    BroadcastConfig, PreviewSubscriber, PreviewWindow, SessionHandle, SessionState, StreamOutput,
};
use tauri::ipc::Channel;
use tokio::sync::watch;

use super::Services;
use super::cpu::CpuMeter;
use super::engine_map::{self, broadcast_config, engine_error};
use crate::error::{AppError, Result};
use crate::types::{AudioLevels, LiveState, PreviewJpeg, StatsSample};

/// The UI's receivers for high-rate data; replaced when the window reloads.
pub struct MediaChannels {
    pub preview: Channel<PreviewJpeg>,
    pub levels: Channel<AudioLevels>,
    pub stats: Channel<StatsSample>,
}

type SharedMedia = Arc<Mutex<Option<MediaChannels>>>;

pub struct Broadcast {
    media: SharedMedia,
    pub(super) session: tokio::sync::Mutex<Option<SessionHandle>>,
    /// The preview-only session while not live (and the preview is on).
    pub(super) preview: tokio::sync::Mutex<Option<SessionHandle>>,
    /// Whether the window can be seen: no preview frames are made while it cannot.
    window_visible: watch::Sender<bool>,
    /// Where sessions also paint the preview natively (X11), if anywhere.
    preview_window: Mutex<Option<PreviewWindow>>,
}

impl Default for Broadcast {
    fn default() -> Self {
        Self {
            media: SharedMedia::default(),
            session: Default::default(),
            preview: Default::default(),
            window_visible: watch::Sender::new(true),
            preview_window: Mutex::new(None),
        }
    }
}

impl Services {
    pub fn subscribe_media(&self, channels: MediaChannels) {
        if let Ok(mut media) = self.broadcast.media.lock() {
            *media = Some(channels);
        }
    }

    pub fn set_preview_visible(&self, visible: bool) {
        self.broadcast.window_visible.send_replace(visible);
    }

    /// The native preview window sessions started from now on paint into.
    pub fn set_preview_window(&self, window: Option<PreviewWindow>) {
        if let Ok(mut slot) = self.broadcast.preview_window.lock() {
            *slot = window;
        }
    }

    /// The engine config for the current settings, with the native preview window.
    pub(super) fn session_config(&self, destination: Option<StreamOutput>) -> BroadcastConfig {
        let mut config = broadcast_config(&self.settings.get(), destination, false);
        config.preview_window = self
            .broadcast
            .preview_window
            .lock()
            .ok()
            .and_then(|w| w.clone());
        config
    }

    pub fn current_live_state(&self) -> LiveState {
        self.live.borrow().clone()
    }

    /// Resolves the destination, builds the engine config from the settings and starts.
    /// Later changes (live, reconnecting, failed) arrive through [`Services::live_state`].
    /// Streams to the signed-in destination, recorded too when "Record while live" is on.
    pub async fn go_live(&self) -> Result<()> {
        let record = self.settings.get().recording.while_live;
        self.start_broadcast(true, record).await
    }

    /// Only a local recording, no stream (no account needed).
    pub async fn record_only(&self) -> Result<()> {
        self.start_broadcast(false, true).await
    }

    async fn start_broadcast(&self, stream: bool, record: bool) -> Result<()> {
        let mut slot = self.broadcast.session.lock().await;
        if let Some(session) = slot.as_ref().filter(|s| !s.state().borrow().is_terminal()) {
            tracing::debug!(state = session.state().borrow().name(), "already running");
            return Ok(());
        }
        let destination = if stream {
            Some(self.destination().await?)
        } else {
            None
        };
        // Checked before anything starts: no stream that then fails for want of disk.
        let recording = if record {
            Some(self.new_recording()?)
        } else {
            None
        };
        // The devices cannot be opened twice: the broadcast session takes over the preview.
        self.stop_preview().await;
        let mut config = self.session_config(destination);
        // The channel's limits, checked by the engine before connecting (issue 20 #4).
        if stream && let Some(channel_type) = self.channel_type().await {
            config.channel_type = channel_type;
        }
        config.outputs.recording = recording;
        let session = SessionHandle::spawn(config).map_err(engine_error)?;
        forward_states(&session, self.live.clone());
        // Viewers and health (issue 20 #6) ride along with the stats while streaming.
        let source = if stream {
            self.channel_source().await
        } else {
            None
        };
        let audience = source.map(|source| super::audience::watch(source, session.state()));
        forward_stats(&session, self.broadcast.media.clone(), audience);
        forward_preview(&session, &self.broadcast);
        self.live.send_replace(LiveState::Connecting);
        if let Err(e) = session.start().await {
            self.live.send_replace(engine_map::failed(&e));
            return Err(engine_error(e));
        }
        self.remember_portal_choice(&session);
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
        let config = self.session_config(None);
        let session = SessionHandle::spawn(config).map_err(engine_error)?;
        forward_preview(&session, &self.broadcast);
        session.start().await.map_err(engine_error)?;
        self.remember_portal_choice(&session);
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
fn forward_preview(session: &SessionHandle, broadcast: &Broadcast) {
    let frames = session.preview_subscriber();
    let ended = session.state();
    let visible = broadcast.window_visible.subscribe();
    let frame_media = broadcast.media.clone();
    tauri::async_runtime::spawn(async move {
        forward_frames(frames, ended, visible, |frame| {
            send_media(&frame_media, |m| {
                let _ = m.preview.send(engine_map::preview_frame(frame));
            });
        })
        .await;
    });
    let media = broadcast.media.clone();
    let mut levels = session.audio_levels();
    tauri::async_runtime::spawn(async move {
        // Each message wakes the web view's script engine (20 a second per source): a
        // reading equal to the last one sent to the same channel (steady sound, silence)
        // is not sent again; a window that subscribes anew gets the next reading.
        let mut last_sent = None;
        while levels.changed().await.is_ok() {
            let sample = engine_map::audio_levels(&levels.borrow_and_update());
            send_media(&media, |m| {
                let sent = (m.levels.id(), sample);
                if last_sent.as_ref() != Some(&sent) {
                    let _ = m.levels.send(sent.1.clone());
                    last_sent = Some(sent);
                }
            });
        }
        send_media(&media, |m| {
            let _ = m.levels.send(engine_map::audio_levels(&[]));
        });
    });
}

/// Hands the latest frame and then every new one to `send` while the window is visible,
/// until the session ends.
/// While the window is hidden it holds no receiver, so the engine makes no frames (no
/// scaling, no JPEG) for nobody to see.
async fn forward_frames(
    frames: PreviewSubscriber,
    mut ended: watch::Receiver<SessionState>,
    mut visible: watch::Receiver<bool>,
    send: impl Fn(&cloumer_engine::PreviewFrame),
) {
    loop {
        tokio::select! {
            _ = ended.wait_for(SessionState::is_terminal) => return,
            shown = visible.wait_for(|v| *v) => if shown.is_err() { return },
        }
        let mut receiver = frames.subscribe();
        // The engine sends a still picture only once: start from the latest frame so that a
        // window shown again is never left without one.
        if let Some(frame) = receiver.borrow_and_update().as_ref() {
            send(frame);
        }
        loop {
            tokio::select! {
                _ = ended.wait_for(SessionState::is_terminal) => return,
                _ = visible.wait_for(|v| !*v) => break,
                changed = receiver.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    if let Some(frame) = receiver.borrow_and_update().as_ref() {
                        send(frame);
                    }
                }
            }
        }
    }
}

fn forward_stats(
    session: &SessionHandle,
    media: SharedMedia,
    audience: Option<watch::Receiver<super::audience::Audience>>,
) {
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
                viewer_count: audience.as_ref().and_then(|a| a.borrow().viewers),
                health: audience.as_ref().and_then(|a| a.borrow().health.clone()),
                target_bitrate_kbps: s.target_bitrate_kbps,
                backlog_ms: u32::try_from(s.backlog_ms).unwrap_or(u32::MAX),
                congested: s.congested,
            };
            send_media(&media, |m| {
                let _ = m.stats.send(sample);
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;
    use crate::types::Settings;

    /// A preview-only session on test sources, as the studio runs before going live.
    fn preview_session() -> SessionHandle {
        let config = broadcast_config(&Settings::default(), None, true);
        SessionHandle::spawn(config).expect("a preview-only session")
    }

    async fn frames_within(sent: &AtomicUsize, from: usize, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        while tokio::time::Instant::now() < deadline {
            if sent.load(Ordering::SeqCst) > from {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        false
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn frames_stop_while_the_window_is_hidden_and_the_task_ends_with_the_session() {
        let session = preview_session();
        let visible = watch::Sender::new(true);
        let sent = Arc::new(AtomicUsize::new(0));
        let counter = sent.clone();
        let task = tokio::spawn(forward_frames(
            session.preview_subscriber(),
            session.state(),
            visible.subscribe(),
            move |_| {
                counter.fetch_add(1, Ordering::SeqCst);
            },
        ));
        session.start().await.expect("start");
        assert!(
            frames_within(&sent, 0, Duration::from_secs(15)).await,
            "no frame while visible"
        );

        visible.send_replace(false);
        tokio::time::sleep(Duration::from_millis(300)).await; // a frame may be in flight
        let hidden_at = sent.load(Ordering::SeqCst);
        assert!(
            !frames_within(&sent, hidden_at, Duration::from_secs(1)).await,
            "frames sent while hidden"
        );

        visible.send_replace(true);
        // The latest frame is sent again at once; new frames (the test ball moves) follow.
        assert!(
            frames_within(&sent, hidden_at + 1, Duration::from_secs(5)).await,
            "no new frame after showing the window again"
        );
        session.stop().await;
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("the forwarding task ends with the session")
            .expect("task");
    }
}
