//! The SQLite database in the data dir, its migrations and the small key/value `meta`
//! table (pool id, client id, signing keys). One connection behind a mutex: every query
//! is a short indexed lookup, so serialising them costs less than a pool would.

use std::path::Path;
use std::sync::MutexGuard;

use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;
use crate::sqlite_file::SqliteFile;

/// Migrations, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE users (
    sub TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    nickname TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    srp_salt BLOB NOT NULL,
    srp_verifier BLOB NOT NULL,
    confirmed INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE TABLE codes (
    sub TEXT NOT NULL,
    purpose TEXT NOT NULL,
    code TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (sub, purpose)
);
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    sub TEXT NOT NULL,
    refresh_hash TEXT NOT NULL UNIQUE,
    expires_at INTEGER NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_sub ON sessions (sub);
CREATE TABLE channels (
    name TEXT PRIMARY KEY,
    owner_sub TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    is_live INTEGER NOT NULL DEFAULT 0,
    stream_key TEXT NOT NULL UNIQUE,
    avatar TEXT,
    created_at INTEGER NOT NULL
);
CREATE TABLE avatars (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE moderators (
    channel TEXT NOT NULL,
    moderator TEXT NOT NULL,
    PRIMARY KEY (channel, moderator)
);
CREATE TABLE stream_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    event_name TEXT NOT NULL,
    session_id TEXT NOT NULL,
    at TEXT NOT NULL
);
"#,
    // 2: IVS channel types (input limits); channels made before it are STANDARD, as the
    // seed made them.
    "ALTER TABLE channels ADD COLUMN channel_type TEXT NOT NULL DEFAULT 'STANDARD';",
    // 3: wrong guesses per code (a code is spent after five, as Cognito), and the e-mail
    // address an UpdateUserAttributes asked for, applied only once its code is verified.
    r#"
ALTER TABLE codes ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN pending_email TEXT;
"#,
];

pub struct Db {
    file: SqliteFile,
}

impl Db {
    pub fn open(data_dir: &Path) -> Result<Self> {
        let db = Self {
            file: SqliteFile::open(&data_dir.join("cloumer.sqlite3"), "")?,
        };
        db.migrate()?;
        Ok(db)
    }

    fn migrate(&self) -> Result<()> {
        let mut conn = self.lock();
        let done: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(done) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i + 1)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// The connection (see [`SqliteFile::lock`]).
    pub fn lock(&self) -> MutexGuard<'_, Connection> {
        self.file.lock()
    }

    pub fn meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .lock()
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// The stored value of `key`, or `make()` stored now (first run).
    pub fn meta_or_insert(
        &self,
        key: &str,
        make: impl FnOnce() -> Result<Vec<u8>>,
    ) -> Result<Vec<u8>> {
        if let Some(v) = self.meta(key)? {
            return Ok(v);
        }
        let value = make()?;
        self.lock().execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)",
            params![key, value],
        )?;
        // Re-read: if two starts raced, both use the winner's value.
        Ok(self.meta(key)?.unwrap_or(value))
    }
}
