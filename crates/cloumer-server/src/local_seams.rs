//! `cloumer serve`'s implementations of the REST seams that belong to no other module:
//! stream keys kept in SQLite, and callers identified by this pool's own ID tokens.

use std::sync::Arc;

use async_trait::async_trait;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::Result;
use crate::identity::{Identify, Identity};
use crate::media::StreamKeys;
use crate::state::SharedState;
use crate::store::sqlite::SqliteStore;

/// IVS-like stream keys (`sk_<region>_...`) in the channel rows.
pub struct LocalStreamKeys {
    pub store: Arc<SqliteStore>,
    pub region: String,
}

#[async_trait]
impl StreamKeys for LocalStreamKeys {
    async fn stream_key(&self, channel: &str) -> Result<String> {
        self.store.stream_key_of(channel).await
    }

    async fn rotate(&self, channel: &str) -> Result<String> {
        let key = crate::ids::stream_key(&self.region);
        self.store.set_stream_key(channel, &key).await?;
        Ok(key)
    }
}

/// The caller of a request is the `sub` of a valid ID token of this pool (bare or with
/// `Bearer `) whose session is not signed out.
pub struct TokenIdentity {
    pub state: SharedState,
}

#[async_trait]
impl Identify for TokenIdentity {
    async fn identify(&self, parts: &Parts) -> Result<Option<Identity>> {
        let Some(header) = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
        else {
            return Ok(None);
        };
        let token = header.strip_prefix("Bearer ").unwrap_or(header).trim();
        let Ok(claims) = self.state.tokens.get().await?.verify_id(token) else {
            return Ok(None);
        };
        // Signed-out sessions lose their ID tokens too.
        let session = self.state.store.session(&claims.origin_jti).await?;
        if session.is_none_or(|s| s.revoked) {
            return Ok(None);
        }
        Ok(self
            .state
            .store
            .user_by_sub(&claims.sub)
            .await?
            .map(|user| Identity {
                sub: user.sub,
                nickname: user.nickname,
            }))
    }
}
