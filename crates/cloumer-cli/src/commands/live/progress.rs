//! What `cloumer live` prints: a human status line per second on stderr, and with `--json`
//! one JSON object a line on stdout (`{"event":"state",...}`, `{"event":"stats",...}`).

use std::io::Write;
use std::time::UNIX_EPOCH;

use cloumer_engine::{SessionState, Stats};
use serde_json::{Value, json};

pub(super) struct Printer {
    json: bool,
}

impl Printer {
    pub(super) fn new(json: bool) -> Self {
        Self { json }
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
        eprintln!("{}", status_line(state, stats));
        if self.json
            && let Ok(Value::Object(mut fields)) = serde_json::to_value(stats)
        {
            fields.insert("event".into(), json!("stats"));
            fields.insert("state".into(), json!(state.name()));
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

fn status_line(state: &SessionState, s: &Stats) -> String {
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
}
