//! Storage. What the REST handlers read and write sits behind one trait per concern
//! ([`ChannelStore`], [`ModeratorStore`], [`AvatarStore`]), implemented by
//! `sqlite::SqliteStore` for `cloumer serve` and by DynamoDB/S3 in `cloumer-aws`. The
//! accounts, sessions and codes of `cloumer serve`'s own user pool exist only there (on
//! AWS Cognito keeps them), so they are plain methods of the SQLite store.

#[cfg(feature = "self-hosted")]
pub mod sqlite;

use async_trait::async_trait;

use crate::Result;
pub use crate::channel_type::ChannelType;

/// A registered user. `sub` is the stable identity; everything keys on it.
#[derive(Clone)]
pub struct User {
    pub sub: String,
    pub username: String,
    pub email: String,
    pub nickname: String,
    /// argon2 PHC string (USER_PASSWORD_AUTH).
    pub password_hash: String,
    /// SRP salt and verifier `g^x mod N` (USER_SRP_AUTH).
    pub srp_salt: Vec<u8>,
    pub srp_verifier: Vec<u8>,
    pub confirmed: bool,
    /// An e-mail address asked for by UpdateUserAttributes and not yet verified: `email`
    /// stays the verified one until VerifyUserAttribute applies this.
    pub pending_email: Option<String>,
}

impl std::fmt::Debug for User {
    // Never print the password hash or the verifier.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("sub", &self.sub)
            .field("username", &self.username)
            .finish()
    }
}

/// What a one-time code is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePurpose {
    ConfirmSignUp,
    ResetPassword,
    /// A new e-mail address (UpdateUserAttributes → VerifyUserAttribute).
    VerifyEmail,
}

impl CodePurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConfirmSignUp => "confirm",
            Self::ResetPassword => "reset",
            Self::VerifyEmail => "verify_email",
        }
    }
}

/// The outcome of checking a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    Valid,
    /// Wrong (or no code pending): the guess was counted.
    Mismatch,
    Expired,
    /// Too many wrong guesses: the code is spent, a new one must be requested.
    Spent,
}

/// A pending code as stored.
#[derive(Debug, Clone)]
pub struct StoredCode {
    pub code: String,
    pub expires_at: i64,
    /// Wrong guesses so far.
    pub attempts: i64,
}

/// A login session: one refresh token and the tokens minted from it (`origin_jti`).
#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub sub: String,
    pub expires_at: i64,
    pub revoked: bool,
}

/// A channel: one per confirmed user. Its stream key is a secret kept apart (see
/// [`crate::media::StreamKeys`]).
#[derive(Debug, Clone)]
pub struct Channel {
    pub name: String,
    pub owner_sub: String,
    pub title: String,
    pub is_live: bool,
    /// Avatar file name (`<id>.<ext>`), if one was uploaded.
    pub avatar: Option<String>,
    /// Decides the ingest limits.
    pub channel_type: ChannelType,
}

/// A channel with its owner's nickname, for listings.
#[derive(Debug, Clone)]
pub struct ChannelListing {
    pub channel: Channel,
    pub nickname: String,
}

#[async_trait]
pub trait ChannelStore: Send + Sync {
    async fn channel_by_owner(&self, sub: &str) -> Result<Option<Channel>>;
    async fn channel_by_name(&self, name: &str) -> Result<Option<Channel>>;
    async fn list_channels(&self, live_only: bool) -> Result<Vec<ChannelListing>>;
    async fn set_title(&self, name: &str, title: &str) -> Result<()>;
}

#[async_trait]
pub trait ModeratorStore: Send + Sync {
    /// The moderators of `channel` with their nicknames.
    async fn moderators(&self, channel: &str) -> Result<Vec<ChannelListing>>;
    async fn add_moderator(&self, channel: &str, moderator: &str) -> Result<()>;
    /// Whether a row was removed.
    async fn remove_moderator(&self, channel: &str, moderator: &str) -> Result<bool>;
    async fn is_moderator(&self, channel: &str, user_channel: &str) -> Result<bool>;
    /// The channels `user_channel` moderates, each with its owner's nickname.
    async fn moderated_by(&self, user_channel: &str) -> Result<Vec<ChannelListing>>;
}

/// An uploaded avatar image.
#[derive(Debug, Clone)]
pub struct Avatar {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

#[async_trait]
pub trait AvatarStore: Send + Sync {
    /// Stores `avatar` as the channel's avatar and deletes the one it replaces, in one
    /// step: a channel holds one image, however often its owner uploads.
    async fn replace_avatar(&self, file_name: &str, channel: &str, avatar: &Avatar) -> Result<()>;
    async fn avatar(&self, file_name: &str) -> Result<Option<Avatar>>;
}

/// An "IVS Stream State Change" event (the seed's EventBridge rule input).
#[derive(Debug, Clone, serde::Serialize)]
pub struct StreamStateEvent {
    pub channel: String,
    /// `Stream Start` or `Stream End`.
    pub event_name: String,
    pub session_id: String,
    /// RFC 3339.
    pub at: String,
}
