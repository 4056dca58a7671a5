//! Additive: timeouts and bans of chat users (`/stream/v1/chat-restrictions/<channel>[/<user>]`)
//! and the channels the caller moderates (`/stream/v1/moderated-channels`). Only the
//! channel's owner and its moderators may list, set or lift a room's restrictions; while
//! one is in force R5 refuses that user's chat tokens for the room, and the chat service
//! (local) refuses their WebSocket.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use cloumer_protocol::chat::{id_fits, reason_fits};
use cloumer_protocol::rest::{ChatRestriction, Moderator, RestrictUser, limits};

use super::caller::Caller;
use super::state::SharedRest;
use super::{ApiFailure, ApiResult};
use crate::media::RoomRestriction;
use crate::store::Channel;

/// The request body's largest size: a reason of 256 code points (4 bytes each, quoted).
pub const BODY_MAX_BYTES: usize = 4 * 1024;

/// The channel `name`, if the caller owns or moderates it: 404 when there is no such
/// channel, 403 when the caller may not moderate it.
pub async fn moderated_channel(
    state: &SharedRest,
    caller: &Caller,
    name: &str,
) -> ApiResult<Channel> {
    let channel = state
        .channels
        .channel_by_name(name)
        .await?
        .ok_or_else(|| ApiFailure::not_found("channel"))?;
    if channel.owner_sub == caller.identity.sub
        || state
            .moderators
            .is_moderator(&channel.name, &caller.channel.name)
            .await?
    {
        Ok(channel)
    } else {
        Err(ApiFailure::new(
            StatusCode::FORBIDDEN,
            "only the channel's owner and moderators may do this",
        ))
    }
}

fn to_wire(r: RoomRestriction) -> ChatRestriction {
    ChatRestriction {
        user_id: r.user_id,
        until: r.until_ms.map(rfc3339_ms),
        reason: r.reason,
    }
}

/// RFC 3339 (seconds precision, UTC) of Unix milliseconds.
pub fn rfc3339_ms(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// `GET /stream/v1/chat-restrictions/<channel>`.
pub async fn list(
    State(state): State<SharedRest>,
    caller: Caller,
    Path(channel): Path<String>,
) -> ApiResult<Json<Vec<ChatRestriction>>> {
    let channel = moderated_channel(&state, &caller, &channel).await?;
    let list = state.chat.restrictions(&channel.name).await?;
    Ok(Json(list.into_iter().map(to_wire).collect()))
}

/// `PUT /stream/v1/chat-restrictions/<channel>/<userId>`: a timeout (`durationSeconds`)
/// or a ban, replacing any earlier one; the user is disconnected at once.
pub async fn put(
    State(state): State<SharedRest>,
    caller: Caller,
    Path((channel, user_id)): Path<(String, String)>,
    body: Result<Json<RestrictUser>, JsonRejection>,
) -> ApiResult<Json<ChatRestriction>> {
    let Json(body) = body.map_err(|e| {
        ApiFailure::field(StatusCode::BAD_REQUEST, "body", format!("bad body: {e}"))
    })?;
    let channel = moderated_channel(&state, &caller, &channel).await?;
    if !reason_fits(&body.reason) {
        return Err(ApiFailure::field(
            StatusCode::BAD_REQUEST,
            "reason",
            "reason is longer than 256 characters",
        ));
    }
    let until_ms = match body.duration_seconds {
        None => None,
        Some(secs @ 1..=limits::CHAT_TIMEOUT_MAX_SECS) => {
            Some(now_ms().saturating_add(secs as i64 * 1000))
        }
        Some(_) => {
            return Err(ApiFailure::field(
                StatusCode::BAD_REQUEST,
                "durationSeconds",
                format!(
                    "durationSeconds must be 1..={} (leave it out to ban)",
                    limits::CHAT_TIMEOUT_MAX_SECS
                ),
            ));
        }
    };
    check_target(&state, &channel, &user_id).await?;
    let restriction = RoomRestriction {
        user_id,
        until_ms,
        reason: body.reason,
    };
    state
        .chat
        .restrict(&channel.name, &restriction, &caller.channel.name)
        .await?;
    tracing::info!(
        room = %channel.name,
        user = %restriction.user_id,
        by = %caller.channel.name,
        ban = restriction.until_ms.is_none(),
        "chat user restricted"
    );
    Ok(Json(to_wire(restriction)))
}

/// Who may be restricted: a signed-in user's id (their channel name) that is neither the
/// owner nor a moderator of the room (a moderator is removed as one first).
async fn check_target(state: &SharedRest, channel: &Channel, user_id: &str) -> ApiResult<()> {
    let bad = |msg: &str| ApiFailure::field(StatusCode::BAD_REQUEST, "userId", msg);
    if user_id.is_empty() || !id_fits(user_id) || user_id.chars().any(char::is_control) {
        return Err(bad(
            "userId must be 1..=128 characters without control characters",
        ));
    }
    if user_id == channel.name {
        return Err(bad("the owner cannot be kept out of their own chat"));
    }
    if state
        .moderators
        .is_moderator(&channel.name, user_id)
        .await?
    {
        return Err(bad("remove this user as a moderator first"));
    }
    // Only signed-in users can write: anonymous ids are new on every token.
    if state.channels.channel_by_name(user_id).await?.is_none() {
        return Err(ApiFailure::not_found("user"));
    }
    Ok(())
}

/// `DELETE /stream/v1/chat-restrictions/<channel>/<userId>`: the room's remaining
/// restrictions (as the moderator routes answer the list), or 404 when none was in force.
pub async fn lift(
    State(state): State<SharedRest>,
    caller: Caller,
    Path((channel, user_id)): Path<(String, String)>,
) -> ApiResult<Json<Vec<ChatRestriction>>> {
    let channel = moderated_channel(&state, &caller, &channel).await?;
    if !state.chat.lift(&channel.name, &user_id).await? {
        return Err(ApiFailure::not_found("restriction"));
    }
    tracing::info!(room = %channel.name, user = %user_id, by = %caller.channel.name, "chat restriction lifted");
    let list = state.chat.restrictions(&channel.name).await?;
    Ok(Json(list.into_iter().map(to_wire).collect()))
}

/// `GET /stream/v1/moderated-channels`: the channels the caller moderates.
pub async fn moderated_channels(
    State(state): State<SharedRest>,
    caller: Caller,
) -> ApiResult<Json<Vec<Moderator>>> {
    let list = state.moderators.moderated_by(&caller.channel.name).await?;
    Ok(Json(
        list.into_iter()
            .map(|l| Moderator {
                chanel_name: l.channel.name,
                nickname: l.nickname,
            })
            .collect(),
    ))
}

/// The refusal of R5 for a user kept out of the room (403, saying until when).
pub fn refusal(r: &RoomRestriction) -> ApiFailure {
    let mut message = match r.until_ms {
        Some(ms) => format!(
            "you are timed out of this chat until {}",
            rfc3339_ms(ms + 999)
        ),
        None => "you are banned from this chat".to_owned(),
    };
    if !r.reason.is_empty() {
        message.push_str(&format!(" (reason: {})", r.reason));
    }
    ApiFailure::field(StatusCode::FORBIDDEN, "targetChanel", message)
}
