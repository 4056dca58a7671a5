//! GetUser, GlobalSignOut, UpdateUserAttributes: operations on the caller's own account,
//! authorised by an access token whose session is still active. A new e-mail address is
//! only applied once verified (`verify.rs`): until then the old one stays in use and in
//! the tokens.

use cloumer_protocol::cognito::{
    ATTR_CHANNEL, AccessTokenRequest, AttributeType, GetUserResponse, UpdateUserAttributesRequest,
};
use serde_json::json;

use super::{CognitoError, OpResult, codes, parse, validate};
use crate::auth::guard::CodeSend;
use crate::auth::jwt::AccessClaims;
use crate::state::SharedState;
use crate::store::{ChannelStore, User};

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
        .store
        .session(&claims.origin_jti)
        .await?
        .ok_or_else(invalid)?;
    if session.revoked {
        return Err(CognitoError::not_authorized(
            "Access Token has been revoked",
        ));
    }
    let user = state
        .store
        .user_by_sub(&claims.sub)
        .await?
        .ok_or_else(invalid)?;
    Ok((claims, user))
}

pub async fn get_user(state: &SharedState, body: &[u8]) -> OpResult {
    let req: AccessTokenRequest = parse(body)?;
    let (_, user) = caller(state, &req.access_token).await?;
    let channel = state.store.channel_by_owner(&user.sub).await?;
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
    state.store.revoke_all(&user.sub).await?;
    tracing::info!(sub = %user.sub, "global sign-out");
    Ok(json!({}))
}

pub async fn update_attributes(state: &SharedState, body: &[u8]) -> OpResult {
    let req: UpdateUserAttributesRequest = parse(body)?;
    let (_, user) = caller(state, &req.access_token).await?;
    let mut email = None;
    let mut nickname = None;
    for a in &req.user_attributes {
        match a.name.as_str() {
            "nickname" => nickname = Some(validate::nickname(&a.value)?),
            "email" => email = Some(validate::email(&a.value)?),
            // custom:chanelName and sub are server-owned: writing them is what W1 abused.
            _ => {
                tracing::warn!(sub = %user.sub, attribute = %a.name, "refused attribute write");
                return Err(CognitoError::not_authorized(
                    "A client attempted to write unauthorized attribute",
                ));
            }
        }
    }
    let new_email = email.filter(|e| *e != user.email);
    if new_email.is_some() {
        codes::allow_send(state, CodeSend::VerifyAttribute, &user.sub)?;
    }
    if let Some(nickname) = nickname {
        state.store.set_nickname(&user.sub, nickname).await?;
    }
    let mut deliveries = Vec::new();
    match new_email {
        Some(email) => {
            state
                .store
                .set_pending_email(&user.sub, Some(email))
                .await?;
            deliveries.push(super::verify::send_email_code(state, &user, email).await?);
        }
        // Setting the address back to the verified one drops a pending change.
        None if email.is_some() => state.store.set_pending_email(&user.sub, None).await?,
        None => {}
    }
    Ok(json!({ "CodeDeliveryDetailsList": deliveries }))
}
