//! Every way the account client can fail, typed so callers (CLI, desktop app) can react
//! (log in again on `Unauthorized`, point at the field on `Invalid`, ...).

use std::path::PathBuf;

/// Cognito's error types, shared with the server (`cloumer_protocol::cognito::ErrorKind`).
pub use cloumer_protocol::cognito::ErrorKind as AuthErrorKind;

/// Errors of `cloumer-api`. Messages never carry a token, password or stream key.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No backend profile could be found (no flag, no env, nothing remembered).
    #[error(
        "no backend profile: pass --backend FILE, set CLOUMER_BACKEND, or log in once with --backend"
    )]
    NoBackend,
    /// A backend profile file is missing, unreadable or malformed.
    #[error("backend profile {path}: {message}")]
    Profile {
        path: PathBuf,
        key: Option<String>,
        message: String,
    },
    /// Nobody is logged in (or the session was wiped).
    #[error("not logged in: run `cloumer login --username EMAIL` first")]
    NotLoggedIn,
    /// Cognito (or our server's Cognito-compatible endpoint) refused a call.
    #[error("{}: {message}", describe(kind))]
    Auth {
        kind: AuthErrorKind,
        message: String,
    },
    /// The pool asked for a new password (admin-created user).
    #[error("a new password is required for this account")]
    NewPasswordRequired { session: String, username: String },
    /// The operation is deliberately refused against this backend.
    #[error("{0}")]
    Refused(String),
    /// The REST API said 401 (ID token missing, invalid or expired).
    #[error("unauthorized: log in again")]
    Unauthorized,
    /// The REST API said 403.
    #[error("forbidden: {message}")]
    Forbidden { message: String },
    /// The REST API said 404 or the thing does not exist.
    #[error("not found: {what}")]
    NotFound { what: String },
    /// The input was refused (by us before sending, or by the server's 400).
    #[error("invalid {}: {message}", field.as_deref().unwrap_or("request"))]
    Invalid {
        field: Option<String>,
        message: String,
    },
    /// The server failed (5xx, or the seed's 200 with an empty body / `{}`).
    #[error("server error {status} on {path}: {message}")]
    Server {
        status: u16,
        path: String,
        message: String,
    },
    /// The network failed (connect, TLS, timeout).
    #[error("cannot reach {url}: {message}")]
    Transport { url: String, message: String },
    /// A response could not be decoded.
    #[error("unexpected answer from {path}: {message}")]
    Decode { path: String, message: String },
    /// The OS credential store failed.
    #[error("credential store: {0}")]
    CredentialStore(String),
    /// Local files (config dir, avatar file).
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// IVS Chat answered with an ERROR frame.
    #[error("chat error {code}: {message}")]
    Chat {
        code: u16,
        message: String,
        request_id: Option<String>,
    },
    /// The chat connection is closed or could not be opened.
    #[error("chat connection: {0}")]
    ChatConnection(String),
    /// An AWS SDK call failed (own-AWS destinations).
    #[error("AWS {operation}: {message}")]
    Aws {
        operation: &'static str,
        message: String,
    },
}

/// What the user is told for each Cognito error (the CLI prints it before the message).
fn describe(kind: &AuthErrorKind) -> &str {
    match kind {
        AuthErrorKind::NotAuthorized => "not authorized",
        AuthErrorKind::UserNotConfirmed => "account not confirmed",
        AuthErrorKind::UserNotFound => "no such user",
        AuthErrorKind::UsernameExists => "an account with this user name exists",
        AuthErrorKind::CodeMismatch => "wrong code",
        AuthErrorKind::ExpiredCode => "code expired",
        AuthErrorKind::InvalidPassword => "password refused",
        AuthErrorKind::InvalidParameter => "invalid parameter",
        AuthErrorKind::LimitExceeded => "limit exceeded",
        AuthErrorKind::TooManyRequests => "too many requests",
        AuthErrorKind::PasswordResetRequired => "password reset required",
        other => other.type_name(),
    }
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn transport(url: &str, e: reqwest::Error) -> Self {
        // reqwest's Display may include the URL with its query; our queries carry no
        // secrets (titles, channel names), but strip it anyway to keep lines short.
        let message = if e.is_timeout() {
            "timed out".to_owned()
        } else if e.is_connect() {
            "connection failed".to_owned()
        } else {
            e.without_url().to_string()
        };
        Self::Transport {
            url: url.split('?').next().unwrap_or(url).to_owned(),
            message,
        }
    }

    /// Whether this is the user's fault or configuration (CLI exit status 2).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Self::NoBackend | Self::Profile { .. } | Self::Invalid { .. } | Self::NotLoggedIn
        )
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
