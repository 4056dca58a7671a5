//! Translation between the studio's settings/DTOs and `cloumer-engine`'s types. Pure
//! functions, tested below.

use cloumer_engine::{
    AdaptiveBitrate, AudioSource, AudioSourceKind, BroadcastConfig, CameraSource, Layout,
    Outputs, PipLayout, ScreenSource, SessionState, StreamOutput,
};

use crate::error::AppError;
use crate::types::{
    AudioControl, AudioLevels, AudioSourceId, Corner, DeviceInfo, DeviceKind, FailureKind,
    LayoutChoice, LiveState, PreviewJpeg, Settings, StopReason,
};

/// Builds the engine's config from the saved settings. `test_sources` (the setting, on at
/// first run with `CLOUMER_STUDIO_TEST_SOURCES=1`; `force_test_sources` in tests) swaps
/// devices for a moving pattern and a tone, so the studio can be tried without a camera
/// or microphone.
///
/// `destination` `None` is a preview-only session (the studio before going live). The
/// preview and level meters are always on: the studio shows them.
pub fn broadcast_config(
    settings: &Settings,
    destination: Option<StreamOutput>,
    force_test_sources: bool,
) -> BroadcastConfig {
    let s = &settings.sources;
    let test = s.test_sources || force_test_sources;
    let (width, height, kbps) = settings.quality.video();
    let mut config = BroadcastConfig {
        width,
        height,
        video_bitrate_kbps: kbps,
        adaptive_bitrate: AdaptiveBitrate {
            enabled: settings.abr.enabled,
            min_kbps: settings.abr.min_kbps,
        },
        preview: true,
        ..BroadcastConfig::default()
    };
    config.sources.screen = Some(if test {
        ScreenSource::TestPattern {
            pattern: "ball".into(),
        }
    } else {
        // Screen ids come from the device list (a display, a monitor, a window, the
        // portal); one that no longer exists (a monitor unplugged) falls back to the
        // default display. Wayland: the portal with its kept restore token.
        super::screen_choice::screen_source(s, cloumer_engine::wayland_session())
    });
    config.sources.camera = s.camera.as_ref().map(|id| {
        if test {
            // A chosen camera in test mode is a still-coloured pattern, unlike the screen's
            // ball, so layouts can be told apart (the e2e test checks them on the ingest).
            CameraSource::TestPattern {
                pattern: "green".into(),
            }
        } else {
            CameraSource::V4l2 {
                device: Some(id.clone()),
            }
        }
    });
    let mic = if test {
        AudioSourceKind::TestTone { frequency: 440 }
    } else {
        AudioSourceKind::Microphone {
            device: s.microphone.clone(),
        }
    };
    config
        .sources
        .audio
        .push(audio_source(mic, s.microphone_control));
    if s.desktop_audio && !test {
        let desktop = AudioSourceKind::DesktopAudio {
            device: s.desktop_audio_device.clone(),
        };
        config
            .sources
            .audio
            .push(audio_source(desktop, s.desktop_audio_control));
    }
    config.layout = layout(settings);
    config.be_right_back.caption = be_right_back_caption(settings.language.as_deref()).into();
    config.outputs = Outputs {
        stream: destination,
        recording: None,
    };
    config
}

/// The engine's layout for the chosen one (picture-in-picture from `Settings::pip`).
pub fn layout(settings: &Settings) -> Layout {
    match settings.layout {
        LayoutChoice::Screen => Layout::Screen,
        LayoutChoice::Camera => Layout::Camera,
        LayoutChoice::BeRightBack => Layout::BeRightBack,
        LayoutChoice::Pip => Layout::Pip(PipLayout {
            corner: match settings.pip.corner {
                Corner::TopLeft => cloumer_engine::Corner::TopLeft,
                Corner::TopRight => cloumer_engine::Corner::TopRight,
                Corner::BottomLeft => cloumer_engine::Corner::BottomLeft,
                Corner::BottomRight => cloumer_engine::Corner::BottomRight,
            },
            size: f64::from(settings.pip.size_percent) / 100.0,
            ..PipLayout::default()
        }),
    }
}

