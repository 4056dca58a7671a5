//! This process's side of [`Media`], the seam IVS fills on AWS: playback from the HLS this
//! ingest writes, publishing to its RTMPS listener, and StopStream by disconnecting the
//! publisher. Rotating a stream key calls StopStream, so a publish that used the old key
//! ends within a second (issue 15 #17).

use std::sync::Arc;

use async_trait::async_trait;
use cloumer_protocol::rest::StreamStatus;

use super::IngestContext;
use crate::media::Media;

/// The running ingest's publishers and addresses, as the REST handlers see them.
pub struct LocalMedia {
    pub(super) context: Arc<IngestContext>,
    /// The REST base URL, which also serves HLS.
    pub(super) api_url: String,
    /// R6 `streamUrl` is the RTMPS ingest (`rtmps://host:port/app/`, see `public_url`);
    /// clients trust its certificate through the profile's `ingest_certificate`.
    pub(super) rtmps_url: String,
    /// HLS clients seen lately (the viewer counts of R2).
    pub(super) viewers: Arc<super::viewers::Viewers>,
}

#[async_trait]
impl Media for LocalMedia {
    async fn playback_url(&self, channel: &str) -> crate::Result<String> {
        Ok(format!("{}{}", self.api_url, super::playback_path(channel)))
    }

    /// One RTMPS listener serves every channel.
    async fn ingest_url(&self, _channel: &str) -> crate::Result<String> {
        Ok(self.rtmps_url.clone())
    }

    async fn viewer_count(&self, channel: &str) -> crate::Result<Option<u64>> {
        Ok(Some(self.viewers.count(channel)))
    }

    /// LIVE while a publisher holds the channel, its health from the media flow, and the
    /// HLS viewers of the last [`super::viewers::WINDOW`].
    async fn stream_status(&self, channel: &str) -> crate::Result<Option<StreamStatus>> {
        let viewers = Some(self.viewers.count(channel));
        Ok(Some(match self.context.activity(channel) {
            Some(activity) => StreamStatus {
                state: "LIVE".into(),
                health: activity.health().into(),
                viewer_count: viewers,
                start_time: Some(crate::rest::restrictions::rfc3339_ms(
                    activity.started_unix_ms(),
                )),
            },
            None => StreamStatus::offline(viewers),
        }))
    }

    async fn stop_stream(&self, channel: &str) -> crate::Result<()> {
        if self.context.stop_publisher(channel) {
            tracing::info!(%channel, "stopping the channel's publish (StopStream)");
        }
        Ok(())
    }
}
