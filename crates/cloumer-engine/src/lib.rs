//! Cloumer's broadcast engine: a [`BroadcastConfig`] (plain data) is validated against the
//! Amazon IVS channel limits, turned into a GStreamer pipeline by [`PipelineBuilder`] and run
//! by a session actor behind a cloneable [`SessionHandle`].
//!
//! Knows GStreamer (and our own elements from `gst-plugins`, registered statically); must
//! not depend on Tauri or on any HTTP crate: resolving a destination (accounts, AWS) is the
//! caller's job, the engine only receives an ingest URL and a [`StreamKey`].

mod config;
pub mod congestion;
mod device_watch;
mod devices;
mod encoders;
mod error;
mod failure;
mod memory;
mod pipeline;
mod portal;
pub mod preview;
pub mod preview_window;
mod session;
mod state;
mod stats;
mod tls;
mod validate;
mod x11;

pub use cloumer_protocol::destination::{IngestUrl, StreamKey};
pub use config::{
    AdaptiveBitrate, AudioSource, AudioSourceKind, BeRightBack, BroadcastConfig, CameraSource,
    ChannelType, Corner, DEFAULT_MIN_BITRATE_KBPS, EncoderChoice, H264Profile, Layout, Outputs,
    PipLayout, RecordingOutput, Region, ScreenSource, Sources, StreamOutput,
};
pub use congestion::{BitrateChange, Reason as BitrateChangeReason};
pub use device_watch::{DeviceChange, DeviceWatcher};
pub use devices::{Device, DeviceKind, list_devices};
pub use encoders::{EncoderInfo, gstreamer_version, h264_encoders};
pub use error::{ConfigError, Error, Result};
pub use memory::limit_malloc_arenas;
pub use pipeline::{BuiltPipeline, PipelineBuilder, names};
pub use portal::{PORTAL_SCREEN_ID, wayland_session};
pub use preview::{AudioLevel, PreviewFrame, PreviewSubscriber};
pub use preview_window::PreviewWindow;
pub use session::{SessionHandle, VideoSources};
pub use state::{Event, InvalidTransition, SessionState, StopReason, next};
pub use stats::Stats;
pub use validate::{ChannelLimits, validate};
pub use x11::{X11Monitor, screen_from_id, x11_monitor_region, x11_monitors, x11_windows};

/// Initialises GStreamer and registers Cloumer's own elements (`cloumerh264enc`,
/// `ivssink`). Idempotent; every public entry point that touches GStreamer calls it.
pub fn init() -> Result<()> {
    static INIT: std::sync::OnceLock<std::result::Result<(), String>> = std::sync::OnceLock::new();
    INIT.get_or_init(|| {
        gst::init().map_err(|e| e.to_string())?;
        pipeline::register_cloumer_elements().map_err(|e| e.to_string())
    })
    .clone()
    .map_err(Error::Pipeline)
}
