//! Owner-only files and folders. The data dir holds the token-signing key, the SRP secret
//! and verifiers, pending codes and stream keys: anyone who can read it can mint tokens
//! the server accepts. So the dir is 0700 and every secret-bearing file 0600, created
//! that way (never wider, not even briefly) and narrowed when an older run left it wider.

use std::io::Write;
use std::path::Path;

use crate::Result;

/// Writes `bytes` to a new file created with mode 0600 (never wider, not even briefly).
/// With `replace`, an existing file is removed first; without, an existing file is an
/// error (two starts racing to create a secret: the loser fails instead of overwriting).
pub(crate) fn write(path: &Path, bytes: &[u8], replace: bool) -> Result<()> {
    if replace {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    owner_only(&mut options);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

/// Creates `dir` (and its parents) if needed and makes it 0700.
pub(crate) fn dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)?;
    narrow(dir, 0o700)
}

/// Makes sure `path` exists with mode 0600 before another library opens it: SQLite
/// creates its database with the process umask (0644 by default) and gives the `-wal`
/// and `-shm` files the database's mode, so creating the database first covers all
/// three. Existing files (and their `-wal` / `-shm`) are narrowed to 0600.
pub(crate) fn sqlite_file(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    owner_only(&mut options);
    drop(options.open(path)?);
    narrow(path, 0o600)?;
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        let side = Path::new(&side);
        if side.exists() {
            narrow(side, 0o600)?;
        }
    }
    Ok(())
}

/// Opens `path` for appending, creating it 0600 (the outbox of codes).
pub(crate) fn append(path: &Path) -> Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    owner_only(&mut options);
    let file = options.open(path)?;
    narrow(path, 0o600)?;
    Ok(file)
}

fn owner_only(options: &mut std::fs::OpenOptions) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = options;
}

/// Removes group and other permissions from an existing path (a no-op when already so).
fn narrow(path: &Path, mode: u32) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
        if current & 0o077 != 0 {
            tracing::warn!(path = %path.display(), from = format!("{current:o}"), to = format!("{mode:o}"), "narrowing permissions of a secret-bearing path");
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &std::path::Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_dir_left_world_readable_is_narrowed() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("a/b");
        super::dir(&data).unwrap();
        assert_eq!(mode(&data), 0o700);
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
        super::dir(&data).unwrap();
        assert_eq!(mode(&data), 0o700);
    }

    #[test]
    fn sqlite_files_and_their_journals_become_owner_only() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("x.sqlite3");
        let wal = tmp.path().join("x.sqlite3-wal");
        std::fs::write(&wal, b"").unwrap();
        std::fs::set_permissions(&wal, std::fs::Permissions::from_mode(0o644)).unwrap();
        super::sqlite_file(&db).unwrap();
        assert_eq!(mode(&db), 0o600);
        assert_eq!(mode(&wal), 0o600);
    }
}
