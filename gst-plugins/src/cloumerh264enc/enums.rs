//! The GEnum types of `cloumerh264enc`'s `encoder`, `profile` and `speed-preset`
//! properties: gst-inspect lists their values, and a value outside them is refused when it
//! is set (`gst-launch-1.0 ... cloumerh264enc encoder=bogus` fails while parsing), not when
//! the element starts. The nicks are the strings the properties took before they were enums.

use gst::glib;
use gst::prelude::*;

use crate::probe::EncoderKind;

/// Which H.264 encoder `cloumerh264enc` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, glib::Enum)]
#[repr(i32)]
#[enum_type(name = "GstCloumerH264EncEncoder")]
pub enum H264Encoder {
    /// The best usable one: nvenc > va > vaapi > x264 (each really tried, see `probe`).
    #[default]
    #[enum_value(name = "Best usable: nvenc > va > vaapi > x264", nick = "auto")]
    Auto,
    #[enum_value(name = "Software x264 (x264enc)", nick = "x264")]
    X264,
    #[enum_value(name = "NVIDIA NVENC (nvh264enc)", nick = "nvenc")]
    Nvenc,
    #[enum_value(name = "VA (vah264enc)", nick = "va")]
    Va,
    #[enum_value(name = "VA-API (vaapih264enc)", nick = "vaapi")]
    Vaapi,
}

impl H264Encoder {
    /// The encoder asked for; `None` for [`H264Encoder::Auto`].
    pub fn kind(self) -> Option<EncoderKind> {
        match self {
            H264Encoder::Auto => None,
            H264Encoder::X264 => Some(EncoderKind::X264),
            H264Encoder::Nvenc => Some(EncoderKind::Nvenc),
            H264Encoder::Va => Some(EncoderKind::Va),
            H264Encoder::Vaapi => Some(EncoderKind::Vaapi),
        }
    }
}

/// The H.264 profiles Amazon IVS takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, glib::Enum)]
#[repr(i32)]
#[enum_type(name = "GstCloumerH264EncProfile")]
pub enum H264Profile {
    #[enum_value(name = "Main", nick = "main")]
    Main,
    #[default]
    #[enum_value(name = "High", nick = "high")]
    High,
}

/// x264's speed presets, fastest first (the nicks are x264enc's own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, glib::Enum)]
#[repr(i32)]
#[enum_type(name = "GstCloumerH264EncSpeedPreset")]
pub enum X264SpeedPreset {
    #[enum_value(name = "ultrafast", nick = "ultrafast")]
    Ultrafast,
    #[enum_value(name = "superfast", nick = "superfast")]
    Superfast,
    #[default]
    #[enum_value(name = "veryfast", nick = "veryfast")]
    Veryfast,
    #[enum_value(name = "faster", nick = "faster")]
    Faster,
    #[enum_value(name = "fast", nick = "fast")]
    Fast,
    #[enum_value(name = "medium", nick = "medium")]
    Medium,
    #[enum_value(name = "slow", nick = "slow")]
    Slow,
    #[enum_value(name = "slower", nick = "slower")]
    Slower,
    #[enum_value(name = "veryslow", nick = "veryslow")]
    Veryslow,
    #[enum_value(name = "placebo", nick = "placebo")]
    Placebo,
}

/// The nick of a GEnum value: the string caps and the inner encoders' properties use, so
/// that it is written once, in the enum's attributes.
pub(crate) fn nick<E: ToValue>(value: E) -> String {
    let value = value.to_value();
    glib::EnumValue::from_value(&value)
        .map(|(_, v)| v.nick().to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nicks_are_the_former_strings() {
        assert_eq!(nick(H264Encoder::Auto), "auto");
        assert_eq!(nick(H264Encoder::Vaapi), "vaapi");
        assert_eq!(nick(H264Profile::Main), "main");
        assert_eq!(nick(X264SpeedPreset::Veryfast), "veryfast");
        for kind in EncoderKind::ALL {
            let choice = [
                H264Encoder::X264,
                H264Encoder::Nvenc,
                H264Encoder::Va,
                H264Encoder::Vaapi,
            ]
            .into_iter()
            .find(|c| c.kind() == Some(kind))
            .expect("every kind can be chosen");
            assert_eq!(nick(choice), kind.as_str());
        }
    }
}
