//! Shared state of the HTTP handlers.

use std::sync::Arc;

use crate::auth::outbox::Outbox;
use crate::auth::tokens::Tokens;
use crate::store::sqlite::SqliteStore;

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
    /// Accounts, sessions, codes and channels of this pool.
    pub store: Arc<SqliteStore>,
    pub tokens: Arc<Tokens>,
    pub outbox: Outbox,
    /// The type of channels created from now on.
    pub channel_type: crate::ingest::ChannelType,
    /// Throttles, lockouts, spent SRP challenges and the CPU pool of the auth endpoint.
    pub auth_guard: crate::auth::guard::AuthGuard,
}

pub type SharedState = Arc<AppState>;
