//! The public face of a broadcast: a cloneable [`SessionHandle`] talking to one actor task
//! that owns the pipeline (see [`actor`]).

mod abr;
mod actor;
#[cfg(target_os = "linux")]
mod network_watch;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tracing::Instrument;

use crate::config::BroadcastConfig;
use crate::error::{Error, Result};
use crate::preview::{AudioLevel, PreviewChannels, PreviewFrame, PreviewSubscriber};
use crate::state::SessionState;
use crate::stats::Stats;

pub(crate) enum Command {
    Start(oneshot::Sender<Result<()>>),
    Stop,
    SetBitrate(u32, oneshot::Sender<Result<()>>),
    ReconnectNow(oneshot::Sender<Result<()>>),
    SetVolume {
        index: usize,
        volume: f64,
        muted: bool,
        reply: oneshot::Sender<Result<()>>,
    },
    SetLayout(crate::config::Layout, oneshot::Sender<Result<()>>),
    SetVideoSources(VideoSources, oneshot::Sender<Result<()>>),
    SetAudioDevice {
        index: usize,
        kind: crate::config::AudioSourceKind,
        reply: oneshot::Sender<Result<()>>,
    },
}

/// The screen and camera a session shows; see [`SessionHandle::set_video_sources`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoSources {
    pub screen: Option<crate::config::ScreenSource>,
    pub camera: Option<crate::config::CameraSource>,
}

/// Controls one broadcast. Clones share the same session; the session ends (stopping the
/// pipeline cleanly) when it is stopped or when the last handle is dropped.
#[derive(Clone)]
pub struct SessionHandle {
    commands: mpsc::UnboundedSender<Command>,
    state: watch::Receiver<SessionState>,
    transitions: broadcast::Sender<SessionState>,
    stats: broadcast::Sender<Stats>,
    bitrate_changes: broadcast::Sender<crate::congestion::BitrateChange>,
    config: Arc<BroadcastConfig>,
    restore_token: Arc<Mutex<Option<String>>>,
    preview: PreviewChannels,
}

impl std::fmt::Debug for SessionHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionHandle")
            .field("state", &*self.state.borrow())
            .finish_non_exhaustive()
    }
}

