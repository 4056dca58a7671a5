//! What the chat client reports: server frames, typed, and connection changes.

use cloumer_protocol::chat::{ChatError, ChatEvent as WireEvent, ChatMessage, ServerFrame, events};
use serde::Serialize;

/// The connection's state, as the client sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "State", rename_all = "snake_case")]
pub enum ConnectionState {
    Connecting,
    Connected,
    /// The socket dropped; a reconnect follows after `retry_in_ms`.
    Reconnecting {
        #[serde(rename = "Attempt")]
        attempt: u32,
        #[serde(rename = "RetryInMs")]
        retry_in_ms: u64,
        #[serde(rename = "Reason")]
        reason: String,
    },
    /// Closed for good (by the user, or a non-retryable failure).
    Closed {
        #[serde(rename = "Reason")]
        reason: String,
    },
}

/// One event from the chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatEvent {
    Message(ChatMessage),
    /// `aws:DELETE_MESSAGE`.
    Deleted {
        message_id: String,
        reason: Option<String>,
        request_id: Option<String>,
        /// Who deleted it: `cloumer serve`'s additive `ModeratorId` (IVS does not say).
        moderator: Option<String>,
    },
    /// `aws:DISCONNECT_USER`.
    UserDisconnected {
        user_id: String,
        reason: Option<String>,
        request_id: Option<String>,
        /// Who disconnected them, where the backend says (`ModeratorId`, not in IVS).
        moderator: Option<String>,
    },
    /// Any other room event.
    Event(WireEvent),
    /// An ERROR frame answering one of our requests.
    Error {
        code: u16,
        message: String,
        request_id: Option<String>,
    },
    ConnectionState(ConnectionState),
}

/// The additive `ModeratorId` of a moderation event, when present and not empty.
fn moderator(e: &WireEvent) -> Option<String> {
    e.attributes
        .get("ModeratorId")
        .filter(|m| !m.is_empty())
        .cloned()
}

impl From<ServerFrame> for ChatEvent {
    fn from(frame: ServerFrame) -> Self {
        match frame {
            ServerFrame::Message(m) => Self::Message(m),
            ServerFrame::Error(ChatError {
                error_code,
                error_message,
                request_id,
                ..
            }) => Self::Error {
                code: error_code,
                message: error_message,
                request_id,
            },
            ServerFrame::Event(e) => match e.event_name.as_str() {
                events::DELETE_MESSAGE => Self::Deleted {
                    message_id: e.attributes.get("MessageId").cloned().unwrap_or_default(),
                    reason: e.attributes.get("Reason").cloned(),
                    moderator: moderator(&e),
                    request_id: e.request_id,
                },
                events::DISCONNECT_USER => Self::UserDisconnected {
                    user_id: e.attributes.get("UserId").cloned().unwrap_or_default(),
                    reason: e.attributes.get("Reason").cloned(),
                    moderator: moderator(&e),
                    request_id: e.request_id,
                },
                _ => Self::Event(e),
            },
        }
    }
}

impl ChatEvent {
    /// The request this event answers, if any.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Message(m) => m.request_id.as_deref(),
            Self::Deleted { request_id, .. }
            | Self::UserDisconnected { request_id, .. }
            | Self::Error { request_id, .. } => request_id.as_deref(),
            Self::Event(e) => e.request_id.as_deref(),
            Self::ConnectionState(_) => None,
        }
    }

    /// One JSON object (a JSON line for `cloumer chat --json`): server frames keep AWS's
    /// field names (`Type`, `Id`, `Content`, ...); connection changes are
    /// `{"Type":"CONNECTION","State":...}`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Self::Message(m) => {
                let mut v =
                    serde_json::to_value(ServerFrame::Message(m.clone())).unwrap_or_default();
                v["Type"] = json!("MESSAGE");
                v
            }
            Self::Deleted {
                message_id,
                reason,
                request_id,
                ..
            } => json!({
                "Type": "EVENT", "EventName": events::DELETE_MESSAGE,
                "MessageId": message_id, "Reason": reason, "RequestId": request_id,
            }),
            Self::UserDisconnected {
                user_id,
                reason,
                request_id,
                ..
            } => json!({
                "Type": "EVENT", "EventName": events::DISCONNECT_USER,
                "UserId": user_id, "Reason": reason, "RequestId": request_id,
            }),
            Self::Event(e) => {
                serde_json::to_value(ServerFrame::Event(e.clone())).unwrap_or_default()
            }
            Self::Error {
                code,
                message,
                request_id,
            } => json!({
                "Type": "ERROR", "ErrorCode": code, "ErrorMessage": message, "RequestId": request_id,
            }),
            Self::ConnectionState(s) => {
                let mut v = serde_json::to_value(s).unwrap_or_default();
                v["Type"] = json!("CONNECTION");
                v
            }
        }
    }
}
