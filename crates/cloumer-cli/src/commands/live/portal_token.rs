//! Remembers the Wayland screen-cast choice between `cloumer live` runs.
//!
//! The xdg-desktop-portal hands out a *restore token* after the user picked a screen; given
//! back on the next start, the portal restores that choice without asking again. Tokens are
//! single-use (each start returns a fresh one), so the newest is saved after every start.
//! A token only names a previous choice to the local portal: it is not a credential, so it
//! lives in a plain file in the user's state directory.
//!
//! Tested: the storage (unit tests below) and the round trip through a real portal
//! (tests/live_wayland.rs: headless sway with xdg-desktop-portal-wlr, whose chooser is
//! asked on the first run only); the engine test `no_portal_fails_fast_with_a_clear_reason`
//! covers a missing portal.

use std::path::{Path, PathBuf};

/// File name inside [`TokenStore::default_dir`].
const FILE_NAME: &str = "portal-restore-token";

/// Where the token is kept.
#[derive(Debug, Clone)]
pub struct TokenStore {
    path: PathBuf,
}

impl TokenStore {
    /// `$XDG_STATE_HOME/cloumer` (`~/.local/state/cloumer`), or the config directory on
    /// platforms without a state directory. `None` when neither is known (no home).
    pub fn default_location() -> Option<Self> {
        let base = dirs::state_dir().or_else(dirs::config_dir)?;
        Some(Self::in_dir(&base.join("cloumer")))
    }

    pub fn in_dir(dir: &Path) -> Self {
        Self {
            path: dir.join(FILE_NAME),
        }
    }

    /// The saved token, if any (an unreadable or empty file counts as none: the portal
    /// then simply asks again).
    pub fn load(&self) -> Option<String> {
        let token = std::fs::read_to_string(&self.path).ok()?;
        let token = token.trim();
        (!token.is_empty()).then(|| token.to_owned())
    }

    /// Saves `token`, replacing the previous one atomically (write aside, then rename), so
    /// a crash mid-write never leaves half a token.
    pub fn save(&self, token: &str) -> std::io::Result<()> {
        let dir = self
            .path
            .parent()
            .ok_or_else(|| std::io::Error::other("the token path has no directory"))?;
        std::fs::create_dir_all(dir)?;
        let aside = self.path.with_extension("new");
        std::fs::write(&aside, format!("{}\n", token.trim()))?;
        std::fs::rename(&aside, &self.path)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_saved_reads_as_none() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert_eq!(TokenStore::in_dir(dir.path()).load(), None);
    }

    #[test]
    fn saves_creates_the_directory_and_the_newest_token_wins() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = TokenStore::in_dir(&dir.path().join("state").join("cloumer"));
        store.save("first-token").expect("save");
        assert_eq!(store.load().as_deref(), Some("first-token"));
        store.save("second-token\n").expect("save again");
        assert_eq!(store.load().as_deref(), Some("second-token"));
        // A second store on the same directory (the next run) reads the same token.
        let next_run = TokenStore::in_dir(&dir.path().join("state").join("cloumer"));
        assert_eq!(next_run.load().as_deref(), Some("second-token"));
        // Nothing is left aside.
        let files: Vec<_> = std::fs::read_dir(store.path().parent().expect("dir"))
            .expect("list")
            .filter_map(|e| e.ok().map(|e| e.file_name()))
            .collect();
        assert_eq!(files, [FILE_NAME]);
    }

    #[test]
    fn an_empty_file_reads_as_none() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = TokenStore::in_dir(dir.path());
        std::fs::write(store.path(), "  \n").expect("write");
        assert_eq!(store.load(), None);
    }
}
