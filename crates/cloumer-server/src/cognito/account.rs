//! GetUser, GlobalSignOut, UpdateUserAttributes: operations on the caller's own account,
//! authorised by an access token whose session is still active.

use cloumer_protocol::cognito::{
    ATTR_CHANNEL, AccessTokenRequest, AttributeType, GetUserResponse, UpdateUserAttributesRequest,
};
use serde_json::json;

use super::{CognitoError, OpResult, parse};
use crate::auth::jwt::AccessClaims;
use crate::state::SharedState;
use crate::store::User;

/// Verifies an access token and that its session was not signed out.
pub(crate) async fn caller(
    state: &SharedState,
    token: &str,
) -> Result<(AccessClaims, User), CognitoError> {
    let invalid = || CognitoError::not_authorized("Invalid Access Token");
    let claims = state
        .tokens
        .get()
        .await?
        .verify_access(token)
        .map_err(|_| invalid())?;
    let session = state
        .sessions
        .session(&claims.origin_jti)
        .await?
        .ok_or_else(invalid)?;
    if session.revoked {
        return Err(CognitoError::not_authorized(
            "Access Token has been revoked",
        ));
    }
    let user = state
        .users
        .user_by_sub(&claims.sub)
        .await?
        .ok_or_else(invalid)?;
    Ok((claims, user))
}

pub async fn get_user(state: &SharedState, body: &[u8]) -> OpResult {
    let req: AccessTokenRequest = parse(body)?;
    let (_, user) = caller(state, &req.access_token).await?;
    let channel = state.channels.channel_by_owner(&user.sub).await?;
    let attr = |name: &str, value: &str| AttributeType {
        name: name.into(),
        value: value.into(),
    };
    let mut attrs = vec![
        attr("sub", &user.sub),
        attr("email", &user.email),
        attr("email_verified", "true"),
        attr("nickname", &user.nickname),
    ];
    if let Some(ch) = channel {
        attrs.push(attr(ATTR_CHANNEL, &ch.name));
    }
    let res = GetUserResponse {
        username: user.username,
        user_attributes: attrs,
    };
    Ok(serde_json::to_value(res).unwrap_or_default())
}

pub async fn global_sign_out(state: &SharedState, body: &[u8]) -> OpResult {
    let req: AccessTokenRequest = parse(body)?;
    let (_, user) = caller(state, &req.access_token).await?;
    state.sessions.revoke_all(&user.sub).await?;
    tracing::info!(sub = %user.sub, "global sign-out");
    Ok(json!({}))
}

pub async fn update_attributes(state: &SharedState, body: &[u8]) -> OpResult {
    let req: UpdateUserAttributesRequest = parse(body)?;
    let (_, user) = caller(state, &req.access_token).await?;
    let mut email = None;
    let mut nickname = None;
    for a in &req.user_attributes {
        let value = a.value.trim();
        match a.name.as_str() {
            "nickname" if !value.is_empty() && value.chars().count() <= 64 => {
                nickname = Some(value)
            }
            "email" if value.contains('@') && value.len() >= 6 && value.len() <= 256 => {
                email = Some(value)
            }
            "nickname" | "email" => {
                return Err(CognitoError::invalid_parameter(format!(
                    "Invalid value for {}",
                    a.name
                )));
            }
            // custom:chanelName and sub are server-owned: writing them is what W1 abused.
            _ => {
                tracing::warn!(sub = %user.sub, attribute = %a.name, "refused attribute write");
                return Err(CognitoError::not_authorized(
                    "A client attempted to write unauthorized attribute",
                ));
            }
        }
    }
    state.users.set_profile(&user.sub, email, nickname).await?;
    Ok(json!({ "CodeDeliveryDetailsList": [] }))
}
