//! `ivssink`: publish H.264 (`video` pad) + AAC (`audio` pad) to an RTMP(S) ingest such as
//! Amazon IVS, surviving connection drops.
//!
//! * Properties: `location` (`rtmp[s]://host[:port]/app/`), `stream-key` (write-only),
//!   `reconnect`, `reconnect-delay-initial-ms`, `reconnect-delay-max-ms`,
//!   `max-reconnect-attempts` (0 = unlimited), `stats-interval-ms`.
//! * Action signal `reconnect-now`: retry at once while waiting between attempts.
//! * Element messages `cloumer-ivssink-stats` every `stats-interval-ms` and
//!   `cloumer-ivssink-state` on every change of the connection; giving up posts an error
//!   whose details structure is `cloumer-failure`. Their fields, and the types that write
//!   and read them, are in [`messages`].

use gst::glib;
use gst::prelude::*;

mod backoff;
mod classify;
mod gate;
pub(crate) mod imp;
mod location;
mod log_guard;
pub(crate) mod messages;
mod part;
mod socket_queue;
mod supervisor;

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
