//! R1–R4: the public routes.

use axum::Json;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use cloumer_protocol::rest::{BroadcastEntry, ChatTokenGrant, PlayBack, ProfileUrl, UserEntry};

use super::state::SharedRest;
use super::{ApiFailure, ApiResult, query_param};
use crate::media::ChatGrant;

/// R1 `/public/users`: every channel with its owner's nickname and avatar, or with
/// `?getProfile=<channel>` that channel's avatar URL.
pub async fn users(State(state): State<SharedRest>, uri: Uri) -> ApiResult<Response> {
    if uri.query().is_some_and(|q| {
        q.split('&')
            .any(|p| p.split('=').next() == Some("getProfile"))
    }) {
        let name = query_param(&uri, "getProfile")?;
        let ch = state
            .channels
            .channel_by_name(&name)
            .await?
            .ok_or_else(|| ApiFailure::not_found("channel"))?;
        let profile = state.avatar_url(ch.avatar.as_deref());
        return Ok(Json(ProfileUrl { profile }).into_response());
    }
    let mut list = Vec::new();
    for l in state.channels.list_channels(false).await? {
        // Counted only for live channels: an offline one has no viewers to count, and on
        // AWS each count is a GetStream call.
        let viewer_count = if l.channel.is_live {
            state.media.viewer_count(&l.channel.name).await?
        } else {
            None
        };
        list.push(UserEntry {
            profile: state.avatar_url(l.channel.avatar.as_deref()),
            nickname: l.nickname,
            chanel_name: l.channel.name,
            viewer_count,
        });
    }
    Ok(Json(list).into_response())
}

/// R2 `/public/broadcast_status`: the channels that ARE live (the seed inverted this, B1).
pub async fn broadcast_status(
    State(state): State<SharedRest>,
) -> ApiResult<Json<Vec<BroadcastEntry>>> {
    let mut list = Vec::new();
    for l in state.channels.list_channels(true).await? {
        let viewer_count = state.media.viewer_count(&l.channel.name).await?;
        list.push(BroadcastEntry {
            profile: state.avatar_url(l.channel.avatar.as_deref()),
            nick_name: l.nickname,
            title: l.channel.title,
            sub_key: l.channel.name,
            // No thumbnails are generated: the seed's default image role.
            thumbnail: state.avatar_url(None),
            viewer_count,
        });
    }
    Ok(Json(list))
}

/// R3 `/public/get_channel?code=<channel>`: the HLS playback URL.
pub async fn get_channel(State(state): State<SharedRest>, uri: Uri) -> ApiResult<Json<PlayBack>> {
    let name = query_param(&uri, "code")?;
    let ch = state
        .channels
        .channel_by_name(&name)
        .await?
        .ok_or_else(|| ApiFailure::not_found("channel"))?;
    Ok(Json(PlayBack {
        play_back: state.media.playback_url(&ch.name).await?,
    }))
}

/// R4 `/public/get_chat?targetChanel=<channel>`: an anonymous, read-only chat token with
/// a unique user id (the seed used Unix seconds, which collide: B12).
pub async fn get_chat(State(state): State<SharedRest>, uri: Uri) -> ApiResult<Response> {
    let name = query_param(&uri, "targetChanel")?;
    let ch = state
        .channels
        .channel_by_name(&name)
        .await?
        .ok_or_else(|| ApiFailure::not_found("channel"))?;
    let token = state
        .chat
        .mint_token(ChatGrant {
            room: ch.name,
            user_id: format!("anonymous-{}", uuid::Uuid::new_v4().simple()),
            capabilities: Vec::new(),
            attributes: Default::default(),
            session_duration_minutes: 100,
        })
        .await?;
    Ok(Json(ChatTokenGrant {
        token,
        capabilities: Vec::new(),
    })
    .into_response())
}
