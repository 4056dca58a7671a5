//! Files only their owner may read (chat token secret, RTMPS private key).

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
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}
