//! REST shapes of the seed's API (R1–R8 of docs/seed-compatibility.md), field names and
//! typos kept, plus
//! the additive routes that `cloumer serve` adds for what the seed lacked.
//!
//! Booleans that the seed sends as the strings `"true"`/`"false"` stay strings on the
//! wire ([`StringBool`]); clients turn them into `bool` at the edge.

use serde::{Deserialize, Serialize};

/// Route paths, exactly as the seed spells them. `ApiUrl` may carry a stage path
/// (`/develop`): clients append these, they do not URL-join them.
pub mod paths {
    /// R1: list of users, or one avatar with `?getProfile=<channel>`.
    pub const USERS: &str = "/public/users";
    /// R2: channels that are live (the seed inverted this; we return live ones).
    pub const BROADCAST_STATUS: &str = "/public/broadcast_status";
    /// R3: `?code=<channel>` → HLS playback URL.
    pub const GET_CHANNEL: &str = "/public/get_channel";
    /// R4: `?targetChanel=<channel>` → anonymous (read-only) chat token.
    pub const GET_CHAT: &str = "/public/get_chat";
    /// R5: `?targetChanel=<channel>` → signed-in chat token (sic: "caht").
    pub const GET_CAHT: &str = "/stream/get_caht";
    /// R6: the caller's profile, stream key and URLs.
    pub const MYPAGE: &str = "/stream/mypage";
    /// R7: avatar upload, multipart with one part named `file`.
    pub const SAVE_MYPAGE: &str = "/stream/save_mypage";
    /// R8: `?title=<text>` (sic: "broadcase").
    pub const BROADCAST_INFO_EDIT: &str = "/stream/broadcase_info_edit";

    /// Additive: `POST` rotates the caller's stream key → [`super::StreamKey`].
    pub const STREAM_KEY_ROTATE: &str = "/stream/v1/stream-key/rotate";
    /// Additive: `GET` lists the caller's channel moderators → `Vec<`[`super::Moderator`]`>`.
    pub const MODERATORS: &str = "/stream/v1/moderators";
    /// Additive: `PUT`/`DELETE` `/stream/v1/moderators/<channel>` adds/removes one.
    pub fn moderator(channel: &str) -> String {
        format!("{MODERATORS}/{channel}")
    }
    /// Additive: `GET` the channels the caller moderates (not their own) →
    /// `Vec<`[`super::Moderator`]`>` (each channel with its owner's nickname).
    pub const MODERATED_CHANNELS: &str = "/stream/v1/moderated-channels";
    /// Additive: `GET /stream/v1/chat-restrictions/<channel>` lists the room's timeouts and
    /// bans (`Vec<`[`super::ChatRestriction`]`>`); owner and moderators only.
    pub const CHAT_RESTRICTIONS: &str = "/stream/v1/chat-restrictions";
    pub fn chat_restrictions(channel: &str) -> String {
        format!("{CHAT_RESTRICTIONS}/{channel}")
    }
    /// Additive: `PUT` (body [`super::RestrictUser`]) times out or bans `user_id` in the
    /// channel's room and disconnects them; `DELETE` lifts it.
    pub fn chat_restriction(channel: &str, user_id: &str) -> String {
        format!("{CHAT_RESTRICTIONS}/{channel}/{user_id}")
    }
    /// Additive: `GET /public/v1/chat-history/<channel>?limit=N` → recent MESSAGE frames,
    /// oldest first (`Vec<`[`crate::chat::ChatMessage`]`>`).
    pub fn chat_history(channel: &str) -> String {
        format!("/public/v1/chat-history/{channel}")
    }
    /// Additive: `GET` the caller's own stream as IVS GetStream describes it →
    /// [`super::StreamStatus`] (health and audience while live).
    pub const STREAM: &str = "/stream/v1/stream";
}

/// The seed's string booleans: `"true"` / `"false"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StringBool {
    #[serde(rename = "true")]
    True,
    #[serde(rename = "false")]
    False,
}

