//! InitiateAuth (USER_PASSWORD_AUTH, USER_SRP_AUTH, REFRESH_TOKEN_AUTH) and
//! RespondToAuthChallenge (PASSWORD_VERIFIER).
//!
//! Guessing defences, as Cognito: a per-account lockout after five failures, unknown user
//! names answered and timed like a wrong password (a decoy hash, a decoy SRP challenge),
//! single-use SRP challenges, and the hashing and SRP math in the CPU pool.

use std::collections::BTreeMap;
use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use cloumer_protocol::cognito::{
    AuthResponse, AuthenticationResult, ErrorKind, InitiateAuthRequest,
    RespondToAuthChallengeRequest,
};
use sha2::{Digest, Sha256};

use super::{CognitoError, OpResult, check_client, parse};
use crate::auth::jwt::{Subject, TOKEN_SECONDS};
use crate::auth::replay::Spend;
use crate::auth::{password, srp};
use crate::error::now_secs;
use crate::state::SharedState;
use crate::store::{ChannelStore, Session, User};

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

/// Refuses unchecked while the account is locked out.
fn check_lockout(state: &SharedState, username: &str) -> Result<(), CognitoError> {
    if state.auth_guard.lockouts.locked(username, Instant::now()) {
        Err(CognitoError::not_authorized("Password attempts exceeded"))
    } else {
        Ok(())
    }
}

/// Records the outcome of a password check: a failure counts towards the lockout and
/// answers as a wrong password whether or not the user exists.
fn settle(state: &SharedState, username: &str, user: Option<User>) -> Result<User, CognitoError> {
    let lockouts = &state.auth_guard.lockouts;
    match user {
        Some(user) => {
            lockouts.succeeded(username);
            Ok(user)
        }
        None => {
            lockouts.failed(username, Instant::now());
            Err(CognitoError::bad_credentials())
        }
    }
}

fn require_confirmed(user: &User) -> Result<(), CognitoError> {
    if user.confirmed {
        Ok(())
    } else {
        Err(CognitoError::new(
            ErrorKind::UserNotConfirmed,
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
    let channel = state.store.channel_by_owner(&user.sub).await?;
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
        .store
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
            password_auth(state, param(p, "USERNAME")?, param(p, "PASSWORD")?).await
        }
        "USER_SRP_AUTH" => srp_challenge(state, param(p, "USERNAME")?, param(p, "SRP_A")?).await,
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
            let refresh = param(p, "REFRESH_TOKEN")?;
            let invalid = || CognitoError::not_authorized("Invalid Refresh Token");
            let session = state
                .store
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
                .store
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

async fn password_auth(state: &SharedState, username: &str, password: &str) -> OpResult {
    check_lockout(state, username)?;
    let user = state.store.user_by_username(username).await?;
    let (given, hash) = (
        password.to_owned(),
        user.as_ref().map(|u| u.password_hash.clone()),
    );
    // An unknown user is checked against the decoy hash: the same answer, the same cost.
    let right = state
        .auth_guard
        .work
        .run(move || match hash {
            Some(hash) => password::verify(&given, &hash),
            None => password::verify(&given, password::decoy_hash()),
        })
        .await?;
    let user = settle(state, username, user.filter(|_| right))?;
    require_confirmed(&user)?;
    login(state, &user).await
}

/// The salt and verifier to challenge `username` with: theirs, or a stable decoy.
async fn srp_secrets(
    state: &SharedState,
    username: &str,
) -> Result<(Option<User>, Vec<u8>, Vec<u8>), CognitoError> {
    Ok(match state.store.user_by_username(username).await? {
        Some(u) => {
            let (salt, verifier) = (u.srp_salt.clone(), u.srp_verifier.clone());
            (Some(u), salt, verifier)
        }
        None => {
            let (salt, verifier) = srp::decoy(&state.pool.srp_secret, username);
            (None, salt, verifier)
        }
    })
}

async fn srp_challenge(state: &SharedState, username: &str, srp_a: &str) -> OpResult {
    let (_, salt, verifier) = srp_secrets(state, username).await?;
    let (secret, user, a) = (
        state.pool.srp_secret.clone(),
        username.to_owned(),
        srp_a.to_owned(),
    );
    let c = state
        .auth_guard
        .work
        .run(move || srp::challenge(&secret, &user, &salt, &verifier, &a, now_secs()))
        .await?
        .map_err(|e| CognitoError::invalid_parameter(e.to_string()))?;
    let params = BTreeMap::from([
        ("SALT".to_owned(), c.salt_hex),
        ("SRP_B".to_owned(), c.srp_b_hex),
        ("SECRET_BLOCK".to_owned(), B64.encode(&c.secret_block)),
        ("USER_ID_FOR_SRP".to_owned(), username.to_owned()),
        ("USERNAME".to_owned(), username.to_owned()),
    ]);
    let res = AuthResponse {
        challenge_name: Some("PASSWORD_VERIFIER".into()),
        challenge_parameters: Some(params),
        ..AuthResponse::default()
    };
    Ok(serde_json::to_value(res).unwrap_or_default())
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
    let username = param(r, "USERNAME")?;
    check_lockout(state, username)?;
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
    let secret = &state.pool.srp_secret;
    let now = now_secs();
    // A block we did not issue for this user, or an expired one, is a wrong answer.
    let opened = srp::open_block(secret, username, &block, now)
        .map_err(|_| CognitoError::bad_credentials())?;
    // Each challenge may be answered once, whatever the outcome: a captured answer
    // cannot be replayed, and a wrong one cannot be retried without a new challenge.
    match state
        .auth_guard
        .challenges
        .spend(opened.nonce, opened.expires_at, now)
    {
        Spend::Fresh => {}
        Spend::Replayed => {
            return Err(CognitoError::not_authorized(
                "Invalid session for the user, session is expired.",
            ));
        }
        Spend::Full => return Err(CognitoError::too_many_requests()),
    }
    let (user, _, verifier) = srp_secrets(state, username).await?;
    let (secret, pool, name, timestamp) = (
        secret.clone(),
        state.pool.pool_name().to_owned(),
        username.to_owned(),
        timestamp.to_owned(),
    );
    let right = state
        .auth_guard
        .work
        .run(move || {
            let proof = srp::Proof {
                pool: &pool,
                user: &name,
                secret_block: &block,
                timestamp: &timestamp,
                signature: &signature,
            };
            srp::verify(&secret, &verifier, &proof, now).is_ok()
        })
        .await?;
    let user = settle(state, username, user.filter(|_| right))?;
    require_confirmed(&user)?;
    login(state, &user).await
}
