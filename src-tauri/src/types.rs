//! Plain data exchanged with the UI. Everything here derives `specta::Type`, so
//! `ui/src/lib/bindings.ts` is generated from these definitions.

use serde::{Deserialize, Serialize};

/// How the studio reaches an ingest (and, for accounts, a chat).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum BackendKind {
    /// `cloumer serve` started inside the app on loopback.
    Local,
    /// A CLOUMER backend (backend profile).
    Cloumer,
    /// The user's own Amazon IVS channel.
    Ivs,
    /// Any RTMP(S) server.
    Rtmp,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BackendInfo {
    pub kind: BackendKind,
    /// Human label: "This computer", the API host, the channel ARN or the ingest host.
    pub label: String,
    /// Whether accounts exist (sign up / sign in, profile, chat).
    pub has_accounts: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub backend: Option<BackendInfo>,
    pub account: Option<Account>,
    pub last_backend: Option<BackendKind>,
    pub log_dir: String,
}

/// A backend profile, as a TOML file's text or as the four fields.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(tag = "from", rename_all = "camelCase")]
pub enum ProfileSource {
    Toml {
        text: String,
    },
    #[serde(rename_all = "camelCase")]
    Fields {
        region: String,
        user_pool_id: String,
        client_id: String,
        api_url: String,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub email: String,
    pub nickname: String,
    pub channel: String,
}

/// The result of a sign-up: local mode confirms at once; a real backend e-mails a code.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum SignUpOutcome {
    SignedIn { account: Account },
    NeedsCode { email: String },
}

/// The result of a log-in: signed in, or the step the account needs first (a code for an
/// unconfirmed account, a new password the pool asks for).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum SignInOutcome {
    SignedIn { account: Account },
    NeedsCode { email: String },
    NeedsNewPassword { email: String },
}

/// The profile as the UI shows it. The stream key is never here in full: only its last
/// four characters until the user asks to reveal it.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub title: String,
    pub is_live: bool,
    pub channel: String,
    pub nickname: String,
    pub stream_key_last4: String,
    pub stream_url: String,
    pub playback_url: String,
    pub avatar_url: String,
    /// The IVS channel type (`BASIC`, `STANDARD`, ...) when the backend tells it (R6
    /// `channelType`): the quality presets offered are those its limits accept.
    pub channel_type: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct UploadProgress {
    pub sent: u32,
    pub total: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum DeviceKind {
    Screen,
    Camera,
    Microphone,
    DesktopAudio,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DeviceInfo {
    pub id: String,
    pub name: String,
    pub kind: DeviceKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Corner {
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub enum QualityPreset {
    #[serde(rename = "1080p30")]
    P1080,
    #[serde(rename = "720p30")]
    P720,
    #[serde(rename = "480p30")]
    P480,
}

impl QualityPreset {
    /// Width, height and video bitrate (kbit/s) the preset broadcasts at.
    pub const fn video(self) -> (u32, u32, u32) {
        match self {
            Self::P1080 => (1920, 1080, 6000),
            Self::P720 => (1280, 720, 3500),
            Self::P480 => (852, 480, 1500),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct SourceSettings {
    /// Screen id from `list_devices`; `None` = the default screen.
    pub screen: Option<String>,
    /// Camera id; `None` = no camera.
    pub camera: Option<String>,
    /// Microphone id; `None` = the default microphone.
    pub microphone: Option<String>,
    pub desktop_audio: bool,
    /// Desktop-audio device id (a PulseAudio monitor source from `list_devices`); `None` =
    /// the monitor of the default output.
    pub desktop_audio_device: Option<String>,
    /// Synthetic test sources (moving pattern and tone) instead of real devices.
    pub test_sources: bool,
    /// The microphone's (or test tone's) gain and mute.
    pub microphone_control: AudioControl,
    pub desktop_audio_control: AudioControl,
    /// Wayland: the ScreenCast portal's restore token from the last capture, given back
    /// at the next start so the system does not ask again what to share. Not a secret (it
    /// names an earlier choice to the local portal only). `None` = ask ("choose again").
    pub portal_restore_token: Option<String>,
}

impl SourceSettings {
    pub fn control_mut(&mut self, source: AudioSourceId) -> &mut AudioControl {
        match source {
            AudioSourceId::Microphone => &mut self.microphone_control,
            AudioSourceId::DesktopAudio => &mut self.desktop_audio_control,
        }
    }
}

/// Which of the studio's two audio sources a control acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum AudioSourceId {
    Microphone,
    DesktopAudio,
}

/// Gain and mute of one audio source; changed while live without restarting anything.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct AudioControl {
    /// Linear gain: 1.0 = unchanged, up to `LIMITS.maxVolumePercent` / 100.
    pub volume: f64,
    pub muted: bool,
}

impl Default for AudioControl {
    fn default() -> Self {
        Self {
            volume: 1.0,
            muted: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct PipSettings {
    pub corner: Corner,
    /// Camera width as a percentage of the canvas width (10–50).
    pub size_percent: u8,
}

impl Default for PipSettings {
    fn default() -> Self {
        Self {
            corner: Corner::BottomRight,
            size_percent: 25,
        }
    }
}

/// What the stream shows; switched while live without reconnecting (issue 20 #2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum LayoutChoice {
    Screen,
    Camera,
    /// The screen with the camera picture-in-picture (`Settings::pip`).
    #[default]
    Pip,
    /// A "be right back" card; the sources keep running underneath.
    BeRightBack,
}

/// Automatic bitrate: the engine lowers the video bitrate (not below `min_kbps`) while the
/// network cannot carry the preset's, and climbs back when it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct AbrSettings {
    pub enabled: bool,
    pub min_kbps: u32,
}

/// Lowest minimum the settings accept: below it no picture is watchable.
pub const ABR_MIN_KBPS_FLOOR: u32 = 100;

impl Default for AbrSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            min_kbps: cloumer_engine::DEFAULT_MIN_BITRATE_KBPS,
        }
    }
}

/// Local copies: the engine's crash-safe Matroska (playable even after a crash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct RecordingSettings {
    /// Record every broadcast too (on by default: a streamer's copy for later uploads).
    pub while_live: bool,
    /// `None`: "Cloumer" in the XDG videos directory.
    pub folder: Option<String>,
}

impl Default for RecordingSettings {
    fn default() -> Self {
        Self {
            while_live: true,
            folder: None,
        }
    }
}

/// One file in the recordings folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RecordingInfo {
    pub name: String,
    pub path: String,
    pub size_bytes: f64,
    /// Last written, ms since the Unix epoch.
    pub modified_ms: f64,
}

/// What the studio remembers between runs (platform config dir). No secrets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub sources: SourceSettings,
    pub pip: PipSettings,
    pub layout: LayoutChoice,
    pub quality: QualityPreset,
    pub abr: AbrSettings,
    pub last_backend: Option<BackendKind>,
    /// Last e-mail used per backend kind, to pre-fill the sign-in form.
    pub last_email: Option<String>,
    /// The studio's language (`"en"` or `"ko"`); `None` follows the system's locale.
    pub language: Option<String>,
    pub recording: RecordingSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            sources: SourceSettings::default(),
            pip: PipSettings::default(),
            layout: LayoutChoice::default(),
            quality: QualityPreset::P720,
            abr: AbrSettings::default(),
            last_backend: None,
            last_email: None,
            language: None,
            recording: RecordingSettings::default(),
        }
    }
}

