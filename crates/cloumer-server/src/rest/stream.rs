//! R5, R6, R8 and the stream-key rotation: routes of the signed-in caller's own channel.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use cloumer_protocol::chat::{Attributes, Capability};
use cloumer_protocol::rest::{ChatTokenGrant, MyPage, StreamKey, StreamStatus, limits};

use super::caller::Caller;
use super::state::SharedRest;
use super::{ApiFailure, ApiResult, query_param};
use crate::media::ChatGrant;

/// R5 `/stream/get_caht?targetChanel=<channel>`: a chat token for the caller. Owners and
/// moderators of the target may delete messages and disconnect users; the answer names the
/// capabilities so a page shows moderation only to those who have it. A user timed out or
/// banned from the room gets 403 instead.
pub async fn get_caht(
    State(state): State<SharedRest>,
    caller: Caller,
    uri: Uri,
) -> ApiResult<Json<ChatTokenGrant>> {
    let name = query_param(&uri, "targetChanel")?;
    let target = state
        .channels
        .channel_by_name(&name)
        .await?
        .ok_or_else(|| ApiFailure::not_found("channel"))?;
    let me = &caller.channel.name;
    let moderates = target.owner_sub == caller.identity.sub
        || state.moderators.is_moderator(&target.name, me).await?;
    if !moderates
        && let Some(restriction) = state.chat.restriction(&target.name, me).await?
    {
        return Err(super::restrictions::refusal(&restriction));
    }
    let capabilities = if moderates {
        vec![
            Capability::SendMessage,
            Capability::DeleteMessage,
            Capability::DisconnectUser,
        ]
    } else {
        vec![Capability::SendMessage]
    };
    let attributes = Attributes::from([
        ("username".to_owned(), caller.identity.nickname.clone()),
        (
            "avatar".to_owned(),
            state.avatar_url(caller.channel.avatar.as_deref()),
        ),
    ]);
    let token = state
        .chat
        .mint_token(ChatGrant {
            room: target.name,
            user_id: me.clone(),
            capabilities: capabilities.clone(),
            attributes,
            session_duration_minutes: 100,
        })
        .await?;
    Ok(Json(ChatTokenGrant {
        token,
        capabilities,
    }))
}

/// R6 `/stream/mypage`: the caller's title, live state, stream key and URLs.
pub async fn mypage(State(state): State<SharedRest>, caller: Caller) -> ApiResult<Json<MyPage>> {
    let ch = caller.channel;
    Ok(Json(MyPage {
        borad_cast_title: ch.title,
        is_live: ch.is_live.into(),
        stream_url: state.media.ingest_url(&ch.name).await?,
        playback_url: state.media.playback_url(&ch.name).await?,
        profile: state.avatar_url(ch.avatar.as_deref()),
        stream_key: state.stream_keys.stream_key(&ch.name).await?,
        channel_type: Some(ch.channel_type.as_str().to_owned()),
        chanel_name: ch.name,
    }))
}

/// `GET /stream/v1/stream`: the caller's own stream (state, health, viewers, start time),
/// shaped like IVS GetStream's answer, for the studio and `cloumer live` while live.
pub async fn stream_status(
    State(state): State<SharedRest>,
    caller: Caller,
) -> ApiResult<Json<StreamStatus>> {
    let ch = caller.channel;
    if let Some(status) = state.media.stream_status(&ch.name).await? {
        return Ok(Json(status));
    }
    // A backend that cannot describe the stream: the row's live flag, health unknown.
    let viewers = state.media.viewer_count(&ch.name).await?;
    Ok(Json(if ch.is_live {
        StreamStatus {
            state: "LIVE".into(),
            health: "UNKNOWN".into(),
            viewer_count: viewers,
            start_time: None,
        }
    } else {
        StreamStatus::offline(viewers)
    }))
}

/// Checks a broadcast title: 1..=140 characters, no control characters.
pub fn validate_title(title: &str) -> Result<(), ApiFailure> {
    let bad = |msg: &str| ApiFailure::field(StatusCode::BAD_REQUEST, "title", msg);
    let n = title.chars().count();
    if title.trim().is_empty() {
        return Err(bad("title must not be empty"));
    }
    if n > limits::TITLE_MAX_CHARS {
        return Err(bad("title is longer than 140 characters"));
    }
    if title.chars().any(char::is_control) {
        return Err(bad("title must not contain control characters"));
    }
    Ok(())
}

/// R8 `/stream/broadcase_info_edit?title=<text>`: sets the title; answers `"OK"`.
pub async fn broadcast_info_edit(
    State(state): State<SharedRest>,
    caller: Caller,
    uri: Uri,
) -> ApiResult<Json<&'static str>> {
    let title = query_param(&uri, "title")?;
    validate_title(&title)?;
    state
        .channels
        .set_title(&caller.channel.name, &title)
        .await?;
    Ok(Json("OK"))
}

/// `POST /stream/v1/stream-key/rotate`: a new stream key; the old one stops working, and a
/// publish that used it is ended (StopStream), as IVS does when a key is deleted: someone
/// who learnt the old key must not stay on the air with it.
pub async fn rotate_stream_key(
    State(state): State<SharedRest>,
    caller: Caller,
) -> ApiResult<Json<StreamKey>> {
    let channel = &caller.channel.name;
    let key = state.stream_keys.rotate(channel).await?;
    tracing::info!(%channel, "stream key rotated");
    // Any publish now live began with the old key: the new one was made just now.
    state.media.stop_stream(channel).await?;
    Ok(Json(StreamKey { stream_key: key }))
}
