//! Accounts on the chosen backend through `cloumer-api`: sign up/in, profile, title,
//! avatar, stream key, moderators. Tokens live in the OS credential store (the api crate).

use std::sync::Arc;

use cloumer_protocol::cognito::IdTokenClaims;
use secrecy::{ExposeSecret, SecretString};

use super::Services;
use super::api_map::{self, api_error};
use crate::error::{AppError, Result};
use crate::types::{
    Account, BackendKind, ModeratorInfo, Profile, SignInOutcome, SignUpOutcome, UploadProgress,
};

/// Runs an api call to completion on a blocking thread of the same runtime.
///
/// Why: `cloumer_api::Session::authorized` takes an async closure, and rustc cannot yet
/// prove such futures `Send` for every lifetime ("implementation of `Send` is not general
/// enough"), which Tauri's multi-threaded command executor requires. Driving the future
/// with `Handle::block_on` needs no `Send`; only the closure that makes it crosses threads.
pub(super) async fn off_thread<T, F, Fut>(make: F) -> Result<T>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = std::result::Result<T, cloumer_api::Error>>,
    T: Send + 'static,
{
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || handle.block_on(make()))
        .await
        .map_err(|e| AppError::Backend {
            message: format!("the account task failed: {e}"),
        })?
        .map_err(api_error)
}

/// What the UI shows of an account, from its ID token's claims.
pub(super) fn account_info(claims: Option<IdTokenClaims>, email: String) -> Account {
    Account {
        nickname: claims
            .as_ref()
            .and_then(|c| c.nickname.clone())
            .unwrap_or_else(|| email.clone()),
        channel: claims.and_then(|c| c.chanel_name).unwrap_or_default(),
        email,
    }
}

/// As the backend's bound (cloumer-server's `validate::nickname`, the seed's pool).
const NICKNAME_MAX_CHARS: usize = 64;

/// The signed-in account: what the UI sees and the api handle that does the work.
pub struct SignedIn {
    pub info: Account,
    pub api: Arc<cloumer_api::Account>,
}

/// A NEW_PASSWORD_REQUIRED challenge: the pool's session is a secret kept here, never
/// handed to the UI; the user answers with a new password.
pub struct Challenge {
    email: String,
    session: SecretString,
}

/// A log-in's result with the api's own error kept (it says which step the account needs).
type Attempt =
    std::result::Result<(cloumer_api::Account, Option<IdTokenClaims>), cloumer_api::Error>;

impl Services {
    pub async fn sign_up(
        &self,
        email: String,
        password: String,
        nickname: String,
    ) -> Result<SignUpOutcome> {
        let (kind, profile) = self.backend_profile().await?;
        let password = SecretString::from(password);
        let cognito = cloumer_api::cognito::CognitoClient::new(&profile).map_err(api_error)?;
        let (c, e, p) = (cognito.clone(), email.clone(), password.clone());
        let outcome = off_thread(move || async move { c.sign_up(&e, &p, &nickname).await }).await?;
        drop(cognito);
        if !outcome.confirmed {
            if kind != BackendKind::Local {
                return Ok(SignUpOutcome::NeedsCode { email });
            }
            // Local mode: the server is the user's own; it confirms without a code.
            self.confirm_locally(&email).await?;
        }
        let account = self.log_in(email, password).await?;
        Ok(SignUpOutcome::SignedIn { account })
    }

    pub async fn confirm_sign_up(
        &self,
        email: String,
        code: String,
        password: String,
    ) -> Result<Account> {
        let (_, profile) = self.backend_profile().await?;
        let cognito = cloumer_api::cognito::CognitoClient::new(&profile).map_err(api_error)?;
        let e = email.clone();
        off_thread(move || async move { cognito.confirm_sign_up(&e, code.trim()).await }).await?;
        self.log_in(email, SecretString::from(password)).await
    }

    /// Logs in; an unconfirmed account asks for its code, an account the pool wants a new
    /// password for asks for that (the challenge waits in `self.challenge`).
    pub async fn sign_in(&self, email: String, password: String) -> Result<SignInOutcome> {
        let email = email.trim().to_owned();
        match self
            .attempt(email.clone(), SecretString::from(password))
            .await?
        {
            Ok((api, claims)) => Ok(SignInOutcome::SignedIn {
                account: self.keep_signed_in(api, claims, email).await?,
            }),
            Err(cloumer_api::Error::Auth {
                kind: cloumer_api::AuthErrorKind::UserNotConfirmed,
                ..
            }) => Ok(SignInOutcome::NeedsCode { email }),
            Err(cloumer_api::Error::NewPasswordRequired { session, username }) => {
                *self.challenge.lock().await = Some(Challenge {
                    email: username,
                    session: SecretString::from(session),
                });
                Ok(SignInOutcome::NeedsNewPassword { email })
            }
            Err(e) => Err(api_error(e)),
        }
    }

