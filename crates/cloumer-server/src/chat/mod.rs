//! IVS-Chat-compatible chat: WebSocket rooms, chat tokens, moderation, history.
//!
//! [`ChatService::open`] keeps its history in `<data_dir>/chat.sqlite` and its token
//! secret in `<data_dir>/chat.secret` (0600). [`ChatService::router`] serves
//! `GET /chat` (the WebSocket; the token is the `Sec-WebSocket-Protocol` value, echoed
//! back as IVS does) and `GET /public/v1/chat-history/{channel}?limit=N`.
//!
//! Limits: client WebSocket messages of at most [`MAX_CLIENT_FRAME_BYTES`] (larger ones
//! close the socket with 1009 before they are buffered), IVS's content, attribute and
//! reason sizes ([`frame`]), each room's rate and each sender's share of it
//! ([`ChatLimits`]), and a kick that keeps a user out for a while ([`restrictions`]).

mod frame;
#[doc(hidden)]
pub mod fuzzing;
mod history;
mod limits;
mod moderation;
mod restrictions;
mod room;
mod socket;
mod token;

use std::path::Path;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use cloumer_protocol::chat::{Capability, MAX_CLIENT_FRAME_BYTES};
use cloumer_protocol::rest::ChatTokenResponse;
use serde::Deserialize;

use crate::Result;
use crate::media::{ChatGrant, ChatRooms, RoomRestriction};
use history::History;
pub use limits::{ChatLimits, DEFAULT_KICK_TIMEOUT};
use restrictions::Restrictions;
use room::Rooms;
use token::{Grant, TokenRejection, TokenSigner};

/// How long a minted token may be used to open the WebSocket.
pub const TOKEN_VALIDITY_SECS: i64 = 5 * 60;
/// History answers `limit` messages by default, and never more than the maximum.
pub const HISTORY_DEFAULT_LIMIT: u32 = 50;
pub const HISTORY_MAX_LIMIT: u32 = 200;

/// The chat service: rooms, tokens and history.
pub struct ChatService {
    signer: TokenSigner,
    history: History,
    restrictions: Restrictions,
    rooms: Rooms,
    limits: ChatLimits,
}

impl std::fmt::Debug for ChatService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChatService(..)")
    }
}

impl ChatService {
    /// Opens (or creates) the history and token secret under `data_dir`; rooms accept
    /// IVS's default 10 messages a second ([`ChatLimits::default`]).
    pub fn open(data_dir: &Path) -> Result<Arc<Self>> {
        Self::open_with_limits(data_dir, ChatLimits::default())
    }

    /// [`ChatService::open`] with rooms accepting `room_rate` messages a second (each
    /// sender half of it): IVS's limit is a quota AWS raises on request, and a busy
    /// channel's chat needs that here too.
    pub fn open_with_room_rate(data_dir: &Path, room_rate: u32) -> Result<Arc<Self>> {
        Self::open_with_limits(data_dir, ChatLimits::for_room_rate(room_rate))
    }

    /// [`ChatService::open`] with explicit rates and kick timeout.
    pub fn open_with_limits(data_dir: &Path, limits: ChatLimits) -> Result<Arc<Self>> {
        crate::private_file::dir(data_dir)?;
        Ok(Arc::new(Self {
            signer: TokenSigner::open(data_dir)?,
            history: History::open(data_dir)?,
            // After the history, which creates the shared database file private.
            restrictions: Restrictions::open(data_dir, history::DB_FILE)?,
            rooms: Rooms::new(limits),
            limits,
        }))
    }

    /// Mints a signed token for `request.room`. The token opens a WebSocket for
    /// [`TOKEN_VALIDITY_SECS`]; the session it opens lasts `session_duration_minutes`.
    pub fn mint_token(&self, request: ChatGrant) -> ChatTokenResponse {
        self.mint_token_issued_at(request, crate::error::now_secs())
    }

    /// [`Self::mint_token`] as if issued at `issued_at` (Unix seconds): lets tests and
    /// tools produce tokens that are already expired.
    pub fn mint_token_issued_at(&self, request: ChatGrant, issued_at: i64) -> ChatTokenResponse {
        let now = issued_at;
        let session_expires = now + i64::from(request.session_duration_minutes.max(1)) * 60;
        let grant = Grant {
            room: request.room,
            user_id: request.user_id,
            capabilities: request.capabilities,
            attributes: request.attributes,
            token_expires: (now + TOKEN_VALIDITY_SECS).min(session_expires),
            session_expires,
        };
        let token = match self.signer.sign(&grant) {
            Ok(token) => Some(token),
            Err(e) => {
                tracing::error!(error = %e, "chat token signing failed");
                None
            }
        };
        ChatTokenResponse {
            session_expiration_time: Some(rfc3339(grant.session_expires)),
            token_expiration_time: Some(rfc3339(grant.token_expires)),
            token,
        }
    }

