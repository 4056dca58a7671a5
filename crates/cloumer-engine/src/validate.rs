//! Checks a [`BroadcastConfig`] against the Amazon IVS ingest limits (and basic sanity)
//! before any element is made. Over the limits IVS drops the stream at once, so a clear
//! error up front beats a broadcast that dies after connecting. Every message says what
//! to change.

use crate::config::{BeRightBack, BroadcastConfig, ChannelType, Layout, ScreenSource};
use crate::error::ConfigError;

/// IVS input limits: up to 1080p and 60 fps for every channel type; BASIC caps the bitrate
/// at 1.5 Mbps for 480p and below and 3.5 Mbps above; the others at 8.5 Mbps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelLimits {
    pub max_long_side: u32,
    pub max_short_side: u32,
    pub max_fps: u32,
    pub max_video_kbps: u32,
}

impl ChannelLimits {
    pub fn for_channel(channel: ChannelType, height: u32) -> Self {
        let max_video_kbps = match channel {
            ChannelType::Basic if height <= 480 => 1500,
            ChannelType::Basic => 3500,
            ChannelType::Standard | ChannelType::AdvancedSd | ChannelType::AdvancedHd => 8500,
        };
        Self {
            max_long_side: 1920,
            max_short_side: 1080,
            max_fps: 60,
            max_video_kbps,
        }
    }
}

pub const MIN_VIDEO_KBPS: u32 = 100;
pub const AUDIO_KBPS_RANGE: std::ops::RangeInclusive<u32> = 64..=160;

/// Returns the first rule the config breaks.
pub fn validate(config: &BroadcastConfig) -> Result<(), ConfigError> {
    let err = |m: String| Err(ConfigError(m));
    let (w, h, fps) = (config.width, config.height, config.fps);
    let channel = config.channel_type.ivs_name();
    let limits = ChannelLimits::for_channel(config.channel_type, h);

    if w < 160 || h < 90 || w % 2 != 0 || h % 2 != 0 {
        return err(format!(
            "output size {w}x{h} is not usable: use even numbers of at least 160x90, e.g. 1280x720"
        ));
    }
    if w.max(h) > limits.max_long_side || w.min(h) > limits.max_short_side {
        return err(format!(
            "output size {w}x{h} is over the IVS {channel} limit of 1080p: use at most 1920x1080 (e.g. 1280x720)"
        ));
    }
    if fps == 0 || fps > limits.max_fps {
        return err(format!(
            "frame rate {fps} fps is outside the IVS limit: use 1 to {} fps (e.g. 30)",
            limits.max_fps
        ));
    }
    let kbps = config.video_bitrate_kbps;
    if kbps < MIN_VIDEO_KBPS {
        return err(format!(
            "video bitrate {kbps} kbps is too low to be watchable: use at least {MIN_VIDEO_KBPS} kbps"
        ));
    }
    if kbps > limits.max_video_kbps {
        let hint = match config.channel_type {
            ChannelType::Basic if h <= 480 => {
                " (or a STANDARD channel, up to 8500 kbps; BASIC allows 3500 kbps above 480p)"
            }
            ChannelType::Basic => " (or a STANDARD channel, which allows up to 8500 kbps)",
            _ => "",
        };
        return err(format!(
            "video bitrate {kbps} kbps is over the IVS {channel} limit of {} kbps at {w}x{h}: lower the bitrate to {} kbps or less{hint}",
            limits.max_video_kbps, limits.max_video_kbps
        ));
    }
    let akbps = config.audio_bitrate_kbps;
    if !AUDIO_KBPS_RANGE.contains(&akbps) {
        return err(format!(
            "audio bitrate {akbps} kbps is outside the IVS range: use {} to {} kbps (e.g. 128)",
            AUDIO_KBPS_RANGE.start(),
            AUDIO_KBPS_RANGE.end()
        ));
    }
    validate_sources(config)?;
    validate_outputs(config)
}

fn validate_sources(config: &BroadcastConfig) -> Result<(), ConfigError> {
    let sources = &config.sources;
    if sources.screen.is_none() && sources.camera.is_none() {
        return Err(ConfigError(
            "no video source: choose a screen, a camera or the test sources (IVS does not take audio-only streams)"
                .into(),
        ));
    }
    if let Some(ScreenSource::X11 {
        region: Some(r), ..
    }) = &sources.screen
        && (r.width < 16 || r.height < 16)
    {
        return Err(ConfigError(format!(
            "screen region {}x{} is too small: choose a region of at least 16x16 pixels",
            r.width, r.height
        )));
    }
    for source in &sources.audio {
        if !(0.0..=10.0).contains(&source.volume) {
            return Err(ConfigError(format!(
                "audio volume {} is out of range: use 0.0 to 10.0 (1.0 = unchanged)",
                source.volume
            )));
        }
    }
    validate_layout(&config.layout)?;
    validate_still(&config.be_right_back)
}

/// The rules a layout must meet, also checked when it changes while live.
pub(crate) fn validate_layout(layout: &Layout) -> Result<(), ConfigError> {
    if let Layout::Pip(pip) = layout {
        let size = pip.size;
        if !(0.1..=0.5).contains(&size) {
            return Err(ConfigError(format!(
                "camera picture-in-picture size {size} is out of range: use 0.1 to 0.5 of the canvas width"
            )));
        }
    }
    Ok(())
}

