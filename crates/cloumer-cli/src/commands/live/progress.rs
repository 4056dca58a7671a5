//! What `cloumer live` prints: a human status line per second on stderr, and with `--json`
//! one JSON object a line on stdout (`{"event":"state",...}`, `{"event":"stats",...}`).
//! Stats carry `viewers` where the backend counts them (see `audience`).

use std::io::Write;
use std::time::UNIX_EPOCH;

use cloumer_engine::{BitrateChange, SessionState, Stats};
use cloumer_api::StreamStatus;
use serde_json::{Value, json};
use tokio::sync::watch;

pub(super) struct Printer {
    json: bool,
    /// `--bitrate`: the status line shows the target only when it differs.
    bitrate_kbps: u32,
    /// The backend's latest view of the stream, when streaming to the account.
    audience: Option<watch::Receiver<Option<StreamStatus>>>,
}

impl Printer {
    pub(super) fn new(
        json: bool,
        bitrate_kbps: u32,
        audience: Option<watch::Receiver<Option<StreamStatus>>>,
    ) -> Self {
        Self {
            json,
            bitrate_kbps,
            audience,
        }
    }

    /// Current viewers, where the backend has told them.
    fn viewers(&self) -> Option<u64> {
        let audience = self.audience.as_ref()?;
        let status = audience.borrow();
        status.as_ref()?.viewer_count
    }

    /// `{"event":"bitrate","from":N,"to":N,"reason":"congestion"|"recovery"}`.
    pub(super) fn bitrate(&mut self, change: &BitrateChange) {
        tracing::info!(
            from = change.from,
            to = change.to,
            reason = change.reason.as_str(),
            "video bitrate"
        );
        if self.json {
            emit(bitrate_json(change));
        }
    }

    pub(super) fn state(&mut self, state: &SessionState) {
        if matches!(state, SessionState::Idle) {
            return;
        }
        match state {
            SessionState::Reconnecting { attempt } => {
                eprintln!("reconnecting (attempt {attempt})...")
            }
            SessionState::Failed { .. } => {}
            other => eprintln!("{}", other.name()),
        }
        if self.json {
            emit(state_json(state));
        }
    }

    pub(super) fn stats(&mut self, state: &SessionState, stats: &Stats) {
        let viewers = self.viewers();
        let mut line = status_line(state, stats, self.bitrate_kbps);
        if let Some(n) = viewers {
            line.push_str(&format!("  viewers {n}"));
        }
        eprintln!("{line}");
        if self.json
            && let Ok(Value::Object(mut fields)) = serde_json::to_value(stats)
        {
            fields.insert("event".into(), json!("stats"));
            fields.insert("state".into(), json!(state.name()));
            if let Some(n) = viewers {
                fields.insert("viewers".into(), json!(n));
            }
            emit(Value::Object(fields));
        }
    }
}

fn emit(value: Value) {
    let mut out = std::io::stdout().lock();
    // A closed stdout (e.g. `| head`) must not kill the broadcast.
    let _ = writeln!(out, "{value}");
    let _ = out.flush();
}

pub(super) fn state_json(state: &SessionState) -> Value {
    let mut v = json!({"event": "state", "state": state.name()});
    match state {
        SessionState::Live { since } => {
            let secs = since
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or(0.0);
            v["since"] = json!(secs);
        }
        SessionState::Reconnecting { attempt } => v["attempt"] = json!(attempt),
        SessionState::Stopped { reason } => v["reason"] = json!(reason.as_str()),
        SessionState::Failed { error } => {
            v["kind"] = json!(error.kind());
            v["error"] = json!(error.to_string());
        }
        _ => {}
    }
    v
}

pub(super) fn bitrate_json(change: &BitrateChange) -> Value {
    json!({
        "event": "bitrate",
        "from": change.from,
        "to": change.to,
        "reason": change.reason.as_str(),
    })
}

fn status_line(state: &SessionState, s: &Stats, bitrate_kbps: u32) -> String {
    let secs = s.uptime_secs as u64;
    let mut line = format!(
        "{:<12} {:02}:{:02}:{:02}  {:>6.0} kbps  {:>4.1} fps  dropped {}  encoder {}",
        state.name(),
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        s.output_bitrate_kbps,
        s.fps,
        s.frames_dropped,
        if s.encoder.is_empty() {
            "-"
        } else {
            &s.encoder
        },
    );
    if s.target_bitrate_kbps != 0 && s.target_bitrate_kbps != bitrate_kbps {
        line.push_str(&format!(
            "  target {} kbps (network can't keep up)",
            s.target_bitrate_kbps
        ));
    }
    if s.bytes_sent > 0 {
        line.push_str(&format!("  sent {:.1} MB", s.bytes_sent as f64 / 1e6));
    }
    if s.reconnects > 0 {
        line.push_str(&format!("  reconnects {}", s.reconnects));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_objects_follow_the_contract() {
        let v = state_json(&SessionState::Connecting);
        assert_eq!(v, json!({"event": "state", "state": "connecting"}));
        let v = state_json(&SessionState::Failed {
            error: cloumer_engine::Error::Tls("bad cert".into()),
        });
        assert_eq!(v["state"], "failed");
        assert_eq!(v["kind"], "tls");
    }

    #[test]
    fn bitrate_lines_follow_the_contract() {
        let v = bitrate_json(&BitrateChange {
            from: 3500,
            to: 1200,
            reason: cloumer_engine::BitrateChangeReason::Congestion,
        });
        assert_eq!(
            v,
            json!({"event": "bitrate", "from": 3500, "to": 1200, "reason": "congestion"})
        );
    }

    #[test]
    fn the_status_line_shows_the_target_only_when_lowered() {
        let mut stats = Stats {
            target_bitrate_kbps: 3500,
            ..Stats::default()
        };
        assert!(!status_line(&SessionState::Connecting, &stats, 3500).contains("target"));
        stats.target_bitrate_kbps = 1200;
        assert!(status_line(&SessionState::Connecting, &stats, 3500).contains("target 1200 kbps"));
    }
}
