//! What happens when a stream starts or ends: the channel's `isLive` flips and an
//! "IVS Stream State Change" event (Stream Start / Stream End) is logged and stored, as
//! the seed's EventBridge rule and `ivs_status_change` Lambda did — but keyed on the
//! event itself rather than "anything but Stream Start means off-air" (B6).

use std::sync::Arc;

use crate::Result;
use crate::ingest::ChannelGrant;
use crate::store::StreamStateEvent;
use crate::store::sqlite::SqliteStore;

pub const STREAM_START: &str = "Stream Start";
pub const STREAM_END: &str = "Stream End";

pub struct LiveEvents {
    pub store: Arc<SqliteStore>,
}

impl LiveEvents {
    /// The channel a stream key publishes to (and its type), if the key is current.
    pub async fn authorize(&self, stream_key: &str) -> Result<Option<ChannelGrant>> {
        Ok(self
            .store
            .channel_by_stream_key(stream_key)
            .await?
            .map(|c| ChannelGrant {
                channel: c.name,
                channel_type: c.channel_type,
            }))
    }

    pub async fn stream_started(&self, channel: &str, session_id: &str) -> Result<()> {
        self.store.set_live(channel, true).await?;
        self.emit(channel, STREAM_START, session_id).await
    }

    pub async fn stream_ended(&self, channel: &str, session_id: &str) -> Result<()> {
        self.store.set_live(channel, false).await?;
        self.emit(channel, STREAM_END, session_id).await
    }

    async fn emit(&self, channel: &str, event_name: &str, session_id: &str) -> Result<()> {
        let event = StreamStateEvent {
            channel: channel.into(),
            event_name: event_name.into(),
            session_id: session_id.into(),
            at: time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
        };
        tracing::info!(
            detail_type = "IVS Stream State Change",
            channel,
            event_name,
            session_id,
            "stream state change"
        );
        self.store.record(&event).await
    }
}

/// The ingest asks these hooks about keys and reports publish/unpublish.
#[async_trait::async_trait]
impl crate::ingest::IngestHooks for LiveEvents {
    async fn authorize(&self, stream_key: &str) -> Option<ChannelGrant> {
        match LiveEvents::authorize(self, stream_key).await {
            Ok(grant) => grant,
            Err(e) => {
                tracing::error!(error = %e, "stream key lookup failed");
                None
            }
        }
    }

    async fn stream_started(&self, channel: &str, session_id: &str) {
        if let Err(e) = LiveEvents::stream_started(self, channel, session_id).await {
            tracing::error!(error = %e, %channel, "could not record Stream Start");
        }
    }

    async fn stream_ended(&self, channel: &str, session_id: &str) {
        if let Err(e) = LiveEvents::stream_ended(self, channel, session_id).await {
            tracing::error!(error = %e, %channel, "could not record Stream End");
        }
    }
}
