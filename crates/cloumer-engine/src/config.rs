//! `BroadcastConfig`: what to capture, how to lay it out and encode it, and where it goes.
//! Plain data (serde) so front ends can store and send it; checked by [`crate::validate`]
//! before any GStreamer element is made.

use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct BroadcastConfig {
    pub sources: Sources,
    /// What the canvas shows; switchable while live ([`crate::SessionHandle::set_layout`]).
    pub layout: Layout,
    /// The "be right back" still shown by [`Layout::BeRightBack`].
    pub be_right_back: BeRightBack,
    /// Output canvas; the stream has this size and rate whatever the inputs are.
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    pub encoder: EncoderChoice,
    pub profile: H264Profile,
    /// Video bitrate in kbit/s (CBR).
    pub video_bitrate_kbps: u32,
    /// AAC bitrate in kbit/s, 64-160.
    pub audio_bitrate_kbps: u32,
    /// The IVS channel type the stream goes to; decides the limits.
    pub channel_type: ChannelType,
    /// Lower the video bitrate while the uplink cannot carry it (streaming only).
    pub adaptive_bitrate: AdaptiveBitrate,
    pub outputs: Outputs,
    /// Publish a small live preview and per-source audio levels
    /// ([`crate::SessionHandle::preview`], [`crate::SessionHandle::audio_levels`]); with
    /// it, a session may also run without any output (a studio before going live). Off by
    /// default: a headless broadcast pays nothing for it.
    pub preview: bool,
    /// With `preview`: also paint the preview natively into this window of the front
    /// end's (see [`crate::PreviewWindow`]). Not part of a stored config: a window lives as
    /// long as the front end that made it.
    #[serde(skip)]
    pub preview_window: Option<crate::PreviewWindow>,
}

impl Default for BroadcastConfig {
    fn default() -> Self {
        Self {
            sources: Sources::default(),
            layout: Layout::default(),
            be_right_back: BeRightBack::default(),
            width: 1280,
            height: 720,
            fps: 30,
            encoder: EncoderChoice::Auto,
            profile: H264Profile::High,
            video_bitrate_kbps: 3500,
            audio_bitrate_kbps: 128,
            channel_type: ChannelType::Standard,
            adaptive_bitrate: AdaptiveBitrate::default(),
            outputs: Outputs::default(),
            preview: false,
            preview_window: None,
        }
    }
}

/// Adaptive bitrate ([`crate::congestion`]): between `min_kbps` and the config's
/// `video_bitrate_kbps`, which stays the target whenever the network carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AdaptiveBitrate {
    pub enabled: bool,
    pub min_kbps: u32,
}

/// Below about 300 kbit/s a 720p picture falls apart; lower still only helps a stream
/// that would otherwise disconnect.
pub const DEFAULT_MIN_BITRATE_KBPS: u32 = 300;

