//! IVS Chat client (ivs-reference.md): a WebSocket to the chat endpoint with a chat token
//! as the sub-protocol, typed events, and reconnection with a FRESH token from a
//! [`TokenProvider`] (R5 when logged in, R4 otherwise) after backoff.
//!
//! Content is sent exactly as typed: never pre-escaped (the seed's bug B11); serde_json
//! does the one JSON escaping the wire needs.

mod connection;
mod events;

use std::sync::Arc;

pub use connection::{ChatClient, ChatOptions, check_content};
pub use events::{ChatEvent, ConnectionState};

use crate::models::ChatToken;
use crate::{Account, Error, Result};

/// Where chat tokens come from; called again for every (re)connection.
#[async_trait::async_trait]
pub trait TokenProvider: Send + Sync {
    async fn chat_token(&self) -> Result<ChatToken>;
}

/// Tokens for one channel from an [`Account`]: R5 when logged in, R4 otherwise.
pub struct AccountTokens {
    account: Arc<Account>,
    channel: String,
}

impl AccountTokens {
    pub fn new(account: Arc<Account>, channel: impl Into<String>) -> Self {
        Self {
            account,
            channel: channel.into(),
        }
    }
}

#[async_trait::async_trait]
impl TokenProvider for AccountTokens {
    async fn chat_token(&self) -> Result<ChatToken> {
        match self.account.chat_token(&self.channel).await {
            // R4/R5 answer 404 for a channel that does not exist: say which.
            Err(Error::NotFound { .. }) => Err(Error::NotFound {
                what: format!("channel `{}`", self.channel),
            }),
            other => other,
        }
    }
}
