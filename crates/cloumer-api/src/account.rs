//! [`Account`]: one backend profile, its session and its REST client, with every
//! signed-in call going through the session (fresh ID token, one retry after a 401).

use std::path::{Path, PathBuf};

use secrecy::SecretString;

use crate::backend::{self, BackendProfile};
use crate::models::{ChatToken, Profile};
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

    /// R8.
    pub async fn set_title(&self, title: &str) -> Result<()> {
        self.session
            .authorized(|t| async move { self.rest.set_title(&t, title).await })
            .await
    }

    /// R7 from a file: checked locally first (nothing is uploaded when invalid).
    pub async fn upload_avatar_file(&self, path: &Path) -> Result<()> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if meta.len() > cloumer_protocol::rest::limits::AVATAR_MAX_BYTES as u64 {
            // Check before reading a huge file into memory.
            return Err(Error::Invalid {
                field: Some("file".into()),
                message: format!("the image is {} bytes; the limit is 4 MiB", meta.len()),
            });
        }
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
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
}
