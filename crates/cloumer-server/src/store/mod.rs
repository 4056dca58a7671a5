//! Storage behind one trait per concern, so the same handlers can run on another backend
//! (DynamoDB on AWS). [`sqlite::SqliteStore`] implements all of them.

pub mod sqlite;

use async_trait::async_trait;

use crate::Result;
use crate::ingest::ChannelType;

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

#[async_trait]
pub trait UserStore: Send + Sync {
    /// Fails with `Error::Conflict` when the user name is taken.
    async fn create_user(&self, user: &User) -> Result<()>;
    async fn user_by_username(&self, username: &str) -> Result<Option<User>>;
    async fn user_by_sub(&self, sub: &str) -> Result<Option<User>>;
    async fn set_confirmed(&self, sub: &str) -> Result<()>;
    async fn set_password(&self, sub: &str, hash: &str, salt: &[u8], verifier: &[u8])
    -> Result<()>;
    async fn set_nickname(&self, sub: &str, nickname: &str) -> Result<()>;
    /// Records (or with `None` drops) the unverified new e-mail address.
    async fn set_pending_email(&self, sub: &str, email: Option<&str>) -> Result<()>;
    /// Makes the pending e-mail address the user's address (after its code was verified).
    async fn apply_pending_email(&self, sub: &str) -> Result<()>;
    /// Replaces the code of that purpose (with a fresh attempt count).
    async fn put_code(
        &self,
        sub: &str,
        purpose: CodePurpose,
        code: &str,
        expires_at: i64,
    ) -> Result<()>;
    /// Checks a code as [`crate::auth::codes::judge`] decides, atomically counting a wrong
    /// guess and consuming the code when valid.
    async fn take_code(&self, sub: &str, purpose: CodePurpose, code: &str) -> Result<CodeCheck>;
}

/// A login session: one refresh token and the tokens minted from it (`origin_jti`).
#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub sub: String,
    pub expires_at: i64,
    pub revoked: bool,
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn create_session(&self, session: &Session, refresh_hash: &str) -> Result<()>;
    async fn session_by_refresh(&self, refresh_hash: &str) -> Result<Option<Session>>;
    async fn session(&self, id: &str) -> Result<Option<Session>>;
    /// GlobalSignOut: revokes every session of the user.
    async fn revoke_all(&self, sub: &str) -> Result<()>;
}

/// A channel: one per confirmed user.
#[derive(Clone)]
pub struct Channel {
    pub name: String,
    pub owner_sub: String,
    pub title: String,
    pub is_live: bool,
    pub stream_key: String,
    /// Avatar file name (`<id>.<ext>`), if one was uploaded.
    pub avatar: Option<String>,
    /// Decides the ingest limits.
    pub channel_type: ChannelType,
}

impl std::fmt::Debug for Channel {
    // The stream key is a secret: keep it out of Debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channel")
            .field("name", &self.name)
            .field("is_live", &self.is_live)
            .field("channel_type", &self.channel_type)
            .finish()
    }
}

/// A channel with its owner's nickname, for listings.
#[derive(Debug, Clone)]
pub struct ChannelListing {
    pub channel: Channel,
    pub nickname: String,
}

#[async_trait]
pub trait ChannelStore: Send + Sync {
    /// Creates the owner's channel unless they already have one (idempotent: the seed's
    /// W4 made a second channel on every password reset). Returns the owner's channel.
    async fn ensure_channel(&self, candidate: &Channel) -> Result<Channel>;
    async fn channel_by_owner(&self, sub: &str) -> Result<Option<Channel>>;
    async fn channel_by_name(&self, name: &str) -> Result<Option<Channel>>;
    async fn channel_by_stream_key(&self, key: &str) -> Result<Option<Channel>>;
    async fn list_channels(&self, live_only: bool) -> Result<Vec<ChannelListing>>;
    async fn set_title(&self, name: &str, title: &str) -> Result<()>;
    async fn set_live(&self, name: &str, live: bool) -> Result<()>;
    async fn set_stream_key(&self, name: &str, key: &str) -> Result<()>;
}

#[async_trait]
pub trait ModeratorStore: Send + Sync {
    /// The moderators of `channel` with their nicknames.
    async fn moderators(&self, channel: &str) -> Result<Vec<ChannelListing>>;
    async fn add_moderator(&self, channel: &str, moderator: &str) -> Result<()>;
    /// Whether a row was removed.
    async fn remove_moderator(&self, channel: &str, moderator: &str) -> Result<bool>;
    async fn is_moderator(&self, channel: &str, user_channel: &str) -> Result<bool>;
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

#[async_trait]
pub trait StreamEventLog: Send + Sync {
    async fn record(&self, event: &StreamStateEvent) -> Result<()>;
    async fn recent(&self, channel: &str, limit: u32) -> Result<Vec<StreamStateEvent>>;
}
