//! Additive: the caller's channel moderators (`/stream/v1/moderators[/<channel>]`).
//! A moderator is named by their own channel name, which is their chat `UserId`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use cloumer_protocol::rest::Moderator;

use super::caller::Caller;
use super::state::SharedRest;
use super::{ApiFailure, ApiResult};

pub async fn list(
    State(state): State<SharedRest>,
    caller: Caller,
) -> ApiResult<Json<Vec<Moderator>>> {
    let mods = state.moderators.moderators(&caller.channel.name).await?;
    Ok(Json(
        mods.into_iter()
            .map(|l| Moderator {
                chanel_name: l.channel.name,
                nickname: l.nickname,
            })
            .collect(),
    ))
}

pub async fn add(
    State(state): State<SharedRest>,
    caller: Caller,
    Path(channel): Path<String>,
) -> ApiResult<Json<Vec<Moderator>>> {
    if channel == caller.channel.name {
        return Err(ApiFailure::field(
            StatusCode::BAD_REQUEST,
            "channel",
            "the owner already moderates their channel",
        ));
    }
    if state.channels.channel_by_name(&channel).await?.is_none() {
        return Err(ApiFailure::not_found("channel"));
    }
    state
        .moderators
        .add_moderator(&caller.channel.name, &channel)
        .await?;
    list(State(state), caller).await
}

pub async fn remove(
    State(state): State<SharedRest>,
    caller: Caller,
    Path(channel): Path<String>,
) -> ApiResult<Json<Vec<Moderator>>> {
    if !state
        .moderators
        .remove_moderator(&caller.channel.name, &channel)
        .await?
    {
        return Err(ApiFailure::not_found("moderator"));
    }
    list(State(state), caller).await
}