/// The "be right back" card's words, drawn into the stream by the engine (the UI's
/// messages never reach the pipeline): the studio's language, else the system's.
fn be_right_back_caption(language: Option<&str>) -> &'static str {
    let system = std::env::var("LANG").unwrap_or_default();
    match language.unwrap_or(&system) {
        lang if lang.starts_with("ko") => "잠시 후 돌아올게요",
        _ => "Be right back",
    }
}

fn audio_source(kind: AudioSourceKind, control: AudioControl) -> AudioSource {
    AudioSource {
        volume: control.volume,
        muted: control.muted,
        ..AudioSource::new(kind)
    }
}

/// Where the studio's audio source sits in a running session's `Sources::audio` (the
/// engine's control index); `None` when that session was started without it (desktop
/// audio turned on after going live takes effect at the next start).
pub fn audio_index(config: &BroadcastConfig, source: AudioSourceId) -> Option<usize> {
    config.sources.audio.iter().position(|a| match source {
        AudioSourceId::Microphone => matches!(
            a.kind,
            AudioSourceKind::Microphone { .. } | AudioSourceKind::TestTone { .. }
        ),
        AudioSourceId::DesktopAudio => matches!(a.kind, AudioSourceKind::DesktopAudio { .. }),
    })
}

/// The engine's per-source levels as the studio's two meters: the loudest microphone (or
/// test tone) and the loudest desktop-audio source, in tenths of a dB. A meter cannot show
/// finer steps (a pixel is a third of a dB or more), and rounded readings of a steady
/// sound or of silence come out equal, which the forwarder then does not send again.
pub fn audio_levels(levels: &[cloumer_engine::AudioLevel]) -> AudioLevels {
    let loudest = |kinds: &[&str]| {
        let db = levels
            .iter()
            .filter(|l| kinds.contains(&l.source.as_str()))
            .map(|l| l.peak_db)
            .fold(cloumer_engine::preview::SILENCE_DB, f64::max);
        (db * 10.0).round() / 10.0
    };
    AudioLevels {
        microphone_db: loudest(&["microphone", "test-tone"]),
        desktop_db: loudest(&["desktop-audio"]),
    }
}

pub fn preview_frame(frame: &cloumer_engine::PreviewFrame) -> PreviewJpeg {
    PreviewJpeg(frame.jpeg.to_vec())
}

pub fn live_state(state: &SessionState) -> LiveState {
    match state {
        SessionState::Idle => LiveState::Idle,
        SessionState::Connecting => LiveState::Connecting,
        SessionState::Live { since } => LiveState::Live {
            since_ms: since
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as f64)
                .unwrap_or(0.0),
        },
        SessionState::Reconnecting { attempt } => LiveState::Reconnecting { attempt: *attempt },
        SessionState::Stopping => LiveState::Stopping,
        SessionState::Stopped { reason } => LiveState::Stopped {
            reason: match reason {
                cloumer_engine::StopReason::Requested => StopReason::Requested,
                cloumer_engine::StopReason::SourcesEnded => StopReason::SourcesEnded,
            },
        },
        SessionState::Failed { error } => failed(error),
    }
}

/// The live state an engine failure ends in.
pub fn failed(error: &cloumer_engine::Error) -> LiveState {
    use cloumer_engine::Error as E;
    let kind = match error {
        E::Config(_) => FailureKind::Config,
        E::KeyRejected(_) => FailureKind::KeyRejected,
        E::IngestRefused(_) => FailureKind::IngestRefused,
        E::Tls(_) => FailureKind::Tls,
        E::Network(_) => FailureKind::Network,
        E::MissingElement { .. } => FailureKind::MissingElement,
        E::Device(_) => FailureKind::Device,
        E::Encoder(_) => FailureKind::Encoder,
        E::Portal(_) => FailureKind::Portal,
        _ => FailureKind::Other,
    };
    LiveState::Failed {
        kind,
        reason: error.to_string(),
        fix: fix_for(error),
    }
}

