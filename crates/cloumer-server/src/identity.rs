//! Who calls a `/stream/*` route. Each home verifies it its own way: `cloumer serve`
//! checks its own ID tokens, on AWS API Gateway's Cognito authorizer has verified the
//! token and the Lambda reads the `sub` of the authorizer's claims. Either way only the
//! `sub` is taken from the token; the channel comes from our own `sub` → channel mapping
//! (the seed trusted `custom:chanelName`: W1).

use async_trait::async_trait;
use axum::http::request::Parts;

use crate::Result;

/// A verified caller.
#[derive(Debug, Clone)]
pub struct Identity {
    pub sub: String,
    /// Shown as the chat `username` of their messages.
    pub nickname: String,
}

#[async_trait]
pub trait Identify: Send + Sync {
    /// The caller of a request, or `None` when it carries no valid identity (401).
    async fn identify(&self, parts: &Parts) -> Result<Option<Identity>>;
}
