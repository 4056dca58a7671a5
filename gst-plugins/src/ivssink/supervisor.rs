//! The thread that owns ivssink's connection: it notices when the ingest accepted the
//! stream, turns child errors into reconnects (with backoff) or a final failure, restarts the
//! sink part, and posts the stats/state element messages.
//!
//! A plain thread rather than clock callbacks: replacing the sink part means blocking state
//! changes, which must not run on a streaming thread or the clock thread.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use gst::glib;
use gst::prelude::*;
use gst::subclass::prelude::*;

use super::backoff::Backoff;
use super::classify::{self, ChildError, Decision};
use super::gate::Gate;
use super::location::StreamKey;
use super::messages::{ConnectionState, Failure, FailureKind, IvsState, IvsStats};
use super::part::{self, SinkPart};
use super::socket_queue::SocketQueue;

/// How often we look at rtmp2sink's stats while waiting for the ingest to accept `publish`.
const PUBLISH_POLL: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Phase {
    #[default]
    Idle,
    Connecting,
    Connected,
    Reconnecting,
    Failed,
}

/// Connection state shared by the pads, the bus handler and the supervisor.
#[derive(Default)]
pub(crate) struct Link {
    pub phase: Phase,
    pub gate: Gate,
    pub part: Option<SinkPart>,
    pub generation: u64,
    /// Reconnection attempts since the last good connection.
    pub attempt: u32,
    /// The current/failing attempt is the element's first connection.
    pub initial: bool,
    pub reconnects: u32,
    pub dropped_buffers: u64,
    pub pending_error: Option<ChildError>,
    pub retry_now: bool,
    pub retry_at: Option<Instant>,
    pub stop: bool,
    /// EOS went through on every linked pad: no more reconnects.
    pub eos: bool,
    /// Bytes of the connections already closed.
    pub sent_before: u64,
    pub acked_before: u64,
    /// When the ingest accepted `publish` on the current attempt.
    pub published_at: Option<Instant>,
    /// Connections in a row the ingest closed right after accepting them
    /// (`classify::count_short_runs`).
    pub short_runs: u32,
}

pub(crate) struct Shared {
    pub link: Mutex<Link>,
    pub cond: Condvar,
}

impl Default for Shared {
    fn default() -> Self {
        Shared {
            link: Mutex::new(Link::default()),
            cond: Condvar::new(),
        }
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Plain data: a panic elsewhere must not take the connection handling down with it.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Settings snapshot taken when streaming starts.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub location: String,
    pub key: StreamKey,
    pub reconnect: bool,
    pub delay_initial: Duration,
    pub delay_max: Duration,
    pub max_attempts: u32,
    pub stats_interval: Duration,
}

pub(crate) fn spawn(
    element: &super::IvsSink,
    shared: Arc<Shared>,
    config: Config,
) -> std::io::Result<JoinHandle<()>> {
    let weak = element.downgrade();
    std::thread::Builder::new()
        .name("ivssink-supervisor".into())
        .spawn(move || {
            Supervisor {
                weak,
                shared,
                backoff: Backoff::new(config.delay_initial, config.delay_max, config.max_attempts),
                config,
                last_sent: 0,
                last_stats_at: Instant::now(),
                socket: None,
            }
            .run()
        })
}

struct Supervisor {
    weak: glib::WeakRef<super::IvsSink>,
    shared: Arc<Shared>,
    config: Config,
    backoff: Backoff,
    last_sent: u64,
    last_stats_at: Instant,
    /// Made on first use: resolving the ingest's address may block.
    socket: Option<SocketQueue>,
}

impl Supervisor {
    fn run(mut self) {
        let mut next_stats = Instant::now() + self.config.stats_interval;
        loop {
            let mut link = lock(&self.shared.link);
            let now = Instant::now();
            let mut deadline = next_stats;
            if link.part.is_some() && link.phase != Phase::Connected {
                deadline = deadline.min(now + PUBLISH_POLL);
            }
            if let Some(at) = link.retry_at {
                deadline = deadline.min(at);
            }
            let ready = link.stop || link.pending_error.is_some() || link.retry_now;
            if !ready && deadline > now {
                link = self
                    .shared
                    .cond
                    .wait_timeout(link, deadline - now)
                    .map(|(guard, _)| guard)
                    .unwrap_or_else(|e| e.into_inner().0);
            }
            if link.stop {
                return;
            }
            let pending = link.pending_error.take();
            drop(link);
            let Some(element) = self.weak.upgrade() else {
                return;
            };

            if let Some(err) = pending {
                self.handle_failure(&element, err);
            }
            self.check_published(&element);
            self.maybe_retry(&element);
            if Instant::now() >= next_stats {
                self.post_stats(&element);
                next_stats += self.config.stats_interval;
                if next_stats < Instant::now() {
                    next_stats = Instant::now() + self.config.stats_interval;
                }
            }
        }
    }

