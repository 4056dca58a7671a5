//! InitiateAuth (USER_PASSWORD_AUTH, USER_SRP_AUTH, REFRESH_TOKEN_AUTH) and
//! RespondToAuthChallenge (PASSWORD_VERIFIER).

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use cloumer_protocol::cognito::{
    AuthResponse, AuthenticationResult, InitiateAuthRequest, RespondToAuthChallengeRequest,
};
use sha2::{Digest, Sha256};

use super::{CognitoError, OpResult, check_client, parse};
use crate::auth::jwt::{Subject, TOKEN_SECONDS};
use crate::auth::{password, srp};
use crate::error::now_secs;
use crate::state::SharedState;
use crate::store::{Session, User};

/// Refresh tokens live 30 days (Cognito's default).
const REFRESH_SECONDS: i64 = 30 * 24 * 3600;

pub(crate) fn refresh_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn param<'a>(params: &'a BTreeMap<String, String>, name: &str) -> Result<&'a str, CognitoError> {
    params.get(name).map(String::as_str).ok_or_else(|| {
        CognitoError::invalid_parameter(format!("Missing required parameter {name}"))
    })
}

async fn confirmed_user(state: &SharedState, username: &str) -> Result<User, CognitoError> {
    let user = state
        .users
        .user_by_username(username)
        .await?
        .ok_or_else(CognitoError::bad_credentials)?;
    Ok(user)
}

fn require_confirmed(user: &User) -> Result<(), CognitoError> {
    if user.confirmed {
        Ok(())
    } else {
        Err(CognitoError::new(
            "UserNotConfirmedException",
            "User is not confirmed.",
        ))
    }
}

/// Mints ID and access tokens for `user` within `session_id`.
async fn tokens(
    state: &SharedState,
    user: &User,
    session_id: &str,
) -> Result<(String, String), CognitoError> {
    let channel = state.channels.channel_by_owner(&user.sub).await?;
    Ok(state.tokens.get().await?.issue(&Subject {
        sub: &user.sub,
        username: &user.username,
        email: &user.email,
        nickname: &user.nickname,
        channel: channel.as_ref().map(|c| c.name.as_str()),
        session_id,
    })?)
}

/// A new session with a refresh token, and its first tokens.
async fn login(state: &SharedState, user: &User) -> OpResult {
    let session = Session {
        id: uuid::Uuid::new_v4().to_string(),
        sub: user.sub.clone(),
        expires_at: now_secs() + REFRESH_SECONDS,
        revoked: false,
    };
    let refresh = B64URL.encode(crate::ids::bytes::<48>());
    state
        .sessions
        .create_session(&session, &refresh_hash(&refresh))
        .await?;
    let (id_token, access_token) = tokens(state, user, &session.id).await?;
    tracing::info!(sub = %user.sub, "signed in");
    result(id_token, access_token, Some(refresh))
}

fn result(id_token: String, access_token: String, refresh_token: Option<String>) -> OpResult {
    let res = AuthResponse {
        authentication_result: Some(AuthenticationResult {
            access_token,
            id_token,
            refresh_token,
            expires_in: TOKEN_SECONDS as u64,
            token_type: "Bearer".into(),
        }),
        challenge_parameters: Some(BTreeMap::new()),
        ..AuthResponse::default()
    };
    Ok(serde_json::to_value(res).unwrap_or_default())
}

pub async fn initiate_auth(state: &SharedState, body: &[u8]) -> OpResult {
    let req: InitiateAuthRequest = parse(body)?;
    check_client(state, &req.client_id)?;
    let p = &req.auth_parameters;
    match req.auth_flow.as_str() {
        "USER_PASSWORD_AUTH" => {
            let user = confirmed_user(state, param(p, "USERNAME")?).await?;
            if !password::verify(param(p, "PASSWORD")?, &user.password_hash) {
                return Err(CognitoError::bad_credentials());
            }
            require_confirmed(&user)?;
            login(state, &user).await
        }
        "USER_SRP_AUTH" => {
            let user = confirmed_user(state, param(p, "USERNAME")?).await?;
            let c = srp::challenge(
                &state.pool.srp_secret,
                &user.username,
                &user.srp_salt,
                &user.srp_verifier,
                param(p, "SRP_A")?,
                now_secs(),
            )
            .map_err(|e| CognitoError::invalid_parameter(e.to_string()))?;
            let params = BTreeMap::from([
                ("SALT".to_owned(), c.salt_hex),
                ("SRP_B".to_owned(), c.srp_b_hex),
                ("SECRET_BLOCK".to_owned(), B64.encode(&c.secret_block)),
                ("USER_ID_FOR_SRP".to_owned(), user.username.clone()),
                ("USERNAME".to_owned(), user.username.clone()),
            ]);
            let res = AuthResponse {
                challenge_name: Some("PASSWORD_VERIFIER".into()),
                challenge_parameters: Some(params),
                ..AuthResponse::default()
            };
            Ok(serde_json::to_value(res).unwrap_or_default())
        }
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
            let refresh = param(p, "REFRESH_TOKEN")?;
            let invalid = || CognitoError::not_authorized("Invalid Refresh Token");
            let session = state
                .sessions
                .session_by_refresh(&refresh_hash(refresh))
                .await?
                .ok_or_else(invalid)?;
            if session.revoked {
                return Err(CognitoError::not_authorized(
                    "Refresh Token has been revoked",
                ));
            }
            if session.expires_at < now_secs() {
                return Err(CognitoError::not_authorized("Refresh Token has expired"));
            }
            let user = state
                .users
                .user_by_sub(&session.sub)
                .await?
                .ok_or_else(invalid)?;
            let (id_token, access_token) = tokens(state, &user, &session.id).await?;
            result(id_token, access_token, None)
        }
        other => Err(CognitoError::invalid_parameter(format!(
            "Unsupported auth flow {other}"
        ))),
    }
}

pub async fn respond_to_challenge(state: &SharedState, body: &[u8]) -> OpResult {
    let req: RespondToAuthChallengeRequest = parse(body)?;
    check_client(state, &req.client_id)?;
    if req.challenge_name != "PASSWORD_VERIFIER" {
        return Err(CognitoError::invalid_parameter(format!(
            "Unsupported challenge {}",
            req.challenge_name
        )));
    }
    let r = &req.challenge_responses;
    let user = confirmed_user(state, param(r, "USERNAME")?).await?;
    let timestamp = param(r, "TIMESTAMP")?;
    if !srp::timestamp_looks_valid(timestamp) {
        return Err(CognitoError::invalid_parameter(
            "TIMESTAMP is not in the expected format",
        ));
    }
    let block = B64
        .decode(param(r, "PASSWORD_CLAIM_SECRET_BLOCK")?)
        .map_err(|_| {
            CognitoError::invalid_parameter("PASSWORD_CLAIM_SECRET_BLOCK is not base64")
        })?;
    let signature = B64
        .decode(param(r, "PASSWORD_CLAIM_SIGNATURE")?)
        .map_err(|_| CognitoError::invalid_parameter("PASSWORD_CLAIM_SIGNATURE is not base64"))?;
    let proof = srp::Proof {
        pool: state.pool.pool_name(),
        user: &user.username,
        secret_block: &block,
        timestamp,
        signature: &signature,
    };
    srp::verify(
        &state.pool.srp_secret,
        &user.srp_verifier,
        &proof,
        now_secs(),
    )
    .map_err(|_| CognitoError::bad_credentials())?;
    require_confirmed(&user)?;
    login(state, &user).await
}
