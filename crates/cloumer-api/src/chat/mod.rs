//! IVS Chat client (ivs-reference.md): a WebSocket to the chat endpoint with a chat token
//! as the sub-protocol, typed events, and reconnection with a FRESH token from a
//! [`TokenProvider`] (R5 when logged in, R4 otherwise) after backoff.
//!
//! Content is sent exactly as typed: never pre-escaped (the seed's bug B11); serde_json
//! does the one JSON escaping the wire needs.

mod connection;
mod events;

use std::sync::Arc;

pub use connection::{ChatClient, ChatOptions};
pub use events::{ChatEvent, ConnectionState};

use crate::models::ChatToken;
use crate::{Account, Result};

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
        self.account.chat_token(&self.channel).await
    }
}
