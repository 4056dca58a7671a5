//! Adaptive bitrate: decides the video encoder's target from what the uplink shows. Pure
//! (no GStreamer, no clock of its own): the session actor feeds it [`Signal`]s a few times
//! a second and applies the [`BitrateChange`]s it returns, so every rule is table-tested below.
//!
//! ```text
//!              backlog >= CONGESTED_MS                      backlog >= PROBE_FAILED_MS
//!   ┌────────┐ ─────────────────────────► ┌──────────┐      during a probe: below the
//!   │ steady │  target = what the link    │ draining │      level before it by what
//!   └────────┘  carried × MARGIN, minus   └──────────┘      drains the backlog, and wait
//!     ▲   │     what drains the backlog        │            twice as long before the next
//!     │   │     within DRAIN_SECS              │ backlog < CLEAR_MS
//!     │   │                                    ▼
//!     │   │ clear for STEP_EVERY       target = the level before the failed probe, or
//!     │   ▼                                    │ what the link carried × MARGIN
//!   ┌─────────┐  below the learned link rate:  │
//!   │ probing │  + STEP_OF_MAX of --bitrate    │
//!   └─────────┘  above it (after the back-off):◄┘
//!                + PROBE_GROWTH of the target, growing while each probe holds;
//!                no rate learned yet: + STEP_OF_MAX of --bitrate, as a probe
//! ```
//!
//! * Drop fast: one step to what the link actually carried (the bytes that left the
//!   socket in the last second) with a margin, lower still while a backlog has to drain,
//!   instead of OBS's cut to the throughput only, or small steps.
//! * Recover fast without oscillating: below the rate the link carried when it was last
//!   congested, climb by STEP_OF_MAX each second (OBS: 10 % of the original every 4 s);
//!   above it, probe carefully (a small step, confirmed by a second of clear backlog) and
//!   after each failed probe wait twice as long before the next (capped), so a steady link
//!   sees few probes while a link that grew is found within seconds: every probe that
//!   holds raises the learned rate and makes the next step larger (+10, +20, +40 %).
//! * Do not probe far above what already failed: the lowest failed level caps the probes
//!   (halfway to it, then 3 % above it); only a link seen carrying more lifts the cap.
//! * Never probe the video above what the whole link carried while it was congested: on a
//!   steady link that probe fails (audio and headers do not fit beside it), so the target
//!   never exceeds the link; on a link that grew it holds, which lifts that cap too.
//! * A target only a few percent over the link fills the backlog too slowly for a probe to
//!   notice: once the backlog has crept up for CREEP_WINDOW, step down 10 %; a congestion
//!   drop from a link that carried nearly the target skips the drain term.
//! * Tell an encoder's burst from a slow link: a backlog while the link carries more than
//!   the target (after the machine starved the encoder, it catches up) drains by itself;
//!   nothing is decided until it has, as long as the link's spare rate drains it within
//!   BURST_DRAIN_SECS. A failed probe drains what it queued below the level it started
//!   from, which had only a few percent to spare.
//! * Never below `min_kbps`, never above `max_kbps` (the user's bitrate, already checked
//!   against the channel's limit). Audio keeps its bitrate: it is taken off the link rate.

use std::time::Duration;