    pub(super) async fn log_in(&self, email: String, password: SecretString) -> Result<Account> {
        let (api, claims) = self
            .attempt(email.clone(), password)
            .await?
            .map_err(api_error)?;
        self.keep_signed_in(api, claims, email).await
    }

    async fn attempt(&self, email: String, password: SecretString) -> Result<Attempt> {
        let (_, profile) = self.backend_profile().await?;
        off_thread(move || async move {
            let api = cloumer_api::Account::open(profile)?;
            Ok(match api.session().log_in(&email, &password).await {
                Ok(()) => {
                    let claims = api.session().claims().await;
                    Ok((api, claims))
                }
                Err(e) => Err(e),
            })
        })
        .await
    }

    /// Makes `api` the signed-in account (and remembers the e-mail for the next log-in).
    async fn keep_signed_in(
        &self,
        api: cloumer_api::Account,
        claims: Option<IdTokenClaims>,
        email: String,
    ) -> Result<Account> {
        let info = account_info(claims, email.clone());
        *self.account.lock().await = Some(SignedIn {
            info: info.clone(),
            api: Arc::new(api),
        });
        self.settings.update(|s| s.last_email = Some(email))?;
        Ok(info)
    }

    /// Answers NEW_PASSWORD_REQUIRED with the user's new password. A refused password
    /// keeps the challenge, so the user can try another one.
    pub async fn set_new_password(&self, new_password: String) -> Result<Account> {
        let (email, session) = {
            let guard = self.challenge.lock().await;
            let c = guard.as_ref().ok_or_else(|| AppError::Auth {
                message: "the new-password step is over: sign in again".into(),
                reason: None,
            })?;
            (c.email.clone(), c.session.clone())
        };
        let (_, profile) = self.backend_profile().await?;
        let password = SecretString::from(new_password);
        let e = email.clone();
        let (api, claims) = off_thread(move || async move {
            let api = cloumer_api::Account::open(profile)?;
            api.session()
                .set_new_password(&e, session.expose_secret(), &password)
                .await?;
            let claims = api.session().claims().await;
            Ok((api, claims))
        })
        .await?;
        self.challenge.lock().await.take();
        self.keep_signed_in(api, claims, email).await
    }

    /// A new confirmation code for an account that is not confirmed yet.
    pub async fn resend_code(&self, email: String) -> Result<()> {
        let cognito = self.cognito().await?;
        let email = email.trim().to_owned();
        off_thread(move || async move { cognito.resend_code(&email).await }).await
    }

    /// "Forgot password": a reset code goes to the address.
    pub async fn forgot_password(&self, email: String) -> Result<()> {
        let cognito = self.cognito().await?;
        let email = email.trim().to_owned();
        off_thread(move || async move { cognito.forgot_password(&email).await }).await
    }

    /// Sets a new password with the reset code, then signs in with it.
    pub async fn reset_password(
        &self,
        email: String,
        code: String,
        new_password: String,
    ) -> Result<Account> {
        let cognito = self.cognito().await?;
        let email = email.trim().to_owned();
        let password = SecretString::from(new_password);
        let (e, p) = (email.clone(), password.clone());
        off_thread(move || async move { cognito.confirm_forgot_password(&e, &code, &p).await })
            .await?;
        self.log_in(email, password).await
    }

    async fn cognito(&self) -> Result<cloumer_api::cognito::CognitoClient> {
        let (_, profile) = self.backend_profile().await?;
        cloumer_api::cognito::CognitoClient::new(&profile).map_err(api_error)
    }

    /// Signs out on this computer only (the session elsewhere goes on).
    pub async fn sign_out(&self) -> Result<()> {
        let signed_in = self.account.lock().await.take();
        if let Some(s) = signed_in {
            off_thread(move || async move { s.api.session().forget().await }).await?;
        }
        Ok(())
    }

    /// Ends every session of the account, on every device (Cognito GlobalSignOut). When
    /// the backend cannot be reached the user stays signed in here and is told so.
    pub async fn sign_out_everywhere(&self) -> Result<()> {
        let api = self.signed_in().await?;
        off_thread(move || async move { api.session().sign_out_everywhere().await }).await?;
        self.account.lock().await.take();
        Ok(())
    }

