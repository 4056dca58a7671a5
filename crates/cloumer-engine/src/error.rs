//! The engine's errors. Cloneable so that a failed session can keep its error in
//! [`crate::SessionState::Failed`] and every watcher sees the same value.

/// What is wrong with a [`crate::BroadcastConfig`]; each message says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The configuration breaks a rule (IVS channel limit, missing output, ...).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The ingest refused the stream key (wrong, revoked or for another channel).
    #[error("the ingest rejected the stream key: {0}")]
    KeyRejected(String),
    /// The TLS handshake failed: untrusted or invalid certificate, protocol mismatch.
    #[error("TLS failed: {0}")]
    Tls(String),
    /// The ingest accepted the key but kept closing the stream right after it started:
    /// it refuses what it receives (settings over the channel type's limits, ...).
    #[error("the ingest refused the stream: {0}")]
    IngestRefused(String),
    /// The ingest could not be reached or the connection broke and could not be restored.
    #[error("network: {0}")]
    Network(String),
    /// A GStreamer element the configuration needs is not installed.
    #[error("GStreamer element `{element}` is missing: {hint}")]
    MissingElement { element: String, hint: String },
    /// A capture device could not be opened or stopped delivering.
    #[error("capture device: {0}")]
    Device(String),
    /// The H.264 or AAC encoder could not be set up.
    #[error("encoder: {0}")]
    Encoder(String),
    /// Wayland screen capture through xdg-desktop-portal is not possible here.
    #[error("screen-cast portal: {0}")]
    Portal(String),
    /// Any other GStreamer failure.
    #[error("pipeline: {0}")]
    Pipeline(String),
    /// The session actor has already ended; make a new session.
    #[error("the session has already ended")]
    SessionClosed,
    #[error(transparent)]
    InvalidTransition(#[from] crate::state::InvalidTransition),
}

impl Error {
    /// A short stable name for the kind of failure (`key-rejected`, `tls`, ...), used in
    /// JSON output and by front ends that tell kinds apart.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Config(_) => "config",
            Error::KeyRejected(_) => "key-rejected",
            Error::Tls(_) => "tls",
            Error::IngestRefused(_) => "ingest-refused",
            Error::Network(_) => "network",
            Error::MissingElement { .. } => "missing-element",
            Error::Device(_) => "device",
            Error::Encoder(_) => "encoder",
            Error::Portal(_) => "portal",
            Error::Pipeline(_) => "pipeline",
            Error::SessionClosed => "session-closed",
            Error::InvalidTransition(_) => "invalid-transition",
        }
    }
}

impl From<gst::glib::BoolError> for Error {
    fn from(e: gst::glib::BoolError) -> Self {
        Error::Pipeline(e.to_string())
    }
}

impl From<gst::StateChangeError> for Error {
    fn from(e: gst::StateChangeError) -> Self {
        Error::Pipeline(e.to_string())
    }
}

pub type Result<T> = std::result::Result<T, Error>;