impl Default for AdaptiveBitrate {
    fn default() -> Self {
        Self {
            enabled: true,
            min_kbps: DEFAULT_MIN_BITRATE_KBPS,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Sources {
    /// The main picture (full canvas).
    pub screen: Option<ScreenSource>,
    /// Shown picture-in-picture over the screen, or full canvas when there is no screen.
    pub camera: Option<CameraSource>,
    /// Mixed together; an empty list gives a silent audio track (ingests expect audio).
    pub audio: Vec<AudioSource>,
}

/// A rectangle of the screen, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ScreenSource {
    /// X11 through `ximagesrc`. `display` `None` = `$DISPLAY`; `region` crops (a monitor
    /// is a region: its geometry from the device list).
    X11 {
        display: Option<String>,
        region: Option<Region>,
    },
    /// One X11 window, found by its title (ximagesrc's `xname`): it follows the window
    /// wherever it moves, and shows what covers it.
    X11Window {
        display: Option<String>,
        title: String,
    },
    /// Wayland through the xdg-desktop-portal ScreenCast and `pipewiresrc`. The restore
    /// token remembers the user's choice so the next start does not ask again.
    Portal { restore_token: Option<String> },
    /// A moving test picture (`videotestsrc`), for demos and tests.
    TestPattern { pattern: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum CameraSource {
    /// A V4L2 camera (`/dev/videoN`), `None` = the first one.
    V4l2 { device: Option<String> },
    /// A test picture through the same camera path (layout tests, demos).
    TestPattern { pattern: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudioSource {
    pub kind: AudioSourceKind,
    /// Linear gain, 1.0 = unchanged.
    pub volume: f64,
    pub muted: bool,
}

impl AudioSource {
    pub fn new(kind: AudioSourceKind) -> Self {
        Self {
            kind,
            volume: 1.0,
            muted: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum AudioSourceKind {
    /// A PulseAudio/PipeWire source; `None` = the default microphone.
    Microphone { device: Option<String> },
    /// What the desktop plays: the monitor of the default output (or of `device`).
    DesktopAudio { device: Option<String> },
    /// A sine tone, for demos and tests.
    TestTone { frequency: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Corner {
    TopLeft,
    TopRight,
    BottomLeft,
    #[default]
    BottomRight,
}

/// What the canvas shows. Every source the session has is always connected to the
/// compositor, so switching is only a change of each source's placement: no reconnect, no
/// new keyframe, no lost frame. A layout whose source is missing shows what there is
/// (camera-only without a camera shows the screen, and so on; see `pipeline::layout`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Layout {
    /// The screen alone, full canvas.
    Screen,
    /// The camera alone, full canvas.
    Camera,
    /// The screen with the camera picture-in-picture.
    Pip(PipLayout),
    /// The still of [`BroadcastConfig::be_right_back`] (sources keep running underneath).
    BeRightBack,
}

impl Default for Layout {
    fn default() -> Self {
        Layout::Pip(PipLayout::default())
    }
}

/// The "be right back" still: an image (PNG or JPEG) scaled to the canvas, or, without one,
/// a built-in card: a dark canvas with `caption` (the front end passes it in its language).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BeRightBack {
    pub image: Option<PathBuf>,
    pub caption: String,
}

impl Default for BeRightBack {
    fn default() -> Self {
        Self {
            image: None,
            caption: "Be right back".into(),
        }
    }
}

/// Where the camera sits over the screen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PipLayout {
    pub corner: Corner,
    /// Camera width as a fraction of the canvas width (0.1-0.5); height keeps 16:9.
    pub size: f64,
    /// Distance from the canvas edges, in pixels.
    pub margin: u32,
}

impl Default for PipLayout {
    fn default() -> Self {
        Self {
            corner: Corner::BottomRight,
            size: 0.25,
            margin: 24,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Outputs {
    pub stream: Option<StreamOutput>,
    pub recording: Option<RecordingOutput>,
}

/// Where the stream goes: the one destination model shared with the elements, the account
/// client, the CLI and the studio. Its URL was checked when it was made or read.
pub use cloumer_protocol::destination::Ingest as StreamOutput;

/// A local copy, written crash-safe (streamable Matroska): playable even after a kill -9.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordingOutput {
    pub path: PathBuf,
}

macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident default $default:ident { $($variant:ident = $s:literal),+ $(,)? }) => {
        str_enum!($(#[$m])* $name { $($variant = $s),+ });

        impl Default for $name {
            fn default() -> Self {
                $name::$default
            }
        }
    };
    ($(#[$m:meta])* $name:ident { $($variant:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $s)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
                $(if wanted == $s { return Ok($name::$variant); })+
                let all: Vec<&str> = vec![$($s),+];
                Err(format!("unknown value `{s}`: use one of {}", all.join(", ")))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

str_enum! {
    /// Which H.264 encoder to use; `Auto` takes the first usable of nvenc, va, vaapi, x264.
    EncoderChoice default Auto { Auto = "auto", X264 = "x264", Nvenc = "nvenc", Va = "va", Vaapi = "vaapi" }
}

str_enum! {
    /// The H.264 profile; IVS takes Main or High.
    H264Profile { Main = "main", High = "high" }
}

str_enum! {
    /// Amazon IVS channel types (`BASIC`, `STANDARD`, `ADVANCED_SD`, `ADVANCED_HD`).
    ChannelType { Basic = "basic", Standard = "standard", AdvancedSd = "advanced-sd", AdvancedHd = "advanced-hd" }
}

impl ChannelType {
    /// The name IVS uses in its API (`ADVANCED_SD`).
    pub fn ivs_name(self) -> &'static str {
        match self {
            ChannelType::Basic => "BASIC",
            ChannelType::Standard => "STANDARD",
            ChannelType::AdvancedSd => "ADVANCED_SD",
            ChannelType::AdvancedHd => "ADVANCED_HD",
        }
    }
}