    /// The chat routes: `GET /chat` and `GET /public/v1/chat-history/{channel}`.
    pub fn router(self: Arc<Self>) -> Router {
        Router::new()
            .route("/chat", get(open_socket))
            .route("/public/v1/chat-history/{channel}", get(chat_history))
            .with_state(self)
    }
}

/// The REST handlers mint chat tokens through the [`ChatRooms`] seam; locally that is
/// this service.
#[async_trait::async_trait]
impl ChatRooms for ChatService {
    async fn mint_token(&self, grant: ChatGrant) -> Result<ChatTokenResponse> {
        Ok(ChatService::mint_token(self, grant))
    }

    async fn restrict(
        &self,
        room: &str,
        restriction: &RoomRestriction,
        moderator: &str,
    ) -> Result<()> {
        self.restrict_user(room, restriction, moderator)
    }

    async fn lift(&self, room: &str, user_id: &str) -> Result<bool> {
        self.lift_user(room, user_id)
    }

    async fn restrictions(&self, room: &str) -> Result<Vec<RoomRestriction>> {
        self.room_restrictions(room)
    }

    async fn restriction(&self, room: &str, user_id: &str) -> Result<Option<RoomRestriction>> {
        self.user_restriction(room, user_id)
    }
}

async fn open_socket(
    State(service): State<Arc<ChatService>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    // Browsers send the token as the only sub-protocol; take the first offered value.
    let token = headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let Some(token) = token else {
        return (StatusCode::UNAUTHORIZED, "missing chat token").into_response();
    };
    let grant = match service.signer.verify(token, crate::error::now_secs()) {
        Ok(grant) => grant,
        Err(TokenRejection::Expired) => {
            return (StatusCode::UNAUTHORIZED, "chat token expired").into_response();
        }
        Err(TokenRejection::Invalid) => {
            return (StatusCode::FORBIDDEN, "invalid chat token").into_response();
        }
    };
    if let Some(refusal) = refuse_restricted(&service, &grant) {
        return refusal;
    }
    let echoed = token.to_owned();
    upgrade
        .protocols([echoed])
        // Larger client messages fail at their frame header, before any payload is
        // buffered (tungstenite checks the announced length), and close the socket.
        .max_message_size(MAX_CLIENT_FRAME_BYTES)
        .max_frame_size(MAX_CLIENT_FRAME_BYTES)
        // Writes only queue up past this when the peer stops reading; then the socket
        // fails instead of growing (room frames wait in the shared broadcast ring).
        .max_write_buffer_size(WRITE_BUFFER_LIMIT)
        .on_upgrade(move |ws| socket::run(service, grant, ws))
}

/// The most bytes a socket's write buffer may hold: the default flush threshold
/// (128 KiB) plus a few of the largest server frames.
const WRITE_BUFFER_LIMIT: usize = 128 * 1024 + 4 * MAX_CLIENT_FRAME_BYTES;

/// `403` while a kick keeps this user out of the room. Owners and moderators (tokens
/// that may moderate) are only disconnected by a kick, never kept out of the room.
fn refuse_restricted(service: &ChatService, grant: &Grant) -> Option<Response> {
    if grant.can(Capability::DisconnectUser) || grant.can(Capability::DeleteMessage) {
        return None;
    }
    let now_ms = now_millis();
    let restriction = match service
        .restrictions
        .active(&grant.room, &grant.user_id, now_ms)
    {
        Ok(r) => r?,
        Err(e) => {
            // Fail closed: a user we cannot check might be a kicked one.
            tracing::error!(error = %e, "chat restriction lookup failed");
            return Some(StatusCode::SERVICE_UNAVAILABLE.into_response());
        }
    };
    if restriction.until_ms == restrictions::BANNED {
        let mut message = "banned from this room by a moderator".to_owned();
        if !restriction.reason.is_empty() {
            message.push_str(&format!(" (reason: {})", restriction.reason));
        }
        return Some((StatusCode::FORBIDDEN, message).into_response());
    }
    let wait_secs = ((restriction.until_ms - now_ms).max(0) + 999) / 1000;
    let mut message =
        format!("disconnected from this room by a moderator; you may rejoin in {wait_secs} s");
    if !restriction.reason.is_empty() {
        message.push_str(&format!(" (reason: {})", restriction.reason));
    }
    Some(
        (
            StatusCode::FORBIDDEN,
            [(header::RETRY_AFTER, wait_secs.to_string())],
            message,
        )
            .into_response(),
    )
}

#[derive(Deserialize)]
struct HistoryQuery {
    limit: Option<u32>,
}

async fn chat_history(
    State(service): State<Arc<ChatService>>,
    UrlPath(channel): UrlPath<String>,
    Query(query): Query<HistoryQuery>,
) -> Response {
    let limit = query
        .limit
        .unwrap_or(HISTORY_DEFAULT_LIMIT)
        .clamp(1, HISTORY_MAX_LIMIT);
    match service.history.recent(&channel, limit) {
        Ok(messages) => Json(messages).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "chat history read failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn rfc3339(unix_secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix_secs)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Unix milliseconds: restrictions end at sub-second precision (a short test timeout).
fn now_millis() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