/// Backlog (video waiting to leave, in the pipeline and the socket) that means congestion.
pub const CONGESTED_MS: u64 = 400;
/// A probe above the learned link rate failed once the backlog reaches this.
pub const PROBE_FAILED_MS: u64 = 200;
/// Below this the backlog counts as clear.
pub const CLEAR_MS: u64 = 100;
/// Share of the measured link rate the video may use (room for bursts and headers).
const MARGIN: f64 = 0.85;
/// A congestion drop empties the backlog within this long.
const DRAIN_SECS: f64 = 2.0;
/// How long the backlog must stay clear before each step up.
const STEP_EVERY: Duration = Duration::from_secs(1);
/// Step below the learned link rate, as a share of `max_kbps`.
const STEP_OF_MAX: f64 = 0.15;
/// First probe above the learned link rate, as a share of the target; doubles while
/// probes hold.
const PROBE_GROWTH: f64 = 0.10;
/// A probe holds when, PROBE_CONFIRM after it, the backlog is clear and has grown by less
/// than this: a link only slightly too slow fills the backlog slowly, so "still clear"
/// alone would let it pass.
const PROBE_GROWTH_TOLERANCE_MS: u64 = 20;
/// How long a probe must hold before it counts.
const PROBE_CONFIRM: Duration = Duration::from_secs(1);
/// How long a probe near or above a level that failed (or a lifted cap) must hold: a link
/// only a few percent too slow grows the backlog by a few ms a second, which a second
/// alone may not show.
const PROBE_CONFIRM_NEAR_LIMIT: Duration = Duration::from_secs(2);
/// Wait before the first probe above the learned link rate; doubles after each failed
/// probe, up to PROBE_WAIT_MAX.
const PROBE_WAIT: Duration = Duration::from_secs(1);
const PROBE_WAIT_MAX: Duration = Duration::from_secs(8);
/// A backlog is an encoder's burst when the link carried more video than the target by
/// this factor: it has room to spare and the backlog drains by itself.
const BURST_SPARE: f64 = 1.05;
/// A probe failed once the backlog grew by this much since it started, even if something
/// else (a starved encoder) emptied it again before the confirmation. Well above the
/// jitter of a busy encoder's output, which a confirmed probe may have had.
const PROBE_FAILED_GROWTH_MS: u64 = 100;
/// A backlog the link keeps up with is let drain by itself only up to this.
const BURST_MAX_MS: u64 = 2000;
/// ... and only if the link's spare rate (what it carried beyond the target) drains it
/// within this long (a starved encoder's catch-up on a link with 10 % to spare takes about
/// 6 s): a backlog left by a target a few percent under the link would take tens of seconds (seen after a new connection's first second, and with x264's
/// second-to-second swings at a level just under the link).
const BURST_DRAIN_SECS: f64 = 8.0;
/// A link that carried at least this share of the target is only slightly too slow (the
/// backlog crept up): the drop goes to what it carried, without the drain term, which
/// would cut a nearly right target by a third.
const NEAR_SHARE: f64 = 0.9;
/// A backlog that has not cleared for this long and keeps growing, below CONGESTED_MS, is
/// a target a few percent over the link (a probe cannot tell that in PROBE_CONFIRM):
/// step down by CREEP_STEP instead of waiting for a full congestion drop.
const CREEP_WINDOW: Duration = Duration::from_secs(3);
const CREEP_STEP: f64 = 0.10;
/// How far under its peak a creeping backlog may measure (the socket's level jitters).
const CREEP_JITTER_MS: u64 = 50;
/// The lowest level that failed (a probe, a creep, a congestion drop) caps the probes: they
/// go halfway to it instead of 10-40 % up, and once within CEILING_NEAR of it (where halfway
/// steps would be small and each costs a confirmation), to CEILING_CLOSE above it (never
/// more than the probe would have grown anyway). So a steady link is probed at most a few
/// percent above the level it already refused; a link that grew lets that last probe hold,
/// which lifts the cap, and probing starts again from +10 %.
const CEILING_NEAR: f64 = 0.06;
const CEILING_CLOSE: f64 = 0.03;
/// A new connection's first seconds are TCP's slow start: what it carried then is not
/// what the link can carry, and is not learned as its rate.
const SLOW_START: Duration = Duration::from_secs(2);
/// Probes grow while they hold: +10 %, +20 %, then +40 % at most.
const PROBE_DOUBLINGS_MAX: u32 = 2;
/// Below this multiple of a lifted cap, probes stay at +10 %: the link held just above
/// the old limit, which says little about how much more it has.
const NEAR_LIFTED: f64 = 1.2;
/// After a drop, the encoder needs this long before its output follows the new target.
const SETTLE: Duration = Duration::from_millis(1500);

/// What the actor sees on one tick.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Signal {
    /// Since the session started (any monotonic origin).
    pub at: Duration,
    /// What waits to leave, in time: the video queue in front of the network (media time)
    /// plus the socket's send buffer at the rate the link carries.
    pub backlog_ms: u64,
    /// What left this machine over the last second (kbit/s, audio included); `None`
    /// until known.
    pub throughput_kbps: Option<f64>,
    /// False while reconnecting: nothing is decided then.
    pub connected: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Reason {
    Congestion,
    Recovery,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Congestion => "congestion",
            Reason::Recovery => "recovery",
        }
    }
}

