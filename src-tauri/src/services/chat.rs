//! A channel's chat through `cloumer-api`'s IVS Chat client; every event is forwarded
//! to the UI's channel in order. Opening a room first asks for a token (what it may do:
//! its capabilities; a timed-out or banned user is refused here) and the room's recent
//! history, where the backend keeps one. Timeouts, bans and the open room's moderators
//! are in [`super::moderation`].

use std::sync::Arc;

use cloumer_api::chat::{AccountTokens, ChatClient, ChatEvent, ChatOptions, ConnectionState};
use cloumer_protocol::chat::{Capability, ChatMessage};
use tauri::ipc::Channel;
use tokio::sync::Mutex;

use super::Services;
use super::api_map::api_error;
use crate::error::{AppError, Result};
use crate::types::{ChatConnection, ChatLine, ChatRoom, ChatUpdate};

#[derive(Default)]
pub struct Chat {
    open: Mutex<Option<ChatClient>>,
    /// The open room (a channel name), for the moderation commands.
    pub(super) channel: Mutex<Option<String>>,
}

/// Messages shown on opening a room.
const HISTORY_LINES: u32 = 50;

impl Services {
    /// Opens `channel`'s chat (the user's own when `None`), replacing any open one.
    pub async fn chat_open(
        &self,
        channel: Option<String>,
        updates: Channel<ChatUpdate>,
    ) -> Result<ChatRoom> {
        let api = self.signed_in().await?;
        let own = self.account().await.map(|a| a.channel).unwrap_or_default();
        let channel = channel
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| own.clone());
        let capabilities = {
            let api = api.clone();
            let channel = channel.clone();
            super::account::off_thread(move || async move {
                let rest = api.rest();
                api.session()
                    .authorized(async |t| rest.chat_token(&t, &channel).await)
                    .await
            })
            .await?
            .capabilities
        };
        let history = self.chat_history(&api, &channel).await;
        let (_, profile) = self.backend_profile().await?;
        let endpoint = profile
            .chat_endpoint
            .clone()
            .unwrap_or_else(|| format!("wss://edge.ivschat.{}.amazonaws.com", profile.region));
        let tokens = Arc::new(AccountTokens::new(api, channel.clone()));
        let (client, mut events) = ChatClient::connect(endpoint, tokens, ChatOptions::default());
        tauri::async_runtime::spawn(async move {
            while let Some(event) = events.recv().await {
                if let Some(update) = chat_update(event)
                    && updates.send(update).is_err()
                {
                    break; // the window went away
                }
            }
        });
        // Dropping the previous handle closes its connection.
        *self.chat.open.lock().await = Some(client);
        *self.chat.channel.lock().await = Some(channel.clone());
        Ok(ChatRoom {
            is_own: channel == own,
            channel,
            can_send: capabilities.contains(&Capability::SendMessage),
            can_delete: capabilities.contains(&Capability::DeleteMessage),
            can_moderate: capabilities.contains(&Capability::DisconnectUser),
            history,
        })
    }

    /// The room's last messages, oldest first; none where the backend keeps no history
    /// (IVS Chat on AWS has no such route): the chat works without it.
    async fn chat_history(&self, api: &Arc<cloumer_api::Account>, channel: &str) -> Vec<ChatLine> {
        match api.rest().chat_history(channel, HISTORY_LINES).await {
            Ok(messages) => messages.into_iter().map(line).collect(),
            Err(e) => {
                tracing::debug!(error = %e, "no chat history");
                Vec::new()
            }
        }
    }

    pub async fn chat_send(&self, text: String) -> Result<()> {
        if text.trim().is_empty() {
            return Err(AppError::validation("text", "type a message first"));
        }
        if !cloumer_protocol::chat::content_fits(&text) {
            return Err(AppError::validation(
                "text",
                "messages are at most 500 characters",
            ));
        }
        self.with_chat(|c| c.send(&text)).await
    }

    pub async fn chat_delete(&self, message_id: String) -> Result<()> {
        self.with_chat(|c| c.delete(&message_id, None)).await
    }

    pub async fn chat_kick(&self, user_id: String) -> Result<()> {
        self.with_chat(|c| c.disconnect_user(&user_id, None)).await
    }

    async fn with_chat(
        &self,
        act: impl FnOnce(&ChatClient) -> cloumer_api::Result<String>,
    ) -> Result<()> {
        let open = self.chat.open.lock().await;
        let client = open.as_ref().ok_or_else(|| AppError::Chat {
            message: "open a chat first".into(),
        })?;
        act(client).map(drop).map_err(api_error)
    }
}

fn line(m: ChatMessage) -> ChatLine {
    ChatLine {
        name: m
            .sender
            .attributes
            .get("username")
            .cloned()
            .unwrap_or_else(|| m.sender.user_id.clone()),
        avatar: m
            .sender
            .attributes
            .get("avatar")
            .cloned()
            .unwrap_or_default(),
        id: m.id,
        user_id: m.sender.user_id,
        text: m.content,
        sent_at: m.send_time,
    }
}

fn chat_update(event: ChatEvent) -> Option<ChatUpdate> {
    Some(match event {
        ChatEvent::Message(m) => ChatUpdate::Message { line: line(m) },
        ChatEvent::Deleted {
            message_id,
            moderator,
            ..
        } => ChatUpdate::Deleted {
            message_id,
            by: moderator,
        },
        ChatEvent::UserDisconnected {
            user_id, moderator, ..
        } => ChatUpdate::Kicked {
            user_id,
            by: moderator,
        },
        ChatEvent::Error { code, message, .. } => ChatUpdate::Error {
            message: format!("{message} ({code})"),
        },
        ChatEvent::ConnectionState(state) => ChatUpdate::Connection {
            state: match state {
                ConnectionState::Connecting => ChatConnection::Connecting,
                ConnectionState::Connected => ChatConnection::Connected,
                ConnectionState::Reconnecting { .. } => ChatConnection::Reconnecting,
                ConnectionState::Closed { .. } => ChatConnection::Closed,
            },
        },
        ChatEvent::Event(_) => return None,
    })
}