/// The broadcast state; `state` is exactly the name the UI shows in `live-state`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum LiveState {
    Idle,
    Connecting,
    #[serde(rename_all = "camelCase")]
    Live {
        since_ms: f64,
    },
    Reconnecting {
        attempt: u32,
    },
    /// Draining (EOS) before the final state: short, but the Stop button's wait.
    Stopping,
    Stopped {
        reason: StopReason,
    },
    /// `reason` is the engine's sentence; `kind` lets the UI tell failures apart.
    Failed {
        kind: FailureKind,
        reason: String,
        fix: Option<String>,
    },
}

/// Why a broadcast ended without failing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum StopReason {
    /// The user stopped it.
    Requested,
    /// Every source ended by itself (a screen or device went away).
    SourcesEnded,
}

/// What failed, as far as the user can act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum FailureKind {
    /// The settings break a rule (IVS limits, sources).
    Config,
    /// The ingest refused the stream key.
    KeyRejected,
    /// The ingest accepted the key but kept closing the stream right after it started
    /// (settings over the channel type's limits).
    IngestRefused,
    Tls,
    Network,
    MissingElement,
    Device,
    Encoder,
    Portal,
    /// Anything else (a GStreamer failure, a start that never answered).
    Other,
}

/// The limits the UI enforces before asking the backend, exported to TypeScript as the
/// constant `LIMITS` so they are never copied by hand. One constant, not three:
/// tauri-specta writes constants in hash-map order, and a struct keeps its field order
/// (the bindings freshness test needs the same output every time).
#[derive(Debug, Clone, Copy, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// Broadcast title, in code points.
    pub title_max_chars: u32,
    /// Chat message, in code points (as IVS Chat counts).
    pub chat_max_chars: u32,
    pub avatar_max_bytes: u32,
    /// Highest audio gain the volume sliders offer, in percent (200 = +6 dB).
    pub max_volume_percent: u32,
    /// Lowest minimum bitrate automatic bitrate accepts, in kbit/s.
    pub abr_min_floor_kbps: u32,
    /// Each preset's video bitrate: the most automatic bitrate asks for, and the highest
    /// minimum it accepts.
    pub preset_kbps: PresetKbps,
}

