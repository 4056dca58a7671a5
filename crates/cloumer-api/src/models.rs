//! Typed models the client hands out, decoded leniently from the seed's shapes (string
//! booleans, missing fields) and free of wire typos.

pub use cloumer_protocol::rest::Moderator;
use secrecy::SecretString;
use serde::{Deserialize, Deserializer, Serialize};

/// R6: the logged-in user's profile. `Debug` hides the stream key.
#[derive(Debug, Clone)]
pub struct Profile {
    pub title: String,
    pub live: bool,
    pub channel: String,
    /// `rtmps://host:443/app/`: the key is appended to it.
    pub stream_url: String,
    pub stream_key: SecretString,
    pub playback_url: String,
    pub avatar_url: String,
    /// The IVS channel type (`BASIC`, `STANDARD`, ...) when the backend tells it (ours
    /// do; the seed's does not).
    pub channel_type: Option<String>,
}

/// R6 on the wire (seed names); `isLive` may be `"true"`, `true`, `"True"`...
#[derive(Deserialize)]
pub(crate) struct MyPageWire {
    #[serde(rename = "boradCastTitle", default)]
    pub title: String,
    #[serde(rename = "isLive", default, deserialize_with = "loose_bool")]
    pub live: bool,
    #[serde(rename = "chanelName")]
    pub channel: String,
    #[serde(rename = "streamKey")]
    pub stream_key: String,
    #[serde(rename = "streamUrl")]
    pub stream_url: String,
    #[serde(rename = "playbackUrl", default)]
    pub playback_url: String,
    #[serde(default)]
    pub profile: String,
    #[serde(rename = "channelType", default)]
    pub channel_type: Option<String>,
}

impl From<MyPageWire> for Profile {
    fn from(w: MyPageWire) -> Self {
        Self {
            title: w.title,
            live: w.live,
            channel: w.channel,
            stream_url: w.stream_url,
            stream_key: SecretString::from(w.stream_key),
            playback_url: w.playback_url,
            avatar_url: w.profile,
            channel_type: w.channel_type.filter(|t| !t.trim().is_empty()),
        }
    }
}

/// Accepts JSON booleans and the seed's string booleans.
pub(crate) fn loose_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Loose {
        Bool(bool),
        Text(String),
    }
    match Loose::deserialize(d)? {
        Loose::Bool(b) => Ok(b),
        Loose::Text(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" | "" => Ok(false),
            other => Err(serde::de::Error::custom(format!(
                "not a boolean: {other:?}"
            ))),
        },
    }
}

/// R4/R5: a chat token. `Debug` hides the token.
#[derive(Debug, Clone)]
pub struct ChatToken {
    pub token: SecretString,
    /// RFC 3339 / ISO 8601 as the server sent it (`+00:00` offsets).
    pub session_expiration_time: Option<String>,
    pub token_expiration_time: Option<String>,
    /// What the token grants, as the backend said (R5's additive `capabilities`; empty
    /// from R4 and from the seed).
    pub capabilities: Vec<cloumer_protocol::chat::Capability>,
}

/// One channel in the public list (R1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Channel {
    pub nickname: String,
    pub channel: String,
    pub avatar_url: String,
}

/// One broadcast card (R2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Broadcast {
    pub nickname: String,
    pub title: String,
    pub channel: String,
    pub thumbnail_url: String,
    pub avatar_url: String,
}
