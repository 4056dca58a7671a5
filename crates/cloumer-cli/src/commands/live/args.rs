//! `cloumer live` arguments and how they become a `BroadcastConfig`.

use std::path::{Path, PathBuf};

use cloumer_api::destination::IngestUrlError;
use cloumer_engine::{
    AdaptiveBitrate, AudioSource, AudioSourceKind, BroadcastConfig, CameraSource, ChannelType,
    Corner, EncoderChoice, Outputs, PipLayout, RecordingOutput, ScreenSource, Sources, StreamKey,
    StreamOutput,
};

use crate::failure::Failure;

/// Env variable that carries the stream key (keys are never accepted on the command line:
/// argv is visible to every user of the machine).
pub const STREAM_KEY_ENV: &str = "CLOUMER_STREAM_KEY";

/// Boxed so the `cloumer` command enum stays small (these options are many).
#[derive(Debug, clap::Args)]
pub struct LiveArgs {
    #[command(flatten)]
    pub options: Box<LiveOptions>,
}

#[derive(Debug, clap::Args)]
pub struct LiveOptions {
    /// Ingest URL `rtmp[s]://host[:port]/app/`; the stream key (from CLOUMER_STREAM_KEY or
    /// --stream-key-file) is appended. Without --to and --record: the logged-in account's channel.
    #[arg(long, value_name = "URL")]
    pub to: Option<String>,
    /// Capture the screen: an X11 display (`:0`), a monitor number of $DISPLAY (`0`, `1`),
    /// one window by its title (`:0#window=TITLE`, as `cloumer devices` lists them), or
    /// `portal` (Wayland ScreenCast portal; the default in a Wayland session).
    #[arg(long, value_name = "DISPLAY|MONITOR", num_args = 0..=1, default_missing_value = "")]
    pub screen: Option<String>,
    /// Show a camera picture-in-picture: a V4L2 device (e.g. /dev/video0), `test` (colour
    /// bars) or `test:PATTERN`, a GStreamer videotestsrc pattern as the camera (e.g.
    /// `test:snow`, whose noise makes the encoder use the whole bitrate: what the
    /// constrained-network tests use).
    #[arg(long, value_name = "DEVICE|test:PATTERN", num_args = 0..=1, default_missing_value = "")]
    pub camera: Option<String>,
    /// Capture a microphone (a PulseAudio source name; default: the default one).
    #[arg(long, value_name = "DEVICE", num_args = 0..=1, default_missing_value = "")]
    pub mic: Option<String>,
    /// Capture what the desktop plays (the default output's monitor).
    #[arg(long)]
    pub desktop_audio: bool,
    /// Use test sources instead of devices: a moving picture as the screen and a tone as
    /// the microphone; with a bare --camera, a colour-bar camera picture-in-picture too
    /// (--camera DEVICE still uses that real camera).
    #[arg(long)]
    pub test_sources: bool,
    /// Output size, e.g. 1280x720.
    #[arg(long, value_name = "WxH", value_parser = parse_size)]
    pub size: Option<(u32, u32)>,
    /// Output frame rate.
    #[arg(long, value_name = "N")]
    pub fps: Option<u32>,
    /// Video bitrate in kbit/s: the target whenever the network carries it.
    #[arg(long, value_name = "KBPS")]
    pub bitrate: Option<u32>,
    /// Adaptive bitrate (the default with an ingest): lower the video bitrate while the
    /// uplink cannot carry it and climb back when it can.
    #[arg(long, overrides_with = "no_abr")]
    pub abr: bool,
    /// Keep the video bitrate fixed whatever the network does.
    #[arg(long, overrides_with = "abr")]
    pub no_abr: bool,
    /// Lowest video bitrate adaptive bitrate may choose, in kbit/s.
    #[arg(long, value_name = "KBPS", default_value_t = cloumer_engine::DEFAULT_MIN_BITRATE_KBPS)]
    pub min_bitrate: u32,
    /// AAC bitrate in kbit/s (64-160).
    #[arg(long, value_name = "KBPS", default_value_t = 128)]
    pub audio_bitrate: u32,
    /// H.264 encoder.
    #[arg(long, value_name = "auto|x264|nvenc|va|vaapi", default_value = "auto")]
    pub encoder: EncoderChoice,
    /// IVS channel type; decides the limits the settings are checked against. Default:
    /// the logged-in account's channel type (R6 `channelType`), else standard.
    #[arg(long, value_name = "basic|standard|advanced-sd|advanced-hd")]
    pub channel_type: Option<ChannelType>,
    /// Also record to FILE (Matroska, playable even after a crash). Without --to: record only.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Stop cleanly after SECS seconds.
    #[arg(long, value_name = "SECS", value_parser = parse_duration)]
    pub duration: Option<f64>,
    /// One JSON object a line on stdout (state changes and stats).
    #[arg(long)]
    pub json: bool,
    /// Read the stream key from FILE (instead of CLOUMER_STREAM_KEY).
    #[arg(long, value_name = "FILE")]
    pub stream_key_file: Option<PathBuf>,
    /// Corner of the camera picture-in-picture.
    #[arg(long, value_name = "top-left|top-right|bottom-left|bottom-right", value_parser = parse_corner, default_value = "bottom-right")]
    pub pip_corner: Corner,
    /// Camera width as a fraction of the output width (0.1-0.5).
    #[arg(long, value_name = "FRACTION", default_value_t = 0.25)]
    pub pip_size: f64,
    /// Camera distance from the edges, in pixels.
    #[arg(long, value_name = "PIXELS", default_value_t = 24)]
    pub pip_margin: u32,
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("`{s}` is not a size: use WIDTHxHEIGHT, e.g. 1280x720");
    let (w, h) = s.split_once(['x', 'X']).ok_or_else(bad)?;
    Ok((
        w.trim().parse().map_err(|_| bad())?,
        h.trim().parse().map_err(|_| bad())?,
    ))
}