/// A change of the encoder's target, kbit/s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct BitrateChange {
    pub from: u32,
    pub to: u32,
    pub reason: Reason,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Steady,
    /// Dropped; waiting for the backlog to clear, then back to `resume` if set (the level a
    /// failed probe started from).
    Draining {
        resume: Option<u32>,
    },
    /// Raised above the learned link rate at `since` with `backlog_ms` queued; `from` is
    /// where to go back.
    Probing {
        from: u32,
        since: Duration,
        backlog_ms: u64,
        /// The highest backlog seen since.
        peak_ms: u64,
    },
}

#[derive(Debug, Clone)]
pub struct Controller {
    max_kbps: u32,
    min_kbps: u32,
    /// Taken off the link rate before the video gets its share.
    audio_kbps: u32,
    target: u32,
    phase: Phase,
    /// Video rate the link carried when it was last congested (`None`: no limit known).
    link_kbps: Option<f64>,
    /// When the target last changed.
    changed_at: Duration,
    /// Since when the backlog has been clear.
    clear_since: Option<Duration>,
    /// Since when the backlog has been above CLEAR_MS, and its peak since.
    queued_since: Option<(Duration, u64)>,
    probe_wait: Duration,
    /// Consecutive probes that held (each makes the next step larger).
    probes_held: u32,
    /// The cap last lifted (see NEAR_LIFTED).
    lifted: Option<u32>,
    /// Since when the stream has been connected (see SLOW_START).
    connected_since: Option<Duration>,
    /// The lowest level that failed since the last probe above it held (see CEILING_CLOSE).
    failed: Option<u32>,
    /// What the whole link (audio included) carried while it was congested, kbit/s: the
    /// highest reading of the current congestion episode (a reading can only fall short of
    /// the link's rate, by TCP's loss recovery). Probes stay at or under it.
    capacity: Option<f64>,
}

impl Controller {
    pub fn new(max_kbps: u32, min_kbps: u32, audio_kbps: u32) -> Self {
        let min_kbps = min_kbps.min(max_kbps);
        Self {
            max_kbps,
            min_kbps,
            audio_kbps,
            target: max_kbps,
            phase: Phase::Steady,
            link_kbps: None,
            changed_at: Duration::ZERO,
            clear_since: None,
            queued_since: None,
            probe_wait: PROBE_WAIT,
            probes_held: 0,
            failed: None,
            connected_since: None,
            lifted: None,
            capacity: None,
        }
    }

    /// What the encoder is asked for now.
    pub fn target(&self) -> u32 {
        self.target
    }

    /// True while the target is held below `max_kbps` because of the network.
    pub fn congested(&self) -> bool {
        self.target < self.max_kbps
    }

    /// A new connection: keep what was learned (target, link rate), forget the timers so
    /// the first seconds of the new connection are judged on their own.
    pub fn on_reconnected(&mut self, at: Duration) {
        self.clear_since = None;
        self.connected_since = Some(at);
        self.changed_at = at;
        if let Phase::Probing { from, .. } = self.phase {
            self.target = from;
        }
        self.phase = Phase::Steady;
    }

