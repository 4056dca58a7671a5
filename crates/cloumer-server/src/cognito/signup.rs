//! SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword.

use cloumer_protocol::cognito::{
    ATTR_CHANNEL, CodeDeliveryDetails, ConfirmForgotPasswordRequest, ConfirmSignUpRequest,
    SignUpRequest, SignUpResponse, UsernameRequest,
};
use serde_json::json;

use super::{CognitoError, OpResult, check_client, parse};
use crate::auth::{outbox, password, srp};
use crate::error::now_secs;
use crate::state::SharedState;
use crate::store::{Channel, CodeCheck, CodePurpose, User};

const CODE_SECONDS: i64 = 24 * 3600;

fn delivery(email: &str) -> CodeDeliveryDetails {
    // Cognito masks the address: a***@e***.
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    CodeDeliveryDetails {
        destination: format!("{}***@{}***", first(local), first(domain)),
        delivery_medium: "EMAIL".into(),
        attribute_name: "email".into(),
    }
}

async fn send_code(
    state: &SharedState,
    user: &User,
    purpose: CodePurpose,
) -> Result<(), CognitoError> {
    let code = crate::ids::code();
    state
        .users
        .put_code(&user.sub, purpose, &code, now_secs() + CODE_SECONDS)
        .await?;
    let subject = match purpose {
        CodePurpose::ConfirmSignUp => "Your verification code",
        CodePurpose::ResetPassword => "Your password reset code",
    };
    state.outbox.send(&outbox::Message {
        to: &user.email,
        subject,
        code: &code,
        username: &user.username,
        purpose: purpose.as_str(),
        at: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
    })?;
    Ok(())
}

async fn user_named(state: &SharedState, username: &str) -> Result<User, CognitoError> {
    state
        .users
        .user_by_username(username)
        .await?
        .ok_or_else(|| {
            CognitoError::new(
                "UserNotFoundException",
                "Username/client id combination not found.",
            )
        })
}

fn check_code(check: CodeCheck) -> Result<(), CognitoError> {
    match check {
        CodeCheck::Valid => Ok(()),
        CodeCheck::Mismatch => Err(CognitoError::new(
            "CodeMismatchException",
            "Invalid verification code provided, please try again.",
        )),
        CodeCheck::Expired => Err(CognitoError::new(
            "ExpiredCodeException",
            "Invalid code provided, please request a code again.",
        )),
    }
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
    if !password::acceptable(&req.password) {
        return Err(CognitoError::new(
            "InvalidPasswordException",
            "Password did not conform with policy: Password not long enough",
        ));
    }
    let attr = |name: &str| {
        req.user_attributes
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.value.trim().to_owned())
    };
    let email = attr("email").filter(|e| e.contains('@') && e.len() >= 6 && e.len() <= 256);
    let Some(email) = email else {
        return Err(CognitoError::invalid_parameter(
            "Attributes did not conform to the schema: email is required",
        ));
    };
    if attr(ATTR_CHANNEL).is_some_and(|v| !v.is_empty()) {
        // The channel name is assigned by the server (W1).
        return Err(CognitoError::not_authorized(
            "A client attempted to write unauthorized attribute",
        ));
    }
    // The seed broke on users without a nickname (B8): default to the e-mail's local part.
    let nickname = attr("nickname")
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned());
    let salt = srp::new_salt();
    let user = User {
        sub: uuid::Uuid::new_v4().to_string(),
        username: username.to_owned(),
        email,
        nickname,
        password_hash: password::hash(&req.password)?,
        srp_verifier: srp::verifier(state.pool.pool_name(), username, &req.password, &salt),
        srp_salt: salt,
        confirmed: false,
    };
    match state.users.create_user(&user).await {
        Ok(()) => {}
        Err(crate::Error::Conflict(_)) => {
            return Err(CognitoError::new(
                "UsernameExistsException",
                "User already exists",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(sub = %user.sub, "user signed up");
    send_code(state, &user, CodePurpose::ConfirmSignUp).await?;
    let res = SignUpResponse {
        user_confirmed: false,
        user_sub: user.sub.clone(),
        code_delivery_details: Some(delivery(&user.email)),
    };
    Ok(serde_json::to_value(res).unwrap_or_default())
}

pub async fn confirm_sign_up(state: &SharedState, body: &[u8]) -> OpResult {
    let req: ConfirmSignUpRequest = parse(body)?;
    check_client(state, &req.client_id)?;
    let user = user_named(state, &req.username).await?;
    if user.confirmed {
        return Err(CognitoError::not_authorized(
            "User cannot be confirmed. Current status is CONFIRMED",
        ));
    }
    check_code(
        state
            .users
            .take_code(
                &user.sub,
                CodePurpose::ConfirmSignUp,
                req.confirmation_code.trim(),
            )
            .await?,
    )?;
    state.users.set_confirmed(&user.sub).await?;
    provision_channel(state, &user).await?;
    Ok(json!({}))
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
            stream_key: crate::ids::stream_key(&state.pool.region),
            avatar: None,
            channel_type: state.channel_type,
        };
        match state.channels.ensure_channel(&candidate).await {
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
        "InternalErrorException",
        "could not allocate a channel name",
    ))
}

pub async fn resend_code(state: &SharedState, body: &[u8]) -> OpResult {
    let req: UsernameRequest = parse(body)?;
    check_client(state, &req.client_id)?;
    let user = user_named(state, &req.username).await?;
    if user.confirmed {
        return Err(CognitoError::invalid_parameter(
            "User is already confirmed.",
        ));
    }
    send_code(state, &user, CodePurpose::ConfirmSignUp).await?;
    Ok(json!({ "CodeDeliveryDetails": delivery(&user.email) }))
}

pub async fn forgot_password(state: &SharedState, body: &[u8]) -> OpResult {
    let req: UsernameRequest = parse(body)?;
    check_client(state, &req.client_id)?;
    let user = user_named(state, &req.username).await?;
    send_code(state, &user, CodePurpose::ResetPassword).await?;
    Ok(json!({ "CodeDeliveryDetails": delivery(&user.email) }))
}

pub async fn confirm_forgot_password(state: &SharedState, body: &[u8]) -> OpResult {
    let req: ConfirmForgotPasswordRequest = parse(body)?;
    check_client(state, &req.client_id)?;
    let user = user_named(state, &req.username).await?;
    if !password::acceptable(&req.password) {
        return Err(CognitoError::new(
            "InvalidPasswordException",
            "Password did not conform with policy: Password not long enough",
        ));
    }
    check_code(
        state
            .users
            .take_code(
                &user.sub,
                CodePurpose::ResetPassword,
                req.confirmation_code.trim(),
            )
            .await?,
    )?;
    let salt = srp::new_salt();
    let verifier = srp::verifier(state.pool.pool_name(), &user.username, &req.password, &salt);
    state
        .users
        .set_password(&user.sub, &password::hash(&req.password)?, &salt, &verifier)
        .await?;
    // A reset ends every existing session.
    state.sessions.revoke_all(&user.sub).await?;
    tracing::info!(sub = %user.sub, "password reset");
    Ok(json!({}))
}