fn parse_duration(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
        _ => Err(format!("`{s}` is not a duration: give seconds, e.g. 10")),
    }
}

fn parse_corner(s: &str) -> Result<Corner, String> {
    match s {
        "top-left" => Ok(Corner::TopLeft),
        "top-right" => Ok(Corner::TopRight),
        "bottom-left" => Ok(Corner::BottomLeft),
        "bottom-right" => Ok(Corner::BottomRight),
        _ => Err(format!(
            "`{s}`: use top-left, top-right, bottom-left or bottom-right"
        )),
    }
}

/// Everything but validation, which the engine does (exit 2 on a broken rule).
pub(super) async fn broadcast_config(
    args: &LiveOptions,
    backend: Option<PathBuf>,
) -> Result<BroadcastConfig, Failure> {
    let defaults = BroadcastConfig::default();
    let (width, height) = args.size.unwrap_or((defaults.width, defaults.height));
    let (outputs, account_channel_type) = outputs(args, backend).await?;
    let channel_type = args
        .channel_type
        .or(account_channel_type)
        .unwrap_or(defaults.channel_type);
    Ok(BroadcastConfig {
        sources: sources(args)?,
        layout: cloumer_engine::Layout::Pip(PipLayout {
            corner: args.pip_corner,
            size: args.pip_size,
            margin: args.pip_margin,
        }),
        // The CLI has no layout switching: the still is never shown.
        be_right_back: Default::default(),
        width,
        height,
        fps: args.fps.unwrap_or(defaults.fps),
        encoder: args.encoder,
        profile: defaults.profile,
        video_bitrate_kbps: args
            .bitrate
            .unwrap_or_else(|| default_bitrate(channel_type, height)),
        audio_bitrate_kbps: args.audio_bitrate,
        adaptive_bitrate: AdaptiveBitrate {
            enabled: !args.no_abr,
            min_kbps: args.min_bitrate,
        },
        channel_type,
        outputs,
        // The preview and level meters are for the desktop app; a CLI broadcast skips them.
        preview: false,
        preview_window: None,
    })
}

/// A bitrate that suits the size and fits the channel type.
fn default_bitrate(channel: ChannelType, height: u32) -> u32 {
    let by_size = match height {
        0..=480 => 1500,
        481..=720 => 3500,
        _ => 6000,
    };
    let limit = cloumer_engine::ChannelLimits::for_channel(channel, height).max_video_kbps;
    by_size.min(limit)
}

fn sources(args: &LiveOptions) -> Result<Sources, Failure> {
    let test = args.test_sources;
    let nothing_chosen =
        args.screen.is_none() && args.camera.is_none() && args.mic.is_none() && !args.desktop_audio;
    let mut sources = Sources::default();
    if test {
        sources.screen = Some(ScreenSource::TestPattern {
            pattern: "ball".into(),
        });
    } else if let Some(screen) = &args.screen {
        sources.screen = Some(x11_screen(screen)?);
    } else if nothing_chosen {
        // The one-click default: the screen and the default microphone.
        sources.screen = Some(x11_screen("")?);
    }
    sources.camera = args.camera.as_deref().map(|device| match device {
        "test" => CameraSource::TestPattern {
            pattern: "smpte".into(),
        },
        "" if test => CameraSource::TestPattern {
            pattern: "smpte".into(),
        },
        d if d.starts_with("test:") => CameraSource::TestPattern {
            pattern: d["test:".len()..].into(),
        },
        "" => CameraSource::V4l2 { device: None },
        d => CameraSource::V4l2 {
            device: Some(d.into()),
        },
    });
    if test {
        sources
            .audio
            .push(AudioSource::new(AudioSourceKind::TestTone {
                frequency: 440,
            }));
    } else if let Some(mic) = &args.mic {
        let device = (!mic.is_empty()).then(|| mic.clone());
        sources
            .audio
            .push(AudioSource::new(AudioSourceKind::Microphone { device }));
    } else if nothing_chosen {
        sources
            .audio
            .push(AudioSource::new(AudioSourceKind::Microphone {
                device: None,
            }));
    }
    if args.desktop_audio {
        sources
            .audio
            .push(AudioSource::new(AudioSourceKind::DesktopAudio {
                device: None,
            }));
    }
    Ok(sources)
}

