//! `cloumerh264enc`: raw video in, IVS-ready H.264 out (`stream-format=avc, alignment=au`,
//! Main or High profile, IDR exactly every `keyframe-interval` seconds, CBR, zero latency),
//! on the best usable encoder. See `imp.rs` for the inner chain.

use gst::glib;
use gst::prelude::*;

mod enums;
mod imp;

pub(crate) use enums::nick;
pub use enums::{H264Encoder, H264Profile, X264SpeedPreset};

glib::wrapper! {
    /// The `cloumerh264enc` element.
    pub struct CloumerH264Enc(ObjectSubclass<imp::CloumerH264Enc>)
        @extends gst::Bin, gst::Element, gst::Object,
        @implements gst::ChildProxy;
}

pub fn register(plugin: &gst::Plugin) -> Result<(), glib::BoolError> {
    gst::Element::register(
        Some(plugin),
        "cloumerh264enc",
        gst::Rank::NONE,
        CloumerH264Enc::static_type(),
    )
}
