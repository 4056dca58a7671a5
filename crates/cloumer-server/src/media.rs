//! The seams between the REST handlers and the services a deployment provides besides
//! storage ([`crate::store`]): chat tokens (IVS Chat's CreateChatToken on AWS, this
//! process's chat service here), a channel's video side (IVS on AWS, the local ingest
//! here) and its stream key (IVS stream keys on AWS, a column of the local database here).

use async_trait::async_trait;
use cloumer_protocol::chat::{Attributes, Capability};
use cloumer_protocol::rest::{ChatTokenResponse, StreamStatus};

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

/// A user kept out of a room: timed out until `until_ms`, or banned (`None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomRestriction {
    pub user_id: String,
    /// Unix milliseconds at which the user may join again; `None` = until lifted.
    pub until_ms: Option<i64>,
    pub reason: String,
}

#[async_trait]
pub trait ChatRooms: Send + Sync {
    async fn mint_token(&self, grant: ChatGrant) -> Result<ChatTokenResponse>;
    /// Keeps `user_id` out of `room` as `restriction` says (replacing any earlier one) and
    /// disconnects their open sessions now, as a kick does. `moderator` is who asked (their
    /// chat user id), named in the room's event where the backend can.
    async fn restrict(
        &self,
        room: &str,
        restriction: &RoomRestriction,
        moderator: &str,
    ) -> Result<()>;
    /// Lifts the user's timeout or ban; whether there was one in force.
    async fn lift(&self, room: &str, user_id: &str) -> Result<bool>;
    /// The restrictions of `room` in force now.
    async fn restrictions(&self, room: &str) -> Result<Vec<RoomRestriction>>;
    /// The restriction in force for `user_id` in `room`, if any.
    async fn restriction(&self, room: &str, user_id: &str) -> Result<Option<RoomRestriction>>;
}

/// A channel's video side, shaped like IVS: where it is played back and published, and
/// StopStream. Async and per channel because on IVS both URLs belong to the channel.
#[async_trait]
pub trait Media: Send + Sync {
    /// The HLS playlist URL of a channel.
    async fn playback_url(&self, channel: &str) -> Result<String>;
    /// The RTMPS ingest URL of a channel, ending in `/app/` (the stream key is appended).
    async fn ingest_url(&self, channel: &str) -> Result<String>;
    /// Disconnects the channel's publisher, if it has one. Not being live is not an error
    /// (an IVS implementation answers `ChannelNotBroadcasting` with `Ok`): the caller wants
    /// the channel off the air, and it is.
    async fn stop_stream(&self, channel: &str) -> Result<()>;
    /// Playback clients of the channel in the last 10 s; `None` where the backend does not
    /// count them (IVS's GetStream `viewerCount` can fill it on AWS).
    async fn viewer_count(&self, _channel: &str) -> Result<Option<u64>> {
        Ok(None)
    }
    /// The channel's stream as IVS GetStream describes it (state, health, viewers, start);
    /// `None` where the backend cannot tell (the caller then answers from the channel row).
    async fn stream_status(&self, _channel: &str) -> Result<Option<StreamStatus>> {
        Ok(None)
    }
}

/// A channel's stream key, the secret a publisher presents.
#[async_trait]
pub trait StreamKeys: Send + Sync {
    async fn stream_key(&self, channel: &str) -> Result<String>;
    /// Replaces the key; the old one stops working. The caller then ends any publish that
    /// used the old key with [`Media::stop_stream`].
    async fn rotate(&self, channel: &str) -> Result<String>;
}
