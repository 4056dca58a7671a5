//! The CLOUMER REST client (seed routes R1–R8 and `cloumer serve`'s additive routes).
//!
//! - Routes are appended to `api_url` as strings, never URL-joined: the seed's base URL
//!   carries the stage path (`.../develop`), which `Url::join` would drop.
//! - Query values are percent-encoded with spaces as `%20` (API Gateway keeps `+`).
//! - The ID token goes bare in `Authorization` (no `Bearer `), as the seed's authorizer wants.
//! - Only idempotent GETs are retried (on transport errors and 5xx).
//! - The seed's quirks are errors here: 200 with an empty body, `{}` without `token`.

use std::time::Duration;

use backon::Retryable;
use cloumer_protocol::chat::ChatMessage;
use cloumer_protocol::rest::{
    self, ApiError, BroadcastEntry, ChatTokenGrant, Moderator, PlayBack, ProfileUrl, StreamKey,
    StreamStatus,
    UserEntry, paths,
};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

mod moderation;
pub use cloumer_protocol::rest::ChatRestriction;
pub use moderation::Restriction;

use crate::avatar;
use crate::models::{Broadcast, Channel, ChatToken, MyPageWire, Profile};
use crate::{Error, Result};

/// RFC 3986 unreserved characters stay; everything else (space included) is `%XX`.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The delay before the first retry of a GET, doubling (with jitter) up to the cap.
const GET_RETRY_FIRST_DELAY: Duration = Duration::from_millis(300);
const GET_RETRY_MAX_DELAY: Duration = Duration::from_secs(2);

/// Why one try of a call did not give an answer to keep.
enum Failed {
    Transport(Error),
    /// A 5xx, kept in case no retry does better.
    Status(StatusCode, Vec<u8>),
}

/// Percent-encodes one query value (spaces as `%20`, never `+`).
pub fn encode_query_value(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// Builds a [`RestClient`]; every setting has a sensible default.
#[derive(Debug, Clone)]
pub struct RestClientBuilder {
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    get_retries: u32,
    user_agent: String,
}

impl RestClientBuilder {
    /// Whole-request timeout (default 20 s: the seed's Lambdas time out after 3 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }
    /// Retries of idempotent GETs after a transport error or 5xx (default 2).
    pub fn get_retries(mut self, retries: u32) -> Self {
        self.get_retries = retries;
        self
    }
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }
    /// Swaps the base URL (tests point it at a fixture server).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    pub fn build(self) -> Result<RestClient> {
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .user_agent(self.user_agent)
            .build()
            .map_err(|e| Error::Transport {
                url: self.base_url.clone(),
                message: e.to_string(),
            })?;
        Ok(RestClient {
            http,
            base_url: self.base_url.trim_end_matches('/').to_owned(),
            get_retries: self.get_retries,
        })
    }
}

/// The REST client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct RestClient {
    http: reqwest::Client,
    base_url: String,
    get_retries: u32,
}

/// One request: path, query, optional ID token.
struct Call<'a> {
    method: Method,
    path: String,
    query: Vec<(&'a str, &'a str)>,
    token: Option<&'a SecretString>,
}

impl<'a> Call<'a> {
    fn get(path: impl Into<String>) -> Self {
        Self {
            method: Method::GET,
            path: path.into(),
            query: Vec::new(),
            token: None,
        }
    }
    fn with(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            token: None,
        }
    }
    fn query(mut self, key: &'a str, value: &'a str) -> Self {
        self.query.push((key, value));
        self
    }
    fn auth(mut self, token: &'a SecretString) -> Self {
        self.token = Some(token);
        self
    }
}

