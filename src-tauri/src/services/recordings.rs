//! The studio's local recordings (the engine's crash-safe Matroska): where they go, the
//! free-space check before one starts, and the list of recent ones.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use cloumer_engine::RecordingOutput;

use super::Services;
use crate::error::{AppError, Result};
use crate::types::RecordingInfo;

/// Free space a recording needs to start: about 40 minutes of the highest preset.
const MIN_FREE_BYTES: u64 = 1 << 30;
/// How many recordings the list shows.
const LIST_MAX: usize = 20;

impl Services {
    /// The folder from the settings, or "Cloumer" in the XDG videos directory.
    pub fn recordings_dir(&self) -> PathBuf {
        self.settings
            .get()
            .recording
            .folder
            .map(PathBuf::from)
            .or_else(|| dirs::video_dir().map(|d| d.join("Cloumer")))
            .or_else(|| dirs::home_dir().map(|d| d.join("Videos").join("Cloumer")))
            .unwrap_or_else(|| self.paths.data.join("recordings"))
    }

    /// A new file in the recordings folder, after checking there is room for it.
    pub fn new_recording(&self) -> Result<RecordingOutput> {
        let dir = self.recordings_dir();
        std::fs::create_dir_all(&dir).map_err(|e| AppError::Storage {
            message: format!(
                "cannot create the recordings folder {}: {e}. Choose another folder or turn off \"Record while live\".",
                dir.display()
            ),
        })?;
        check_free_space(&dir)?;
        let stamp = time::OffsetDateTime::now_utc()
            .format(time::macros::format_description!(
                "[year]-[month]-[day]_[hour]-[minute]-[second]"
            ))
            .unwrap_or_default();
        Ok(RecordingOutput {
            path: dir.join(format!("cloumer-{stamp}Z.mkv")),
        })
    }

    /// The newest recordings first.
    pub fn recordings(&self) -> Vec<RecordingInfo> {
        let Ok(entries) = std::fs::read_dir(self.recordings_dir()) else {
            return Vec::new();
        };
        let mut list: Vec<RecordingInfo> = entries
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "mkv"))
            .filter_map(|e| {
                let meta = e.metadata().ok()?;
                let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
                Some(RecordingInfo {
                    name: e.file_name().into_string().ok()?,
                    path: e.path().display().to_string(),
                    size_bytes: meta.len() as f64,
                    modified_ms: modified.as_millis() as f64,
                })
            })
            .collect();
        list.sort_by(|a, b| b.modified_ms.total_cmp(&a.modified_ms));
        list.truncate(LIST_MAX);
        list
    }

    /// Opens the recordings folder in the desktop's file manager; its path.
    pub fn open_recordings_folder(&self) -> Result<PathBuf> {
        let dir = self.recordings_dir();
        super::folders::open_in_file_manager(&dir)?;
        Ok(dir)
    }
}

fn check_free_space(dir: &Path) -> Result<()> {
    let Ok(stat) = rustix::fs::statvfs(dir) else {
        // Unknown (an unusual filesystem): the engine reports a full disk if it happens.
        return Ok(());
    };
    let free = stat.f_bavail.saturating_mul(stat.f_frsize);
    if free < MIN_FREE_BYTES {
        return Err(AppError::Storage {
            message: format!(
                "only {} MB free in {}: a recording needs at least {} MB. Free some space, choose another folder, or turn off \"Record while live\".",
                free / 1_000_000,
                dir.display(),
                MIN_FREE_BYTES / 1_000_000
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paths::AppPaths;

    fn services_recording_into(root: &Path, folder: &Path) -> Services {
        let services = Services::new(AppPaths::under(&root.join("state")));
        let mut settings = services.settings.get();
        settings.recording.folder = Some(folder.display().to_string());
        services.settings.save(settings).expect("settings");
        services
    }

    #[test]
    fn recordings_go_to_the_chosen_folder_and_list_newest_first() {
        let dir = tempfile::tempdir().expect("tempdir");
        let folder = dir.path().join("rec");
        let services = services_recording_into(dir.path(), &folder);
        let next = services.new_recording().expect("room for a recording");
        assert_eq!(next.path.parent(), Some(folder.as_path()));
        assert!(next.path.extension().is_some_and(|x| x == "mkv"));
        std::fs::write(folder.join("old.mkv"), b"1").expect("old");
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(folder.join("new.mkv"), b"22").expect("new");
        std::fs::write(folder.join("notes.txt"), b"not a recording").expect("txt");
        let names: Vec<_> = services.recordings().into_iter().map(|r| r.name).collect();
        assert_eq!(names, ["new.mkv", "old.mkv"]);
    }

    #[test]
    fn a_folder_that_cannot_be_made_is_refused_with_what_to_do() {
        let dir = tempfile::tempdir().expect("tempdir");
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, b"x").expect("file");
        let services = services_recording_into(dir.path(), &blocker.join("rec"));
        let err = services.new_recording().expect_err("not a folder");
        assert!(err.to_string().contains("Record while live"), "{err}");
    }
}
