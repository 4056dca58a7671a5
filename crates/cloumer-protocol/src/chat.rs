//! IVS Chat messaging frames (ivs-reference.md, "IVS Chat messaging"), with AWS's exact
//! field names. `ErrorCode` is a JSON integer. Content travels as typed: never escaped
//! by the client (the seed's bug B11).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Longest message content, in Unicode code points (not bytes, not UTF-16 units).
pub const MAX_MESSAGE_CODE_POINTS: usize = 500;
/// A room's default message rate, for the whole room.
pub const MAX_MESSAGES_PER_SECOND: u32 = 10;
/// Most bytes (UTF-8) of a message's `Attributes`, keys and values together: IVS Chat's
/// "1 KB total". Over it the message is refused with [`codes::TOO_LARGE`].
pub const MAX_ATTRIBUTES_BYTES: usize = 1024;
/// Longest `Reason` of DeleteMessage / DisconnectUser, in code points (IVS's `reason`:
/// 0-256 characters).
pub const MAX_REASON_CODE_POINTS: usize = 256;
/// Longest `RequestId`, message `Id` or `UserId` a client may send, in code points (IVS's
/// `userId` is at most 128; a RequestId is a UUID in IVS's SDKs).
pub const MAX_ID_CODE_POINTS: usize = 128;
/// Largest WebSocket message (and frame) a chat client may send, in bytes. The largest
/// legal frame is far smaller even with every character JSON-escaped: 500 code points of
/// content (at most 12 bytes each as an escaped surrogate pair), 1 KB of attributes (at
/// most ~12 bytes a byte with quoting), three ids and a reason: under 32 KiB.
pub const MAX_CLIENT_FRAME_BYTES: usize = 64 * 1024;

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
    fits_code_points(content, MAX_MESSAGE_CODE_POINTS)
}

/// Bytes of `attributes` that count against [`MAX_ATTRIBUTES_BYTES`]: keys plus values.
pub fn attributes_size(attributes: &Attributes) -> usize {
    attributes.iter().map(|(k, v)| k.len() + v.len()).sum()
}

/// Whether `attributes` fit IVS's 1 KB total.
pub fn attributes_fit(attributes: &Attributes) -> bool {
    attributes_size(attributes) <= MAX_ATTRIBUTES_BYTES
}

/// Whether a DeleteMessage / DisconnectUser `Reason` fits.
pub fn reason_fits(reason: &str) -> bool {
    fits_code_points(reason, MAX_REASON_CODE_POINTS)
}

/// Whether a `RequestId`, message `Id` or `UserId` fits.
pub fn id_fits(id: &str) -> bool {
    fits_code_points(id, MAX_ID_CODE_POINTS)
}

/// `text` has at most `max` code points; stops counting past the limit, so a huge
/// string costs no more than a legal one.
fn fits_code_points(text: &str, max: usize) -> bool {
    text.len() <= max || text.chars().nth(max).is_none()
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
        assert!(reason_fits(&"🎉".repeat(256)));
        assert!(!reason_fits(&"a".repeat(257)));
        assert!(id_fits(&"i".repeat(128)) && !id_fits(&"i".repeat(129)));
    }

    #[test]
    fn attributes_count_keys_and_values_in_bytes() {
        let mut a = Attributes::new();
        a.insert("k".repeat(24), "가".repeat(1000 / 3));
        assert_eq!(attributes_size(&a), 24 + 999);
        assert!(attributes_fit(&a));
        a.insert("x".into(), "y".into());
        assert_eq!(attributes_size(&a), 1025);
        assert!(!attributes_fit(&a));
    }
}