fn validate_still(still: &BeRightBack) -> Result<(), ConfigError> {
    let Some(image) = &still.image else {
        return Ok(());
    };
    let extension = image
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if !matches!(extension.as_deref(), Some("png" | "jpg" | "jpeg")) {
        return Err(ConfigError(format!(
            "the \"be right back\" image {} is not a PNG or JPEG file: choose a .png or .jpg",
            image.display()
        )));
    }
    if !image.is_file() {
        return Err(ConfigError(format!(
            "the \"be right back\" image {} does not exist: choose another or none (a plain card)",
            image.display()
        )));
    }
    Ok(())
}

fn validate_outputs(config: &BroadcastConfig) -> Result<(), ConfigError> {
    let outputs = &config.outputs;
    if outputs.stream.is_none() && outputs.recording.is_none() && !config.preview {
        return Err(ConfigError(
            "no output: give an ingest URL to stream to and/or a file to record to".into(),
        ));
    }
    if let Some(stream) = &outputs.stream {
        if stream.key.is_empty() {
            return Err(ConfigError(
                "no stream key: set CLOUMER_STREAM_KEY or give a stream key file".into(),
            ));
        }
        if stream
            .key
            .expose()
            .chars()
            .any(|c| c.is_whitespace() || c == '/' || c == '?')
        {
            return Err(ConfigError(
                "the stream key contains spaces, `/` or `?`: copy it again from the channel settings".into(),
            ));
        }
        if let Some(cert) = &stream.trusted_certificate {
            crate::tls::read_certificate(cert)?;
        }
    }
    if let Some(rec) = &outputs.recording {
        if rec.path.as_os_str().is_empty() {
            return Err(ConfigError(
                "the recording path is empty: give a file name".into(),
            ));
        }
        if let Some(dir) = rec.path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.is_dir()
        {
            return Err(ConfigError(format!(
                "cannot record to {}: the folder {} does not exist",
                rec.path.display(),
                dir.display()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StreamKey;
    use crate::config::{Outputs, RecordingOutput, Sources, StreamOutput};

    fn config() -> BroadcastConfig {
        BroadcastConfig {
            sources: Sources {
                screen: Some(ScreenSource::TestPattern {
                    pattern: "ball".into(),
                }),
                ..Default::default()
            },
            outputs: Outputs {
                stream: Some(StreamOutput::new(
                    "rtmps://ingest.example:443/app/".parse().expect("url"),
                    StreamKey::new("sk_test"),
                )),
                recording: None,
            },
            ..Default::default()
        }
    }

    fn check(f: impl FnOnce(&mut BroadcastConfig)) -> Result<(), ConfigError> {
        let mut c = config();
        f(&mut c);
        validate(&c)
    }

    #[test]
    fn limits_table() {
        use ChannelType::*;
        let cases: &[(ChannelType, u32, u32, u32, u32, bool)] = &[
            // channel, width, height, fps, kbps, ok
            (Standard, 1280, 720, 30, 3500, true),
            (Standard, 1920, 1080, 60, 8500, true),
            (Standard, 1920, 1080, 30, 8501, false),
            (Standard, 2560, 1440, 30, 6000, false),
            (Standard, 1080, 1920, 30, 6000, true),
            (Standard, 1280, 720, 61, 3000, false),
            (Standard, 1280, 720, 0, 3000, false),
            (Basic, 1280, 720, 30, 3500, true),
            (Basic, 1280, 720, 30, 3600, false),
            (Basic, 852, 480, 30, 1500, true),
            (Basic, 852, 480, 30, 1600, false),
            (AdvancedSd, 1920, 1080, 30, 8500, true),
            (AdvancedHd, 1920, 1080, 30, 9000, false),
            (Standard, 1281, 720, 30, 3000, false),
        ];
        for &(ch, w, h, fps, kbps, ok) in cases {
            let r = check(|c| {
                c.channel_type = ch;
                c.width = w;
                c.height = h;
                c.fps = fps;
                c.video_bitrate_kbps = kbps;
            });
            assert_eq!(r.is_ok(), ok, "{ch} {w}x{h}@{fps} {kbps} kbps: {r:?}");
        }
    }

    #[test]
    fn messages_say_what_to_change() {
        let e = check(|c| {
            c.channel_type = ChannelType::Basic;
            c.video_bitrate_kbps = 6000;
        })
        .unwrap_err();
        assert!(
            e.0.contains("BASIC") && e.0.contains("3500 kbps or less"),
            "{e}"
        );
        let e = check(|c| c.width = 3840).unwrap_err();
        assert!(e.0.contains("1920x1080"), "{e}");
        let e = check(|c| c.audio_bitrate_kbps = 320).unwrap_err();
        assert!(e.0.contains("64 to 160"), "{e}");
    }

    #[test]
    /// Ingest URLs are checked where they are made (`IngestUrl::parse`), not here.
    fn outputs_and_keys() {
        assert!(check(|c| c.outputs = Outputs::default()).is_err());
        let r = check(|c| c.outputs.stream.as_mut().expect("stream").key = StreamKey::new(""));
        assert!(r.is_err());
        let r = check(|c| {
            c.outputs.stream = None;
            c.outputs.recording = Some(RecordingOutput {
                path: "/nonexistent-dir/x.mkv".into(),
            });
        });
        assert!(r.unwrap_err().0.contains("does not exist"));
    }

    #[test]
    fn audio_only_is_refused() {
        let e = check(|c| c.sources.screen = None).unwrap_err();
        assert!(e.0.contains("no video source"), "{e}");
    }
}
