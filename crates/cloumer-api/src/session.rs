//! The logged-in session: Cognito tokens kept in the OS credential store (never in a
//! file), refreshed shortly before they expire and once more when the API says 401.

use std::time::Duration;

use base64::Engine as _;
use cloumer_protocol::cognito::IdTokenClaims;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tokio::sync::Mutex;

use crate::backend::BackendProfile;
use crate::cognito::CognitoClient;
use crate::secrets::SecretStore;
use crate::{Error, Result};

/// Refresh when the ID token has less than this left.
const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);
const SESSION_ENTRY: &str = "session";

/// Cognito tokens. `Debug` shows no token.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub id_token: SecretString,
    pub access_token: SecretString,
    pub refresh_token: Option<SecretString>,
    pub expires_at: OffsetDateTime,
}

/// How tokens are kept in the credential store (one entry, JSON).
#[derive(Serialize, Deserialize)]
struct StoredTokens {
    id_token: String,
    access_token: String,
    refresh_token: Option<String>,
    expires_at: i64,
}

impl Tokens {
    fn to_stored(&self) -> SecretString {
        let stored = StoredTokens {
            id_token: self.id_token.expose_secret().to_owned(),
            access_token: self.access_token.expose_secret().to_owned(),
            refresh_token: self
                .refresh_token
                .as_ref()
                .map(|t| t.expose_secret().to_owned()),
            expires_at: self.expires_at.unix_timestamp(),
        };
        SecretString::from(serde_json::to_string(&stored).unwrap_or_default())
    }

    fn from_stored(secret: &SecretString) -> Option<Self> {
        let s: StoredTokens = serde_json::from_str(secret.expose_secret()).ok()?;
        Some(Self {
            id_token: s.id_token.into(),
            access_token: s.access_token.into(),
            refresh_token: s.refresh_token.map(SecretString::from),
            expires_at: OffsetDateTime::from_unix_timestamp(s.expires_at).ok()?,
        })
    }

    fn expires_soon(&self) -> bool {
        OffsetDateTime::now_utc() + REFRESH_MARGIN >= self.expires_at
    }