impl RestClient {
    /// A builder for `base_url` (the profile's `api_url`, stage path included).
    pub fn builder(base_url: impl Into<String>) -> RestClientBuilder {
        RestClientBuilder {
            base_url: base_url.into(),
            timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(10),
            get_retries: 2,
            user_agent: concat!("cloumer/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The full URL of a route: base + path + encoded query (appended, not joined).
    pub fn url(&self, path: &str, query: &[(&str, &str)]) -> String {
        let mut url = format!("{}{}", self.base_url, path);
        for (i, (k, v)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(&encode_query_value(k));
            url.push('=');
            url.push_str(&encode_query_value(v));
        }
        url
    }

    /// Sends a call; a GET (safe to repeat, unlike an upload) is retried after a transport
    /// failure or a 5xx, up to `get_retries` times. After the last try a 5xx is returned
    /// as an answer, for [`decode`] to report.
    async fn send(
        &self,
        call: &Call<'_>,
        build: impl Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Result<(StatusCode, Vec<u8>)> {
        let url = self.url(&call.path, &call.query);
        let attempt = || async {
            let mut request = self.http.request(call.method.clone(), &url);
            if let Some(token) = call.token {
                request = request.header(reqwest::header::AUTHORIZATION, token.expose_secret());
            }
            let response = build(request)
                .send()
                .await
                .map_err(|e| Failed::Transport(Error::transport(&url, e)))?;
            let status = response.status();
            let body = response
                .bytes()
                .await
                .map_err(|e| Failed::Transport(Error::transport(&url, e)))?;
            if status.is_server_error() {
                return Err(Failed::Status(status, body.to_vec()));
            }
            Ok((status, body.to_vec()))
        };
        let retries = if call.method == Method::GET {
            self.get_retries
        } else {
            0
        };
        let policy = crate::retry::exponential(GET_RETRY_FIRST_DELAY, GET_RETRY_MAX_DELAY)
            .with_max_times(retries as usize);
        attempt
            .retry(policy)
            .notify(|_, delay| tracing::debug!(path = %call.path, ?delay, "retrying GET"))
            .await
            .or_else(|failed| match failed {
                Failed::Status(status, body) => Ok((status, body)),
                Failed::Transport(e) => Err(e),
            })
    }

    /// Sends and decodes JSON, mapping statuses and the seed's quirks to typed errors.
    async fn json<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T> {
        let (status, body) = self.send(&call, |r| r).await?;
        decode(&call.path, status, &body)
    }

    // ---- public routes ------------------------------------------------------------

    /// R1: channels with their nickname and avatar.
    pub async fn channels(&self) -> Result<Vec<Channel>> {
        let list: Vec<UserEntry> = self.json(Call::get(paths::USERS)).await?;
        Ok(list
            .into_iter()
            .map(|u| Channel {
                nickname: u.nickname,
                channel: u.chanel_name,
                avatar_url: u.profile,
            })
            .collect())
    }

    /// R1 single mode: one channel's avatar URL.
    pub async fn avatar_url(&self, channel: &str) -> Result<String> {
        let p: ProfileUrl = self
            .json(Call::get(paths::USERS).query("getProfile", channel))
            .await?;
        Ok(p.profile)
    }

    /// R2: broadcast cards (the seed lists offline channels here: bug B1).
    pub async fn broadcasts(&self) -> Result<Vec<Broadcast>> {
        let list: Vec<BroadcastEntry> = self.json(Call::get(paths::BROADCAST_STATUS)).await?;
        Ok(list
            .into_iter()
            .map(|b| Broadcast {
                nickname: b.nick_name,
                title: b.title,
                channel: b.sub_key,
                thumbnail_url: b.thumbnail,
                avatar_url: b.profile,
            })
            .collect())
    }

    /// R3: the channel's HLS playback URL.
    pub async fn playback_url(&self, channel: &str) -> Result<String> {
        let p: PlayBack = self
            .json(Call::get(paths::GET_CHANNEL).query("code", channel))
            .await?;
        Ok(p.play_back)
    }

    /// R4: an anonymous, read-only chat token.
    pub async fn viewer_chat_token(&self, channel: &str) -> Result<ChatToken> {
        let call = Call::get(paths::GET_CHAT).query("targetChanel", channel);
        let path = call.path.clone();
        chat_token(&path, self.json(call).await?)
    }

    /// Additive: the channel's recent messages, oldest first.
    pub async fn chat_history(&self, channel: &str, limit: u32) -> Result<Vec<ChatMessage>> {
        let limit = limit.to_string();
        self.json(
            Call::get(paths::chat_history(&encode_query_value(channel))).query("limit", &limit),
        )
        .await
    }

    // ---- signed-in routes (ID token) ----------------------------------------------

    /// R5: a chat token for `channel`, as the signed-in user.
    pub async fn chat_token(&self, id_token: &SecretString, channel: &str) -> Result<ChatToken> {
        let call = Call::get(paths::GET_CAHT)
            .query("targetChanel", channel)
            .auth(id_token);
        let path = call.path.clone();
        chat_token(&path, self.json(call).await?)
    }

    /// R6: the caller's profile, ingest URL and stream key.
    pub async fn my_page(&self, id_token: &SecretString) -> Result<Profile> {
        let wire: MyPageWire = self.json(Call::get(paths::MYPAGE).auth(id_token)).await?;
        if wire.stream_key.is_empty() || wire.stream_url.is_empty() {
            return Err(Error::Decode {
                path: paths::MYPAGE.into(),
                message: "no stream URL or key".into(),
            });
        }
        Ok(wire.into())
    }

    /// R7: uploads an avatar after checking it locally (nothing is sent when invalid):
    /// multipart/form-data with ONE part named `file`.
    pub async fn upload_avatar(&self, id_token: &SecretString, bytes: Vec<u8>) -> Result<()> {
        let kind = avatar::validate(&bytes)?;
        let call = Call::with(Method::POST, paths::SAVE_MYPAGE).auth(id_token);
        let (status, body) = self
            .send(&call, |r| {
                let part = reqwest::multipart::Part::bytes(bytes.clone())
                    .file_name(format!("avatar.{}", kind.extension()))
                    .mime_str(kind.mime())
                    .unwrap_or_else(|_| reqwest::multipart::Part::bytes(bytes.clone()));
                r.multipart(reqwest::multipart::Form::new().part("file", part))
            })
            .await?;
        let _: serde_json::Value = decode(paths::SAVE_MYPAGE, status, &body)?;
        Ok(())
    }

    /// R8: sets the broadcast title (percent-encoded; at most 140 characters).
    pub async fn set_title(&self, id_token: &SecretString, title: &str) -> Result<()> {
        let chars = title.chars().count();
        if title.trim().is_empty() || chars > rest::limits::TITLE_MAX_CHARS {
            return Err(Error::Invalid {
                field: Some("title".into()),
                message: format!(
                    "must be 1 to {} characters (got {chars})",
                    rest::limits::TITLE_MAX_CHARS
                ),
            });
        }
        let call = Call::get(paths::BROADCAST_INFO_EDIT)
            .query("title", title)
            .auth(id_token);
        let _: serde_json::Value = self.json(call).await?;
        Ok(())
    }

    /// Additive: rotates the stream key and returns the new one.
    pub async fn rotate_stream_key(&self, id_token: &SecretString) -> Result<SecretString> {
        let key: StreamKey = self
            .json(Call::with(Method::POST, paths::STREAM_KEY_ROTATE).auth(id_token))
            .await?;
        Ok(SecretString::from(key.stream_key))
    }

    /// Additive: the caller's own stream as IVS GetStream describes it (state, health,
    /// viewers, start time).
    pub async fn stream_status(&self, id_token: &SecretString) -> Result<StreamStatus> {
        self.json(Call::get(paths::STREAM).auth(id_token)).await
    }

    /// Additive: the caller's channel moderators.
    pub async fn moderators(&self, id_token: &SecretString) -> Result<Vec<Moderator>> {
        self.json(Call::get(paths::MODERATORS).auth(id_token)).await
    }

    /// Additive: makes `channel`'s owner a moderator of the caller's channel.
    pub async fn add_moderator(&self, id_token: &SecretString, channel: &str) -> Result<()> {
        let path = paths::moderator(&encode_query_value(channel));
        let (status, body) = self
            .send(&Call::with(Method::PUT, path.clone()).auth(id_token), |r| r)
            .await?;
        decode_unit(&path, status, &body)
    }

    /// Additive: removes a moderator.
    pub async fn remove_moderator(&self, id_token: &SecretString, channel: &str) -> Result<()> {
        let path = paths::moderator(&encode_query_value(channel));
        let (status, body) = self
            .send(
                &Call::with(Method::DELETE, path.clone()).auth(id_token),
                |r| r,
            )
            .await?;
        decode_unit(&path, status, &body)
    }
}

fn chat_token(path: &str, grant: ChatTokenGrant) -> Result<ChatToken> {
    let wire = grant.token;
    match wire.token {
        Some(token) if !token.is_empty() => Ok(ChatToken {
            token: SecretString::from(token),
            session_expiration_time: wire.session_expiration_time,
            token_expiration_time: wire.token_expiration_time,
            capabilities: grant.capabilities,
        }),
        // The seed answers 200 `{}` for an unknown channel.
        _ => Err(Error::NotFound {
            what: format!("chat room ({path} returned no token)"),
        }),
    }
}

fn status_error(path: &str, status: StatusCode, body: &[u8]) -> Error {
    let api: Option<ApiError> = serde_json::from_slice(body).ok();
    let text = || match &api {
        Some(a) => a.message.clone(),
        None => match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(serde_json::Value::String(s)) => s,
            Ok(serde_json::Value::Object(o)) => o
                .get("message")
                .and_then(|m| m.as_str())
                .unwrap_or_default()
                .to_owned(),
            _ => String::from_utf8_lossy(body).chars().take(200).collect(),
        },
    };
    match status.as_u16() {
        401 => Error::Unauthorized,
        403 => Error::Forbidden { message: text() },
        404 => Error::NotFound {
            what: path.to_owned(),
        },
        400 | 413 | 415 | 422 => Error::Invalid {
            field: api.as_ref().and_then(|a| a.field.clone()),
            message: text(),
        },
        s => Error::Server {
            status: s,
            path: path.to_owned(),
            message: text(),
        },
    }
}

/// Maps a response: non-2xx → typed error; 200 with an empty body → server error (the
/// seed swallows exceptions that way); otherwise JSON (bare strings and `\u` escapes
/// decode as JSON does).
fn decode<T: DeserializeOwned>(path: &str, status: StatusCode, body: &[u8]) -> Result<T> {
    if !status.is_success() {
        return Err(status_error(path, status, body));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::Server {
            status: status.as_u16(),
            path: path.to_owned(),
            message: "empty answer (the backend failed without saying why)".into(),
        });
    }
    serde_json::from_slice(body).map_err(|e| Error::Decode {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

fn decode_unit(path: &str, status: StatusCode, body: &[u8]) -> Result<()> {
    if !status.is_success() {
        return Err(status_error(path, status, body));
    }
    Ok(())
}
