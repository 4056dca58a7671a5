//! Additive: the caller's channel moderators (`/stream/v1/moderators[/<channel>]`).
//! A moderator is named by their own channel name, which is their chat `UserId`.
//! `?channel=<name>` picks another channel than the caller's own: its owner and
//! moderators may list its moderators, only its owner may change them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use cloumer_protocol::rest::Moderator;

use super::caller::Caller;
use super::state::SharedRest;
use super::{ApiFailure, ApiResult, query_param};
use crate::store::Channel;

/// The channel `?channel=` names (the caller's own without it), if the caller may list
/// (`edit == false`: owner or moderator) or change (`edit`: owner) its moderators.
async fn target(state: &SharedRest, caller: &Caller, uri: &Uri, edit: bool) -> ApiResult<Channel> {
    let Ok(name) = query_param(uri, "channel") else {
        return Ok(caller.channel.clone());
    };
    if name == caller.channel.name {
        return Ok(caller.channel.clone());
    }
    let channel = super::restrictions::moderated_channel(state, caller, &name).await?;
    if edit && channel.owner_sub != caller.identity.sub {
        return Err(ApiFailure::new(
            StatusCode::FORBIDDEN,
            "only the channel's owner may change its moderators",
        ));
    }
    Ok(channel)
}

async fn listing(state: &SharedRest, channel: &str) -> ApiResult<Json<Vec<Moderator>>> {
    let mods = state.moderators.moderators(channel).await?;
    Ok(Json(
        mods.into_iter()
            .map(|l| Moderator {
                chanel_name: l.channel.name,
                nickname: l.nickname,
            })
            .collect(),
    ))
}

pub async fn list(
    State(state): State<SharedRest>,
    caller: Caller,
    uri: Uri,
) -> ApiResult<Json<Vec<Moderator>>> {
    let channel = target(&state, &caller, &uri, false).await?;
    listing(&state, &channel.name).await
}

pub async fn add(
    State(state): State<SharedRest>,
    caller: Caller,
    uri: Uri,
    Path(moderator): Path<String>,
) -> ApiResult<Json<Vec<Moderator>>> {
    let channel = target(&state, &caller, &uri, true).await?;
    if moderator == channel.name {
        return Err(ApiFailure::field(
            StatusCode::BAD_REQUEST,
            "channel",
            "the owner already moderates their channel",
        ));
    }
    if state.channels.channel_by_name(&moderator).await?.is_none() {
        return Err(ApiFailure::not_found("channel"));
    }
    state
        .moderators
        .add_moderator(&channel.name, &moderator)
        .await?;
    listing(&state, &channel.name).await
}

pub async fn remove(
    State(state): State<SharedRest>,
    caller: Caller,
    uri: Uri,
    Path(moderator): Path<String>,
) -> ApiResult<Json<Vec<Moderator>>> {
    let channel = target(&state, &caller, &uri, true).await?;
    if !state
        .moderators
        .remove_moderator(&channel.name, &moderator)
        .await?
    {
        return Err(ApiFailure::not_found("moderator"));
    }
    listing(&state, &channel.name).await
}
