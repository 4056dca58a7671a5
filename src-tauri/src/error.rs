//! The one error type every command returns. Serialized as a tagged enum
//! (`{"kind": "...", "message": "...", ...}`) so the UI can tell kinds apart and show
//! the matching "what to do" next to the message.

use serde::Serialize;

pub type Result<T> = std::result::Result<T, AppError>;

#[derive(Debug, Clone, thiserror::Error, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum AppError {
    /// No backend was chosen yet (first screen).
    #[error("no backend chosen: {message}")]
    NoBackend { message: String },
    /// The action needs a signed-in account.
    #[error("not signed in: {message}")]
    NotSignedIn { message: String },
    /// Wrong password, unknown user, expired code, ...; `reason` says which, so the UI
    /// can say what to do in the user's language.
    #[error("authentication failed: {message}")]
    Auth {
        message: String,
        reason: Option<AuthReason>,
    },
    /// An input the user can fix; `field` names it when there is one.
    #[error("invalid input: {message}")]
    Validation {
        message: String,
        field: Option<String>,
    },
    /// The backend could not be reached.
    #[error("network error: {message}")]
    Network { message: String },
    /// The backend answered with an error.
    #[error("backend error: {message}")]
    Backend { message: String },
    /// Capture, encoding or the ingest failed; `fix` says what to change.
    #[error("broadcast error: {message}")]
    Broadcast {
        message: String,
        fix: Option<String>,
    },
    /// Chat connection or moderation failed.
    #[error("chat error: {message}")]
    Chat { message: String },
    /// The OS credential store refused to keep or give back a secret.
    #[error("credential store error: {message}")]
    Credentials { message: String },
    /// Reading or writing local settings or logs failed.
    #[error("local storage error: {message}")]
    Storage { message: String },
    /// The feature is not available in this build or with this backend.
    #[error("not available: {message}")]
    Unavailable { message: String },
}

/// Why an account step was refused (from the Cognito error kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum AuthReason {
    WrongPassword,
    UnknownAccount,
    NotConfirmed,
    AccountExists,
    WrongCode,
    ExpiredCode,
    WeakPassword,
    TooManyAttempts,
    NewPasswordRequired,
    ResetRequired,
}

impl AppError {
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Self::Validation {
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::Unavailable {
            message: message.into(),
        }
    }
    pub fn storage(e: impl std::fmt::Display) -> Self {
        Self::Storage {
            message: e.to_string(),
        }
    }
    pub fn no_backend() -> Self {
        Self::NoBackend {
            message: "choose how to go live first".into(),
        }
    }
    pub fn not_signed_in() -> Self {
        Self::NotSignedIn {
            message: "sign in to your account first".into(),
        }
    }
}
