//! The seams between the REST handlers and the services a deployment provides besides
//! storage ([`crate::store`]): chat tokens (IVS Chat's CreateChatToken on AWS, this
//! process's [`crate::chat::ChatService`] here) and a channel's video side (IVS on AWS,
//! [`crate::ingest::LocalMedia`] here).

use async_trait::async_trait;
use cloumer_protocol::chat::{Attributes, Capability};
use cloumer_protocol::rest::ChatTokenResponse;

use crate::Result;

/// What a chat token grants: CreateChatToken's parameters.
#[derive(Debug, Clone)]
pub struct ChatGrant {
    /// The room: the channel name.
    pub room: String,
    pub user_id: String,
    pub capabilities: Vec<Capability>,
    /// `username` and `avatar`: the sender attributes of this user's messages.
    pub attributes: Attributes,
    pub session_duration_minutes: u32,
}

#[async_trait]
pub trait ChatRooms: Send + Sync {
    async fn mint_token(&self, grant: ChatGrant) -> Result<ChatTokenResponse>;
}

/// A channel's video side, shaped like IVS: where it is played back and published, and
/// StopStream.
#[async_trait]
pub trait Media: Send + Sync {
    /// The HLS playlist URL of a channel.
    fn playback_url(&self, channel: &str) -> String;
    /// The RTMPS ingest URL ending in `/app/` (the stream key is appended).
    fn rtmps_url(&self) -> String;
    /// Disconnects the channel's publisher, if it has one. Not being live is not an error
    /// (an IVS implementation answers `ChannelNotBroadcasting` with `Ok`): the caller wants
    /// the channel off the air, and it is.
    async fn stop_stream(&self, channel: &str) -> Result<()>;
}
