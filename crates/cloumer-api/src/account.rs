//! [`Account`]: one backend profile, its session and its REST client, with every
//! signed-in call going through the session (fresh ID token, one retry after a 401).

use std::path::{Path, PathBuf};

use secrecy::SecretString;

use crate::backend::{self, BackendProfile};
use crate::models::{ChatToken, Moderator, Profile};
use crate::rest::RestClient;
use crate::session::Session;
use crate::{Error, Result};

/// A CLOUMER account on one backend.
#[derive(Debug)]
pub struct Account {
    profile: BackendProfile,
    profile_path: Option<PathBuf>,
    session: Session,
    rest: RestClient,
}

impl Account {
    /// Opens the account of `profile` (loading a stored session if there is one).
    pub fn open(profile: BackendProfile) -> Result<Self> {
        let rest = RestClient::builder(profile.api_url.clone()).build()?;
        let session = Session::open(&profile)?;
        Ok(Self {
            profile,
            profile_path: None,
            session,
            rest,
        })
    }

    /// Resolves the profile (`explicit` file, env `CLOUMER_BACKEND`, remembered copy) and
    /// opens its account.
    pub fn resolve(explicit: Option<&Path>) -> Result<Self> {
        let (profile, path) = backend::resolve(explicit)?;
        let mut account = Self::open(profile)?;
        account.profile_path = Some(path);
        Ok(account)
    }

    pub fn profile(&self) -> &BackendProfile {
        &self.profile
    }