    /// The ID token's claims, decoded without verifying the signature (the server
    /// verifies; the client only reads its own channel name and nickname).
    pub fn claims(&self) -> Option<IdTokenClaims> {
        let payload = self.id_token.expose_secret().split('.').nth(1)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

/// The session of one backend: Cognito client + credential store + cached tokens.
#[derive(Debug)]
pub struct Session {
    cognito: CognitoClient,
    store: SecretStore,
    tokens: Mutex<Option<Tokens>>,
}

impl Session {
    /// Opens the session of `profile`, loading tokens a previous login stored.
    pub fn open(profile: &BackendProfile) -> Result<Self> {
        let store = SecretStore::open(&format!("{}/{}", profile.user_pool_id, profile.client_id))?;
        let tokens = store
            .get(SESSION_ENTRY)?
            .and_then(|s| Tokens::from_stored(&s));
        Ok(Self {
            cognito: CognitoClient::new(profile)?,
            store,
            tokens: Mutex::new(tokens),
        })
    }

    pub fn cognito(&self) -> &CognitoClient {
        &self.cognito
    }

    pub fn store(&self) -> &SecretStore {
        &self.store
    }

    /// Logs in (SRP, password fallback) and stores the tokens.
    pub async fn log_in(&self, username: &str, password: &SecretString) -> Result<()> {
        let tokens = self.cognito.log_in(username, password).await?;
        self.keep(tokens).await
    }

    /// Answers NEW_PASSWORD_REQUIRED and stores the tokens.
    pub async fn set_new_password(
        &self,
        username: &str,
        session: &str,
        password: &SecretString,
    ) -> Result<()> {
        let tokens = self
            .cognito
            .set_new_password(username, session, password)
            .await?;
        self.keep(tokens).await
    }

    /// Stores tokens obtained elsewhere.
    pub async fn keep(&self, tokens: Tokens) -> Result<()> {
        self.store.set(SESSION_ENTRY, &tokens.to_stored())?;
        *self.tokens.lock().await = Some(tokens);
        Ok(())
    }

    pub async fn is_logged_in(&self) -> bool {
        self.tokens.lock().await.is_some()
    }

    /// The current tokens' claims (channel name, nickname, e-mail).
    pub async fn claims(&self) -> Option<IdTokenClaims> {
        self.tokens.lock().await.as_ref().and_then(Tokens::claims)
    }

    /// A valid ID token, refreshed first when it expires within five minutes.
    pub async fn id_token(&self) -> Result<SecretString> {
        let mut guard = self.tokens.lock().await;
        let tokens = guard.as_ref().ok_or(Error::NotLoggedIn)?;
        if !tokens.expires_soon() {
            return Ok(tokens.id_token.clone());
        }
        let fresh = self.refreshed(tokens).await?;
        let id = fresh.id_token.clone();
        *guard = Some(fresh);
        Ok(id)
    }

    /// Forces a refresh (after a 401) and returns the new ID token.
    pub async fn refresh_now(&self) -> Result<SecretString> {
        let mut guard = self.tokens.lock().await;
        let tokens = guard.as_ref().ok_or(Error::NotLoggedIn)?;
        let fresh = self.refreshed(tokens).await?;
        let id = fresh.id_token.clone();
        *guard = Some(fresh);
        Ok(id)
    }

    async fn refreshed(&self, tokens: &Tokens) -> Result<Tokens> {
        let refresh = tokens.refresh_token.as_ref().ok_or(Error::NotLoggedIn)?;
        let fresh = match self.cognito.refresh(refresh).await {
            Ok(t) => t,
            Err(Error::Auth {
                kind: crate::AuthErrorKind::NotAuthorized,
                ..
            }) => {
                // Revoked or expired refresh token: the session is over.
                self.store.delete(SESSION_ENTRY)?;
                return Err(Error::NotLoggedIn);
            }
            Err(e) => return Err(e),
        };
        self.store.set(SESSION_ENTRY, &fresh.to_stored())?;
        Ok(fresh)
    }

    /// Runs an authenticated call with a valid ID token; on `Unauthorized` refreshes once
    /// and tries again.
    pub async fn authorized<T, F, Fut>(&self, call: F) -> Result<T>
    where
        F: Fn(SecretString) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let token = self.id_token().await?;
        match call(token).await {
            Err(Error::Unauthorized) => {
                tracing::debug!("401: refreshing the session once");
                let token = self.refresh_now().await?;
                call(token).await
            }
            other => other,
        }
    }

    /// Signs out on this device only: forgets the tokens here (no server call, works
    /// offline); sessions on other devices go on.
    pub async fn forget(&self) -> Result<()> {
        self.tokens.lock().await.take();
        self.store.delete(SESSION_ENTRY)
    }

    /// "Sign out everywhere": GlobalSignOut revokes every session of the user (other
    /// devices included), then the tokens here are forgotten. Unlike [`Self::log_out`] a
    /// failed GlobalSignOut is an error, with the session kept: the user was not signed
    /// out everywhere and must be told so.
    pub async fn sign_out_everywhere(&self) -> Result<()> {
        let cognito = &self.cognito;
        match self
            .with_access_token(async |t| cognito.global_sign_out(&t).await)
            .await
        {
            // The refresh token was revoked already: every session has ended.
            Ok(()) | Err(Error::NotLoggedIn) => self.forget().await,
            Err(e) => Err(e),
        }
    }

    /// Changes the nickname, then refreshes the tokens so the ID token (and [`Self::claims`])
    /// carry the new one at once.
    pub async fn set_nickname(&self, nickname: &str) -> Result<()> {
        let cognito = &self.cognito;
        self.with_access_token(async |t| cognito.update_nickname(&t, nickname).await)
            .await?;
        self.refresh_now().await.map(drop)
    }

    /// Runs a Cognito call that takes the access token; an expired one is refreshed once.
    async fn with_access_token<F, Fut>(&self, call: F) -> Result<()>
    where
        F: Fn(SecretString) -> Fut,
        Fut: std::future::Future<Output = Result<()>>,
    {
        let token = self.access_token().await?;
        match call(token).await {
            Err(Error::Auth {
                kind: crate::AuthErrorKind::NotAuthorized,
                ..
            }) => {
                self.refresh_now().await?;
                call(self.access_token().await?).await
            }
            other => other,
        }
    }

    async fn access_token(&self) -> Result<SecretString> {
        let guard = self.tokens.lock().await;
        Ok(guard
            .as_ref()
            .ok_or(Error::NotLoggedIn)?
            .access_token
            .clone())
    }

    /// GlobalSignOut (best effort: the local wipe happens even offline) and local wipe.
    pub async fn log_out(&self) -> Result<()> {
        let tokens = self.tokens.lock().await.take();
        if let Some(tokens) = tokens
            && let Err(e) = self.cognito.global_sign_out(&tokens.access_token).await
        {
            tracing::warn!("global sign-out failed ({e}); the local session is wiped anyway");
        }
        self.store.delete(SESSION_ENTRY)
    }
}
