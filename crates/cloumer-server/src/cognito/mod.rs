//! The Cognito Identity Provider JSON protocol: `POST` with
//! `X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`, JSON in and out
//! (`application/x-amz-json-1.1`), errors as `{"__type": "...Exception", "message": ...}`.

mod account;
mod codes;
mod error;
mod login;
pub(crate) mod signup;
mod validate;
mod verify;

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cloumer_protocol::cognito::{CONTENT_TYPE, ErrorKind, TARGET_PREFIX};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::state::SharedState;

pub use error::CognitoError;

pub type OpResult = Result<serde_json::Value, CognitoError>;

pub(crate) fn amz_json(status: StatusCode, body: &impl Serialize) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut res = (status, bytes).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    res
}

pub(crate) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, CognitoError> {
    serde_json::from_slice(body).map_err(|e| {
        CognitoError::new(
            ErrorKind::Serialization,
            format!("invalid request body: {e}"),
        )
    })
}

pub(crate) fn check_client(state: &SharedState, client_id: &str) -> Result<(), CognitoError> {
    if client_id == state.pool.client_id {
        Ok(())
    } else {
        Err(CognitoError::new(
            ErrorKind::ResourceNotFound,
            "User pool client does not exist.",
        ))
    }
}

/// Operations anyone may call: throttled per client address, since each can be used to
/// guess (passwords, codes) or to make the server hash.
const UNAUTHENTICATED: &[&str] = &[
    "SignUp",
    "ConfirmSignUp",
    "ResendConfirmationCode",
    "ForgotPassword",
    "ConfirmForgotPassword",
    "InitiateAuth",
    "RespondToAuthChallenge",
];

/// `POST /cognito/` (and `POST /`): dispatches on `X-Amz-Target`.
pub async fn handle(
    State(state): State<SharedState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some(op) = target.strip_prefix(TARGET_PREFIX) else {
        return CognitoError::new(
            ErrorKind::UnknownOperation,
            "missing or foreign X-Amz-Target",
        )
        .into_response();
    };
    let client = crate::auth::throttle::client_key(peer.ip());
    if UNAUTHENTICATED.contains(&op) && !state.auth_guard.addresses.allow(&client) {
        tracing::info!(op, %client, "cognito call throttled");
        return CognitoError::too_many_requests().into_response();
    }
    let result = match op {
        "SignUp" => signup::sign_up(&state, &body).await,
        "ConfirmSignUp" => signup::confirm_sign_up(&state, &body).await,
        "ResendConfirmationCode" => signup::resend_code(&state, &body).await,
        "ForgotPassword" => signup::forgot_password(&state, &body).await,
        "ConfirmForgotPassword" => signup::confirm_forgot_password(&state, &body).await,
        "InitiateAuth" => login::initiate_auth(&state, &body).await,
        "RespondToAuthChallenge" => login::respond_to_challenge(&state, &body).await,
        "GetUser" => account::get_user(&state, &body).await,
        "GlobalSignOut" => account::global_sign_out(&state, &body).await,
        "UpdateUserAttributes" => account::update_attributes(&state, &body).await,
        "VerifyUserAttribute" => verify::verify_attribute(&state, &body).await,
        "GetUserAttributeVerificationCode" => {
            verify::attribute_verification_code(&state, &body).await
        }
        other => Err(CognitoError::new(
            ErrorKind::UnknownOperation,
            format!("operation {other} is not supported by this server"),
        )),
    };
    match result {
        Ok(value) => amz_json(StatusCode::OK, &value),
        Err(e) => {
            tracing::info!(op, kind = %e.kind, "cognito operation refused");
            e.into_response()
        }
    }
}

/// `GET <issuer>/.well-known/jwks.json`.
pub async fn jwks(State(state): State<SharedState>) -> Response {
    match state.tokens.get().await {
        Ok(tokens) => axum::Json(tokens.jwks().clone()).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "JWKS unavailable");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