    /// The file the profile was loaded from, if any.
    pub fn profile_path(&self) -> Option<&Path> {
        self.profile_path.as_deref()
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    pub fn rest(&self) -> &RestClient {
        &self.rest
    }

    /// Remembers this backend for later commands (a copy in the config dir).
    pub fn remember_backend(&self) -> Result<PathBuf> {
        backend::remember(&self.profile)
    }

    /// R6: the profile with stream URL and key.
    pub async fn my_page(&self) -> Result<Profile> {
        self.session
            .authorized(|t| async move { self.rest.my_page(&t).await })
            .await
    }

    /// Additive: the account channel's stream (state, health, viewers), as
    /// `GET /stream/v1/stream` answers.
    pub async fn stream_status(&self) -> Result<cloumer_protocol::rest::StreamStatus> {
        self.session
            .authorized(|t| async move { self.rest.stream_status(&t).await })
            .await
    }

    /// R8.
    pub async fn set_title(&self, title: &str) -> Result<()> {
        self.session
            .authorized(|t| async move { self.rest.set_title(&t, title).await })
            .await
    }

    /// R7 from a file: checked locally first (nothing is uploaded when invalid).
    pub async fn upload_avatar_file(&self, path: &Path) -> Result<()> {
        // A file that cannot be read is the caller's input at fault, like a wrong type.
        let unreadable = |e: std::io::Error| Error::Invalid {
            field: Some("file".into()),
            message: format!("cannot read {}: {e}", path.display()),
        };
        let meta = std::fs::metadata(path).map_err(unreadable)?;
        if meta.len() > cloumer_protocol::rest::limits::AVATAR_MAX_BYTES as u64 {
            // Check before reading a huge file into memory.
            return Err(Error::Invalid {
                field: Some("file".into()),
                message: format!("the image is {} bytes; the limit is 4 MiB", meta.len()),
            });
        }
        let bytes = std::fs::read(path).map_err(unreadable)?;
        self.upload_avatar(bytes).await
    }

    /// R7 from bytes (a file picked in a UI): checked locally first.
    pub async fn upload_avatar(&self, bytes: Vec<u8>) -> Result<()> {
        crate::avatar::validate(&bytes)?;
        self.session
            .authorized(|t| {
                let bytes = bytes.clone();
                async move { self.rest.upload_avatar(&t, bytes).await }
            })
            .await
    }

    /// R5 when logged in, R4 otherwise.
    pub async fn chat_token(&self, channel: &str) -> Result<ChatToken> {
        if self.session.is_logged_in().await {
            self.session
                .authorized(|t| async move { self.rest.chat_token(&t, channel).await })
                .await
        } else {
            self.rest.viewer_chat_token(channel).await
        }
    }

    /// Additive: rotates the stream key.
    pub async fn rotate_stream_key(&self) -> Result<SecretString> {
        self.session
            .authorized(|t| async move { self.rest.rotate_stream_key(&t).await })
            .await
    }

    /// Additive: the moderators of the caller's channel.
    pub async fn moderators(&self) -> Result<Vec<Moderator>> {
        self.session
            .authorized(|t| async move { self.rest.moderators(&t).await })
            .await
    }

    /// Additive: lets the owner of `channel` moderate the caller's chat.
    pub async fn add_moderator(&self, channel: &str) -> Result<()> {
        self.session
            .authorized(|t| async move { self.rest.add_moderator(&t, channel).await })
            .await
    }

    /// Additive: takes moderation away from the owner of `channel`.
    pub async fn remove_moderator(&self, channel: &str) -> Result<()> {
        self.session
            .authorized(|t| async move { self.rest.remove_moderator(&t, channel).await })
            .await
    }

    /// Additive: the channels the caller moderates.
    pub async fn moderated_channels(&self) -> Result<Vec<Moderator>> {
        self.session
            .authorized(|t| async move { self.rest.moderated_channels(&t).await })
            .await
    }

    /// Additive: the moderators of `channel` (owned or moderated by the caller).
    pub async fn moderators_of(&self, channel: &str) -> Result<Vec<Moderator>> {
        self.session
            .authorized(|t| async move { self.rest.moderators_of(&t, channel).await })
            .await
    }

    /// Additive: the timeouts and bans in force in `channel`'s chat.
    pub async fn chat_restrictions(
        &self,
        channel: &str,
    ) -> Result<Vec<cloumer_protocol::rest::ChatRestriction>> {
        self.session
            .authorized(|t| async move { self.rest.chat_restrictions(&t, channel).await })
            .await
    }

    /// Additive: times out or bans `user_id` in `channel`'s chat.
    pub async fn restrict_chat_user(
        &self,
        channel: &str,
        user_id: &str,
        restriction: crate::rest::Restriction,
        reason: &str,
    ) -> Result<cloumer_protocol::rest::ChatRestriction> {
        self.session
            .authorized(|t| async move {
                self.rest
                    .restrict_chat_user(&t, channel, user_id, restriction, reason)
                    .await
            })
            .await
    }

    /// Additive: lifts `user_id`'s timeout or ban in `channel`'s chat.
    pub async fn lift_chat_restriction(&self, channel: &str, user_id: &str) -> Result<()> {
        self.session
            .authorized(
                |t| async move { self.rest.lift_chat_restriction(&t, channel, user_id).await },
            )
            .await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// The desktop app awaits these on a multi-threaded runtime (tokio::spawn, Tauri
    /// commands): they must be `Send` and spawnable. Compiling this is the test (the const
    /// below makes the compiler check it without running it).
    const _: fn(Arc<Account>) = account_futures_are_send;
    fn account_futures_are_send(account: Arc<Account>) {
        let a = account.clone();
        tokio::spawn(async move { a.my_page().await });
        let a = account.clone();
        tokio::spawn(async move { a.set_title("t").await });
        let a = account.clone();
        tokio::spawn(async move { a.upload_avatar_file(Path::new("a.png")).await });
        let a = account.clone();
        tokio::spawn(async move { a.upload_avatar(Vec::new()).await });
        let a = account.clone();
        tokio::spawn(async move { a.chat_token("c").await });
        let a = account.clone();
        tokio::spawn(async move { a.rotate_stream_key().await.map(|_| ()) });
        let a = account.clone();
        tokio::spawn(async move { a.moderators().await });
        let a = account.clone();
        tokio::spawn(async move { a.add_moderator("c").await });
        let a = account.clone();
        tokio::spawn(async move { a.remove_moderator("c").await });
        // Borrowed inside the spawned future (how Tauri commands hold their state).
        async fn through_a_borrow(account: &Account) -> Result<()> {
            account.my_page().await?;
            account.set_title("t").await?;
            account.moderators().await?;
            account.chat_token("c").await.map(|_| ())
        }
        let a = account.clone();
        tokio::spawn(async move { through_a_borrow(&a).await });
        tokio::spawn(async move {
            let token = account.session().id_token().await.map(|_| ());
            let _ = account.session().refresh_now().await;
            let _ = account.session().log_out().await;
            token
        });
    }
}