    /// Renames the signed-in account (the name others see in chat), then answers it with
    /// the new name.
    pub async fn set_nickname(&self, nickname: String) -> Result<Account> {
        let nickname = nickname.trim().to_owned();
        let chars = nickname.chars().count();
        if chars == 0 || chars > NICKNAME_MAX_CHARS || nickname.chars().any(char::is_control) {
            return Err(AppError::validation(
                "nickname",
                format!("a nickname has 1 to {NICKNAME_MAX_CHARS} characters"),
            ));
        }
        let api = self.signed_in().await?;
        let a = api.clone();
        let claims = off_thread(move || async move {
            a.session().set_nickname(&nickname).await?;
            Ok(a.session().claims().await)
        })
        .await?;
        let mut guard = self.account.lock().await;
        let signed_in = guard.as_mut().ok_or_else(AppError::not_signed_in)?;
        signed_in.info = account_info(claims, signed_in.info.email.clone());
        Ok(signed_in.info.clone())
    }

    pub async fn profile(&self) -> Result<Profile> {
        let (api, nickname) = self.signed_in_with_name().await?;
        let page = off_thread(move || async move { api.my_page().await }).await?;
        Ok(api_map::profile(&page, &nickname))
    }

    /// Saves the title alone, then answers the backend's view of the profile.
    pub async fn save_title(&self, title: String) -> Result<Profile> {
        let title = title.trim().to_owned();
        if title.is_empty() {
            return Err(AppError::validation("title", "the title must not be empty"));
        }
        let max = cloumer_protocol::rest::limits::TITLE_MAX_CHARS;
        if title.chars().count() > max {
            return Err(AppError::validation(
                "title",
                format!("the title is longer than {max} characters"),
            ));
        }
        let api = self.signed_in().await?;
        off_thread(move || async move { api.set_title(&title).await }).await?;
        self.profile().await
    }

    pub async fn upload_avatar(
        &self,
        _file_name: String,
        bytes: Vec<u8>,
        progress: impl Fn(UploadProgress) + Send,
    ) -> Result<Profile> {
        if bytes.len() > cloumer_protocol::rest::limits::AVATAR_MAX_BYTES {
            return Err(AppError::validation(
                "avatar",
                "the image is larger than 4 MiB",
            ));
        }
        cloumer_api::avatar::validate(&bytes).map_err(api_error)?;
        let api = self.signed_in().await?;
        let total = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
        progress(UploadProgress { sent: 0, total });
        off_thread(move || async move {
            api.session()
                .authorized(async |token| api.rest().upload_avatar(&token, bytes.clone()).await)
                .await
        })
        .await?;
        progress(UploadProgress { sent: total, total });
        self.profile().await
    }

    pub async fn reveal_stream_key(&self) -> Result<String> {
        let api = self.signed_in().await?;
        let page = off_thread(move || async move { api.my_page().await }).await?;
        Ok(page.stream_key.expose_secret().to_owned())
    }

    pub async fn rotate_stream_key(&self) -> Result<Profile> {
        let api = self.signed_in().await?;
        off_thread(move || async move { api.rotate_stream_key().await }).await?;
        self.profile().await
    }

    pub async fn moderators(&self) -> Result<Vec<ModeratorInfo>> {
        let api = self.signed_in().await?;
        let list = off_thread(move || async move {
            api.session()
                .authorized(async |t| api.rest().moderators(&t).await)
                .await
        })
        .await?;
        Ok(list
            .into_iter()
            .map(|m| ModeratorInfo {
                channel: m.chanel_name,
                nickname: m.nickname,
            })
            .collect())
    }

    pub async fn set_moderator(
        &self,
        channel: String,
        moderator: bool,
    ) -> Result<Vec<ModeratorInfo>> {
        let api = self.signed_in().await?;
        let channel = channel.trim().to_owned();
        off_thread(move || async move {
            let rest = api.rest();
            api.session()
                .authorized(async |t| match moderator {
                    true => rest.add_moderator(&t, &channel).await,
                    false => rest.remove_moderator(&t, &channel).await,
                })
                .await
        })
        .await?;
        self.moderators().await
    }

    pub(super) async fn signed_in(&self) -> Result<Arc<cloumer_api::Account>> {
        Ok(self.signed_in_with_name().await?.0)
    }

    async fn signed_in_with_name(&self) -> Result<(Arc<cloumer_api::Account>, String)> {
        let guard = self.account.lock().await;
        let s = guard.as_ref().ok_or_else(AppError::not_signed_in)?;
        Ok((s.api.clone(), s.info.nickname.clone()))
    }
}
