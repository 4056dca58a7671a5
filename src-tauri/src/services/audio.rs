//! Per-source gain and mute: remembered in the settings and, while a session runs (live or
//! preview), applied to its volume element at once. The engine changes the element's
//! properties in place, so nothing restarts and the ingest sees no gap.

use super::Services;
use super::engine_map::{audio_index, engine_error};
use crate::error::{AppError, Result};
use crate::types::{AudioControl, AudioSourceId, Limits, Settings};

impl Services {
    pub async fn set_audio_control(
        &self,
        source: AudioSourceId,
        control: AudioControl,
    ) -> Result<Settings> {
        let max = f64::from(Limits::CURRENT.max_volume_percent) / 100.0;
        if !(0.0..=max).contains(&control.volume) {
            return Err(AppError::validation(
                "volume",
                format!("volume must be 0–{} %", Limits::CURRENT.max_volume_percent),
            ));
        }
        let settings = self
            .settings
            .update(|s| *s.sources.control_mut(source) = control)?;
        for slot in [&self.broadcast.session, &self.broadcast.preview] {
            let slot = slot.lock().await;
            let Some(session) = slot.as_ref() else {
                continue;
            };
            if session.state().borrow().is_terminal() {
                continue;
            }
            if let Some(index) = audio_index(session.config(), source) {
                session
                    .set_audio_volume(index, control.volume, control.muted)
                    .await
                    .map_err(engine_error)?;
            }
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// The microphone meter's reading (the engine's level after volume and mute) once it
    /// settles where `wanted` says, or the last reading after `wait`.
    async fn level_when(
        levels: &mut tokio::sync::watch::Receiver<Vec<cloumer_engine::AudioLevel>>,
        wanted: impl Fn(f64) -> bool,
        wait: Duration,
    ) -> f64 {
        let read = |l: &Vec<cloumer_engine::AudioLevel>| l.first().map_or(f64::NAN, |l| l.rms_db);
        let reached = tokio::time::timeout(wait, levels.wait_for(|l| wanted(read(l))))
            .await
            .ok()
            .and_then(|r| r.ok())
            .map(|l| read(&l));
        reached.unwrap_or_else(|| read(&levels.borrow()))
    }

    /// What the user sees on the meter follows the controls on the running session: silence
    /// when muted, the tone 12 dB lower at a quarter of the gain, and the session (the same
    /// one, never restarted) keeps running throughout.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mute_and_volume_move_the_running_sessions_meter() {
        let dir = tempfile::tempdir().expect("temp dir");
        let services = crate::services::preview_on_test_sources(dir.path()).await;
        let (mut levels, mut transitions) = {
            let slot = services.broadcast.preview.lock().await;
            let session = slot.as_ref().expect("preview session");
            (session.audio_levels(), session.transitions())
        };
        let wait = Duration::from_secs(5);
        let before = level_when(&mut levels, |db| db > -40.0, wait).await;
        assert!(
            before > -40.0,
            "the tone is heard before muting: {before} dB"
        );

        let mic = AudioSourceId::Microphone;
        let muted = AudioControl {
            volume: 1.0,
            muted: true,
        };
        services.set_audio_control(mic, muted).await.expect("mute");
        let silent = level_when(&mut levels, |db| db <= -80.0, wait).await;
        assert!(silent <= -80.0, "muted, the meter reads {silent} dB");

        let quarter = AudioControl {
            volume: 0.25,
            muted: false,
        };
        services
            .set_audio_control(mic, quarter)
            .await
            .expect("unmute");
        let target = before - 12.0;
        let after = level_when(&mut levels, |db| (db - target).abs() <= 1.5, wait).await;
        assert!(
            (after - target).abs() <= 1.5,
            "at a quarter gain the meter reads {after} dB, wanted {target} (before {before})"
        );
        // The preview may have reached "live" after we subscribed; anything else (stopping,
        // connecting again) would mean the controls restarted it.
        while let Ok(state) = transitions.try_recv() {
            assert_eq!(state.name(), "live", "the session changed state: {state:?}");
        }
        services.stop_preview().await;
    }
}
