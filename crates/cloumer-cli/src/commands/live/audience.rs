//! The audience of a stream to the account's channel: the backend's view of the stream
//! (`GET /stream/v1/stream`: viewers, health) every [`POLL`], in a task of its own so a slow
//! or missing backend never holds up the broadcast. A backend without the route (the seed's)
//! just leaves the viewers unknown.

use std::path::PathBuf;
use std::time::Duration;

use cloumer_api::{Account, StreamStatus};
use tokio::sync::watch;

/// IVS allows 5 requests a second per account on GetStream; one every 5 s is plenty for a
/// number people glance at.
pub const POLL: Duration = Duration::from_secs(5);

/// Starts polling; the latest answer is in the receiver (`None` until the first). The task
/// ends when the receiver is dropped.
pub(super) fn watch(backend: Option<PathBuf>) -> watch::Receiver<Option<StreamStatus>> {
    let (tx, rx) = watch::channel(None);
    tokio::spawn(async move {
        let account = match Account::resolve(backend.as_deref()) {
            Ok(account) => account,
            Err(e) => {
                tracing::debug!(error = %e, "no account: viewers unknown");
                return;
            }
        };
        let mut tick = tokio::time::interval(POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tick.tick().await;
            match tokio::time::timeout(POLL, account.stream_status()).await {
                Ok(Ok(status)) => {
                    if tx.send(Some(status)).is_err() {
                        return;
                    }
                }
                Ok(Err(e)) => tracing::debug!(error = %e, "no stream status"),
                Err(_) => tracing::debug!("the stream status took over {POLL:?}"),
            }
            if tx.is_closed() {
                return;
            }
        }
    });
    rx
}
