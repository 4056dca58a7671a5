//! This process's side of [`Media`], the seam IVS fills on AWS: playback from the HLS this
//! ingest writes, publishing to its RTMPS listener, and StopStream by disconnecting the
//! publisher. Rotating a stream key calls StopStream, so a publish that used the old key
//! ends within a second (issue 15 #17).

use std::sync::Arc;

use async_trait::async_trait;

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

    async fn stop_stream(&self, channel: &str) -> crate::Result<()> {
        if self.context.stop_publisher(channel) {
            tracing::info!(%channel, "stopping the channel's publish (StopStream)");
        }
        Ok(())
    }
}
