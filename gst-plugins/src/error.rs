//! Errors of the plugin crate's Rust API (probing, settings validation).

use crate::probe::EncoderKind;

/// Everything that can go wrong in this crate's Rust-facing API.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("unknown encoder {0:?}: expected one of auto, x264, nvenc, va, vaapi")]
    UnknownEncoder(String),
    #[error("no usable H.264 encoder found ({0})")]
    NoUsableEncoder(String),
    #[error("the {kind} H.264 encoder ({element}) is not usable: {reason}")]
    EncoderUnusable {
        kind: EncoderKind,
        element: &'static str,
        reason: String,
    },
    #[error("unsupported H.264 profile {0:?}: expected main or high")]
    UnsupportedProfile(String),
    #[error(
        "unknown x264 speed preset {0:?}: expected ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, veryslow or placebo"
    )]
    UnknownSpeedPreset(String),
    #[error("invalid keyframe interval {0}: expected 0.1 to 10 seconds")]
    InvalidKeyframeInterval(f64),
    #[error("invalid ingest location: {0}")]
    InvalidLocation(String),
    #[error("GStreamer: {0}")]
    Gst(#[from] gst::glib::BoolError),
}

/// Result with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
