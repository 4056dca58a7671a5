//! Turning rtmp2sink errors into "retry" or "give up, and why".
//!
//! rtmp2sink (GStreamer 1.22) reports, as checked against nginx-rtmp and a TLS listener:
//! * publish refused (nginx `on_publish` 403 closes the connection after `publish`):
//!   "Failed to connect: 'publish' cmd failed: connection closed remotely";
//!   a server answering NetStream.Publish.BadName etc.: "... publish failed: <code>";
//! * untrusted certificate: "Failed to connect: Unacceptable TLS certificate", debug
//!   "domain g-tls-error-quark, code 2";
//! * nothing listening: "Connection refused: Could not connect to <host>: Connection refused";
//! * a drop mid-stream: "Connection error: connection closed remotely" (RESOURCE/WRITE).

use std::time::Duration;

use super::messages::FailureKind;

/// An error message from one of our children, already redacted.
#[derive(Debug, Clone)]
pub(crate) struct ChildError {
    pub message: String,
    pub debug: String,
    pub not_authorized: bool,
}

/// What we knew about the connection when the error arrived.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context {
    /// No connection of this element has ever been accepted before this attempt.
    pub first_connection: bool,
    /// How long ago the ingest accepted `publish` on this attempt (None: it never did).
    pub published_for: Option<Duration>,
    /// Bytes the ingest acknowledged on this attempt.
    pub bytes_acked: u64,
    pub reconnect: bool,
    /// Connections in a row, this one included, that the ingest closed within
    /// [`SHORT_RUN`] of accepting `publish` (see [`count_short_runs`]).
    pub short_runs: u32,
}

/// A connection the ingest closes this soon after accepting the stream did not really run.
pub(crate) const SHORT_RUN: Duration = Duration::from_secs(15);
/// After this many such connections in a row the ingest is refusing what it receives
/// (IVS closes a stream over its channel type's limits: a 1080p stream on a BASIC channel),
/// and reconnecting again cannot help: give up with the reason instead of looping forever.
pub(crate) const MAX_SHORT_RUNS: u32 = 3;

/// The count of short connections in a row after one more ended `published_for` after the
/// ingest accepted it (`None`: it never did, an unreachable ingest that the back-off's own
/// attempt limit deals with, which neither breaks nor extends the run).
pub(crate) fn count_short_runs(before: u32, published_for: Option<Duration>) -> u32 {
    match published_for {
        Some(t) if t < SHORT_RUN => before + 1,
        Some(_) => 0,
        None => before,
    }
}

/// The reason given when the ingest keeps closing the stream. The last error goes at the
/// end: readers cut GStreamer's source-file trail that follows it.
pub(crate) fn refused_reason(short_runs: u32, last_error: &str) -> String {
    format!(
        "closed {short_runs} times in a row within {} s of accepting it: check the channel \
         type's limits (resolution, frame rate, bitrate); last: {last_error}",
        SHORT_RUN.as_secs()
    )
}

/// An ingest that refuses a key after accepting `publish` (rather than refusing `publish`)
/// cuts the connection at once. nginx-rtmp acknowledges only every 5 MB, so "nothing
/// acknowledged yet" alone would also match a normal drop in the first seconds of a stream:
/// only a drop this soon after `publish` counts as a refusal.
const REFUSAL_WINDOW: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Retry,
    Fail(FailureKind),
}

fn is_tls(err: &ChildError) -> bool {
    let text = format!("{} {}", err.message, err.debug).to_ascii_lowercase();
    text.contains("g-tls-error-quark") || text.contains("tls") || text.contains("certificate")
}

/// The certificate itself was refused: retrying cannot help, whenever it happens.
fn is_certificate_error(err: &ChildError) -> bool {
    let text = format!("{} {}", err.message, err.debug).to_ascii_lowercase();
    text.contains("certificate") || text.contains("g-tls-error-quark, code 2")
}

fn is_publish_refused(err: &ChildError) -> bool {
    let text = format!("{} {}", err.message, err.debug);
    err.not_authorized
        || text.contains("'publish' cmd failed")
        || text.contains("publish failed")
        || text.contains("NetStream.Publish.")
}