/// What the user can do about an engine failure.
pub fn fix_for(error: &cloumer_engine::Error) -> Option<String> {
    use cloumer_engine::Error as E;
    let fix = match error {
        E::Config(_) => "Change the quality preset or sources and go live again.",
        E::KeyRejected(_) => "Rotate the stream key (or copy the right one) and go live again.",
        E::IngestRefused(_) => {
            "Pick a lower quality preset: the channel type limits resolution, frame rate and \
             bitrate. Then go live again."
        }
        E::Tls(_) => "Check the ingest's certificate and the URL (rtmps://host:443/app/).",
        E::Network(_) => "Check your connection and the ingest URL, then go live again.",
        E::MissingElement { .. } => "Install the missing GStreamer plugins (run scripts/setup.sh).",
        E::Device(_) => "Pick another source, or turn on the test pattern and tone.",
        E::Encoder(_) => "Pick a lower quality preset, or another encoder.",
        E::Portal(_) => "Allow screen sharing when the system asks, or use an X11 session.",
        _ => return None,
    };
    Some(fix.to_owned())
}

pub fn engine_error(error: cloumer_engine::Error) -> AppError {
    AppError::Broadcast {
        fix: fix_for(&error),
        message: error.to_string(),
    }
}

pub fn device(d: cloumer_engine::Device) -> DeviceInfo {
    let kind = match d.kind {
        cloumer_engine::DeviceKind::Screen => DeviceKind::Screen,
        cloumer_engine::DeviceKind::Camera => DeviceKind::Camera,
        cloumer_engine::DeviceKind::Microphone => DeviceKind::Microphone,
        cloumer_engine::DeviceKind::DesktopAudio => DeviceKind::DesktopAudio,
    };
    DeviceInfo {
        id: d.id,
        name: d.name,
        kind,
    }
}

#[cfg(test)]
mod tests {
    use cloumer_engine::StreamKey;

    use super::*;

    fn dest() -> StreamOutput {
        StreamOutput::new(
            "rtmp://127.0.0.1:1935/app/".parse().expect("url"),
            StreamKey::new("sk_secret"),
        )
    }

    #[test]
    fn defaults_are_screen_and_default_microphone_at_720p() {
        let c = broadcast_config(&Settings::default(), Some(dest()), false);
        // The default screen is the session's: the portal under Wayland (screen_choice.rs).
        if cloumer_engine::wayland_session() {
            assert!(matches!(c.sources.screen, Some(ScreenSource::Portal { .. })));
        } else {
            assert!(matches!(
                c.sources.screen,
                Some(ScreenSource::X11 { display: None, .. })
            ));
        }
        assert!(c.sources.camera.is_none());
        assert_eq!(c.sources.audio.len(), 1);
        assert!(matches!(
            c.sources.audio[0].kind,
            AudioSourceKind::Microphone { device: None }
        ));
        assert_eq!((c.width, c.height), (1280, 720));
        cloumer_engine::validate(&c).expect("default studio config is valid for IVS");
    }

    #[test]
    fn audio_controls_and_desktop_device_reach_the_engine() {
        let mut settings = Settings::default();
        let s = &mut settings.sources;
        s.desktop_audio = true;
        s.desktop_audio_device = Some("alsa_output.pci.analog-stereo.monitor".into());
        s.microphone_control = crate::types::AudioControl {
            volume: 0.5,
            muted: true,
        };
        s.desktop_audio_control.volume = 1.5;
        let c = broadcast_config(&settings, Some(dest()), false);
        let [mic, desktop] = c.sources.audio.as_slice() else {
            panic!("two audio sources wanted: {:?}", c.sources.audio);
        };
        assert_eq!((mic.volume, mic.muted), (0.5, true));
        assert_eq!((desktop.volume, desktop.muted), (1.5, false));
        assert_eq!(
            desktop.kind,
            AudioSourceKind::DesktopAudio {
                device: Some("alsa_output.pci.analog-stereo.monitor".into())
            }
        );
        assert_eq!(audio_index(&c, AudioSourceId::Microphone), Some(0));
        assert_eq!(audio_index(&c, AudioSourceId::DesktopAudio), Some(1));
        cloumer_engine::validate(&c).expect("valid");
        // Test sources have no desktop audio: its control has nothing to act on.
        let c = broadcast_config(&settings, None, true);
        assert_eq!(audio_index(&c, AudioSourceId::Microphone), Some(0));
        assert_eq!(audio_index(&c, AudioSourceId::DesktopAudio), None);
    }

