//! Accounts on the chosen backend: sign up/in, profile, title, avatar, stream key.

use super::Services;
use crate::error::{AppError, Result};
use crate::types::{Account, ModeratorInfo, Profile, SignUpOutcome, UploadProgress};

fn needs_api() -> AppError {
    AppError::unavailable("accounts are not part of this build yet")
}

impl Services {
    pub async fn sign_up(
        &self,
        _email: String,
        _password: String,
        _nickname: String,
    ) -> Result<SignUpOutcome> {
        self.require_backend().await?;
        Err(needs_api())
    }

    pub async fn confirm_sign_up(
        &self,
        _email: String,
        _code: String,
        _password: String,
    ) -> Result<Account> {
        self.require_backend().await?;
        Err(needs_api())
    }

    pub async fn sign_in(&self, _email: String, _password: String) -> Result<Account> {
        self.require_backend().await?;
        Err(needs_api())
    }

    pub async fn sign_out(&self) -> Result<()> {
        *self.account.lock().await = None;
        Ok(())
    }

    pub async fn profile(&self) -> Result<Profile> {
        self.require_account().await?;
        Err(needs_api())
    }

    pub async fn save_title(&self, title: String) -> Result<Profile> {
        if title.trim().is_empty() {
            return Err(AppError::validation("title", "the title must not be empty"));
        }
        if title.chars().count() > cloumer_protocol::rest::limits::TITLE_MAX_CHARS {
            return Err(AppError::validation(
                "title",
                "the title is longer than 140 characters",
            ));
        }
        self.require_account().await?;
        Err(needs_api())
    }

    pub async fn upload_avatar(
        &self,
        _file_name: String,
        _bytes: Vec<u8>,
        _progress: impl Fn(UploadProgress) + Send,
    ) -> Result<Profile> {
        self.require_account().await?;
        Err(needs_api())
    }

    pub async fn reveal_stream_key(&self) -> Result<String> {
        self.require_account().await?;
        Err(needs_api())
    }

    pub async fn rotate_stream_key(&self) -> Result<Profile> {
        self.require_account().await?;
        Err(needs_api())
    }

    pub async fn moderators(&self) -> Result<Vec<ModeratorInfo>> {
        self.require_account().await?;
        Err(needs_api())
    }

    pub async fn set_moderator(
        &self,
        _channel: String,
        _moderator: bool,
    ) -> Result<Vec<ModeratorInfo>> {
        self.require_account().await?;
        Err(needs_api())
    }

    pub(super) async fn require_backend(&self) -> Result<()> {
        self.backend
            .lock()
            .await
            .as_ref()
            .map(|_| ())
            .ok_or_else(AppError::no_backend)
    }

    pub(super) async fn require_account(&self) -> Result<Account> {
        self.account
            .lock()
            .await
            .clone()
            .ok_or_else(AppError::not_signed_in)
    }
}
