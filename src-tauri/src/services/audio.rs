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
