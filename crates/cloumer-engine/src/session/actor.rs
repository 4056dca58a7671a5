//! The session actor: owns the `gst::Pipeline`, reads its bus as a stream in this tokio
//! task (no GLib main loop), drives the state machine of [`crate::state`] and publishes
//! state and stats.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use futures::StreamExt;
use gst::prelude::*;
use gstcloumer::{ConnectionState, IvsState, IvsStats};
use tokio::sync::{broadcast, mpsc, watch};
use tokio::time::Instant;

use super::Command;
use crate::config::{AudioSourceKind, BroadcastConfig, ScreenSource};
use crate::error::{Error, Result};
use crate::pipeline::{BuiltPipeline, PipelineBuilder, names};
use crate::portal::PortalStream;
use crate::preview::PreviewChannels;
use crate::state::{Event, SessionState, next};

#[cfg(target_os = "linux")]
use super::network_watch::NetworkWatch;
/// Elsewhere the stream reconnects on ivssink's own schedule.
#[cfg(not(target_os = "linux"))]
struct NetworkWatch;
#[cfg(not(target_os = "linux"))]
impl NetworkWatch {
    fn start() -> Option<Self> {
        None
    }
    async fn changed(&mut self) -> Option<()> {
        None
    }
}
use crate::stats::{EncoderCounters, Stats, StatsSampler};

/// How long EOS may take to reach the sinks before the pipeline is shut down anyway.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait for the bus to explain a failed start.
const START_ERROR_WAIT: Duration = Duration::from_secs(3);

/// What exists only while the pipeline does.
struct Running {
    built: BuiltPipeline,
    /// The Wayland screen cast the pipeline reads (kept open while it runs).
    _portal: Option<PortalStream>,
    bus: gst::bus::BusStream,
    counters: Arc<EncoderCounters>,
    sampler: StatsSampler,
    encoder: String,
    drain_deadline: Option<Instant>,
    /// Adaptive bitrate, fed by ivssink's stats (never runs without a stream).
    abr: super::abr::Abr,
}

/// Where the actor publishes what it learns.
pub(super) struct Channels {
    pub state: watch::Sender<SessionState>,
    pub transitions: broadcast::Sender<SessionState>,
    pub stats: broadcast::Sender<Stats>,
    pub bitrate_changes: broadcast::Sender<crate::congestion::BitrateChange>,
    pub restore_token: Arc<Mutex<Option<String>>>,
    pub preview: PreviewChannels,
}

pub(super) struct Actor {
    config: Arc<BroadcastConfig>,
    state: SessionState,
    state_tx: watch::Sender<SessionState>,
    transitions: broadcast::Sender<SessionState>,
    stats_tx: broadcast::Sender<Stats>,
    bitrate_tx: broadcast::Sender<crate::congestion::BitrateChange>,
    restore_token: Arc<Mutex<Option<String>>>,
    preview: PreviewChannels,
    running: Option<Running>,
    /// Network changes, watched while a stream may need bringing back (Linux only).
    network: Option<NetworkWatch>,
}

impl Actor {
    pub(super) fn new(config: Arc<BroadcastConfig>, channels: Channels) -> Self {
        Self {
            config,
            state: SessionState::Idle,
            state_tx: channels.state,
            transitions: channels.transitions,
            stats_tx: channels.stats,
            bitrate_tx: channels.bitrate_changes,
            restore_token: channels.restore_token,
            preview: channels.preview,
            running: None,
            network: None,
        }
    }