impl From<bool> for StringBool {
    fn from(b: bool) -> Self {
        if b { Self::True } else { Self::False }
    }
}

impl From<StringBool> for bool {
    fn from(b: StringBool) -> Self {
        b == StringBool::True
    }
}

/// R1 list entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserEntry {
    pub nickname: String,
    #[serde(rename = "chanelName")]
    pub chanel_name: String,
    pub profile: String,
    /// Additive (not in the seed), as in R2: playback clients in the last 10 s, only for
    /// a live channel and where counted; absent otherwise.
    #[serde(
        rename = "viewerCount",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub viewer_count: Option<u64>,
}

/// R1 single-profile mode (`?getProfile=`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileUrl {
    pub profile: String,
}

/// R2 entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BroadcastEntry {
    pub nick_name: String,
    pub title: String,
    pub sub_key: String,
    pub thumbnail: String,
    pub profile: String,
    /// Additive (not in the seed): playback clients in the last 10 s, where counted.
    #[serde(
        rename = "viewerCount",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub viewer_count: Option<u64>,
}

/// R3 answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlayBack {
    pub play_back: String,
}

/// R4/R5 answer. The seed answers `{}` for an unknown channel: `token` is then missing,
/// which clients must treat as an error, so every field is optional on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChatTokenResponse {
    #[serde(
        rename = "sessionExpirationTime",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub session_expiration_time: Option<String>,
    #[serde(
        rename = "tokenExpirationTime",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub token_expiration_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// R4/R5 answer as the shared REST handlers send it: the token plus, additively, the
/// capabilities it carries. IVS Chat tokens are opaque, so a page cannot otherwise tell
/// whether its user may delete messages or kick (a moderator who is not the owner). Seed
/// clients ignore the extra field; it is `[]` for an anonymous token.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChatTokenGrant {
    #[serde(flatten)]
    pub token: ChatTokenResponse,
    #[serde(default)]
    pub capabilities: Vec<crate::chat::Capability>,
}

/// R6 answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyPage {
    #[serde(rename = "boradCastTitle")]
    pub borad_cast_title: String,
    #[serde(rename = "isLive")]
    pub is_live: StringBool,
    #[serde(rename = "chanelName")]
    pub chanel_name: String,
    #[serde(rename = "streamKey")]
    pub stream_key: String,
    #[serde(rename = "streamUrl")]
    pub stream_url: String,
    #[serde(rename = "playbackUrl")]
    pub playback_url: String,
    pub profile: String,
    /// Additive: the IVS channel type (`BASIC`, `STANDARD`, `ADVANCED_SD`, `ADVANCED_HD`),
    /// whose input limits a publisher must keep to. Absent from the seed's backend.
    #[serde(
        rename = "channelType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub channel_type: Option<String>,
}

/// Additive: the caller's stream, shaped like IVS GetStream's `stream` (an offline channel
/// answers `OFFLINE` rather than IVS's ChannelNotBroadcasting error).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamStatus {
    /// `LIVE` or `OFFLINE`.
    pub state: String,
    /// `HEALTHY`, `STARVING` (the ingest gets too little media) or `UNKNOWN`.
    pub health: String,
    /// Current playback viewers; `None` where the backend cannot count them.
    #[serde(rename = "viewerCount", default)]
    pub viewer_count: Option<u64>,
    /// When the stream started (RFC 3339, UTC); absent while offline.
    #[serde(rename = "startTime", default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
}

impl StreamStatus {
    pub fn offline(viewer_count: Option<u64>) -> Self {
        Self {
            state: "OFFLINE".into(),
            health: "UNKNOWN".into(),
            viewer_count,
            start_time: None,
        }
    }
}

/// Additive: the answer of a stream-key rotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamKey {
    #[serde(rename = "streamKey")]
    pub stream_key: String,
}

