//! The signed-in caller of a `/stream/*` route: the identity the home verified (see
//! [`crate::identity`]), mapped to the caller's channel through the server-side `sub` →
//! channel mapping. The `custom:chanelName` claim is never trusted (the seed's W1).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::ApiFailure;
use super::state::SharedRest;
use crate::identity::Identity;
use crate::store::Channel;

pub struct Caller {
    pub identity: Identity,
    pub channel: Channel,
}

impl FromRequestParts<SharedRest> for Caller {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedRest,
    ) -> Result<Self, Self::Rejection> {
        let identity = state
            .identity
            .identify(parts)
            .await?
            .ok_or_else(ApiFailure::unauthorized)?;
        let channel = state
            .channels
            .channel_by_owner(&identity.sub)
            .await?
            .ok_or_else(|| {
                ApiFailure::new(
                    axum::http::StatusCode::FORBIDDEN,
                    "this account has no channel",
                )
            })?;
        Ok(Self { identity, channel })
    }
}
