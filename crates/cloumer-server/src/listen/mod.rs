//! What every listener of the server shares: connection caps, accept with back-off, and the
//! file-handle budget they are sized from.
//!
//! ```text
//!            accept() ──error (EMFILE, ...)──> sleep 10 ms .. 1 s, log ≤ 1/s with a count
//!               │
//!               ▼
//!   ConnLimiter::try_acquire(peer) ──over the global or per-address cap──> close at once
//!               │ ConnPermit (released on drop)
//!               ▼
//!   HTTP: hyper connection (header-read timeout)     RTMP(S): handshake + publish deadline
//! ```
//!
//! Closing an over-cap connection at once is what nginx's `limit_conn` does (there with a
//! 503): the socket costs a file handle for microseconds, and the caps keep one client
//! address from taking the handles the REST API and other publishers need (issue 15 #2).

mod accept;
pub(crate) mod http;
mod limiter;
mod nofile;
mod throttled_log;

pub(crate) use accept::Acceptor;
pub(crate) use limiter::{ConnLimiter, ConnPermit};
pub(crate) use nofile::raise_nofile_limit;

/// The caps of this process's listeners, sized from its file-handle limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Caps {
    /// Open HTTP connections (WebSockets included).
    pub http_total: usize,
    pub http_per_address: usize,
    /// RTMP + RTMPS connections that have not started publishing yet (publishers need a
    /// valid stream key and are one per channel, so they need no cap of their own).
    pub ingest_pending_total: usize,
    pub ingest_pending_per_address: usize,
}

impl Caps {
    /// Handles kept for everything but sockets: SQLite, recordings, GStreamer, logs.
    const RESERVED: u64 = 128;

    /// Half the usable handles for HTTP, an eighth for not-yet-publishing ingest
    /// connections, the rest for publishers, chat fan-out peaks and files.
    pub fn from_nofile(nofile: u64) -> Self {
        let usable = usize::try_from(nofile.saturating_sub(Self::RESERVED)).unwrap_or(usize::MAX);
        let http_total = (usable / 2).clamp(32, 16_384);
        let ingest_pending_total = (usable / 8).clamp(16, 1_024);
        Self {
            http_total,
            // A browser opens ~6 connections to a host, a chat viewer one more; 256 leaves
            // room for a NAT of viewers or a busy loopback client.
            http_per_address: (http_total / 4).clamp(8, 256),
            ingest_pending_total,
            // An encoder connects once per output; a few retries must not lock it out.
            ingest_pending_per_address: (ingest_pending_total / 8).clamp(4, 32),
        }
    }

    /// The caps for this process, after raising its file-handle limit (once).
    pub fn for_this_process() -> Self {
        Self::from_nofile(raise_nofile_limit())
    }
}

#[cfg(test)]
mod tests {
    use super::Caps;

    #[test]
    fn caps_grow_with_the_handle_limit_and_stay_bounded() {
        let small = Caps::from_nofile(256);
        assert_eq!((small.http_total, small.ingest_pending_total), (64, 16));
        assert!(small.http_per_address <= small.http_total);
        let usual = Caps::from_nofile(20_000);
        assert_eq!(usual.ingest_pending_total, 1_024);
        assert_eq!(usual.ingest_pending_per_address, 32);
        assert_eq!(usual.http_per_address, 256);
        let huge = Caps::from_nofile(u64::MAX);
        assert_eq!(huge.http_total, 16_384);
    }
}