    pub fn on_signal(&mut self, s: Signal) -> Option<BitrateChange> {
        if !s.connected {
            self.clear_since = None;
            self.connected_since = None;
            return None;
        }
        self.connected_since.get_or_insert(s.at);
        if s.backlog_ms >= CLEAR_MS {
            self.clear_since = None;
            let (since, peak) = self.queued_since.unwrap_or((s.at, 0));
            self.queued_since = Some((since, peak.max(s.backlog_ms)));
        } else {
            self.queued_since = None;
            self.clear_since.get_or_insert(s.at);
        }
        if self.is_encoder_burst(&s) {
            // Nothing to fix on the link; raising now would add to the backlog, and a probe
            // is judged on what the link does, not on the encoder's catch-up.
            return None;
        }
        let settled = s.at.saturating_sub(self.changed_at) >= SETTLE;
        // After a drop, a backlog already going down needs no second one.
        let draining = matches!(self.phase, Phase::Draining { .. });
        let draining_well = draining
            && self
                .queued_since
                .is_some_and(|(_, peak)| s.backlog_ms < peak);
        if s.backlog_ms >= CONGESTED_MS && !draining_well && (settled || !draining) {
            return self.drop_to_link(s);
        }
        match self.phase {
            Phase::Probing {
                from,
                since,
                backlog_ms,
                peak_ms,
            } => {
                let peak_ms = peak_ms.max(s.backlog_ms);
                let peak_growth = peak_ms.saturating_sub(backlog_ms);
                if s.backlog_ms >= PROBE_FAILED_MS || peak_growth >= PROBE_FAILED_GROWTH_MS {
                    self.note_failed();
                    self.note_capacity(&s, false);
                    self.probe_wait = (self.probe_wait * 2).min(PROBE_WAIT_MAX);
                    self.probes_held = 0;
                    // What the probe queued drains before anything else is decided, below
                    // the level it started from: that level had only a few percent to
                    // spare, which would take seconds to drain it.
                    self.phase = Phase::Draining { resume: Some(from) };
                    let to = f64::from(from) - self.drain_kbps(&s);
                    let to = to.max(f64::from(from) * MARGIN) as u32;
                    return self.set(to, s.at, Reason::Congestion);
                }
                self.phase = Phase::Probing {
                    from,
                    since,
                    backlog_ms,
                    peak_ms,
                };
                // Clear and flat now; and it never grew far meanwhile (an encoder that
                // sends less for a moment, starved, empties a backlog a too-slow link was
                // building: that probe fails on the peak above, not here).
                let grew = s.backlog_ms.saturating_sub(backlog_ms);
                if s.at.saturating_sub(since) >= self.probe_confirm()
                    && s.backlog_ms < CLEAR_MS
                    && grew < PROBE_GROWTH_TOLERANCE_MS
                {
                    // The link carried it: the known rate is at least this, probe on.
                    let target = f64::from(self.target);
                    self.link_kbps = Some(self.link_kbps.map_or(target, |l| l.max(target)));
                    self.probes_held += 1;
                    if self.failed.is_some_and(|f| self.target > f) {
                        self.lifted = self.failed.take();
                        self.probes_held = 0;
                    }
                    // Video alone at what the whole link carried, and it held: the link grew,
                    // by how much is not known yet (+10 % steps just above, as a lifted cap),
                    // and what failed on the old link says nothing about the new one.
                    if self
                        .capacity
                        .is_some_and(|c| f64::from(self.target) >= c - 1.0)
                    {
                        self.capacity = None;
                        self.failed = None;
                        self.lifted = Some(self.target);
                        self.probes_held = 0;
                    }
                    self.probe_wait = PROBE_WAIT;
                    self.phase = Phase::Steady;
                    return self.step_up(s);
                }
                None
            }
            Phase::Draining { resume } => {
                if let Some(change) = self.creep_down(&s) {
                    return Some(change);
                }
                if s.backlog_ms < CLEAR_MS {
                    self.phase = Phase::Steady;
                    let rate = resume.or(self.link_kbps.map(|l| (l * MARGIN) as u32));
                    if let Some(rate) = rate.filter(|r| *r > self.target) {
                        return self.set(rate, s.at, Reason::Recovery);
                    }
                }
                None
            }
            Phase::Steady => {
                if let Some(change) = self.creep_down(&s) {
                    return Some(change);
                }
                if self.target < self.max_kbps && self.clear_for(s.at) >= STEP_EVERY {
                    return self.step_up(s);
                }
                None
            }
        }
    }

    /// The backlog has been creeping up for CREEP_WINDOW: a little lower, and probe more
    /// carefully next time (that level was reached by a probe that looked fine).
    fn creep_down(&mut self, s: &Signal) -> Option<BitrateChange> {
        // Still at its highest: growing, not a burst draining away.
        let (since, peak) = self.queued_since?;
        if s.at.saturating_sub(since) < CREEP_WINDOW || s.backlog_ms + CREEP_JITTER_MS < peak {
            return None;
        }
        let to = (f64::from(self.target) * (1.0 - CREEP_STEP)) as u32;
        self.note_failed();
        self.note_capacity(s, false);
        self.link_kbps = Some(f64::from(to) / MARGIN);
        self.probe_wait = (self.probe_wait * 2).min(PROBE_WAIT_MAX);
        self.probes_held = 0;
        self.queued_since = Some((s.at, s.backlog_ms));
        self.set(to, s.at, Reason::Congestion)
    }