    /// rtmp2sink only has live connection stats once the ingest accepted `publish`.
    fn check_published(&mut self, element: &super::IvsSink) {
        let rtmpsink = {
            let link = lock(&self.shared.link);
            if link.phase == Phase::Connected || link.phase == Phase::Failed {
                return;
            }
            let Some(part) = link.part.as_ref() else {
                return;
            };
            part.rtmpsink.clone()
        };
        let (sent, _) = part::byte_counts(&rtmpsink);
        let mut link = lock(&self.shared.link);
        let same_part = link.part.as_ref().is_some_and(|p| p.rtmpsink == rtmpsink);
        if sent == 0 || !same_part || link.pending_error.is_some() || link.phase == Phase::Failed {
            return;
        }
        let was_reconnecting = link.phase == Phase::Reconnecting;
        if was_reconnecting {
            link.reconnects += 1;
        }
        let attempt = link.attempt;
        link.phase = Phase::Connected;
        link.published_at = Some(Instant::now());
        link.attempt = 0;
        drop(link);
        self.backoff.reset();
        let reason = if was_reconnecting {
            "reconnected"
        } else {
            "publishing"
        };
        gst::info!(super::imp::CAT, obj = element, "connected ({reason})");
        post_state(element, ConnectionState::Connected, attempt, reason);
    }

    fn handle_failure(&mut self, element: &super::IvsSink, err: ChildError) {
        let (part, published_for, initial, short_runs) = {
            let mut link = lock(&self.shared.link);
            link.gate = Gate::Closed;
            let published_for = link.published_at.take().map(|t| t.elapsed());
            link.short_runs = classify::count_short_runs(link.short_runs, published_for);
            (
                link.part.take(),
                published_for,
                link.initial,
                link.short_runs,
            )
        };
        let (sent, acked) = part.as_ref().map(SinkPart::byte_counts).unwrap_or((0, 0));
        if let Some(part) = part {
            element.imp().untarget_pads();
            part.dispose(element.upcast_ref());
        }

        let mut link = lock(&self.shared.link);
        link.sent_before += sent;
        link.acked_before += acked;
        link.initial = false;
        if link.phase == Phase::Failed || link.stop {
            return;
        }
        let reason = if err.debug.is_empty() {
            err.message.clone()
        } else {
            format!("{} ({})", err.message, err.debug)
        };
        gst::warning!(
            super::imp::CAT,
            obj = element,
            "connection failed: {reason}"
        );
        let decision = classify::decide(
            &err,
            classify::Context {
                first_connection: initial,
                published_for,
                bytes_acked: acked,
                reconnect: self.config.reconnect,
                short_runs,
            },
        );
        match decision {
            Decision::Retry if link.eos => {
                // Upstream already finished: nothing left to send.
                link.phase = Phase::Failed;
            }
            Decision::Retry => {
                link.attempt += 1;
                let attempt = link.attempt;
                let Some(delay) = self.backoff.next_delay() else {
                    link.phase = Phase::Failed;
                    drop(link);
                    let reason = format!(
                        "gave up after {} reconnection attempts: {reason}",
                        self.config.max_attempts
                    );
                    fail(element, FailureKind::Network, attempt, &reason);
                    return;
                };
                link.phase = Phase::Reconnecting;
                link.retry_at = Some(Instant::now() + delay);
                drop(link);
                gst::info!(
                    super::imp::CAT,
                    obj = element,
                    "reconnection attempt {attempt} in {delay:?}"
                );
                post_state(element, ConnectionState::Reconnecting, attempt, &reason);
            }
            Decision::Fail(kind) => {
                link.phase = Phase::Failed;
                let attempt = link.attempt;
                drop(link);
                let reason = match kind {
                    FailureKind::IngestRefused => classify::refused_reason(short_runs, &reason),
                    _ => reason,
                };
                fail(element, kind, attempt, &reason);
            }
        }
    }

