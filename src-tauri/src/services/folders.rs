//! Showing one of the studio's folders (logs, recordings) in the desktop's file manager.

use std::path::Path;

use crate::error::{AppError, Result};

/// Creates `dir` if needed (a first run has none yet) and opens it (xdg-open and friends,
/// through tauri-plugin-opener).
pub(super) fn open_in_file_manager(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| AppError::Storage {
        message: format!("cannot create {}: {e}", dir.display()),
    })?;
    tauri_plugin_opener::open_path(dir, None::<&str>).map_err(|e| AppError::Storage {
        message: format!("cannot open {} (no file manager?): {e}", dir.display()),
    })
}
