//! The seams between the HTTP API and the chat and ingest services. The REST handlers only
//! see these traits, so an AWS deployment can mint IVS Chat tokens and read IVS playback
//! URLs instead.

use async_trait::async_trait;
use cloumer_protocol::chat::{Attributes, Capability};
use cloumer_protocol::rest::ChatTokenResponse;

use crate::Result;

/// What a chat token grants.
#[derive(Debug, Clone)]
pub struct ChatGrant {
    /// The room: the channel name.
    pub room: String,
    pub user_id: String,
    pub capabilities: Vec<Capability>,
    pub attributes: Attributes,
    pub session_duration_minutes: u32,
}

#[async_trait]
pub trait ChatRooms: Send + Sync {
    async fn mint_token(&self, grant: ChatGrant) -> Result<ChatTokenResponse>;
}

/// Where a channel is played back and published.
pub trait MediaUrls: Send + Sync {
    /// The HLS playlist URL of a channel.
    fn playback_url(&self, channel: &str) -> String;
    /// The RTMPS ingest URL ending in `/app/` (the stream key is appended).
    fn rtmps_url(&self) -> String;
    fn rtmp_url(&self) -> String;
}

/// Control of a channel's live stream, shaped like IVS's `StopStream`, so an AWS deployment
/// can implement it with that call and the local ingest disconnects its publisher.
#[async_trait]
pub trait StreamControl: Send + Sync {
    /// Disconnects the channel's publisher, if it has one. Not being live is not an error
    /// (an IVS implementation answers `ChannelNotBroadcasting` with `Ok`): the caller wants
    /// the channel off the air, and it is.
    async fn stop_stream(&self, channel: &str) -> Result<()>;
}
