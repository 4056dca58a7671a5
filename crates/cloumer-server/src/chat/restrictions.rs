//! Who is kept out of a room for now. A kick (DisconnectUser) keeps the user out for the
//! kick timeout; the WebSocket upgrade refuses that user id's tokens for the room
//! meanwhile, fresh tokens included. Rows live in `chat.sqlite` (not in memory), so a
//! restart lifts nothing and memory does not grow with the number of kicks; expired rows
//! are deleted on every write.
//!
//! One row per (room, user) with the end time: a moderator-chosen timeout is another end
//! time, a ban an end time far in the future. A kick never shortens a longer restriction;
//! a timeout or ban replaces whatever was there. `moderated` marks a timeout or ban
//! (set through the REST routes): those are listed and also refused at R5, while a kick
//! only keeps its user's WebSockets out (their client retries until it ends, as before).

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
    /// A moderator's timeout or ban, not a kick.
    pub moderated: bool,
}

/// The `until_ms` of a ban: never reached.
pub(crate) const BANNED: i64 = i64::MAX;
/// Most rows one listing answers (a room's restrictions are bounded by its channels).
const LIST_MAX: i64 = 1000;

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
                 moderated INTEGER NOT NULL DEFAULT 0,
                 PRIMARY KEY (room, user_id)
             ) WITHOUT ROWID;",
        )?;
        {
            // Files made before timeouts and bans have no `moderated` column: add it.
            let conn = db.lock();
            let has_column: bool = conn.query_row(
                "SELECT count(*) FROM pragma_table_info('chat_restrictions') WHERE name = 'moderated'",
                [],
                |row| row.get(0),
            )?;
            if !has_column {
                conn.execute_batch(
                    "ALTER TABLE chat_restrictions ADD COLUMN moderated INTEGER NOT NULL DEFAULT 0;",
                )?;
            }
        }
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
        self.upsert(
            (room, user_id, until_ms, reason, now_ms, false),
            "reason = CASE WHEN excluded.until_ms > until_ms THEN excluded.reason ELSE reason END,
             moderated = CASE WHEN excluded.until_ms > until_ms THEN 0 ELSE moderated END,
             until_ms = max(until_ms, excluded.until_ms)",
        )
    }

    /// Sets the user's restriction to exactly `until_ms` (a moderator's timeout or ban
    /// replaces whatever was in force, shorter or not).
    pub fn set(
        &self,
        room: &str,
        user_id: &str,
        until_ms: i64,
        reason: &str,
        now_ms: i64,
    ) -> Result<()> {
        self.upsert(
            (room, user_id, until_ms, reason, now_ms, true),
            "until_ms = excluded.until_ms, reason = excluded.reason, moderated = 1",
        )
    }

    /// Sweeps expired rows, then inserts the row or updates it with `on_conflict`.
    fn upsert(
        &self,
        (room, user_id, until_ms, reason, now_ms, moderated): (&str, &str, i64, &str, i64, bool),
        on_conflict: &str,
    ) -> Result<()> {
        let conn = self.db.lock();
        conn.execute(
            "DELETE FROM chat_restrictions WHERE until_ms <= ?1",
            params![now_ms],
        )?;
        conn.execute(
            &format!(
                "INSERT INTO chat_restrictions (room, user_id, until_ms, reason, moderated)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (room, user_id) DO UPDATE SET {on_conflict}"
            ),
            params![room, user_id, until_ms, reason, moderated],
        )?;
        Ok(())
    }

    /// Lifts the user's restriction; whether one was in force at `now_ms`.
    pub fn lift(&self, room: &str, user_id: &str, now_ms: i64) -> Result<bool> {
        let n = self.db.lock().execute(
            "DELETE FROM chat_restrictions WHERE room = ?1 AND user_id = ?2 AND until_ms > ?3",
            params![room, user_id, now_ms],
        )?;
        Ok(n > 0)
    }

    /// Every timeout and ban of `room` in force at `now_ms` (not kicks), by user id.
    pub fn list(&self, room: &str, now_ms: i64) -> Result<Vec<(String, Restriction)>> {
        let conn = self.db.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT user_id, until_ms, reason FROM chat_restrictions
             WHERE room = ?1 AND until_ms > ?2 AND moderated = 1 ORDER BY user_id LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![room, now_ms, LIST_MAX], |row| {
            Ok((
                row.get(0)?,
                Restriction {
                    until_ms: row.get(1)?,
                    reason: row.get(2)?,
                    moderated: true,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The restriction keeping `user_id` out of `room` at `now_ms`, if any.
    pub fn active(&self, room: &str, user_id: &str, now_ms: i64) -> Result<Option<Restriction>> {
        let conn = self.db.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT until_ms, reason, moderated FROM chat_restrictions
             WHERE room = ?1 AND user_id = ?2 AND until_ms > ?3",
        )?;
        Ok(stmt
            .query_row(params![room, user_id, now_ms], |row| {
                Ok(Restriction {
                    until_ms: row.get(0)?,
                    reason: row.get(1)?,
                    moderated: row.get(2)?,
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
                reason: "rude".into(),
                moderated: false,
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

    #[test]
    fn a_file_without_the_moderated_column_gets_it() {
        let dir = tempfile::tempdir().unwrap();
        let old = rusqlite::Connection::open(dir.path().join("chat.sqlite")).unwrap();
        old.execute_batch(
            "CREATE TABLE chat_restrictions (room TEXT NOT NULL, user_id TEXT NOT NULL,
             until_ms INTEGER NOT NULL, reason TEXT NOT NULL DEFAULT '',
             PRIMARY KEY (room, user_id)) WITHOUT ROWID;
             INSERT INTO chat_restrictions VALUES ('room', 'kicked', 9000, 'old');",
        )
        .unwrap();
        drop(old);
        let r = Restrictions::open(dir.path(), "chat.sqlite").unwrap();
        let kept = r.active("room", "kicked", 0).unwrap().unwrap();
        assert_eq!((kept.until_ms, kept.moderated), (9000, false));
        r.set("room", "troll", BANNED, "", 0).unwrap();
        assert_eq!(r.list("room", 0).unwrap().len(), 1);
    }

    #[test]
    fn set_replaces_lift_removes_and_list_shows_those_in_force() {
        let dir = tempfile::tempdir().unwrap();
        let r = Restrictions::open(dir.path(), "chat.sqlite").unwrap();
        r.set("room", "troll", BANNED, "spam", 0).unwrap();
        r.set("room", "troll", 60_000, "shorter", 0).unwrap();
        r.set("room", "gone", 10, "", 0).unwrap();
        let list = r.list("room", 100).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].0, "troll");
        assert_eq!(list[0].1.until_ms, 60_000);
        // A kick is not listed; a kick outlasting a timeout makes it a kick.
        r.restrict("room", "kicked", 300_000, "", 100).unwrap();
        assert_eq!(r.list("room", 100).unwrap().len(), 1);
        r.restrict("room", "troll", 120_000, "kick", 100).unwrap();
        assert!(!r.active("room", "troll", 100).unwrap().unwrap().moderated);
        r.set("room", "troll", 60_000, "shorter", 100).unwrap();
        assert!(r.active("room", "troll", 100).unwrap().unwrap().moderated);
        assert!(r.lift("room", "troll", 100).unwrap());
        assert!(!r.lift("room", "troll", 100).unwrap());
        assert_eq!(r.active("room", "troll", 100).unwrap(), None);
    }
}