impl SessionHandle {
    /// Validates `config` (IVS limits, outputs) and spawns the session actor, `Idle`.
    /// Must be called inside a tokio runtime. Nothing is captured until [`Self::start`].
    pub fn spawn(config: BroadcastConfig) -> Result<Self> {
        crate::validate::validate(&config)?;
        crate::init()?;
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| Error::Pipeline("SessionHandle::spawn needs a tokio runtime".into()))?;
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (state_tx, state) = watch::channel(SessionState::Idle);
        let (stats, _) = broadcast::channel(16);
        let (bitrate_changes, _) = broadcast::channel(64);
        let (transitions, _) = broadcast::channel(64);
        let config = Arc::new(config);
        let restore_token = Arc::new(Mutex::new(None));
        let preview = PreviewChannels::new(&config.sources.audio);
        let actor = actor::Actor::new(
            config.clone(),
            actor::Channels {
                state: state_tx,
                transitions: transitions.clone(),
                stats: stats.clone(),
                bitrate_changes: bitrate_changes.clone(),
                restore_token: restore_token.clone(),
                preview: preview.clone(),
            },
        );
        let span = tracing::info_span!("session", id);
        runtime.spawn(actor.run(command_rx).instrument(span));
        Ok(Self {
            commands,
            state,
            transitions,
            stats,
            bitrate_changes,
            config,
            restore_token,
            preview,
        })
    }

    /// Builds the pipeline and sets it playing. Returns once it runs (state `Connecting`,
    /// or `Live` soon after); later failures arrive as `Failed` on [`Self::state`].
    pub async fn start(&self) -> Result<()> {
        self.ask(Command::Start).await
    }

    /// Drains the pipeline with EOS (files end valid), shuts it down and returns the final
    /// state (`Stopped` or `Failed`).
    pub async fn stop(&self) -> SessionState {
        let _ = self.commands.send(Command::Stop);
        self.finished().await
    }

    /// Waits until the session is `Stopped` or `Failed`, without asking it to stop.
    pub async fn finished(&self) -> SessionState {
        let mut state = self.state.clone();
        let result = state
            .wait_for(SessionState::is_terminal)
            .await
            .map(|s| s.clone());
        match result {
            Ok(s) => s,
            Err(_) => state.borrow().clone(),
        }
    }

    /// Changes the video bitrate while live (checked against the channel's limit).
    pub async fn set_bitrate(&self, kbps: u32) -> Result<()> {
        let mut config = (*self.config).clone();
        config.video_bitrate_kbps = kbps;
        crate::validate::validate(&config)?;
        self.ask(|reply| Command::SetBitrate(kbps, reply)).await
    }

    /// Skips the reconnect back-off wait and tries the ingest now.
    pub async fn reconnect_now(&self) -> Result<()> {
        self.ask(Command::ReconnectNow).await
    }

    /// Sets the gain (1.0 = unchanged) and mute of audio source `index` (order of
    /// `Sources::audio`) while running.
    pub async fn set_audio_volume(&self, index: usize, volume: f64, muted: bool) -> Result<()> {
        self.ask(|reply| Command::SetVolume {
            index,
            volume,
            muted,
            reply,
        })
        .await
    }

    /// Switches what the canvas shows (see [`crate::Layout`]). While running, only the
    /// compositor's placement of each source changes: the stream stays connected and loses
    /// no frame. Before start, the session starts with it.
    pub async fn set_layout(&self, layout: crate::config::Layout) -> Result<()> {
        crate::validate::validate_layout(&layout)?;
        self.ask(|reply| Command::SetLayout(layout, reply)).await
    }

    /// Changes the screen and/or camera. While running, a source that changed is replaced
    /// in the playing pipeline (the stream stays connected; the canvas shows the other
    /// sources, or black, for the moment the new device takes to deliver); the current
    /// layout then places it. A Wayland (portal) screen cannot be switched to while live.
    pub async fn set_video_sources(&self, sources: VideoSources) -> Result<()> {
        if sources.screen.is_none() && sources.camera.is_none() {
            return Err(crate::ConfigError(
                "no video source: keep a screen or a camera (or switch to the be-right-back layout)"
                    .into(),
            )
            .into());
        }
        self.ask(|reply| Command::SetVideoSources(sources, reply))
            .await
    }

    /// Changes what audio source `index` (order of `Sources::audio`) captures, e.g. another
    /// microphone, while running: only its capture element is replaced (gain, mute and
    /// meter stay), the mix goes on meanwhile and the stream stays connected. Adding or
    /// removing a source needs a new start.
    pub async fn set_audio_device(
        &self,
        index: usize,
        kind: crate::config::AudioSourceKind,
    ) -> Result<()> {
        self.ask(|reply| Command::SetAudioDevice { index, kind, reply })
            .await
    }

    /// The state now and every change after; the last state stays readable after the end.
    pub fn state(&self) -> watch::Receiver<SessionState> {
        self.state.clone()
    }

    /// Every state the session goes through, none skipped (unlike [`Self::state`], which
    /// keeps only the latest); subscribe before [`Self::start`] to see `connecting`.
    pub fn transitions(&self) -> broadcast::Receiver<SessionState> {
        self.transitions.subscribe()
    }

    /// One [`Stats`] a second while the pipeline runs. A slow reader skips samples.
    pub fn stats(&self) -> broadcast::Receiver<Stats> {
        self.stats.subscribe()
    }

    /// Every change adaptive bitrate makes to the video encoder's target, as it happens.
    pub fn bitrate_changes(&self) -> broadcast::Receiver<crate::congestion::BitrateChange> {
        self.bitrate_changes.subscribe()
    }

    /// The live preview (with `BroadcastConfig::preview`): the latest small JPEG of the
    /// canvas, at most 480 px wide and 15 fps; `None` until the first frame. Frames are only
    /// made while at least one receiver exists: drop it when the preview is hidden. Without
    /// `preview` in the config it stays `None`.
    pub fn preview(&self) -> watch::Receiver<Option<PreviewFrame>> {
        self.preview.frames.subscribe()
    }

    /// Subscribes to the preview on demand without keeping the session alive (unlike a
    /// handle): for a front end that drops its receiver while its window is hidden and
    /// subscribes again when it shows.
    pub fn preview_subscriber(&self) -> PreviewSubscriber {
        PreviewSubscriber(self.preview.frames.clone())
    }

    /// The level of every audio source (order of `Sources::audio`, after volume and mute),
    /// updated every 50 ms while running (with `BroadcastConfig::preview`); silence
    /// (`preview::SILENCE_DB`) otherwise.
    pub fn audio_levels(&self) -> watch::Receiver<Vec<AudioLevel>> {
        self.preview.levels.subscribe()
    }

    /// After a Wayland (portal) start: the token that restores the user's screen choice
    /// next time (`ScreenSource::Portal { restore_token }`); store it with the settings.
    pub fn portal_restore_token(&self) -> Option<String> {
        self.restore_token.lock().ok().and_then(|t| t.clone())
    }

    pub fn config(&self) -> &BroadcastConfig {
        &self.config
    }

    async fn ask(&self, make: impl FnOnce(oneshot::Sender<Result<()>>) -> Command) -> Result<()> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(make(reply))
            .map_err(|_| Error::SessionClosed)?;
        answer.await.map_err(|_| Error::SessionClosed)?
    }
}