/// `--screen :1` is a display; `--screen 1` a monitor of $DISPLAY.
fn x11_screen(value: &str) -> Result<ScreenSource, Failure> {
    // On Wayland, X11 capture sees only XWayland windows: go through the portal.
    if value == cloumer_engine::PORTAL_SCREEN_ID
        || (value.is_empty() && cloumer_engine::wayland_session())
    {
        return Ok(ScreenSource::Portal {
            restore_token: None,
        });
    }
    if value.is_empty() {
        return Ok(ScreenSource::X11 {
            display: None,
            region: None,
        });
    }
    if value.contains('#') {
        return cloumer_engine::screen_from_id(value).map_err(|e| Failure::usage(e.to_string()));
    }
    if value.contains(':') {
        return Ok(ScreenSource::X11 {
            display: Some(value.into()),
            region: None,
        });
    }
    let monitor = value.parse::<usize>().map_err(|_| {
        Failure::usage(format!(
            "--screen {value}: give a display like :0 or a monitor number like 0"
        ))
    })?;
    let display = std::env::var("DISPLAY").ok();
    let region = cloumer_engine::x11_monitor_region(display.as_deref(), monitor)
        .map_err(|e| Failure::usage(e.to_string()))?;
    Ok(ScreenSource::X11 {
        display,
        region: Some(region),
    })
}

/// The outputs, and the account channel's type when the stream goes to the account.
async fn outputs(
    args: &LiveOptions,
    backend: Option<PathBuf>,
) -> Result<(Outputs, Option<ChannelType>), Failure> {
    let recording = args.record.clone().map(|path| RecordingOutput { path });
    let mut channel_type = None;
    let stream = match (&args.to, &recording) {
        (Some(url), _) => Some(StreamOutput::new(
            url.parse()
                .map_err(|e: IngestUrlError| Failure::usage(e.message()))?,
            stream_key(args.stream_key_file.as_deref())?,
        )),
        (None, Some(_)) => None,
        // A self-hosted backend's ingest may come with its own certificate: trusted on top
        // of the system store for this stream (validation stays on).
        (None, None) => {
            let (ingest, named) = crate::commands::account::account_destination(backend).await?;
            channel_type = named.as_deref().and_then(account_channel_type);
            Some(ingest)
        }
    };
    Ok((Outputs { stream, recording }, channel_type))
}

/// R6 `channelType` (IVS's `BASIC`, `ADVANCED_SD`...); one this version does not know is
/// logged and treated as absent (the ingest still enforces its own limits).
fn account_channel_type(name: &str) -> Option<ChannelType> {
    match name.parse() {
        Ok(t) => {
            tracing::info!(
                channel_type = name,
                "checking the settings against the account's channel type"
            );
            Some(t)
        }
        Err(e) => {
            tracing::warn!(
                channel_type = name,
                "unknown channel type from the backend: {e}"
            );
            None
        }
    }
}

fn stream_key(file: Option<&Path>) -> Result<StreamKey, Failure> {
    let key = match file {
        Some(path) => std::fs::read_to_string(path).map_err(|e| {
            Failure::usage(format!(
                "cannot read the stream key file {}: {e}",
                path.display()
            ))
        })?,
        None => std::env::var(STREAM_KEY_ENV).map_err(|_| {
            Failure::usage(format!(
                "no stream key: set {STREAM_KEY_ENV} or pass --stream-key-file FILE"
            ))
        })?,
    };
    let key = key.trim();
    if key.is_empty() {
        return Err(Failure::usage("the stream key is empty"));
    }
    Ok(StreamKey::new(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1280x720"), Ok((1280, 720)));
        assert!(parse_size("1280").is_err());
        assert!(parse_size("ax720").is_err());
    }

    #[test]
    fn the_backends_channel_type_names_are_understood() {
        assert_eq!(account_channel_type("BASIC"), Some(ChannelType::Basic));
        assert_eq!(
            account_channel_type("ADVANCED_SD"),
            Some(ChannelType::AdvancedSd)
        );
        assert_eq!(account_channel_type("FUTURE"), None);
    }

    #[test]
    fn default_bitrates_fit_the_channel() {
        assert_eq!(default_bitrate(ChannelType::Standard, 720), 3500);
        assert_eq!(default_bitrate(ChannelType::Basic, 1080), 3500);
        assert_eq!(default_bitrate(ChannelType::Basic, 480), 1500);
        assert_eq!(default_bitrate(ChannelType::Standard, 1080), 6000);
    }
}
