//! Accepting with back-off. When accept fails (EMFILE: out of file handles, ENOBUFS, ...)
//! the pending connection stays queued and the listener stays readable, so retrying at once
//! spins a core and floods the log (issue 15 #2). Here the loop sleeps, doubling from 10 ms
//! to 1 s while the failures last, and logs at most a line a second with a count.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};

use super::throttled_log::ThrottledLog;
use super::{ConnLimiter, ConnPermit};

const FIRST_BACKOFF: Duration = Duration::from_millis(10);
const MAX_BACKOFF: Duration = Duration::from_secs(1);

pub(crate) struct Acceptor {
    listener: TcpListener,
    /// `HTTP`, `RTMP`, `RTMPS`: names the listener in log lines.
    name: &'static str,
    limiter: Arc<ConnLimiter>,
    failures: ThrottledLog,
    refusals: ThrottledLog,
}

impl Acceptor {
    pub fn new(listener: TcpListener, name: &'static str, limiter: Arc<ConnLimiter>) -> Self {
        Self {
            listener,
            name,
            limiter,
            failures: ThrottledLog::default(),
            refusals: ThrottledLog::default(),
        }
    }

    /// The next connection within the caps; over-cap connections are closed here.
    /// Cancel-safe (as `TcpListener::accept`): fit for `select!`.
    pub async fn accept(&mut self) -> (TcpStream, SocketAddr, ConnPermit) {
        let mut backoff = FIRST_BACKOFF;
        loop {
            let (stream, peer) = match self.listener.accept().await {
                Ok(accepted) => accepted,
                Err(error) => {
                    if let Some(count) = self.failures.hit() {
                        tracing::warn!(listener = self.name, %error, count, "accept failed; backing off");
                    }
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
            };
            backoff = FIRST_BACKOFF;
            match self.limiter.try_acquire(peer.ip()) {
                Ok(permit) => return (stream, peer, permit),
                Err(refusal) => {
                    if let Some(count) = self.refusals.hit() {
                        tracing::warn!(listener = self.name, %peer, count, "closed connections: {}", refusal.as_str());
                    }
                    drop(stream);
                }
            }
        }
    }
}
