//! Shared state of the HTTP handlers.

use std::sync::Arc;

use crate::auth::outbox::Outbox;
use crate::auth::tokens::Tokens;
use crate::media::{ChatRooms, Media};
use crate::store::{
    AvatarStore, ChannelStore, ModeratorStore, SessionStore, StreamEventLog, UserStore,
};

/// Identity of this user pool.
pub struct Pool {
    pub region: String,
    /// `<region>_<id>`.
    pub pool_id: String,
    pub client_id: String,
    /// Key of the SRP secret block MAC and of the private SRP values.
    pub srp_secret: Vec<u8>,
}

impl Pool {
    /// The part of the pool id SRP hashes.
    pub fn pool_name(&self) -> &str {
        self.pool_id
            .split_once('_')
            .map_or(self.pool_id.as_str(), |(_, n)| n)
    }
}

pub struct AppState {
    pub pool: Pool,
    pub api_url: String,
    pub users: Arc<dyn UserStore>,
    pub sessions: Arc<dyn SessionStore>,
    pub channels: Arc<dyn ChannelStore>,
    pub moderators: Arc<dyn ModeratorStore>,
    pub avatars: Arc<dyn AvatarStore>,
    pub events: Arc<dyn StreamEventLog>,
    pub tokens: Arc<Tokens>,
    pub outbox: Outbox,
    pub chat: Arc<dyn ChatRooms>,
    /// Playback and ingest URLs, StopStream (the local ingest, or IVS).
    pub media: Arc<dyn Media>,
    /// The type of channels created from now on.
    pub channel_type: crate::ingest::ChannelType,
    /// Throttles, lockouts, spent SRP challenges and the CPU pool of the auth endpoint.
    pub auth_guard: crate::auth::guard::AuthGuard,
}

impl AppState {
    /// The public URL of an avatar file, or of the default image.
    pub fn avatar_url(&self, file: Option<&str>) -> String {
        format!(
            "{}/media/avatars/{}",
            self.api_url,
            file.unwrap_or(crate::rest::avatar::DEFAULT_AVATAR)
        )
    }
}

pub type SharedState = Arc<AppState>;
