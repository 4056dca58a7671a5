//! IVS Chat messaging frames (ivs-reference.md, "IVS Chat messaging"), with AWS's exact
//! field names. `ErrorCode` is a JSON integer. Content travels as typed: never escaped
//! by the client (the seed's bug B11).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Longest message content, in Unicode code points (not bytes, not UTF-16 units).
pub const MAX_MESSAGE_CODE_POINTS: usize = 500;
/// A room's default message rate, for the whole room.
pub const MAX_MESSAGES_PER_SECOND: u32 = 10;

/// Chat capabilities a token can grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Capability {
    SendMessage,
    DeleteMessage,
    DisconnectUser,
}

pub type Attributes = BTreeMap<String, String>;

/// What a client sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "Action", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ClientFrame {
    SendMessage {
        #[serde(rename = "RequestId")]
        request_id: String,
        #[serde(rename = "Content")]
        content: String,
        #[serde(
            rename = "Attributes",
            default,
            skip_serializing_if = "BTreeMap::is_empty"
        )]
        attributes: Attributes,
    },
    DeleteMessage {
        #[serde(rename = "RequestId")]
        request_id: String,
        #[serde(rename = "Id")]
        id: String,
        #[serde(rename = "Reason", default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    DisconnectUser {
        #[serde(rename = "RequestId")]
        request_id: String,
        #[serde(rename = "UserId")]
        user_id: String,
        #[serde(rename = "Reason", default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

/// The sender of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sender {
    #[serde(rename = "UserId")]
    pub user_id: String,
    /// `username` and `avatar`, as the seed sets them.
    #[serde(rename = "Attributes", default)]
    pub attributes: Attributes,
}

/// A chat message as the server delivers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    #[serde(rename = "Id")]
    pub id: String,
    #[serde(rename = "RequestId", default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(rename = "Content")]
    pub content: String,
    #[serde(rename = "Attributes", default)]
    pub attributes: Attributes,
    /// RFC 3339.
    #[serde(rename = "SendTime")]
    pub send_time: String,
    #[serde(rename = "Sender")]
    pub sender: Sender,
}

/// A room event (`aws:DELETE_MESSAGE`, `aws:DISCONNECT_USER`, or custom).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatEvent {
    #[serde(rename = "Id")]
    pub id: String,
    #[serde(rename = "RequestId", default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(rename = "EventName")]
    pub event_name: String,
    #[serde(rename = "Attributes", default)]
    pub attributes: Attributes,
    #[serde(rename = "SendTime")]
    pub send_time: String,
}

/// An error answer to a client frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatError {
    #[serde(rename = "Id")]
    pub id: String,
    #[serde(rename = "RequestId", default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(rename = "ErrorCode")]
    pub error_code: u16,
    #[serde(rename = "ErrorMessage")]
    pub error_message: String,
}

/// What the server sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "Type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ServerFrame {
    Message(ChatMessage),
    Event(ChatEvent),
    Error(ChatError),
}

/// System event names.
pub mod events {
    pub const DELETE_MESSAGE: &str = "aws:DELETE_MESSAGE";
    pub const DISCONNECT_USER: &str = "aws:DISCONNECT_USER";
}

/// IVS Chat error codes.
pub mod codes {
    pub const BAD_REQUEST: u16 = 400;
    pub const UNAUTHORIZED: u16 = 401;
    pub const FORBIDDEN: u16 = 403;
    pub const NOT_FOUND: u16 = 404;
    pub const REJECTED: u16 = 406;
    pub const TOO_LARGE: u16 = 413;
    pub const RATE_LIMITED: u16 = 429;
    pub const SERVER_ERROR: u16 = 500;
}

/// Whether `content` fits a message (counted in code points, as IVS does).
pub fn content_fits(content: &str) -> bool {
    content.chars().count() <= MAX_MESSAGE_CODE_POINTS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_frames_use_aws_names() {
        let f = ClientFrame::SendMessage {
            request_id: "r1".into(),
            content: "he said \"hi\"".into(),
            attributes: Attributes::new(),
        };
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(v["Action"], "SEND_MESSAGE");
        assert_eq!(v["Content"], "he said \"hi\"");
        let d: ClientFrame = serde_json::from_str(
            r#"{"Action":"DELETE_MESSAGE","RequestId":"r","Id":"m1","Reason":"spam"}"#,
        )
        .unwrap();
        assert!(matches!(d, ClientFrame::DeleteMessage { ref id, .. } if id == "m1"));
    }

    #[test]
    fn server_error_code_is_an_integer() {
        let e: ServerFrame = serde_json::from_str(
            r#"{"Type":"ERROR","Id":"e","RequestId":"r","ErrorCode":403,"ErrorMessage":"no"}"#,
        )
        .unwrap();
        assert!(matches!(
            e,
            ServerFrame::Error(ChatError {
                error_code: 403,
                ..
            })
        ));
    }

    #[test]
    fn limit_counts_code_points() {
        assert!(content_fits(&"가".repeat(500)));
        assert!(!content_fits(&"가".repeat(501)));
    }
}
