//! Where the studio keeps its state: the XDG config/data/cache dirs (or the platform's
//! equivalents), so `HOME`/`XDG_*` pointing at an empty folder is a first run.

use std::path::PathBuf;

use crate::error::{AppError, Result};

const APP_DIR: &str = "cloumer-studio";

#[derive(Debug, Clone)]
pub struct AppPaths {
    /// settings.json
    pub config: PathBuf,
    /// the embedded server's data dir lives under here (`local-server/`)
    pub data: PathBuf,
    /// logs
    pub logs: PathBuf,
    pub cache: PathBuf,
}

impl AppPaths {
    pub fn from_platform() -> Result<Self> {
        let need = |dir: Option<PathBuf>, what: &str| {
            dir.map(|d| d.join(APP_DIR))
                .ok_or_else(|| AppError::Storage {
                    message: format!("no {what} directory: set HOME or XDG_* "),
                })
        };
        let data = need(dirs::data_dir(), "data")?;
        let cache = need(dirs::cache_dir(), "cache")?;
        // Linux has no log dir convention: XDG_STATE_HOME is meant for logs (falls back to data).
        let logs = dirs::state_dir()
            .map(|d| d.join(APP_DIR))
            .unwrap_or_else(|| data.clone())
            .join("logs");
        Ok(Self {
            config: need(dirs::config_dir(), "config")?,
            data,
            logs,
            cache,
        })
    }

    /// All under one root (tests).
    pub fn under(root: &std::path::Path) -> Self {
        Self {
            config: root.join("config"),
            data: root.join("data"),
            logs: root.join("logs"),
            cache: root.join("cache"),
        }
    }

    pub fn local_server_dir(&self) -> PathBuf {
        self.data.join("local-server")
    }
}
