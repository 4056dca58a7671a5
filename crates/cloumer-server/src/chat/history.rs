//! Chat history in its own SQLite file (`<data_dir>/chat.sqlite`), so a restart loses no
//! message and deletions stay deleted. Calls are short and synchronous under a std mutex
//! that is never held across an `.await`; WAL with `synchronous=NORMAL` keeps an insert
//! free of fsyncs, which matters at a room's 10 messages/s.

use std::path::Path;

use cloumer_protocol::chat::ChatMessage;
use rusqlite::params;

use crate::Result;
use crate::sqlite_file::SqliteFile;

pub(crate) const DB_FILE: &str = "chat.sqlite";

pub(crate) struct History {
    db: SqliteFile,
}

impl History {
    pub fn open(data_dir: &Path) -> Result<Self> {
        // The restrictions share the file through their own connection.
        let db = SqliteFile::open(
            &data_dir.join(DB_FILE),
            "CREATE TABLE IF NOT EXISTS chat_messages (
                 seq INTEGER PRIMARY KEY AUTOINCREMENT,
                 id TEXT NOT NULL UNIQUE,
                 room TEXT NOT NULL,
                 message TEXT NOT NULL,
                 deleted INTEGER NOT NULL DEFAULT 0
             );
             CREATE INDEX IF NOT EXISTS chat_messages_room ON chat_messages(room, seq);",
        )?;
        Ok(Self { db })
    }

    /// Stores a message (without its `RequestId`, which only the sender's echo carries).
    pub fn append(&self, room: &str, message: &ChatMessage) -> Result<()> {
        let stored = ChatMessage {
            request_id: None,
            ..message.clone()
        };
        let json = serde_json::to_string(&stored)?;
        self.db.lock().execute(
            "INSERT INTO chat_messages (id, room, message) VALUES (?1, ?2, ?3)",
            params![message.id, room, json],
        )?;
        Ok(())
    }

    /// Marks a message of `room` deleted. `false` when the room has no such live message.
    pub fn delete(&self, room: &str, id: &str) -> Result<bool> {
        let changed = self.db.lock().execute(
            "UPDATE chat_messages SET deleted = 1 WHERE room = ?1 AND id = ?2 AND deleted = 0",
            params![room, id],
        )?;
        Ok(changed > 0)
    }

    /// The latest `limit` live messages of `room`, oldest first.
    pub fn recent(&self, room: &str, limit: u32) -> Result<Vec<ChatMessage>> {
        let conn = self.db.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT message FROM chat_messages WHERE room = ?1 AND deleted = 0
             ORDER BY seq DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![room, limit], |row| row.get::<_, String>(0))?;
        let mut messages = Vec::new();
        for row in rows {
            messages.push(serde_json::from_str(&row?)?);
        }
        messages.reverse();
        Ok(messages)
    }
}
