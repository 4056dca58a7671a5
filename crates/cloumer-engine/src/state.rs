//! The session's state machine as pure data and one pure function, so every transition is
//! testable as a table without GStreamer.
//!
//! ```text
//!  Idle --Start--> Connecting --Connected--> Live{since} --ConnectionLost--> Reconnecting{n}
//!                      |                       ^                                 |
//!                      |                       +------------Connected------------+
//!   any active --Stop--> Stopping --Drained--> Stopped{reason}
//!   any active --Fail--> Failed{error}          (active = Connecting, Live, Reconnecting, Stopping)
//! ```

use std::time::SystemTime;

use crate::error::Error;

#[derive(Debug, Clone, PartialEq)]
pub enum SessionState {
    Idle,
    Connecting,
    Live { since: SystemTime },
    Reconnecting { attempt: u32 },
    Stopping,
    Stopped { reason: StopReason },
    Failed { error: Error },
}

impl SessionState {
    /// The stable lower-case name (`connecting`, `live`, ...) used in JSON and logs.
    pub fn name(&self) -> &'static str {
        match self {
            SessionState::Idle => "idle",
            SessionState::Connecting => "connecting",
            SessionState::Live { .. } => "live",
            SessionState::Reconnecting { .. } => "reconnecting",
            SessionState::Stopping => "stopping",
            SessionState::Stopped { .. } => "stopped",
            SessionState::Failed { .. } => "failed",
        }
    }

    /// Stopped or Failed: nothing more will happen in this session.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            SessionState::Stopped { .. } | SessionState::Failed { .. }
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// `stop()` was called (Ctrl-C, `--duration`, the Stop button).
    Requested,
    /// Every source ended by itself (a device went away) and the pipeline drained.
    SourcesEnded,
}

