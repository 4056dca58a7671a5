//! One SQLite file behind a mutex, as every store of this process uses it: created
//! owner-only, WAL with `synchronous=NORMAL` (an insert costs no fsync), a busy timeout
//! for the second connection some files have, and short synchronous calls under a std
//! mutex never held across an `.await`.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;

use crate::Result;

pub(crate) struct SqliteFile {
    conn: Mutex<Connection>,
}

impl SqliteFile {
    /// Opens (first: creates, 0600) `path` and runs `schema` (idempotent statements).
    pub fn open(path: &Path, schema: &str) -> Result<Self> {
        crate::private_file::sqlite_file(path)?;
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(schema)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    /// The connection. A poisoned lock only means another request panicked mid-query;
    /// SQLite's own transactions keep the data consistent, so carry on.
    pub fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}
