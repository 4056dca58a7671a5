//! Feeds the congestion controller ([`crate::congestion`]) from ivssink's stats messages
//! and applies its decisions to the video encoder. The actor only hands messages over.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use gstcloumer::IvsStats;
use tokio::sync::broadcast;

use crate::config::BroadcastConfig;
use crate::congestion::{BitrateChange, Controller, Signal};

#[derive(Debug, Clone, Copy)]
struct Sample {
    at: Instant,
    /// Bytes rtmp2sink wrote to the socket.
    sent: u64,
    /// Bytes that left the socket (written minus still in the send buffer).
    left: u64,
    /// Something waited to leave (queue or socket): the link was busy until the next
    /// sample, so what left meanwhile is what the link can carry.
    busy: bool,
}

/// How far back the byte history reaches (the oldest unsent byte is looked up in it).
const HISTORY: Duration = Duration::from_secs(10);
/// More than a few packets in flight: the send buffer is filling, the link is busy.
const BUSY_SOCKET_BYTES: u64 = 16 * 1024;
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
    /// (when, bytes written to the socket, bytes that left it, data was waiting).
    history: VecDeque<Sample>,
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
        let busy =
            stats.queued_time_ns > 0 || stats.socket_queued_bytes.unwrap_or(0) > BUSY_SOCKET_BYTES;
        self.history.push_back(Sample {
            at: now,
            sent: stats.bytes_sent,
            left,
            busy,
        });
        while self
            .history
            .front()
            .is_some_and(|s| now.duration_since(s.at) > HISTORY)
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
        let mut newer: Option<&Sample> = None;
        for s in self.history.iter().rev() {
            if s.sent <= left {
                let Some(n) = newer else {
                    // Everything written has left.
                    return Duration::ZERO;
                };
                let span = (n.sent - s.sent).max(1) as f64;
                let share = (left - s.sent) as f64 / span;
                let written_at = s.at + n.at.duration_since(s.at).mul_f64(share);
                return now.duration_since(written_at);
            }
            newer = Some(s);
        }
        // Older than the history: at least that old.
        self.history
            .front()
            .map(|s| now.duration_since(s.at))
            .unwrap_or_default()
    }
}

/// What the link can carry, kbit/s: bytes that left the socket during the intervals of
/// the last THROUGHPUT_WINDOW in which data was waiting. Intervals with nothing waiting
/// say only how much the encoder made (a starved encoder, a still picture), not what the
/// link could take, so they do not count. `None` until the link was busy at some point.
fn throughput(history: &VecDeque<Sample>, now: Instant) -> Option<f64> {
    let (mut bytes, mut secs) = (0u64, 0f64);
    let recent = history
        .iter()
        .zip(history.iter().skip(1))
        .filter(|(a, _)| now.duration_since(a.at) <= THROUGHPUT_WINDOW);
    for (a, b) in recent.filter(|(a, _)| a.busy) {
        bytes += b.left.saturating_sub(a.left);
        secs += b.at.duration_since(a.at).as_secs_f64();
    }
    (secs >= 0.2).then(|| bytes as f64 * 8.0 / 1000.0 / secs)
}