impl StopReason {
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::Requested => "requested",
            StopReason::SourcesEnded => "sources-ended",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The pipeline was built and set to PLAYING.
    Start,
    /// The output is delivering: the ingest accepted the stream (or, recording only, the
    /// pipeline is running).
    Connected { at: SystemTime },
    /// The connection dropped; the output retries (capture and recording keep running).
    ConnectionLost { attempt: u32 },
    /// Stop was asked: EOS goes down the pipeline so files end valid.
    Stop,
    /// EOS reached every sink (or the drain timed out) and the pipeline is down.
    Drained,
    /// Something failed that retrying will not fix.
    Fail(Error),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid session transition: {event} while {state}")]
pub struct InvalidTransition {
    pub state: &'static str,
    pub event: String,
}

/// The next state after `event`, or why the event makes no sense now.
pub fn next(state: &SessionState, event: Event) -> Result<SessionState, InvalidTransition> {
    use SessionState as S;
    let invalid = |event: &Event| InvalidTransition {
        state: state.name(),
        event: event_name(event).to_owned(),
    };
    Ok(match (state, event) {
        (S::Idle, Event::Start) => S::Connecting,
        (S::Connecting | S::Reconnecting { .. }, Event::Connected { at }) => S::Live { since: at },
        (
            S::Live { .. } | S::Connecting | S::Reconnecting { .. },
            Event::ConnectionLost { attempt },
        ) => S::Reconnecting { attempt },
        (S::Idle, Event::Stop) => S::Stopped {
            reason: StopReason::Requested,
        },
        (S::Connecting | S::Live { .. } | S::Reconnecting { .. }, Event::Stop) => S::Stopping,
        // Stopping twice is harmless (Ctrl-C pressed again while draining).
        (S::Stopping, Event::Stop) => S::Stopping,
        (S::Stopping, Event::Drained) => S::Stopped {
            reason: StopReason::Requested,
        },
        (S::Connecting | S::Live { .. } | S::Reconnecting { .. }, Event::Drained) => S::Stopped {
            reason: StopReason::SourcesEnded,
        },
        (
            S::Connecting | S::Live { .. } | S::Reconnecting { .. } | S::Stopping,
            Event::Fail(error),
        ) => S::Failed { error },
        (_, event) => return Err(invalid(&event)),
    })
}

fn event_name(event: &Event) -> &'static str {
    match event {
        Event::Start => "start",
        Event::Connected { .. } => "connected",
        Event::ConnectionLost { .. } => "connection-lost",
        Event::Stop => "stop",
        Event::Drained => "drained",
        Event::Fail(_) => "fail",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SessionState as S;

    fn t0() -> SystemTime {
        SystemTime::UNIX_EPOCH
    }

    fn failed() -> S {
        S::Failed {
            error: Error::Network("down".into()),
        }
    }

    #[test]
    fn transition_table() {
        let live = S::Live { since: t0() };
        let stopped = S::Stopped {
            reason: StopReason::Requested,
        };
        let ended = S::Stopped {
            reason: StopReason::SourcesEnded,
        };
        let fail = || Event::Fail(Error::Network("down".into()));
        let connected = || Event::Connected { at: t0() };
        let lost = |attempt| Event::ConnectionLost { attempt };
        // (from, event, expected: Some(state) or None = invalid)
        let table: Vec<(S, Event, Option<S>)> = vec![
            (S::Idle, Event::Start, Some(S::Connecting)),
            (S::Idle, connected(), None),
            (S::Idle, Event::Stop, Some(stopped.clone())),
            (S::Idle, fail(), None),
            (S::Idle, Event::Drained, None),
            (S::Connecting, connected(), Some(live.clone())),
            (S::Connecting, Event::Start, None),
            (S::Connecting, Event::Stop, Some(S::Stopping)),
            (S::Connecting, fail(), Some(failed())),
            (S::Connecting, lost(1), Some(S::Reconnecting { attempt: 1 })),
            (S::Connecting, Event::Drained, Some(ended.clone())),
            (live.clone(), lost(1), Some(S::Reconnecting { attempt: 1 })),
            (live.clone(), Event::Stop, Some(S::Stopping)),
            (live.clone(), fail(), Some(failed())),
            (live.clone(), Event::Start, None),
            (live.clone(), Event::Drained, Some(ended.clone())),
            (
                S::Reconnecting { attempt: 1 },
                lost(2),
                Some(S::Reconnecting { attempt: 2 }),
            ),
            (
                S::Reconnecting { attempt: 2 },
                connected(),
                Some(live.clone()),
            ),
            (
                S::Reconnecting { attempt: 2 },
                Event::Stop,
                Some(S::Stopping),
            ),
            (S::Reconnecting { attempt: 2 }, fail(), Some(failed())),
            (S::Stopping, Event::Drained, Some(stopped.clone())),
            (S::Stopping, Event::Stop, Some(S::Stopping)),
            (S::Stopping, fail(), Some(failed())),
            (S::Stopping, connected(), None),
            (S::Stopping, lost(1), None),
            (stopped.clone(), Event::Start, None),
            (stopped.clone(), Event::Stop, None),
            (stopped.clone(), fail(), None),
            (failed(), Event::Start, None),
            (failed(), Event::Stop, None),
            (failed(), connected(), None),
        ];
        for (from, event, expected) in table {
            let label = format!("{from:?} + {event:?}");
            match (next(&from, event), expected) {
                (Ok(got), Some(want)) => assert_eq!(got, want, "{label}"),
                (Err(_), None) => {}
                (got, want) => panic!("{label}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn names_are_the_cli_contract() {
        assert_eq!(S::Connecting.name(), "connecting");
        assert_eq!(S::Live { since: t0() }.name(), "live");
        assert_eq!(S::Reconnecting { attempt: 1 }.name(), "reconnecting");
        assert_eq!(S::Stopping.name(), "stopping");
        assert_eq!(
            S::Stopped {
                reason: StopReason::Requested
            }
            .name(),
            "stopped"
        );
        assert_eq!(failed().name(), "failed");
        assert!(failed().is_terminal());
    }
}