    /// A backlog while the link carries more than the encoder is asked for is not
    /// congestion: the encoder sent more than its target for a moment, typically catching
    /// up after the machine starved it, and the backlog drains by itself at the link's
    /// spare rate. Dropping then (by the drain rule, deeply), failing a probe or stepping
    /// down would leave a link that was fine underused for seconds: nothing is decided
    /// until it has drained. Only up to BURST_MAX_MS, and only if the spare rate drains it
    /// within BURST_DRAIN_SECS.
    fn is_encoder_burst(&self, s: &Signal) -> bool {
        if !(CLEAR_MS..BURST_MAX_MS).contains(&s.backlog_ms) {
            return false;
        }
        let Some(throughput) = s.throughput_kbps else {
            return false;
        };
        let target = f64::from(self.target);
        let spare = throughput - f64::from(self.audio_kbps) - target;
        let backlog_kbit = s.backlog_ms as f64 / 1000.0 * throughput;
        spare >= target * (BURST_SPARE - 1.0) && spare * BURST_DRAIN_SECS >= backlog_kbit
    }

    fn clear_for(&self, at: Duration) -> Duration {
        self.clear_since
            .map(|since| at.saturating_sub(since))
            .unwrap_or_default()
    }

    /// How much lower than the link's rate the video must go to empty the backlog within
    /// DRAIN_SECS (kbit/s).
    fn drain_kbps(&self, s: &Signal) -> f64 {
        let rate = s
            .throughput_kbps
            .unwrap_or(f64::from(self.target + self.audio_kbps));
        s.backlog_ms as f64 / 1000.0 * rate / DRAIN_SECS
    }

    /// Congestion: to what the link carried, with a margin, minus the backlog's drain.
    fn drop_to_link(&mut self, s: Signal) -> Option<BitrateChange> {
        let in_slow_start = self.in_slow_start(s.at);
        let carried = s
            .throughput_kbps
            .map(|t| (t - f64::from(self.audio_kbps)).max(0.0))
            .filter(|t| *t > 0.0)
            // Nothing measured yet: assume the link carries half of what we ask.
            .unwrap_or(f64::from(self.target) / 2.0);
        // What TCP's slow start carried drains the backlog's first seconds but says little
        // about the link: not learned as its rate (recovery would stop there).
        self.link_kbps = if in_slow_start { None } else { Some(carried) };
        // The backlog is in time at the link's rate: this much has to go on top.
        let backlog_kbit = s.backlog_ms as f64 / 1000.0 * (carried + f64::from(self.audio_kbps));
        // Draining again: the backlog is our old rate's, the drain term must stay.
        let draining = matches!(self.phase, Phase::Draining { .. });
        let near = !draining && carried >= f64::from(self.target) * NEAR_SHARE;
        let drain = if near { 0.0 } else { backlog_kbit / DRAIN_SECS };
        let rate = carried * MARGIN - drain;
        let to = (rate.max(0.0) as u32).min((f64::from(self.target) * MARGIN) as u32);
        // The level that congested caps the probes, whether a probe reached it or not; a
        // second drop while draining is our own reaction, not a level that was tried.
        if !draining {
            self.note_failed();
        }
        // A new episode starts from this reading: the link may have shrunk.
        self.note_capacity(&s, !draining);
        if matches!(self.phase, Phase::Probing { .. }) {
            self.probe_wait = (self.probe_wait * 2).min(PROBE_WAIT_MAX);
        }
        self.probes_held = 0;
        self.phase = Phase::Draining { resume: None };
        self.set(to, s.at, Reason::Congestion)
    }