pub(crate) fn decide(err: &ChildError, ctx: Context) -> Decision {
    // An RTMPS ingest that goes away mid-stream also reports a TLS error ("TLS connection
    // closed unexpectedly"): that is a drop to retry, not a TLS failure. Only a refused
    // certificate, or a handshake that never worked on the first connection, is one.
    if is_certificate_error(err)
        || (is_tls(err) && ctx.first_connection && ctx.published_for.is_none())
    {
        return Decision::Fail(FailureKind::Tls);
    }
    if is_publish_refused(err) {
        return Decision::Fail(FailureKind::KeyRejected);
    }
    if ctx.first_connection {
        // Fail fast on the first connection instead of looping on a bad key or address:
        // never reached the point of publishing = wrong or unreachable address; accepted,
        // then cut off at once with nothing acknowledged = the key was refused.
        match ctx.published_for {
            None => return Decision::Fail(FailureKind::Network),
            Some(t) if t < REFUSAL_WINDOW && ctx.bytes_acked == 0 => {
                return Decision::Fail(FailureKind::KeyRejected);
            }
            // It streamed for a while: an ordinary drop.
            Some(_) => {}
        }
    }
    if ctx.short_runs >= MAX_SHORT_RUNS {
        return Decision::Fail(FailureKind::IngestRefused);
    }
    if ctx.reconnect {
        Decision::Retry
    } else {
        Decision::Fail(FailureKind::Network)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(message: &str, debug: &str) -> ChildError {
        ChildError {
            message: message.into(),
            debug: debug.into(),
            not_authorized: false,
        }
    }

    const LATER: Context = Context {
        first_connection: false,
        published_for: Some(Duration::from_secs(60)),
        bytes_acked: 1000,
        reconnect: true,
        short_runs: 0,
    };

    #[test]
    fn nginx_on_publish_refusal_is_key_rejected() {
        let e = err(
            "Failed to connect: 'publish' cmd failed: connection closed remotely",
            "domain g-io-error-quark, code 0",
        );
        assert_eq!(decide(&e, LATER), Decision::Fail(FailureKind::KeyRejected));
    }

    #[test]
    fn untrusted_certificate_is_tls() {
        let e = err(
            "Failed to connect: Unacceptable TLS certificate",
            "domain g-tls-error-quark, code 2",
        );
        assert_eq!(decide(&e, LATER), Decision::Fail(FailureKind::Tls));
    }

    #[test]
    fn rtmps_drop_mid_stream_is_retried() {
        let e = err(
            "Connection error: TLS connection closed unexpectedly",
            "domain g-tls-error-quark, code 4",
        );
        assert_eq!(decide(&e, LATER), Decision::Retry);
    }

    #[test]
    fn drops_after_a_good_connection_are_retried() {
        let e = err("Connection error", "");
        assert_eq!(decide(&e, LATER), Decision::Retry);
        let refused = err(
            "Connection refused: Could not connect to h: Connection refused",
            "",
        );
        assert_eq!(decide(&refused, LATER), Decision::Retry);
        let no = Context {
            reconnect: false,
            ..LATER
        };
        assert_eq!(decide(&e, no), Decision::Fail(FailureKind::Network));
    }

    #[test]
    fn first_connection_fails_fast() {
        let first = Context {
            first_connection: true,
            published_for: None,
            bytes_acked: 0,
            reconnect: true,
            short_runs: 0,
        };
        let refused = err(
            "Connection refused: Could not connect to h: Connection refused",
            "",
        );
        assert_eq!(
            decide(&refused, first),
            Decision::Fail(FailureKind::Network)
        );
        let cut = Context {
            published_for: Some(Duration::from_millis(300)),
            ..first
        };
        let drop = err("Connection error: connection closed remotely", "");
        assert_eq!(decide(&drop, cut), Decision::Fail(FailureKind::KeyRejected));
        let streamed = Context {
            published_for: Some(Duration::from_secs(5)),
            ..first
        };
        assert_eq!(decide(&drop, streamed), Decision::Retry);
    }

    #[test]
    fn an_ingest_that_keeps_closing_the_stream_is_given_up_on() {
        let drop = err("Connection error: connection closed remotely", "");
        let mut runs = 0;
        for attempt in 1..=MAX_SHORT_RUNS {
            runs = count_short_runs(runs, Some(Duration::from_secs(4)));
            let ctx = Context {
                first_connection: attempt == 1,
                published_for: Some(Duration::from_secs(4)),
                short_runs: runs,
                ..LATER
            };
            let wanted = if attempt < MAX_SHORT_RUNS {
                Decision::Retry
            } else {
                Decision::Fail(FailureKind::IngestRefused)
            };
            assert_eq!(decide(&drop, ctx), wanted, "connection {attempt}");
        }
    }

    #[test]
    fn short_runs_count_in_a_row_only() {
        let short = Some(Duration::from_secs(3));
        assert_eq!(count_short_runs(0, short), 1);
        assert_eq!(count_short_runs(2, short), 3);
        // A connection that ran for a while ends the run.
        assert_eq!(count_short_runs(2, Some(SHORT_RUN)), 0);
        // An attempt that never got accepted leaves it as it is.
        assert_eq!(count_short_runs(2, None), 2);
    }
}
