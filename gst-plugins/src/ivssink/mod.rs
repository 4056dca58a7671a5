//! `ivssink`: publish H.264 (`video` pad) + AAC (`audio` pad) to an RTMP(S) ingest such as
//! Amazon IVS, surviving connection drops.
//!
//! * Properties: `location` (`rtmp[s]://host[:port]/app/`), `stream-key` (write-only),
//!   `reconnect`, `reconnect-delay-initial-ms`, `reconnect-delay-max-ms`,
//!   `max-reconnect-attempts` (0 = unlimited), `stats-interval-ms`.
//! * Action signal `reconnect-now`: retry at once while waiting between attempts.
//! * Element messages: `cloumer-ivssink-stats` (bytes-sent, bytes-acked, bitrate, connected,
//!   reconnects = successful reconnections, dropped-buffers = dropped while not connected)
//!   every `stats-interval-ms`; `cloumer-ivssink-state` (state
//!   connecting|connected|reconnecting|failed, attempt, reason) on every change. `attempt` is
//!   the reconnection attempt (0 for the initial connection; on "connected", how many
//!   attempts it took).
//! * Giving up posts an error whose details structure `cloumer-failure` has `kind`
//!   key-rejected | tls | network (see [`FailureKind`]).

use gst::glib;
use gst::prelude::*;

mod backoff;
mod classify;
mod gate;
pub(crate) mod imp;
mod location;
mod log_guard;
mod part;
mod supervisor;

pub use classify::FailureKind;

/// Name of the periodic stats element message.
pub const STATS_MESSAGE: &str = "cloumer-ivssink-stats";
/// Name of the connection state element message.
pub const STATE_MESSAGE: &str = "cloumer-ivssink-state";
/// Name of the details structure of ivssink's final error (field `kind`).
pub const FAILURE_DETAILS: &str = "cloumer-failure";

glib::wrapper! {
    /// The `ivssink` element.
    pub struct IvsSink(ObjectSubclass<imp::IvsSink>)
        @extends gst::Bin, gst::Element, gst::Object,
        @implements gst::ChildProxy;
}

pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    gst::Element::register(
        Some(plugin),
        "ivssink",
        gst::Rank::NONE,
        IvsSink::static_type(),
    )
}
