//! SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword.
//!
//! As a Cognito pool with "prevent user existence errors": an unknown user name gets the
//! answer a known one would (a plausible code delivery, or CodeMismatchException), so
//! these operations cannot be used to find accounts to attack.

use cloumer_protocol::cognito::{
    ATTR_CHANNEL, ConfirmForgotPasswordRequest, ConfirmSignUpRequest, ErrorKind, SignUpRequest,
    SignUpResponse, UsernameRequest,
};
use serde_json::json;

use super::codes::{self, Recipient};
use super::{CognitoError, OpResult, check_client, parse, validate};
use crate::auth::guard::CodeSend;
use crate::auth::{password, srp};
use crate::state::SharedState;
use crate::store::{Channel, CodePurpose, User};

fn recipient(user: &User) -> Recipient<'_> {
    Recipient {
        sub: &user.sub,
        username: &user.username,
        email: &user.email,
    }
}

fn check_password_policy(password: &str) -> Result<(), CognitoError> {
    if password::acceptable(password) {
        Ok(())
    } else {
        Err(CognitoError::new(
            ErrorKind::InvalidPassword,
            "Password did not conform with policy: Password not long enough",
        ))
    }
}

/// The argon2 hash and the SRP salt and verifier of a new password, computed in the
/// CPU pool.
async fn password_secrets(
    state: &SharedState,
    username: &str,
    password: &str,
) -> Result<(String, Vec<u8>, Vec<u8>), CognitoError> {
    let (pool, username, password) = (
        state.pool.pool_name().to_owned(),
        username.to_owned(),
        password.to_owned(),
    );
    let (hash, salt, verifier) = state
        .auth_guard
        .work
        .run(move || {
            let salt = srp::new_salt();
            let verifier = srp::verifier(&pool, &username, &password, &salt);
            (password::hash(&password), salt, verifier)
        })
        .await?;
    Ok((hash?, salt, verifier))
}