/// Additive: one moderator of a channel, named by their own channel name (which is their
/// chat `UserId`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moderator {
    #[serde(rename = "chanelName")]
    pub chanel_name: String,
    pub nickname: String,
}

/// Additive: a timeout (`until` set) or ban (`until` absent) of one chat user in a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatRestriction {
    /// The user's chat `UserId` (their channel name).
    #[serde(rename = "userId")]
    pub user_id: String,
    /// RFC 3339 end of a timeout; absent for a ban (until lifted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    #[serde(default)]
    pub reason: String,
}

/// Additive: the body of `PUT /stream/v1/chat-restrictions/<channel>/<userId>`.
/// `durationSeconds` (1..=[`limits::CHAT_TIMEOUT_MAX_SECS`]) makes a timeout; without it
/// the user is banned until lifted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestrictUser {
    #[serde(
        rename = "durationSeconds",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub duration_seconds: Option<u64>,
    /// At most [`crate::chat::MAX_REASON_CODE_POINTS`] code points.
    #[serde(default)]
    pub reason: String,
}

/// The error body of `cloumer serve` (the seed sent bare strings or nothing).
/// `field` names the query parameter or input at fault, when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Limits the server enforces and clients check first.
pub mod limits {
    /// Largest avatar upload, bytes.
    pub const AVATAR_MAX_BYTES: usize = 4 * 1024 * 1024;
    /// Longest broadcast title, in characters (code points).
    pub const TITLE_MAX_CHARS: usize = 140;
    /// Longest chat timeout: 30 days (longer is a ban).
    pub const CHAT_TIMEOUT_MAX_SECS: u64 = 30 * 24 * 3600;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mypage_keeps_seed_names_and_string_booleans() {
        let body = r#"{"boradCastTitle":"\uc548\ub155","isLive":"false","chanelName":"Ab3_x9-QzK","streamKey":"sk","streamUrl":"rtmps://h:443/app/","playbackUrl":"https://p/x.m3u8","profile":"https://i/p.png"}"#;
        let page: MyPage = serde_json::from_str(body).unwrap();
        assert_eq!(page.borad_cast_title, "안녕");
        assert!(!bool::from(page.is_live));
        let back = serde_json::to_value(&page).unwrap();
        assert_eq!(back["isLive"], "false");
        assert_eq!(back["chanelName"], "Ab3_x9-QzK");
    }

    #[test]
    fn stream_status_has_get_streams_names_and_mypage_an_optional_channel_type() {
        let offline = serde_json::to_value(StreamStatus::offline(Some(0))).unwrap();
        assert_eq!(
            offline,
            serde_json::json!({"state": "OFFLINE", "health": "UNKNOWN", "viewerCount": 0})
        );
        let seed = r#"{"boradCastTitle":"t","isLive":"true","chanelName":"c","streamKey":"k","streamUrl":"u","playbackUrl":"p","profile":"a"}"#;
        let page: MyPage = serde_json::from_str(seed).unwrap();
        assert_eq!(page.channel_type, None, "the seed's R6 has no channelType");
        assert!(!serde_json::to_string(&page).unwrap().contains("channelType"));
    }

    #[test]
    fn empty_chat_token_object_decodes_without_token() {
        let t: ChatTokenResponse = serde_json::from_str("{}").unwrap();
        assert!(t.token.is_none());
    }

    #[test]
    fn chat_token_grant_adds_capabilities_beside_the_seed_fields() {
        let grant = ChatTokenGrant {
            token: ChatTokenResponse {
                token: Some("t".into()),
                ..Default::default()
            },
            capabilities: vec![crate::chat::Capability::DeleteMessage],
        };
        let wire = serde_json::to_value(&grant).unwrap();
        assert_eq!(wire["token"], "t");
        assert_eq!(wire["capabilities"], serde_json::json!(["DELETE_MESSAGE"]));
        let seed: ChatTokenResponse = serde_json::from_value(wire).unwrap();
        assert_eq!(seed.token.as_deref(), Some("t"));
    }
}