    pub(super) async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let mut tick = tokio::time::interval_at(
            Instant::now() + Duration::from_secs(1),
            Duration::from_secs(1),
        );
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let deadline = self.running.as_ref().and_then(|r| r.drain_deadline);
            tokio::select! {
                command = commands.recv() => match command {
                    Some(command) => self.on_command(command).await,
                    // Every handle is gone: nobody can stop us later, so stop now.
                    None => {
                        if !self.state.is_terminal() {
                            self.request_stop().await;
                            self.drain_until_done().await;
                        }
                        break;
                    }
                },
                Some(message) = next_message(&mut self.running) => self.on_message(message).await,
                Some(()) = next_network_change(&mut self.network) => {
                    // Ignored by the sink unless it is waiting to retry.
                    tracing::debug!("network changed");
                    let _ = self.reconnect_now();
                }
                _ = tick.tick(), if self.running.is_some() => self.publish_stats(),
                _ = sleep_until(deadline), if deadline.is_some() => {
                    tracing::warn!("EOS did not reach the sinks within {DRAIN_TIMEOUT:?}; shutting down");
                    self.finish(Event::Drained).await;
                }
            }
        }
    }

    /// Used when the handles are gone: keep reading the bus until the drain is done.
    async fn drain_until_done(&mut self) {
        while !self.state.is_terminal() {
            let deadline = self.running.as_ref().and_then(|r| r.drain_deadline);
            tokio::select! {
                Some(message) = next_message(&mut self.running) => self.on_message(message).await,
                _ = sleep_until(deadline) => self.finish(Event::Drained).await,
            }
        }
    }

    fn apply(&mut self, event: Event) -> bool {
        match next(&self.state, event) {
            Ok(state) => {
                tracing::info!(from = self.state.name(), to = state.name(), "session state");
                self.state = state.clone();
                let _ = self.transitions.send(state.clone());
                self.state_tx.send_replace(state);
                true
            }
            Err(e) => {
                tracing::debug!("{e}");
                false
            }
        }
    }

    async fn on_command(&mut self, command: Command) {
        match command {
            Command::Start(reply) => {
                let result = self.start().await;
                let _ = reply.send(result);
            }
            Command::Stop => self.request_stop().await,
            Command::SetBitrate(kbps, reply) => {
                let result = self.with_pipeline(|p| crate::pipeline::set_bitrate(p, kbps));
                let _ = reply.send(result);
            }
            Command::ReconnectNow(reply) => {
                let result = self.reconnect_now();
                let _ = reply.send(result);
            }
            Command::SetVolume {
                index,
                volume,
                muted,
                reply,
            } => {
                let result =
                    self.with_pipeline(|p| crate::pipeline::set_volume(p, index, volume, muted));
                let _ = reply.send(result);
            }
            Command::SetLayout(layout, reply) => {
                let result = self.set_layout(layout).await;
                let _ = reply.send(result);
            }
            Command::SetVideoSources(sources, reply) => {
                let result = self.set_video_sources(sources).await;
                let _ = reply.send(result);
            }
            Command::SetAudioDevice { index, kind, reply } => {
                let result = self.set_audio_device(index, kind).await;
                let _ = reply.send(result);
            }
        }
    }

    /// Switches the layout, in the playing pipeline if there is one (off the async threads:
    /// the first "be right back" waits for its still).
    async fn set_layout(&mut self, layout: crate::config::Layout) -> Result<()> {
        if let Some(running) = &self.running {
            let pipeline = running.built.pipeline.clone();
            let config = self.config.clone();
            tokio::task::spawn_blocking(move || {
                crate::pipeline::show_layout(&pipeline, &config, &layout)
            })
            .await
            .map_err(|e| Error::Pipeline(format!("layout change task: {e}")))??;
        }
        Arc::make_mut(&mut self.config).layout = layout;
        tracing::info!(?layout, "layout");
        Ok(())
    }

    /// Replaces the screen and/or camera that changed, in the playing pipeline if there is
    /// one; later starts use the new ones either way.
    async fn set_video_sources(&mut self, wanted: super::VideoSources) -> Result<()> {
        use crate::pipeline::{Slot, live_camera_source, live_screen_source};
        let current = &self.config.sources;
        let screen_changed = current.screen != wanted.screen;
        let camera_changed = current.camera != wanted.camera;
        if let Some(running) = &self.running {
            if screen_changed && matches!(wanted.screen, Some(ScreenSource::Portal { .. })) {
                return Err(Error::Portal(
                    "a Wayland screen cannot be switched to while live: stop and go live again"
                        .into(),
                ));
            }
            let mut changes = Vec::new();
            if screen_changed {
                let source = wanted.screen.as_ref().map(live_screen_source).transpose()?;
                changes.push((Slot::Screen, source));
            }
            if camera_changed {
                let source = wanted.camera.as_ref().map(live_camera_source).transpose()?;
                changes.push((Slot::Camera, source));
            }
            let pipeline = running.built.pipeline.clone();
            let mut config = (*self.config).clone();
            config.sources.screen = wanted.screen.clone();
            config.sources.camera = wanted.camera.clone();
            tokio::task::spawn_blocking(move || {
                // Every new device is opened on its own before the pipeline changes: one
                // that cannot be opened leaves the old sources (and the config) as they were.
                changes
                    .iter()
                    .filter_map(|(_, source)| source.as_ref())
                    .try_for_each(crate::pipeline::check_opens)?;
                changes.into_iter().try_for_each(|(slot, source)| {
                    crate::pipeline::replace_source(&pipeline, &config, slot, source)
                })
            })
            .await
            .map_err(|e| Error::Pipeline(format!("source change task: {e}")))??;
        }
        let config = Arc::make_mut(&mut self.config);
        config.sources.screen = wanted.screen;
        config.sources.camera = wanted.camera;
        tracing::info!(screen_changed, camera_changed, "video sources");
        Ok(())
    }

    /// Replaces what audio source `index` captures, in the playing pipeline if there is one.
    async fn set_audio_device(&mut self, index: usize, kind: AudioSourceKind) -> Result<()> {
        let current =
            self.config.sources.audio.get(index).ok_or_else(|| {
                Error::Pipeline(format!("there is no audio source number {index}"))
            })?;
        if current.kind == kind {
            return Ok(());
        }
        if let Some(running) = &self.running {
            let pipeline = running.built.pipeline.clone();
            let new = kind.clone();
            tokio::task::spawn_blocking(move || {
                crate::pipeline::replace_audio_source(&pipeline, index, &new)
            })
            .await
            .map_err(|e| Error::Pipeline(format!("audio source change task: {e}")))??;
        }
        if let Some(source) = Arc::make_mut(&mut self.config).sources.audio.get_mut(index) {
            source.kind = kind;
        }
        tracing::info!(index, "audio source changed");
        Ok(())
    }

    fn with_pipeline(&self, f: impl FnOnce(&gst::Pipeline) -> Result<()>) -> Result<()> {
        match &self.running {
            Some(running) => f(&running.built.pipeline),
            None => Err(Error::Pipeline("the session is not running".into())),
        }
    }

    fn reconnect_now(&self) -> Result<()> {
        let running = self
            .running
            .as_ref()
            .ok_or_else(|| Error::Pipeline("the session is not running".into()))?;
        let sink = running
            .built
            .pipeline
            .by_name(names::STREAM_SINK)
            .ok_or_else(|| Error::Pipeline("no stream output".into()))?;
        sink.emit_by_name::<()>("reconnect-now", &[]);
        Ok(())
    }

    async fn start(&mut self) -> Result<()> {
        if !matches!(self.state, SessionState::Idle) {
            return Err(crate::state::InvalidTransition {
                state: self.state.name(),
                event: "start".into(),
            }
            .into());
        }
        let portal = match self.open_portal().await {
            Ok(portal) => portal,
            Err(e) => {
                self.apply(Event::Start);
                self.apply(Event::Fail(e.clone()));
                return Err(e);
            }
        };
        let mut builder = PipelineBuilder::new(&self.config).with_preview(&self.preview);
        if let Some(portal) = &portal {
            builder = builder.with_portal(portal);
        }
        let built = match builder.build() {
            Ok(built) => built,
            Err(e) => {
                self.apply(Event::Start);
                self.apply(Event::Fail(e.clone()));
                return Err(e);
            }
        };
        let pipeline = built.pipeline.clone();
        let bus = pipeline
            .bus()
            .ok_or_else(|| Error::Pipeline("pipeline without bus".into()))?
            .stream();
        let counters = EncoderCounters::attach(&pipeline);
        self.running = Some(Running {
            built,
            _portal: portal,
            bus,
            counters,
            sampler: StatsSampler::new(),
            encoder: String::new(),
            drain_deadline: None,
            abr: super::abr::Abr::new(&self.config, self.bitrate_tx.clone()),
        });
        self.network = self
            .config
            .outputs
            .stream
            .as_ref()
            .and_then(|_| NetworkWatch::start());
        self.apply(Event::Start);
        let playing = set_state(&pipeline, gst::State::Playing).await;
        if let Err(e) = playing {
            let error = self.explain_start_failure(e).await;
            self.finish(Event::Fail(error.clone())).await;
            return Err(error);
        }
        if let Some(running) = &mut self.running {
            running.sampler = StatsSampler::new();
            running.encoder = crate::pipeline::encoder_in_use(&pipeline);
            tracing::info!(encoder = %running.encoder, "pipeline playing");
        }
        Ok(())
    }

    /// Wayland capture: ask the portal (or restore the earlier choice) before building.
    async fn open_portal(&self) -> Result<Option<PortalStream>> {
        let Some(ScreenSource::Portal { restore_token }) = &self.config.sources.screen else {
            return Ok(None);
        };
        let stream = crate::portal::open_screencast(restore_token.as_deref()).await?;
        if let (Some(token), Ok(mut slot)) = (&stream.restore_token, self.restore_token.lock()) {
            *slot = Some(token.clone());
        }
        Ok(Some(stream))
    }

    /// A refused state change says little; the error message on the bus says why.
    async fn explain_start_failure(&mut self, fallback: Error) -> Error {
        let Some(running) = &mut self.running else {
            return fallback;
        };
        let wait = async {
            while let Some(message) = running.bus.next().await {
                if let gst::MessageView::Error(err) = message.view() {
                    return Some(crate::failure::classify(err));
                }
            }
            None
        };
        tokio::time::timeout(START_ERROR_WAIT, wait)
            .await
            .ok()
            .flatten()
            .unwrap_or(fallback)
    }

    async fn request_stop(&mut self) {
        if !self.apply(Event::Stop) {
            return;
        }
        let Some(running) = &mut self.running else {
            return;
        };
        if running.drain_deadline.is_none() {
            tracing::info!("stopping: sending EOS");
            running.drain_deadline = Some(Instant::now() + DRAIN_TIMEOUT);
            crate::pipeline::end_still(&running.built.pipeline);
            running.built.pipeline.send_event(gst::event::Eos::new());
        }
    }

    /// Applies a terminal event and takes the pipeline down.
    async fn finish(&mut self, event: Event) {
        self.network = None;
        if let Some(running) = self.running.take() {
            let pipeline = running.built.pipeline;
            if let Err(e) = set_state(&pipeline, gst::State::Null).await {
                tracing::warn!("shutting the pipeline down: {e}");
            }
            drop(pipeline);
            crate::memory::give_back_freed_memory();
        }
        self.preview.reset_levels();
        self.apply(event);
    }

    async fn on_message(&mut self, message: gst::Message) {
        use gst::MessageView;
        let Some(running) = &mut self.running else {
            return;
        };
        let pipeline = running.built.pipeline.clone();
        match message.view() {
            MessageView::Eos(_) => {
                // An EOS we did not ask for counts only when the media really ended (a
                // device went away): a sink that gave up its connection can make its bin
                // post EOS while capture goes on, and its error message follows.
                let asked = matches!(self.state, SessionState::Stopping);
                if !asked && !media_ended(&pipeline) {
                    tracing::debug!("ignoring an EOS from the outputs while the media still flows");
                    return;
                }
                tracing::info!("EOS reached the sinks");
                self.finish(Event::Drained).await;
            }
            MessageView::Error(err) => {
                let error = crate::failure::classify(err);
                // Reported through the Failed state; the log keeps it for RUST_LOG=info.
                tracing::info!(kind = error.kind(), "{error}");
                pipeline.debug_to_dot_file_with_ts(gst::DebugGraphDetails::all(), "cloumer-error");
                self.finish(Event::Fail(error)).await;
            }
            // A source added while live changes the latency the sinks must allow for.
            MessageView::Latency(_) => {
                let _ = pipeline.recalculate_latency();
            }
            MessageView::Warning(w) => {
                tracing::warn!(source = ?w.src().map(|s| s.path_string()), "{}", w.error());
            }
            MessageView::Qos(qos) => {
                if let Some(dropped) = qos
                    .dropped()
                    .value()
                    .try_into()
                    .ok()
                    .filter(|d: &u64| *d > 0)
                {
                    running.sampler.qos_dropped = running.sampler.qos_dropped.max(dropped);
                }
            }
            MessageView::StateChanged(sc)
                if message.src() == Some(pipeline.upcast_ref())
                    && sc.current() == gst::State::Playing =>
            {
                pipeline
                    .debug_to_dot_file_with_ts(gst::DebugGraphDetails::all(), "cloumer-playing");
                // Without a stream there is no ingest to wait for.
                if !running.built.streaming && matches!(self.state, SessionState::Connecting) {
                    self.apply(Event::Connected {
                        at: SystemTime::now(),
                    });
                }
            }
            MessageView::Element(el) => {
                let Some(s) = el.structure() else { return };
                if s.name() == "level" {
                    let source = message.src().map(|src| src.name());
                    if let Some(index) = source.and_then(|n| names::audio_level_index(&n)) {
                        self.preview.on_level_message(index, s);
                    }
                } else {
                    self.on_ivssink_message(s);
                }
            }
            _ => {}
        }
    }

    fn on_ivssink_message(&mut self, s: &gst::StructureRef) {
        let Some(running) = &mut self.running else {
            return;
        };
        if let Some(stats) = IvsStats::from_structure(s) {
            running.abr.on_stats(&stats, &running.built.pipeline);
            running.sampler.output = stats;
            return;
        }
        let Some(IvsState {
            state,
            attempt,
            reason,
        }) = IvsState::from_structure(s)
        else {
            return;
        };
        tracing::info!(%state, attempt, %reason, "ingest connection");
        match state {
            ConnectionState::Connected => {
                self.apply(Event::Connected {
                    at: SystemTime::now(),
                });
            }
            ConnectionState::Reconnecting => {
                self.apply(Event::ConnectionLost {
                    attempt: attempt.max(1),
                });
            }
            // Failed comes with an error message that carries the kind.
            ConnectionState::Connecting | ConnectionState::Failed => {}
        }
    }

    fn publish_stats(&mut self) {
        let Some(running) = &mut self.running else {
            return;
        };
        let pipeline = &running.built.pipeline;
        let mut stats = running.sampler.sample(
            pipeline,
            &running.counters,
            running.built.streaming,
            &running.encoder,
        );
        let abr = running.abr.status();
        stats.target_bitrate_kbps = abr.target_kbps;
        stats.backlog_ms = abr.backlog_ms;
        stats.congested = abr.congested;
        tracing::trace!(?stats, "stats");
        let _ = self.stats_tx.send(stats);
    }
}

/// Did EOS come out of the encoders (and not just out of one sink)?
fn media_ended(pipeline: &gst::Pipeline) -> bool {
    [names::VIDEO_TEE, names::AUDIO_TEE].iter().all(|name| {
        pipeline
            .by_name(name)
            .and_then(|tee| tee.static_pad("sink"))
            .is_some_and(|pad| pad.sticky_event::<gst::event::Eos>(0).is_some())
    })
}

async fn next_message(running: &mut Option<Running>) -> Option<gst::Message> {
    match running {
        Some(r) => r.bus.next().await,
        None => std::future::pending().await,
    }
}

async fn next_network_change(network: &mut Option<NetworkWatch>) -> Option<()> {
    match network {
        Some(network) => network.changed().await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

/// State changes can block (a sink connecting, a device opening): off the async threads.
async fn set_state(pipeline: &gst::Pipeline, state: gst::State) -> Result<()> {
    let pipeline = pipeline.clone();
    tokio::task::spawn_blocking(move || pipeline.set_state(state))
        .await
        .map_err(|e| Error::Pipeline(format!("state change task: {e}")))?
        .map(|_| ())
        .map_err(|_| Error::Pipeline(format!("the pipeline refused to go to {state:?}")))
}
