//! Health and audience while live (issue 20 #6): the backend's view of the stream every
//! 5 s, beside the engine's own stats. Own IVS channel: GetStream (throttled by
//! `AwsChannelDestination::health`); a CLOUMER account (or "try it locally"): the additive
//! `GET /stream/v1/stream`, same shape. Custom RTMP has no such view. Its own task, so a slow
//! backend never delays the stats or the stream.

use std::sync::Arc;
use std::time::Duration;

use cloumer_api::destination::aws::AwsChannelDestination;
use cloumer_engine::SessionState;
use tokio::sync::watch;

use super::Services;
use super::backend::ActiveBackend;

/// IVS allows 5 GetStream requests a second per account; a number people glance at needs
/// no more than one every 5 s.
const POLL: Duration = Duration::from_secs(5);

/// What the stats panel shows next to the engine's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audience {
    pub viewers: Option<u32>,
    /// `HEALTHY`, `STARVING` or `UNKNOWN` as the ingest sees the stream.
    pub health: Option<String>,
}

/// Where the channel's type, health and audience come from for the chosen backend.
pub(super) enum Source {
    Ivs(Arc<AwsChannelDestination>),
    Account(Arc<cloumer_api::Account>),
}

impl Services {
    /// The channel source of the backend in use; `None` for custom RTMP or signed out.
    pub(super) async fn channel_source(&self) -> Option<Source> {
        let ivs = match self.backend.lock().await.as_ref()? {
            ActiveBackend::Ivs { channel, .. } => Some(channel.clone()),
            ActiveBackend::Rtmp(_) => return None,
            ActiveBackend::Local { .. } | ActiveBackend::Cloumer { .. } => None,
        };
        match ivs {
            Some(channel) => Some(Source::Ivs(channel)),
            None => self.signed_in().await.ok().map(Source::Account),
        }
    }
}

/// Polls `source` every [`POLL`] until the session ends; the latest answer is in the
/// receiver (default until the first).
pub(super) fn watch(
    source: Source,
    mut ended: watch::Receiver<SessionState>,
) -> watch::Receiver<Audience> {
    let (tx, rx) = watch::channel(Audience::default());
    tauri::async_runtime::spawn(async move {
        let source = Arc::new(source);
        loop {
            let asked = source.clone();
            let answer = tokio::time::timeout(POLL, ask(asked));
            tokio::select! {
                _ = ended.wait_for(SessionState::is_terminal) => return,
                answer = answer => match answer {
                    Ok(Some(audience)) => { tx.send_replace(audience); }
                    Ok(None) => {}
                    Err(_) => tracing::debug!("the stream status took over {POLL:?}"),
                },
            }
            tokio::select! {
                _ = ended.wait_for(SessionState::is_terminal) => return,
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    });
    rx
}

async fn ask(source: Arc<Source>) -> Option<Audience> {
    match source.as_ref() {
        Source::Ivs(channel) => match channel.health().await {
            Ok(Some(h)) => Some(Audience {
                // IVS says -1 when it could not count.
                viewers: u32::try_from(h.viewer_count).ok(),
                health: Some(h.health),
            }),
            Ok(None) => Some(Audience::default()),
            Err(e) => {
                tracing::debug!(error = %e, "no IVS stream health");
                None
            }
        },
        Source::Account(api) => {
            let api = api.clone();
            // Account calls run off the UI's runtime workers (see `account::off_thread`).
            let status =
                super::account::off_thread(move || async move { api.stream_status().await }).await;
            match status {
                Ok(s) => Some(Audience {
                    viewers: s.viewer_count.and_then(|n| u32::try_from(n).ok()),
                    health: (s.state == "LIVE").then_some(s.health),
                }),
                Err(e) => {
                    tracing::debug!(error = ?e, "no stream status");
                    None
                }
            }
        }
    }
}
