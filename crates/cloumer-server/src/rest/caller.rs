//! The signed-in caller of a `/stream/*` route: a verified ID token, bare or with
//! `Bearer `, mapped to the caller's channel through the server-side `sub` → channel
//! mapping. The `custom:chanelName` claim is never trusted (the seed's W1).

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::ApiFailure;
use crate::auth::jwt::IdClaims;
use crate::state::SharedState;
use crate::store::{Channel, User};

pub struct Caller {
    pub claims: IdClaims,
    pub user: User,
    pub channel: Channel,
}

impl FromRequestParts<SharedState> for Caller {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(ApiFailure::unauthorized)?
            .trim();
        let token = header.strip_prefix("Bearer ").unwrap_or(header).trim();
        let claims = state
            .tokens
            .get()
            .await?
            .verify_id(token)
            .map_err(|_| ApiFailure::unauthorized())?;
        // Signed-out sessions lose their ID tokens too.
        let session = state.sessions.session(&claims.origin_jti).await?;
        if session.is_none_or(|s| s.revoked) {
            return Err(ApiFailure::unauthorized());
        }
        let user = state
            .users
            .user_by_sub(&claims.sub)
            .await?
            .ok_or_else(ApiFailure::unauthorized)?;
        let channel = state
            .channels
            .channel_by_owner(&claims.sub)
            .await?
            .ok_or_else(|| {
                ApiFailure::new(
                    axum::http::StatusCode::FORBIDDEN,
                    "this account has no channel",
                )
            })?;
        Ok(Self {
            claims,
            user,
            channel,
        })
    }
}