    fn maybe_retry(&self, element: &super::IvsSink) {
        let generation = {
            let mut link = lock(&self.shared.link);
            let due = link.retry_now || link.retry_at.is_some_and(|at| Instant::now() >= at);
            if link.phase != Phase::Reconnecting || link.eos {
                // Nothing to retry any more: make sure no stale deadline keeps waking us.
                link.retry_at = None;
            }
            if link.phase != Phase::Reconnecting || link.part.is_some() || !due || link.eos {
                link.retry_now = false;
                return;
            }
            link.retry_now = false;
            link.retry_at = None;
            link.generation += 1;
            link.generation
        };
        if let Err(err) = element.imp().start_part(generation, &self.config) {
            // Could not even build the elements: count it as a failed attempt.
            lock(&self.shared.link).pending_error = Some(ChildError {
                message: format!("cannot restart the RTMP output: {err}"),
                debug: String::new(),
                not_authorized: false,
            });
        }
    }

    fn post_stats(&mut self, element: &super::IvsSink) {
        let (rtmpsink, video_queue) = lock(&self.shared.link)
            .part
            .as_ref()
            .map(|p| (p.rtmpsink.clone(), p.video_queue.clone()))
            .unzip();
        let mut current = rtmpsink.as_ref().map(part::byte_counts).unwrap_or((0, 0));
        let link = lock(&self.shared.link);
        if link.part.as_ref().map(|p| &p.rtmpsink) != rtmpsink.as_ref() {
            // Replaced meanwhile: its bytes are already in the *_before totals.
            current = (0, 0);
        }
        let (cur_sent, cur_acked) = current;
        let sent = link.sent_before + cur_sent;
        let acked = link.acked_before + cur_acked;
        let connected = link.phase == Phase::Connected;
        let reconnects = link.reconnects;
        let dropped = link.dropped_buffers;
        drop(link);

        let queued_time_ns = video_queue
            .as_ref()
            .map(|q| part::queued_time(q).nseconds())
            .unwrap_or(0);
        let location = &self.config.location;
        let socket_queued_bytes = if connected {
            self.socket
                .get_or_insert_with(|| SocketQueue::for_location(location))
                .queued_bytes()
        } else {
            None
        };
        let now = Instant::now();
        let secs = now.duration_since(self.last_stats_at).as_secs_f64();
        let bitrate = if secs > 0.0 {
            (sent.saturating_sub(self.last_sent) as f64 * 8.0 / secs) as u64
        } else {
            0
        };
        self.last_sent = sent;
        self.last_stats_at = now;
        let stats = IvsStats {
            bytes_sent: sent,
            bytes_acked: acked,
            bitrate,
            connected,
            reconnects,
            dropped_buffers: dropped,
            queued_time_ns,
            socket_queued_bytes,
        };
        post(element, stats.to_structure());
    }
}

fn post(element: &super::IvsSink, structure: gst::Structure) {
    let _ = element.post_message(
        gst::message::Element::builder(structure)
            .src(element)
            .build(),
    );
}

pub(crate) fn post_state(
    element: &super::IvsSink,
    state: ConnectionState,
    attempt: u32,
    reason: &str,
) {
    let state = IvsState {
        state,
        attempt,
        reason: reason.to_owned(),
    };
    post(element, state.to_structure());
}

/// Posts the final error, whose [`Failure`] details tell callers what happened.
fn fail(element: &super::IvsSink, kind: FailureKind, attempt: u32, reason: &str) {
    post_state(element, ConnectionState::Failed, attempt, reason);
    let (text, domain) = match kind {
        FailureKind::KeyRejected => (
            "The ingest rejected the stream key",
            gst::ResourceError::NotAuthorized,
        ),
        FailureKind::Tls => (
            "Secure (TLS) connection to the ingest failed",
            gst::ResourceError::OpenWrite,
        ),
        FailureKind::Network => ("Connection to the ingest failed", gst::ResourceError::Write),
        FailureKind::IngestRefused => (
            "The ingest keeps closing the stream right after it starts",
            gst::ResourceError::Write,
        ),
    };
    let details = Failure {
        kind,
        reason: reason.to_owned(),
    };
    let _ = element.post_message(
        gst::message::Error::builder(domain, text)
            .debug(reason)
            .details(details.to_structure())
            .src(element)
            .build(),
    );
}
