//! Settings file (`settings.json` in the platform config dir). Never holds secrets: those
//! live in the OS credential store through `cloumer-api`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{AppError, Result};
use crate::types::{ABR_MIN_KBPS_FLOOR, Settings};

/// The languages the studio's UI has messages for (ui/src/i18n/*.<lang>.json).
pub const STUDIO_LANGUAGES: [&str; 2] = ["en", "ko"];

pub struct SettingsStore {
    path: PathBuf,
    current: Mutex<Settings>,
}

impl SettingsStore {
    /// Loads `dir/settings.json`; a missing or unreadable file gives the defaults (a broken
    /// settings file must never keep the app from starting), with the test pattern and tone
    /// on when `CLOUMER_STUDIO_TEST_SOURCES=1` (tests, demos: the checkbox shows it and the
    /// user can still turn it off, to try a real screen or microphone).
    pub fn load(dir: &Path) -> Self {
        let path = dir.join("settings.json");
        let current = std::fs::read_to_string(&path)
            .ok()
            .and_then(|text| match serde_json::from_str(&text) {
                Ok(s) => Some(s),
                Err(e) => {
                    tracing::warn!(path = %path.display(), "settings file ignored: {e}");
                    None
                }
            })
            .unwrap_or_else(|| Settings {
                sources: crate::types::SourceSettings {
                    test_sources: std::env::var("CLOUMER_STUDIO_TEST_SOURCES")
                        .is_ok_and(|v| v == "1"),
                    ..Default::default()
                },
                ..Default::default()
            });
        Self {
            path,
            current: Mutex::new(current),
        }
    }

    pub fn get(&self) -> Settings {
        self.current.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Replaces the settings and writes them atomically (temp file + rename).
    pub fn save(&self, settings: Settings) -> Result<Settings> {
        if !(10..=50).contains(&settings.pip.size_percent) {
            return Err(AppError::validation(
                "pip.sizePercent",
                "camera size must be 10–50 % of the width",
            ));
        }
        let (_, _, bitrate) = settings.quality.video();
        if !(ABR_MIN_KBPS_FLOOR..=bitrate).contains(&settings.abr.min_kbps) {
            return Err(AppError::validation(
                "abr.minKbps",
                format!(
                    "the minimum bitrate must be {ABR_MIN_KBPS_FLOOR}–{bitrate} kbps \
                     (at least {ABR_MIN_KBPS_FLOOR}, not above the chosen bitrate)"
                ),
            ));
        }
        if let Some(lang) = &settings.language
            && !STUDIO_LANGUAGES.contains(&lang.as_str())
        {
            return Err(AppError::validation(
                "language",
                format!("the studio speaks {}, not {lang}", STUDIO_LANGUAGES.join(", ")),
            ));
        }
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(AppError::storage)?;
        }
        let text = serde_json::to_string_pretty(&settings).map_err(AppError::storage)?;
        let tmp = self.path.with_extension("json.tmp");
        std::fs::write(&tmp, text).map_err(AppError::storage)?;
        std::fs::rename(&tmp, &self.path).map_err(AppError::storage)?;
        if let Ok(mut current) = self.current.lock() {
            *current = settings.clone();
        }
        Ok(settings)
    }

    /// Applies a change to the current settings and saves them.
    pub fn update(&self, change: impl FnOnce(&mut Settings)) -> Result<Settings> {
        let mut s = self.get();
        change(&mut s);
        self.save(s)
    }
}
