//! Stable element names: stats, live controls, tests and dot dumps find elements by them.

pub const PIPELINE: &str = "cloumer-broadcast";
pub const SCREEN_SOURCE: &str = "cloumer-screen-source";
pub const CAMERA_SOURCE: &str = "cloumer-camera-source";
pub const COMPOSITOR: &str = "cloumer-compositor";
/// The bins of the compositor's inputs (see `pipeline::layout`): a source change while live
/// replaces the screen's or camera's bin.
pub const SCREEN_SLOT: &str = "cloumer-screen";
pub const CAMERA_SLOT: &str = "cloumer-camera";
pub const STILL_SLOT: &str = "cloumer-still";
/// The still's `imagefreeze`, ended by hand at stop (it outlives EOS by design).
pub const STILL_FREEZE: &str = "cloumer-still-freeze";
/// `videorate` that makes the canvas rate exact; its `drop`/`duplicate` counters feed stats.
pub const VIDEO_RATE: &str = "cloumer-video-rate";
/// The caps filter that fixes the output canvas (size, rate, I420).
pub const CANVAS_CAPS: &str = "cloumer-canvas-caps";
/// With a preview: the tee after the canvas that feeds the encoder and the preview.
pub const CANVAS_TEE: &str = "cloumer-canvas-tee";
/// The preview branch's leaky queue; its sink pad carries the "somebody watches" gate.
pub const PREVIEW_QUEUE: &str = "cloumer-preview-queue";
/// The `appsink` that hands preview JPEGs to [`crate::SessionHandle::preview`].
pub const PREVIEW_SINK: &str = "cloumer-preview-sink";
/// With `BroadcastConfig::preview_window`: the `ximagesink` painting into that window.
pub const PREVIEW_WINDOW_SINK: &str = "cloumer-preview-window";
/// The caps filter before it: its size follows the window's.
pub const PREVIEW_WINDOW_CAPS: &str = "cloumer-preview-window-caps";
pub const VIDEO_ENCODER: &str = "cloumer-video-encoder";
pub const VIDEO_TEE: &str = "cloumer-video-tee";
pub const AUDIO_MIXER: &str = "cloumer-audio-mixer";
/// The live silence under the mix, so the mixed audio starts before any device does.
pub const AUDIO_SILENCE_BED: &str = "cloumer-audio-silence-bed";
/// Without any output (preview only): where the mixed audio ends.
pub const AUDIO_DISCARD: &str = "cloumer-audio-discard";
pub const AUDIO_ENCODER: &str = "cloumer-audio-encoder";
pub const AUDIO_TEE: &str = "cloumer-audio-tee";
/// `ivssink`: the RTMP(S) output.
pub const STREAM_SINK: &str = "cloumer-stream-sink";
pub const RECORDING_MUX: &str = "cloumer-recording-mux";
pub const RECORDING_SINK: &str = "cloumer-recording-sink";

/// The `volume` element of audio source number `index` (order of `Sources::audio`).
pub fn audio_volume(index: usize) -> String {
    format!("cloumer-audio-volume-{index}")
}

/// The source element of audio source number `index`.
pub fn audio_source(index: usize) -> String {
    format!("cloumer-audio-source-{index}")
}

/// The `level` meter of audio source number `index` (with a preview).
pub fn audio_level(index: usize) -> String {
    format!("{AUDIO_LEVEL_PREFIX}{index}")
}

/// The index of the audio source whose `level` element is called `name`.
pub fn audio_level_index(name: &str) -> Option<usize> {
    name.strip_prefix(AUDIO_LEVEL_PREFIX)?.parse().ok()
}

const AUDIO_LEVEL_PREFIX: &str = "cloumer-audio-level-";
