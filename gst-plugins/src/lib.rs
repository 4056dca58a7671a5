//! Cloumer's GStreamer elements. Must not depend on Tauri, HTTP crates or other Cloumer crates.
//!
//! * `cloumerh264enc`: H.264 with the settings Amazon IVS wants (IDR exactly every N seconds,
//!   CBR with a VBV buffer no larger than the bitrate, zero latency, Main/High from 4:2:0),
//!   on the best usable encoder (NVENC > VA > VA-API > x264), bitrate changeable while live.
//! * `ivssink`: `flvmux ! rtmp2sink` that survives connection drops (reconnect with backoff,
//!   restart on a keyframe), fails fast on a rejected stream key or a TLS failure, and posts
//!   stats/state element messages ([`IvsStats`], [`IvsState`], [`Failure`]).
//!
//! The crate is a `cdylib` (usable through `GST_PLUGIN_PATH`) and an `rlib` that the engine
//! registers statically with [`plugin_register_static`].

use gst::glib;

mod cloumerh264enc;
pub mod error;
mod h264_settings;
mod ivssink;
pub mod probe;

pub use cloumerh264enc::{H264Encoder, H264Profile, X264SpeedPreset};
pub use error::{Error, Result};
pub use ivssink::messages::{
    ConnectionState, FAILURE_DETAILS, Failure, FailureKind, IvsState, IvsStats, STATE_MESSAGE,
    STATS_MESSAGE, UnknownValue,
};

fn plugin_init(plugin: &gst::Plugin) -> std::result::Result<(), glib::BoolError> {
    cloumerh264enc::register(plugin)?;
    ivssink::register(plugin)?;
    Ok(())
}

/// The generated `plugin_register_static()` is kept private so that the public one below can
/// make repeated calls harmless (the engine and tests may both register).
mod plugin_desc_holder {
    use super::plugin_init;

    gst::plugin_define!(
        cloumer,
        env!("CARGO_PKG_DESCRIPTION"),
        plugin_init,
        concat!(env!("CARGO_PKG_VERSION"), "-", env!("COMMIT_ID")),
        "MIT/X11",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_REPOSITORY"),
        env!("BUILD_REL_DATE")
    );
}

/// Registers `cloumerh264enc` and `ivssink` into the current process.
///
/// Initializes GStreamer if needed. Safe to call any number of times: only the first call
/// registers, later calls return the first call's result.
pub fn plugin_register_static() -> std::result::Result<(), glib::BoolError> {
    static REGISTERED: std::sync::OnceLock<std::result::Result<(), glib::BoolError>> =
        std::sync::OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            gst::init().map_err(|e| glib::bool_error!("GStreamer init failed: {e}"))?;
            plugin_desc_holder::plugin_register_static()
        })
        .clone()
}
