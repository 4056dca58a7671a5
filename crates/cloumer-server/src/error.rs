/// Errors of the server: start-up, storage and crypto failures. Request-level errors are
/// mapped to wire answers by `cognito::CognitoError` and `rest::ApiFailure`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[cfg(feature = "self-hosted")]
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("crypto: {0}")]
    Crypto(String),
    #[cfg(feature = "self-hosted")]
    #[error("token: {0}")]
    Token(#[from] jsonwebtoken::errors::Error),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    /// A uniqueness rule was hit (user name taken, ...).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("ingest: {0}")]
    Ingest(String),
    #[error("chat: {0}")]
    Chat(String),
    /// A managed service behind a seam failed (DynamoDB, IVS, S3, ... in `cloumer-aws`).
    #[error("{service}: {message}")]
    Service {
        service: &'static str,
        message: String,
    },
    /// A setting that cannot work (a malformed CORS origin, ...).
    #[error("configuration: {0}")]
    Config(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Seconds since the Unix epoch.
#[cfg(feature = "self-hosted")]
pub(crate) fn now_secs() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
