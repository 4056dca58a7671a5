//! Ending a publish from outside the connection: the local side of
//! [`crate::media::StreamControl`] (IVS StopStream). Rotating a stream key calls it, so a
//! publish that used the old key ends within a second (issue 15 #17).

use std::sync::Arc;

use async_trait::async_trait;

use super::IngestContext;
use crate::media::StreamControl;

/// A handle on the running ingest's publishers.
#[derive(Clone)]
pub struct IngestControl {
    pub(crate) context: Arc<IngestContext>,
}

impl IngestControl {
    /// Disconnects the channel's publisher; `false` when it has none.
    pub fn stop_channel(&self, channel: &str) -> bool {
        self.context.stop_publisher(channel)
    }
}

#[async_trait]
impl StreamControl for IngestControl {
    async fn stop_stream(&self, channel: &str) -> crate::Result<()> {
        if self.stop_channel(channel) {
            tracing::info!(%channel, "stopping the channel's publish (StopStream)");
        }
        Ok(())
    }
}