    fn step_up(&mut self, s: Signal) -> Option<BitrateChange> {
        let at = s.at;
        let below_link = self.link_kbps.map(|l| l * MARGIN);
        let step_to = |base: f64| (base + f64::from(self.max_kbps) * STEP_OF_MAX) as u32;
        match below_link {
            Some(ceiling) if f64::from(self.target) < ceiling - 1.0 => {
                let to = step_to(f64::from(self.target)).min(ceiling as u32);
                self.set(to, at, Reason::Recovery)
            }
            Some(_) => {
                if at.saturating_sub(self.changed_at) < self.probe_wait {
                    return None;
                }
                let ceiling = self.failed.filter(|f| *f > self.target);
                // Just above a lifted cap the link is near its limit: +10 % steps only.
                let near_lifted = self
                    .lifted
                    .is_some_and(|l| f64::from(self.target) < f64::from(l) * NEAR_LIFTED);
                let doublings = if near_lifted {
                    0
                } else {
                    self.probes_held.min(PROBE_DOUBLINGS_MAX)
                };
                let growth = PROBE_GROWTH * f64::from(1u32 << doublings);
                let mut to = (f64::from(self.target) * (1.0 + growth)) as u32;
                if let Some(ceiling) = ceiling {
                    let close = f64::from(self.target) * (1.0 + CEILING_NEAR) >= f64::from(ceiling);
                    let limit = if close {
                        (f64::from(ceiling) * (1.0 + CEILING_CLOSE)) as u32
                    } else {
                        (self.target + ceiling) / 2
                    };
                    to = to.min(limit);
                }
                match self.capacity {
                    Some(c) if c > f64::from(self.target) + 1.0 => to = to.min(c as u32),
                    // At or above it and clear: the link carries more than was read.
                    Some(_) => self.capacity = None,
                    None => {}
                }
                self.probe(to, &s)
            }
            // No rate learned yet (only TCP's slow start was seen): large steps, each one a
            // probe, so one that overshoots goes back at once instead of waiting for a
            // congestion drop.
            None => self.probe(step_to(f64::from(self.target)), &s),
        }
    }

    /// Raises the target to `to` on probation (see Phase::Probing).
    fn probe(&mut self, to: u32, s: &Signal) -> Option<BitrateChange> {
        let from = self.target;
        let change = self.set(to, s.at, Reason::Recovery);
        if change.is_some() {
            self.phase = Phase::Probing {
                from,
                since: s.at,
                backlog_ms: s.backlog_ms,
                peak_ms: s.backlog_ms,
            };
        }
        change
    }

    /// A probe near a known limit (from just below it to NEAR_LIFTED above it) is
    /// confirmed more slowly than one far from it.
    fn probe_confirm(&self) -> Duration {
        let target = f64::from(self.target);
        let near = |l: u32| (f64::from(l) * 0.97..f64::from(l) * NEAR_LIFTED).contains(&target);
        if self.failed.or(self.lifted).is_some_and(near) {
            PROBE_CONFIRM_NEAR_LIMIT
        } else {
            PROBE_CONFIRM
        }
    }

    /// The link is congested: what it carries now is (at most) its rate. `new_episode`
    /// forgets the readings of earlier episodes.
    fn note_capacity(&mut self, s: &Signal, new_episode: bool) {
        let Some(reading) = s.throughput_kbps.filter(|_| !self.in_slow_start(s.at)) else {
            return;
        };
        let earlier = self.capacity.filter(|_| !new_episode).unwrap_or(0.0);
        self.capacity = Some(reading.max(earlier));
    }

    /// TCP's slow start (see SLOW_START): what the link carries says little about its rate.
    fn in_slow_start(&self, at: Duration) -> bool {
        self.connected_since
            .is_none_or(|since| at.saturating_sub(since) < SLOW_START)
    }

    /// The current target failed: it caps the probes (the lowest such level counts).
    fn note_failed(&mut self) {
        self.failed = Some(self.failed.map_or(self.target, |f| f.min(self.target)));
    }

    fn set(&mut self, kbps: u32, at: Duration, reason: Reason) -> Option<BitrateChange> {
        let to = kbps.clamp(self.min_kbps, self.max_kbps);
        if to == self.target {
            return None;
        }
        let change = BitrateChange {
            from: self.target,
            to,
            reason,
        };
        self.target = to;
        self.changed_at = at;
        self.clear_since = None;
        self.queued_since = None;
        Some(change)
    }
}

#[cfg(test)]
mod tests;
