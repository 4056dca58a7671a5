//! Session restore: after a restart the studio reopens the last backend and signs back in
//! with the refresh token `cloumer-api` kept in the OS credential store (no password).
//!
//! Only the non-secret half is on disk: the CLOUMER backend profile (`backend.toml` in the
//! config dir, the same text the user gave) and the last backend's kind in the settings.

use std::path::PathBuf;
use std::sync::Arc;

use super::Services;
use super::account::{SignedIn, account_info, off_thread};
use crate::error::{AppError, Result};
use crate::types::{Account, BackendKind, ProfileSource};

const PROFILE_FILE: &str = "backend.toml";

impl Services {
    fn saved_profile_path(&self) -> PathBuf {
        self.paths.config.join(PROFILE_FILE)
    }

    /// Remembers the CLOUMER backend profile so the next start can reopen it.
    pub(super) fn remember_profile(&self, text: &str) -> Result<()> {
        std::fs::create_dir_all(&self.paths.config).map_err(AppError::storage)?;
        std::fs::write(self.saved_profile_path(), text).map_err(AppError::storage)
    }

    /// Reopens the last local or CLOUMER backend and resumes its signed-in account.
    /// `Ok(None)` when there is nothing to restore or the stored session is gone (the user
    /// then signs in as usual); the backend stays chosen either way.
    pub async fn restore_session(&self) -> Result<Option<Account>> {
        if self.backend_info().await.is_none() {
            match self.settings.get().last_backend {
                Some(BackendKind::Local) => {
                    self.start_local_backend().await?;
                }
                Some(BackendKind::Cloumer) => {
                    let Ok(text) = std::fs::read_to_string(self.saved_profile_path()) else {
                        return Ok(None);
                    };
                    self.connect_cloumer(ProfileSource::Toml { text }).await?;
                }
                // IVS and custom RTMP keep nothing to resume (their secrets are not stored).
                _ => return Ok(None),
            }
        }
        if let Some(account) = self.account().await {
            return Ok(Some(account));
        }
        self.resume_account().await
    }

    /// Signs in from the stored tokens: the first authorized call refreshes them when the
    /// ID token has expired; a revoked refresh token means "sign in again".
    async fn resume_account(&self) -> Result<Option<Account>> {
        let (_, profile) = self.backend_profile().await?;
        let resumed = off_thread(move || async move {
            let api = cloumer_api::Account::open(profile)?;
            if !api.session().is_logged_in().await {
                return Ok(None);
            }
            match api.my_page().await {
                Ok(_) => {
                    let claims = api.session().claims().await;
                    Ok(Some((api, claims)))
                }
                Err(cloumer_api::Error::NotLoggedIn | cloumer_api::Error::Unauthorized) => Ok(None),
                Err(e) => Err(e),
            }
        })
        .await?;
        let Some((api, claims)) = resumed else {
            tracing::info!("no stored session to resume: sign in");
            return Ok(None);
        };
        let email = self.settings.get().last_email.unwrap_or_default();
        let info = account_info(claims, email);
        *self.account.lock().await = Some(SignedIn {
            info: info.clone(),
            api: Arc::new(api),
        });
        tracing::info!("signed back in from the stored session");
        Ok(Some(info))
    }
}
