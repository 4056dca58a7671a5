//! Who is kept out of a room for now. A kick (DisconnectUser) keeps the user out for the
//! kick timeout; the WebSocket upgrade refuses that user id's tokens for the room
//! meanwhile, fresh tokens included. Rows live in `chat.sqlite` (not in memory), so a
//! restart lifts nothing and memory does not grow with the number of kicks; expired rows
//! are deleted on every write.
//!
//! One row per (room, user) with the end time: a moderator-chosen timeout is another end
//! time, a ban an end time far in the future, and a shorter restriction never shortens a
//! longer one.

use std::path::Path;

use rusqlite::{OptionalExtension, params};

use crate::Result;
use crate::sqlite_file::SqliteFile;

/// An active restriction of one user in one room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Restriction {
    /// Unix milliseconds at which the user may join again.
    pub until_ms: i64,
    pub reason: String,
}

pub(crate) struct Restrictions {
    db: SqliteFile,
}

impl Restrictions {
    /// Opens the table in `<data_dir>/<file>` (the history's database).
    pub fn open(data_dir: &Path, file: &str) -> Result<Self> {
        let db = SqliteFile::open(
            &data_dir.join(file),
            "CREATE TABLE IF NOT EXISTS chat_restrictions (
                 room TEXT NOT NULL,
                 user_id TEXT NOT NULL,
                 until_ms INTEGER NOT NULL,
                 reason TEXT NOT NULL DEFAULT '',
                 PRIMARY KEY (room, user_id)
             ) WITHOUT ROWID;",
        )?;
        Ok(Self { db })
    }

    /// Keeps `user_id` out of `room` until `until_ms` (or longer, if already restricted).
    pub fn restrict(
        &self,
        room: &str,
        user_id: &str,
        until_ms: i64,
        reason: &str,
        now_ms: i64,
    ) -> Result<()> {
        let conn = self.db.lock();
        conn.execute(
            "DELETE FROM chat_restrictions WHERE until_ms <= ?1",
            params![now_ms],
        )?;
        conn.execute(
            "INSERT INTO chat_restrictions (room, user_id, until_ms, reason)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (room, user_id) DO UPDATE SET
                 reason = CASE WHEN excluded.until_ms > until_ms THEN excluded.reason ELSE reason END,
                 until_ms = max(until_ms, excluded.until_ms)",
            params![room, user_id, until_ms, reason],
        )?;
        Ok(())
    }

    /// The restriction keeping `user_id` out of `room` at `now_ms`, if any.
    pub fn active(&self, room: &str, user_id: &str, now_ms: i64) -> Result<Option<Restriction>> {
        let conn = self.db.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT until_ms, reason FROM chat_restrictions
             WHERE room = ?1 AND user_id = ?2 AND until_ms > ?3",
        )?;
        Ok(stmt
            .query_row(params![room, user_id, now_ms], |row| {
                Ok(Restriction {
                    until_ms: row.get(0)?,
                    reason: row.get(1)?,
                })
            })
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restrictions_expire_never_shorten_and_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let r = Restrictions::open(dir.path(), "chat.sqlite").unwrap();
        r.restrict("room", "troll", 5_000, "rude", 0).unwrap();
        r.restrict("room", "troll", 2_000, "again", 1).unwrap();
        assert_eq!(
            r.active("room", "troll", 4_999).unwrap(),
            Some(Restriction {
                until_ms: 5_000,
                reason: "rude".into()
            })
        );
        assert_eq!(r.active("room", "troll", 5_000).unwrap(), None);
        assert_eq!(r.active("other", "troll", 0).unwrap(), None);
        drop(r);
        let r = Restrictions::open(dir.path(), "chat.sqlite").unwrap();
        assert!(r.active("room", "troll", 10).unwrap().is_some());
        // A later write sweeps the expired row.
        r.restrict("room", "x", 20_000, "", 6_000).unwrap();
        let rows: i64 =
            r.db.lock()
                .query_row("SELECT count(*) FROM chat_restrictions", [], |row| {
                    row.get(0)
                })
                .unwrap();
        assert_eq!(rows, 1);
    }
}