/// Video bitrate (kbit/s) per quality preset, keyed as the UI names the presets.
#[derive(Debug, Clone, Copy, Serialize, specta::Type)]
pub struct PresetKbps {
    #[serde(rename = "1080p30")]
    pub p1080: u32,
    #[serde(rename = "720p30")]
    pub p720: u32,
    #[serde(rename = "480p30")]
    pub p480: u32,
}

impl Limits {
    pub const CURRENT: Self = Self {
        title_max_chars: small(cloumer_protocol::rest::limits::TITLE_MAX_CHARS),
        chat_max_chars: small(cloumer_protocol::chat::MAX_MESSAGE_CODE_POINTS),
        avatar_max_bytes: small(cloumer_protocol::rest::limits::AVATAR_MAX_BYTES),
        max_volume_percent: 200,
        abr_min_floor_kbps: ABR_MIN_KBPS_FLOOR,
        preset_kbps: PresetKbps {
            p1080: QualityPreset::P1080.video().2,
            p720: QualityPreset::P720.video().2,
            p480: QualityPreset::P480.video().2,
        },
    };
}

/// `u32`: specta refuses `usize` for TypeScript (it could exceed a JS number).
const fn small(n: usize) -> u32 {
    assert!(n <= u32::MAX as usize);
    n as u32
}

/// Sent once a second while live.
#[derive(Debug, Clone, Default, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct StatsSample {
    pub bitrate_kbps: f64,
    pub fps: f64,
    pub dropped_frames: u32,
    pub encoder: String,
    pub cpu_percent: f64,
    pub viewer_count: Option<u32>,
    pub health: Option<String>,
    /// What the encoder is asked for now; below the preset's bitrate while congested.
    pub target_bitrate_kbps: u32,
    /// Video waiting to leave towards the ingest, in ms.
    pub backlog_ms: u32,
    /// True while automatic bitrate holds the target below the preset's bitrate.
    pub congested: bool,
}

/// A downscaled preview frame: one baseline JPEG (it carries its own size), sent as raw
/// bytes. The UI gets an `ArrayBuffer` and draws it with `createImageBitmap` on a canvas;
/// base64 in JSON into an `<img>` cost a third more bytes, an encode, a JSON parse and a
/// base64 decode per frame, and left every frame in WebKit's memory cache.
#[derive(Debug, Clone)]
pub struct PreviewJpeg(pub Vec<u8>);

impl tauri::ipc::IpcResponse for PreviewJpeg {
    fn body(self) -> tauri::Result<tauri::ipc::InvokeResponseBody> {
        Ok(tauri::ipc::InvokeResponseBody::Raw(self.0))
    }
}

/// specta has no name for `ArrayBuffer`; `any` lets the UI type its end as
/// `Channel<ArrayBuffer>`.
impl specta::Type for PreviewJpeg {
    fn inline(_: &mut specta::TypeCollection, _: specta::Generics) -> specta::datatype::DataType {
        specta::datatype::DataType::Any
    }
}

/// Where the UI's preview box is, in physical pixels from the top left of the window's
/// content (CSS pixels times `devicePixelRatio`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct PreviewRect {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

/// Peak levels in dBFS (-90 = silence).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AudioLevels {
    pub microphone_db: f64,
    pub desktop_db: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ChatRoom {
    pub channel: String,
    /// The user's own channel.
    pub is_own: bool,
    /// From the chat token's capabilities: SEND_MESSAGE, DELETE_MESSAGE, DISCONNECT_USER
    /// (which also allows timeouts and bans).
    pub can_send: bool,
    pub can_delete: bool,
    pub can_moderate: bool,
    /// The room's last messages, oldest first (empty where the backend keeps none).
    pub history: Vec<ChatLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ChatLine {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub avatar: String,
    /// Exactly what the sender typed; the UI renders it as text, never as HTML.
    pub text: String,
    pub sent_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ChatConnection {
    Connecting,
    Connected,
    Reconnecting,
    Closed,
}

/// Everything a chat connection reports, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ChatUpdate {
    Connection {
        state: ChatConnection,
    },
    Message {
        line: ChatLine,
    },
    /// `by`: the moderator's user id, where the backend says (`cloumer serve` does).
    #[serde(rename_all = "camelCase")]
    Deleted {
        message_id: String,
        by: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    Kicked {
        user_id: String,
        by: Option<String>,
    },
    Error {
        message: String,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ModeratorInfo {
    pub channel: String,
    pub nickname: String,
}

/// A timeout (`until`, RFC 3339) or ban (no `until`) of a user in the open chat.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ChatRestrictionInfo {
    pub user_id: String,
    pub until: Option<String>,
    pub reason: String,
}