    #[test]
    fn test_sources_replace_devices() {
        let c = broadcast_config(&Settings::default(), Some(dest()), true);
        assert!(matches!(
            c.sources.screen,
            Some(ScreenSource::TestPattern { .. })
        ));
        assert!(matches!(
            c.sources.audio[0].kind,
            AudioSourceKind::TestTone { .. }
        ));
    }

    #[test]
    fn the_chosen_layout_and_its_card_reach_the_engine() {
        let mut settings = Settings::default();
        let pip = broadcast_config(&settings, None, true).layout;
        assert!(matches!(pip, Layout::Pip(p) if (p.size - 0.25).abs() < 1e-9));
        settings.layout = LayoutChoice::BeRightBack;
        settings.language = Some("ko".into());
        let c = broadcast_config(&settings, None, true);
        assert_eq!(c.layout, Layout::BeRightBack);
        assert_eq!(c.be_right_back.caption, "잠시 후 돌아올게요");
        settings.layout = LayoutChoice::Camera;
        settings.language = Some("en".into());
        let c = broadcast_config(&settings, None, true);
        assert_eq!(c.layout, Layout::Camera);
        assert_eq!(c.be_right_back.caption, "Be right back");
    }

    #[test]
    fn preview_only_sessions_have_no_output_and_validate() {
        let c = broadcast_config(&Settings::default(), None, true);
        assert!(c.preview);
        assert!(c.outputs.stream.is_none());
        cloumer_engine::validate(&c).expect("a preview-only config is valid");
    }

    #[test]
    fn levels_map_to_the_loudest_source_of_each_meter() {
        let level = |source: &str, peak_db| cloumer_engine::AudioLevel {
            index: 0,
            source: source.into(),
            peak_db,
            rms_db: peak_db - 3.0,
        };
        let l = audio_levels(&[
            level("microphone", -20.0),
            level("test-tone", -6.0),
            level("desktop-audio", -30.0),
        ]);
        assert_eq!(l.microphone_db, -6.0);
        assert_eq!(l.desktop_db, -30.0);
        let silent = audio_levels(&[]);
        assert_eq!(silent.microphone_db, cloumer_engine::preview::SILENCE_DB);
    }

    #[test]
    fn a_steady_level_reads_the_same_every_time() {
        let level = |peak_db| cloumer_engine::AudioLevel {
            index: 0,
            source: "test-tone".into(),
            peak_db,
            rms_db: peak_db - 3.0,
        };
        // A sine's peak over 50 ms windows wobbles in its last digits.
        assert_eq!(
            audio_levels(&[level(-20.0012)]),
            audio_levels(&[level(-19.9987)])
        );
        assert_eq!(audio_levels(&[level(-20.04)]).microphone_db, -20.0);
        assert_ne!(audio_levels(&[level(-20.0)]), audio_levels(&[level(-20.3)]));
    }

    #[test]
    fn failures_carry_a_fix() {
        let s = live_state(&SessionState::Failed {
            error: cloumer_engine::Error::KeyRejected("403".into()),
        });
        assert!(matches!(
            s,
            LiveState::Failed { kind: FailureKind::KeyRejected, fix: Some(ref f), .. }
                if f.contains("stream key")
        ));
        let s = live_state(&SessionState::Failed {
            error: cloumer_engine::Error::IngestRefused("closed 3 times".into()),
        });
        assert!(matches!(
            s,
            LiveState::Failed { kind: FailureKind::IngestRefused, fix: Some(ref f), .. }
                if f.contains("preset")
        ));
    }
}
