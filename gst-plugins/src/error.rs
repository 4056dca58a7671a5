//! Errors of the plugin crate's Rust API (probing, starting the elements).

use crate::probe::EncoderKind;

/// Everything that can go wrong in this crate's Rust-facing API.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no usable H.264 encoder found ({0})")]
    NoUsableEncoder(String),
    #[error("the {kind} H.264 encoder ({element}) is not usable: {reason}")]
    EncoderUnusable {
        kind: EncoderKind,
        element: &'static str,
        reason: String,
    },
    #[error("invalid ingest location: {0}")]
    InvalidLocation(String),
    #[error("GStreamer: {0}")]
    Gst(#[from] gst::glib::BoolError),
}

/// Result with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
