//! Keeps the stream key out of the GStreamer debug log.
//!
//! rtmp2sink's helper code logs the RTMP stream name, which is our stream key, in the
//! `rtmpclient`, `rtmpamf`, `rtmpmessage` (hex dumps) and `rtmp2locationhandler` categories
//! at INFO level and below (checked with GStreamer 1.22 and `GST_DEBUG=*:9`). Some of these
//! categories are only created on the first connection, so a name pattern is registered
//! (GStreamer applies it to existing and future categories, ahead of `GST_DEBUG`'s) that caps
//! them at WARNING. `rtmp2sink`'s own category never prints the key and stays untouched.

use std::sync::Once;

use super::imp::CAT;

const CAPPED: [&str; 7] = [
    "rtmpclient",
    "rtmpamf",
    "rtmpmessage",
    "rtmpconnection",
    "rtmpchunkstream",
    "rtmphandshake",
    "rtmp2locationhandler",
];

pub(crate) fn keep_key_out_of_debug_log() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for name in CAPPED {
            gst::log::set_threshold_for_name(name, gst::DebugLevel::Warning);
        }
        gst::info!(
            CAT,
            "debug categories {CAPPED:?} capped at WARNING: they would log the stream key"
        );
    });
}
