//! What a front end shows while the session runs (with `BroadcastConfig::preview`): small
//! JPEG frames of the canvas and one level meter per audio source. Both travel over
//! `tokio::sync::watch` channels: a slow reader only ever skips to the latest value, it can
//! never hold up the broadcast.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::watch;

use crate::config::{AudioSource, AudioSourceKind};

/// The preview is at most this wide (the height keeps the canvas' aspect ratio).
pub const PREVIEW_MAX_WIDTH: u32 = 480;
/// The preview rate (or the canvas rate, when that is lower).
pub const PREVIEW_FPS: u32 = 15;
/// How often each audio source's level is measured.
pub const LEVEL_INTERVAL: Duration = Duration::from_millis(50);
/// The floor of the level meters: digital silence reads this instead of -inf (which JSON
/// cannot carry and a meter cannot draw).
pub const SILENCE_DB: f64 = -100.0;

/// One preview picture: a baseline JPEG of the composed canvas, downscaled.
#[derive(Clone, PartialEq, Eq)]
pub struct PreviewFrame {
    pub jpeg: bytes::Bytes,
    pub width: u32,
    pub height: u32,
    /// The frame's presentation timestamp in the pipeline (`None` if it had none).
    pub pts: Option<Duration>,
}

impl std::fmt::Debug for PreviewFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreviewFrame")
            .field("jpeg_bytes", &self.jpeg.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .field("pts", &self.pts)
            .finish()
    }
}

/// Hands out preview receivers ([`crate::SessionHandle::preview_subscriber`]); frames are
/// made only while one of them exists.
#[derive(Debug, Clone)]
pub struct PreviewSubscriber(pub(crate) Arc<watch::Sender<Option<PreviewFrame>>>);

impl PreviewSubscriber {
    pub fn subscribe(&self) -> watch::Receiver<Option<PreviewFrame>> {
        self.0.subscribe()
    }
}

/// The level of one audio source (after its volume and mute), over the last
/// [`LEVEL_INTERVAL`], loudest channel. dBFS: 0 is full scale, [`SILENCE_DB`] is silence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AudioLevel {
    /// Index in `Sources::audio`.
    pub index: usize,
    /// `microphone`, `desktop-audio` or `test-tone`.
    pub source: String,
    pub peak_db: f64,
    pub rms_db: f64,
}

impl AudioLevel {
    fn silent(index: usize, source: &AudioSource) -> Self {
        let kind = match source.kind {
            AudioSourceKind::Microphone { .. } => "microphone",
            AudioSourceKind::DesktopAudio { .. } => "desktop-audio",
            AudioSourceKind::TestTone { .. } => "test-tone",
        };
        Self {
            index,
            source: kind.to_owned(),
            peak_db: SILENCE_DB,
            rms_db: SILENCE_DB,
        }
    }
}

/// The sending ends, shared by the session handle (which subscribes readers) and the
/// pipeline (preview appsink) and actor (level messages), which publish.
#[derive(Debug, Clone)]
pub(crate) struct PreviewChannels {
    pub frames: Arc<watch::Sender<Option<PreviewFrame>>>,
    pub levels: Arc<watch::Sender<Vec<AudioLevel>>>,
}

impl PreviewChannels {
    pub(crate) fn new(sources: &[AudioSource]) -> Self {
        let silent = sources
            .iter()
            .enumerate()
            .map(|(i, s)| AudioLevel::silent(i, s))
            .collect();
        Self {
            frames: Arc::new(watch::channel(None).0),
            levels: Arc::new(watch::channel(silent).0),
        }
    }

    /// Reads a `level` element message of audio source `index` into the meters.
    pub(crate) fn on_level_message(&self, index: usize, s: &gst::StructureRef) {
        let loudest = |field: &str| {
            s.get::<gst::glib::ValueArray>(field)
                .ok()
                .and_then(|values| {
                    values
                        .iter()
                        .filter_map(|v| v.get::<f64>().ok())
                        .reduce(f64::max)
                })
                .map_or(SILENCE_DB, |db| db.max(SILENCE_DB))
        };
        let (peak_db, rms_db) = (loudest("peak"), loudest("rms"));
        self.levels
            .send_if_modified(|levels| match levels.get_mut(index) {
                Some(level) => {
                    level.peak_db = peak_db;
                    level.rms_db = rms_db;
                    true
                }
                None => false,
            });
    }

    /// Back to silence (the session stopped: nothing is measured any more).
    pub(crate) fn reset_levels(&self) {
        self.levels.send_modify(|levels| {
            for level in levels {
                level.peak_db = SILENCE_DB;
                level.rms_db = SILENCE_DB;
            }
        });
    }
}

/// The preview's size for a canvas: at most [`PREVIEW_MAX_WIDTH`] wide, same aspect ratio,
/// even dimensions (4:2:0 chroma needs them).
pub(crate) fn preview_size(canvas_width: u32, canvas_height: u32) -> (u32, u32) {
    let width = canvas_width.min(PREVIEW_MAX_WIDTH) / 2 * 2;
    let height =
        (u64::from(canvas_height) * u64::from(width) / u64::from(canvas_width.max(1))) as u32 / 2
            * 2;
    (width.max(2), height.max(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_sizes_keep_the_aspect_ratio() {
        assert_eq!(preview_size(1920, 1080), (480, 270));
        assert_eq!(preview_size(1280, 720), (480, 270));
        assert_eq!(preview_size(640, 480), (480, 360));
        assert_eq!(preview_size(320, 180), (320, 180));
        assert_eq!(preview_size(1080, 1920), (480, 852));
    }
}
