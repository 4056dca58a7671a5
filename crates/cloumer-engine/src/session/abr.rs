//! Feeds the congestion controller ([`crate::congestion`]) from ivssink's stats messages
//! and applies its decisions to the video encoder. The actor only hands messages over.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use gstcloumer::IvsStats;
use tokio::sync::broadcast;

use crate::config::BroadcastConfig;
use crate::congestion::{BitrateChange, Controller, Signal};

/// How far back the byte history reaches (the oldest unsent byte is looked up in it).
const HISTORY: Duration = Duration::from_secs(10);
/// Window of the throughput estimate.
const THROUGHPUT_WINDOW: Duration = Duration::from_secs(1);

/// What the stats report about adaptive bitrate.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct AbrStatus {
    pub target_kbps: u32,
    pub backlog_ms: u64,
    pub congested: bool,
}

pub(crate) struct Abr {
    /// `None` with `--no-abr`: only the backlog is measured.
    controller: Option<Controller>,
    fixed_kbps: u32,
    started: Instant,
    /// (when, bytes written to the socket, bytes that left it).
    history: VecDeque<(Instant, u64, u64)>,
    reconnects: u32,
    backlog_ms: u64,
    changes: broadcast::Sender<BitrateChange>,
}

impl Abr {
    pub(crate) fn new(config: &BroadcastConfig, changes: broadcast::Sender<BitrateChange>) -> Self {
        let abr = config.adaptive_bitrate;
        let controller = abr.enabled.then(|| {
            Controller::new(
                config.video_bitrate_kbps,
                abr.min_kbps,
                config.audio_bitrate_kbps,
            )
        });
        Self {
            controller,
            fixed_kbps: config.video_bitrate_kbps,
            started: Instant::now(),
            history: VecDeque::new(),
            reconnects: 0,
            backlog_ms: 0,
            changes,
        }
    }

    pub(crate) fn status(&self) -> AbrStatus {
        AbrStatus {
            target_kbps: self
                .controller
                .as_ref()
                .map_or(self.fixed_kbps, Controller::target),
            backlog_ms: self.backlog_ms,
            congested: self.controller.as_ref().is_some_and(Controller::congested),
        }
    }

    /// One stats message: measure, decide, apply.
    pub(crate) fn on_stats(&mut self, stats: &IvsStats, pipeline: &gst::Pipeline) {
        let now = Instant::now();
        let left = stats
            .bytes_sent
            .saturating_sub(stats.socket_queued_bytes.unwrap_or(0));
        self.history.push_back((now, stats.bytes_sent, left));
        while self
            .history
            .front()
            .is_some_and(|(t, ..)| now.duration_since(*t) > HISTORY)
        {
            self.history.pop_front();
        }
        let socket_ms = self.oldest_unsent_age(left, now).as_millis() as u64;
        self.backlog_ms = stats.queued_time_ns / 1_000_000 + socket_ms;
        let at = now.duration_since(self.started);
        let Some(controller) = &mut self.controller else {
            return;
        };
        if stats.reconnects != self.reconnects {
            self.reconnects = stats.reconnects;
            controller.on_reconnected(at);
        }
        let signal = Signal {
            at,
            backlog_ms: self.backlog_ms,
            throughput_kbps: throughput(&self.history, now),
            connected: stats.connected,
        };
        let Some(change) = controller.on_signal(signal) else {
            return;
        };
        tracing::info!(
            from = change.from,
            to = change.to,
            reason = change.reason.as_str(),
            backlog_ms = self.backlog_ms,
            "video bitrate"
        );
        if let Err(e) = crate::pipeline::set_bitrate(pipeline, change.to) {
            tracing::warn!("cannot change the bitrate: {e}");
            return;
        }
        let _ = self.changes.send(change);
    }

    /// How long the oldest byte still in the socket has been waiting: when had rtmp2sink
    /// written `left` bytes (interpolated between two stats messages)?
    fn oldest_unsent_age(&self, left: u64, now: Instant) -> Duration {
        let mut newer: Option<(Instant, u64)> = None;
        for (t, sent, _) in self.history.iter().rev() {
            if *sent <= left {
                let Some((t1, sent1)) = newer else {
                    // Everything written has left.
                    return Duration::ZERO;
                };
                let span = (sent1 - sent).max(1) as f64;
                let share = (left - sent) as f64 / span;
                let written_at = *t + t1.duration_since(*t).mul_f64(share);
                return now.duration_since(written_at);
            }
            newer = Some((*t, *sent));
        }
        // Older than the history: at least that old.
        self.history
            .front()
            .map(|(t, ..)| now.duration_since(*t))
            .unwrap_or_default()
    }
}

/// kbit/s that left the socket over the last THROUGHPUT_WINDOW.
fn throughput(history: &VecDeque<(Instant, u64, u64)>, now: Instant) -> Option<f64> {
    let (t0, _, left0) = history
        .iter()
        .rev()
        .find(|(t, ..)| now.duration_since(*t) >= THROUGHPUT_WINDOW)?;
    let (_, _, left1) = history.back()?;
    let secs = now.duration_since(*t0).as_secs_f64();
    Some(left1.saturating_sub(*left0) as f64 * 8.0 / 1000.0 / secs)
}
