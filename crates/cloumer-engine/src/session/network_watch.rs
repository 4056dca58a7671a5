//! Tells the session when the machine's network changes: a link, an address or a route
//! came or went (Wi-Fi back, cable plugged in, VPN up).
//!
//! ivssink waits up to `reconnect-delay-max-ms` between attempts; when the uplink returns
//! in the middle of that wait the stream would stay away for up to that long for nothing.
//! On a change the actor asks the sink to `reconnect-now`, which the sink ignores unless it
//! is waiting to retry, so a change while connected costs nothing.
//!
//! Linux announces these changes on the route netlink multicast groups. We only need "it
//! changed", not what changed, so the messages are not parsed: netlink-sys gives the tokio
//! socket, and a burst of messages (one link-up brings link, address and route messages)
//! is coalesced into one notice.

use std::time::Duration;

use netlink_sys::{AsyncSocket, AsyncSocketExt, SocketAddr, TokioSocket, protocols::NETLINK_ROUTE};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Multicast groups of `rtnetlink.h`: links, IPv4 and IPv6 addresses and routes.
const RTMGRP_LINK: u32 = 0x1;
const RTMGRP_IPV4_IFADDR: u32 = 0x10;
const RTMGRP_IPV4_ROUTE: u32 = 0x40;
const RTMGRP_IPV6_IFADDR: u32 = 0x100;
const RTMGRP_IPV6_ROUTE: u32 = 0x400;
const GROUPS: u32 =
    RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_IFADDR | RTMGRP_IPV6_ROUTE;

/// Messages arriving this close together are one change. Short: a retry that comes before
/// the route is back fails at once and the next message of the burst triggers another.
const SETTLE: Duration = Duration::from_millis(100);

/// A running watch; dropping it stops the task.
pub(crate) struct NetworkWatch {
    changes: mpsc::Receiver<()>,
    task: JoinHandle<()>,
}

impl NetworkWatch {
    /// `None` where route netlink cannot be opened (not Linux, a sandbox forbidding it):
    /// the stream then reconnects on ivssink's own schedule, as before.
    pub(crate) fn start() -> Option<Self> {
        let socket = match open() {
            Ok(socket) => socket,
            Err(e) => {
                tracing::debug!("network changes are not watched: {e}");
                return None;
            }
        };
        let (tx, changes) = mpsc::channel(1);
        let task = tokio::spawn(forward(socket, tx));
        Some(Self { changes, task })
    }

    /// Resolves at the next change (coalesced).
    pub(crate) async fn changed(&mut self) -> Option<()> {
        self.changes.recv().await
    }
}

impl Drop for NetworkWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn open() -> std::io::Result<TokioSocket> {
    let mut socket = TokioSocket::new(NETLINK_ROUTE)?;
    socket.socket_mut().bind(&SocketAddr::new(0, GROUPS))?;
    Ok(socket)
}

async fn forward(socket: TokioSocket, tx: mpsc::Sender<()>) {
    let mut buf = bytes::BytesMut::with_capacity(16 * 1024);
    loop {
        buf.clear();
        if let Err(e) = socket.recv(&mut buf).await {
            // ENOBUFS: the kernel dropped messages because we were slow; something changed.
            if e.raw_os_error() != Some(libc::ENOBUFS) {
                tracing::debug!("network watch stopped: {e}");
                return;
            }
        }
        // Drain the rest of the burst before telling.
        let _ = tokio::time::timeout(SETTLE, async {
            loop {
                buf.clear();
                if socket.recv(&mut buf).await.is_err() {
                    break;
                }
            }
        })
        .await;
        // A full channel already holds a notice the actor has not read: nothing to add.
        if let Err(mpsc::error::TrySendError::Closed(())) = tx.try_send(()) {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Adding an address to the loopback device is a change any root test can make and
    /// undo; it must reach the watcher.
    #[tokio::test]
    async fn an_address_change_is_noticed() {
        if !is_root() {
            cloumer_testkit::skip("needs root to add an address to the loopback device");
            return;
        }
        let mut watch = NetworkWatch::start().expect("route netlink opens");
        let address = "127.77.0.1/32";
        let ip = |verb: &str| {
            std::process::Command::new("ip")
                .args(["addr", verb, address, "dev", "lo"])
                .stderr(std::process::Stdio::null())
                .status()
        };
        let _ = ip("del");
        assert!(ip("add").expect("ip runs").success());
        let seen = tokio::time::timeout(Duration::from_secs(2), watch.changed()).await;
        let _ = ip("del");
        assert_eq!(seen, Ok(Some(())), "the address change was not noticed");
    }

    fn is_root() -> bool {
        // SAFETY: geteuid has no preconditions and cannot fail.
        unsafe { libc::geteuid() == 0 }
    }
}