pub async fn sign_up(state: &SharedState, body: &[u8]) -> OpResult {
    let req: SignUpRequest = parse(body)?;
    check_client(state, &req.client_id)?;
    let username = req.username.trim();
    if username.is_empty()
        || username.chars().count() > 128
        || username.chars().any(char::is_control)
    {
        return Err(CognitoError::invalid_parameter("Username is not valid."));
    }
    check_password_policy(&req.password)?;
    let attr = |name: &str| {
        req.user_attributes
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.value.as_str())
    };
    let email = validate::email(attr("email").unwrap_or_default()).map_err(|_| {
        CognitoError::invalid_parameter(
            "Attributes did not conform to the schema: email is required",
        )
    })?;
    if attr(ATTR_CHANNEL).is_some_and(|v| !v.trim().is_empty()) {
        // The channel name is assigned by the server (W1).
        return Err(CognitoError::not_authorized(
            "A client attempted to write unauthorized attribute",
        ));
    }
    let nickname = match attr("nickname").filter(|n| !n.trim().is_empty()) {
        Some(n) => validate::nickname(n)?.to_owned(),
        None => validate::default_nickname(email),
    };
    let (password_hash, srp_salt, srp_verifier) =
        password_secrets(state, username, &req.password).await?;
    let user = User {
        sub: uuid::Uuid::new_v4().to_string(),
        username: username.to_owned(),
        email: email.to_owned(),
        nickname,
        password_hash,
        srp_verifier,
        srp_salt,
        confirmed: false,
        pending_email: None,
    };
    match state.store.create_user(&user).await {
        Ok(()) => {}
        Err(crate::Error::Conflict(_)) => {
            return Err(CognitoError::new(
                ErrorKind::UsernameExists,
                "User already exists",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(sub = %user.sub, "user signed up");
    let delivery = codes::send(state, &recipient(&user), CodePurpose::ConfirmSignUp).await?;
    let res = SignUpResponse {
        user_confirmed: false,
        user_sub: user.sub.clone(),
        code_delivery_details: Some(delivery),
    };
    Ok(serde_json::to_value(res).unwrap_or_default())
}

pub async fn confirm_sign_up(state: &SharedState, body: &[u8]) -> OpResult {
    let req: ConfirmSignUpRequest = parse(body)?;
    check_client(state, &req.client_id)?;
    // Unknown and already confirmed users have no pending code: a mismatch, like a guess.
    let Some(user) = state.store.user_by_username(&req.username).await? else {
        return Err(CognitoError::code_mismatch());
    };
    if user.confirmed {
        return Err(CognitoError::code_mismatch());
    }
    codes::check(
        state,
        &user.sub,
        CodePurpose::ConfirmSignUp,
        &req.confirmation_code,
    )
    .await?;
    state.store.set_confirmed(&user.sub).await?;
    provision_channel(state, &user).await?;
    Ok(json!({}))
}

/// Confirms a sign-up without a code: only for the embedded server of "Try it locally",
/// whose owner is the user on this machine (the studio calls it in-process; no route
/// reaches it, so strangers cannot skip the code). `Ok(false)` when no such unconfirmed
/// user exists.
pub(crate) async fn confirm_without_code(
    state: &SharedState,
    username: &str,
) -> Result<bool, CognitoError> {
    let Some(user) = state.store.user_by_username(username).await? else {
        return Ok(false);
    };
    if !user.confirmed {
        state.store.set_confirmed(&user.sub).await?;
        tracing::info!(sub = %user.sub, "sign-up confirmed by the local owner");
    }
    provision_channel(state, &user).await?;
    Ok(true)
}

/// The post-confirmation step: the user's channel, stream key and chat room (the room is
/// the channel name). Only sign-up confirmation calls it, and the store makes it
/// idempotent, so a password reset never makes a second channel (the seed's W4).
async fn provision_channel(state: &SharedState, user: &User) -> Result<(), CognitoError> {
    for _ in 0..5 {
        let candidate = Channel {
            name: crate::ids::channel_name(),
            owner_sub: user.sub.clone(),
            title: String::new(),
            is_live: false,
            avatar: None,
            channel_type: state.channel_type,
        };
        let stream_key = crate::ids::stream_key(&state.pool.region);
        match state.store.ensure_channel(&candidate, &stream_key).await {
            Ok(ch) => {
                tracing::info!(sub = %user.sub, channel = %ch.name, "channel provisioned");
                return Ok(());
            }
            // A 10-character name collided (astronomically unlikely): draw again.
            Err(crate::Error::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(CognitoError::new(
        ErrorKind::InternalError,
        "could not allocate a channel name",
    ))
}

/// ResendConfirmationCode and ForgotPassword: a new code for `purpose`, limited per
/// account; unknown users (and, for a resend, confirmed ones, who have nothing to
/// confirm) get a plausible delivery and no message.
async fn send_code_to(
    state: &SharedState,
    body: &[u8],
    send: CodeSend,
    purpose: CodePurpose,
) -> OpResult {
    let req: UsernameRequest = parse(body)?;
    check_client(state, &req.client_id)?;
    codes::allow_send(state, send, &req.username)?;
    let user = state
        .store
        .user_by_username(&req.username)
        .await?
        .filter(|u| purpose != CodePurpose::ConfirmSignUp || !u.confirmed);
    let delivery = match user {
        Some(user) => codes::send(state, &recipient(&user), purpose).await?,
        None => codes::decoy_delivery(state, &req.username),
    };
    Ok(json!({ "CodeDeliveryDetails": delivery }))
}

pub async fn resend_code(state: &SharedState, body: &[u8]) -> OpResult {
    send_code_to(state, body, CodeSend::Resend, CodePurpose::ConfirmSignUp).await
}

pub async fn forgot_password(state: &SharedState, body: &[u8]) -> OpResult {
    send_code_to(state, body, CodeSend::Forgot, CodePurpose::ResetPassword).await
}

pub async fn confirm_forgot_password(state: &SharedState, body: &[u8]) -> OpResult {
    let req: ConfirmForgotPasswordRequest = parse(body)?;
    check_client(state, &req.client_id)?;
    check_password_policy(&req.password)?;
    let Some(user) = state.store.user_by_username(&req.username).await? else {
        return Err(CognitoError::code_mismatch());
    };
    codes::check(
        state,
        &user.sub,
        CodePurpose::ResetPassword,
        &req.confirmation_code,
    )
    .await?;
    let (hash, salt, verifier) = password_secrets(state, &user.username, &req.password).await?;
    state
        .store
        .set_password(&user.sub, &hash, &salt, &verifier)
        .await?;
    // A reset ends every existing session, and a lockout the attacker may have caused.
    state.store.revoke_all(&user.sub).await?;
    state.auth_guard.lockouts.succeeded(&user.username);
    tracing::info!(sub = %user.sub, "password reset");
    Ok(json!({}))
}
