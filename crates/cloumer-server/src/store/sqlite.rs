//! SQLite storage of `cloumer serve`: the REST store traits, and its user pool's
//! accounts, sessions, codes and stream-state log as plain methods. Queries are short indexed lookups run
//! under the connection mutex (see `db.rs`).

use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{OptionalExtension, Row, params};

use super::{
    Avatar, AvatarStore, Channel, ChannelListing, ChannelStore, CodeCheck, CodePurpose,
    ModeratorStore, Session, StoredCode, StreamStateEvent, User,
};
use crate::db::Db;
use crate::{Error, Result, error::now_secs};

pub struct SqliteStore {
    db: Arc<Db>,
}

impl SqliteStore {
    pub fn new(db: Arc<Db>) -> Self {
        Self { db }
    }
}

const USER_COLS: &str = "sub, username, email, nickname, password_hash, srp_salt, srp_verifier, \
     confirmed, pending_email";

fn user_row(r: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        sub: r.get(0)?,
        username: r.get(1)?,
        email: r.get(2)?,
        nickname: r.get(3)?,
        password_hash: r.get(4)?,
        srp_salt: r.get(5)?,
        srp_verifier: r.get(6)?,
        confirmed: r.get(7)?,
        pending_email: r.get(8)?,
    })
}

const CHANNEL_COLS: &str = "c.name, c.owner_sub, c.title, c.is_live, c.avatar, c.channel_type";

fn channel_row(r: &Row<'_>) -> rusqlite::Result<Channel> {
    Ok(Channel {
        name: r.get(0)?,
        owner_sub: r.get(1)?,
        title: r.get(2)?,
        is_live: r.get(3)?,
        avatar: r.get(4)?,
        channel_type: r.get::<_, String>(5)?.parse().map_err(|e: String| {
            rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, e.into())
        })?,
    })
}

fn listing_row(r: &Row<'_>) -> rusqlite::Result<ChannelListing> {
    Ok(ChannelListing {
        channel: channel_row(r)?,
        nickname: r.get(6)?,
    })
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

impl SqliteStore {
    pub async fn create_user(&self, u: &User) -> Result<()> {
        let res = self.db.lock().execute(
            "INSERT INTO users (sub, username, email, nickname, password_hash, srp_salt, \
             srp_verifier, confirmed, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                u.sub,
                u.username,
                u.email,
                u.nickname,
                u.password_hash,
                u.srp_salt,
                u.srp_verifier,
                u.confirmed,
                now_secs()
            ],
        );
        match res {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Err(Error::Conflict("user name".into())),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE username = ?1");
        Ok(self
            .db
            .lock()
            .query_row(&sql, params![username], user_row)
            .optional()?)
    }

    pub async fn user_by_sub(&self, sub: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE sub = ?1");
        Ok(self
            .db
            .lock()
            .query_row(&sql, params![sub], user_row)
            .optional()?)
    }

    pub async fn set_confirmed(&self, sub: &str) -> Result<()> {
        self.db.lock().execute(
            "UPDATE users SET confirmed = 1 WHERE sub = ?1",
            params![sub],
        )?;
        Ok(())
    }

    pub async fn set_password(
        &self,
        sub: &str,
        hash: &str,
        salt: &[u8],
        verifier: &[u8],
    ) -> Result<()> {
        self.db.lock().execute(
            "UPDATE users SET password_hash = ?2, srp_salt = ?3, srp_verifier = ?4 WHERE sub = ?1",
            params![sub, hash, salt, verifier],
        )?;
        Ok(())
    }

    pub async fn set_nickname(&self, sub: &str, nickname: &str) -> Result<()> {
        self.db.lock().execute(
            "UPDATE users SET nickname = ?2 WHERE sub = ?1",
            params![sub, nickname],
        )?;
        Ok(())
    }

    pub async fn set_pending_email(&self, sub: &str, email: Option<&str>) -> Result<()> {
        self.db.lock().execute(
            "UPDATE users SET pending_email = ?2 WHERE sub = ?1",
            params![sub, email],
        )?;
        Ok(())
    }

    pub async fn apply_pending_email(&self, sub: &str) -> Result<()> {
        self.db.lock().execute(
            "UPDATE users SET email = pending_email, pending_email = NULL \
             WHERE sub = ?1 AND pending_email IS NOT NULL",
            params![sub],
        )?;
        Ok(())
    }

    pub async fn put_code(
        &self,
        sub: &str,
        purpose: CodePurpose,
        code: &str,
        expires_at: i64,
    ) -> Result<()> {
        self.db.lock().execute(
            "INSERT OR REPLACE INTO codes (sub, purpose, code, expires_at, attempts) \
             VALUES (?1, ?2, ?3, ?4, 0)",
            params![sub, purpose.as_str(), code, expires_at],
        )?;
        Ok(())
    }

    pub async fn take_code(
        &self,
        sub: &str,
        purpose: CodePurpose,
        code: &str,
    ) -> Result<CodeCheck> {
        // Read, judge and update under one lock: parallel guesses cannot share an attempt.
        let conn = self.db.lock();
        let key = params![sub, purpose.as_str()];
        let stored = conn
            .query_row(
                "SELECT code, expires_at, attempts FROM codes WHERE sub = ?1 AND purpose = ?2",
                key,
                |r| {
                    Ok(StoredCode {
                        code: r.get(0)?,
                        expires_at: r.get(1)?,
                        attempts: r.get(2)?,
                    })
                },
            )
            .optional()?;
        let Some(stored) = stored else {
            return Ok(CodeCheck::Mismatch);
        };
        let check = crate::auth::codes::judge(&stored, code, now_secs());
        match check {
            CodeCheck::Mismatch => conn.execute(
                "UPDATE codes SET attempts = attempts + 1 WHERE sub = ?1 AND purpose = ?2",
                key,
            )?,
            CodeCheck::Valid => {
                conn.execute("DELETE FROM codes WHERE sub = ?1 AND purpose = ?2", key)?
            }
            CodeCheck::Expired | CodeCheck::Spent => 0,
        };
        Ok(check)
    }
}

fn session_row(r: &Row<'_>) -> rusqlite::Result<Session> {
    Ok(Session {
        id: r.get(0)?,
        sub: r.get(1)?,
        expires_at: r.get(2)?,
        revoked: r.get(3)?,
    })
}

impl SqliteStore {
    pub async fn create_session(&self, s: &Session, refresh_hash: &str) -> Result<()> {
        self.db.lock().execute(
            "INSERT INTO sessions (id, sub, refresh_hash, expires_at, revoked) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![s.id, s.sub, refresh_hash, s.expires_at, s.revoked],
        )?;
        Ok(())
    }

    pub async fn session_by_refresh(&self, refresh_hash: &str) -> Result<Option<Session>> {
        Ok(self
            .db
            .lock()
            .query_row(
                "SELECT id, sub, expires_at, revoked FROM sessions WHERE refresh_hash = ?1",
                params![refresh_hash],
                session_row,
            )
            .optional()?)
    }

    pub async fn session(&self, id: &str) -> Result<Option<Session>> {
        Ok(self
            .db
            .lock()
            .query_row(
                "SELECT id, sub, expires_at, revoked FROM sessions WHERE id = ?1",
                params![id],
                session_row,
            )
            .optional()?)
    }

    pub async fn revoke_all(&self, sub: &str) -> Result<()> {
        self.db.lock().execute(
            "UPDATE sessions SET revoked = 1 WHERE sub = ?1",
            params![sub],
        )?;
        Ok(())
    }
}

#[async_trait]
impl ChannelStore for SqliteStore {
    async fn channel_by_owner(&self, sub: &str) -> Result<Option<Channel>> {
        let sql = format!("SELECT {CHANNEL_COLS} FROM channels c WHERE c.owner_sub = ?1");
        Ok(self
            .db
            .lock()
            .query_row(&sql, params![sub], channel_row)
            .optional()?)
    }

    async fn channel_by_name(&self, name: &str) -> Result<Option<Channel>> {
        let sql = format!("SELECT {CHANNEL_COLS} FROM channels c WHERE c.name = ?1");
        Ok(self
            .db
            .lock()
            .query_row(&sql, params![name], channel_row)
            .optional()?)
    }

    async fn list_channels(&self, live_only: bool) -> Result<Vec<ChannelListing>> {
        let sql = format!(
            "SELECT {CHANNEL_COLS}, u.nickname FROM channels c JOIN users u ON u.sub = c.owner_sub \
             WHERE (?1 = 0 OR c.is_live = 1) ORDER BY c.created_at, c.name LIMIT 1000"
        );
        let conn = self.db.lock();
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![live_only], listing_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    async fn set_title(&self, name: &str, title: &str) -> Result<()> {
        self.db.lock().execute(
            "UPDATE channels SET title = ?2 WHERE name = ?1",
            params![name, title],
        )?;
        Ok(())
    }
}

/// The channel rows only `cloumer serve` writes: creation, stream keys, live state.
impl SqliteStore {
    /// Creates the owner's channel with its stream key unless they already have one
    /// (idempotent: the seed's W4 made a second channel on every password reset).
    /// Returns the owner's channel.
    pub async fn ensure_channel(&self, c: &Channel, stream_key: &str) -> Result<Channel> {
        // owner_sub is UNIQUE: a second call for the same owner inserts nothing.
        self.db.lock().execute(
            "INSERT OR IGNORE INTO channels (name, owner_sub, title, is_live, stream_key, avatar, \
             channel_type, created_at) VALUES (?1, ?2, ?3, 0, ?4, NULL, ?5, ?6)",
            params![
                c.name,
                c.owner_sub,
                c.title,
                stream_key,
                c.channel_type.as_str(),
                now_secs()
            ],
        )?;
        self.channel_by_owner(&c.owner_sub)
            .await?
            .ok_or_else(|| Error::Conflict("channel name".into()))
    }

    pub async fn channel_by_stream_key(&self, key: &str) -> Result<Option<Channel>> {
        let sql = format!("SELECT {CHANNEL_COLS} FROM channels c WHERE c.stream_key = ?1");
        Ok(self
            .db
            .lock()
            .query_row(&sql, params![key], channel_row)
            .optional()?)
    }

    pub async fn set_live(&self, name: &str, live: bool) -> Result<()> {
        self.db.lock().execute(
            "UPDATE channels SET is_live = ?2 WHERE name = ?1",
            params![name, live],
        )?;
        Ok(())
    }

    pub async fn set_stream_key(&self, name: &str, key: &str) -> Result<()> {
        self.db.lock().execute(
            "UPDATE channels SET stream_key = ?2 WHERE name = ?1",
            params![name, key],
        )?;
        Ok(())
    }

    /// Channels joined to the `moderators` table on `join_col`, where `where_col` is
    /// `value`: the moderators of a channel, or the channels a user moderates.
    fn moderator_listing(
        &self,
        join_col: &str,
        where_col: &str,
        value: &str,
    ) -> Result<Vec<ChannelListing>> {
        let sql = format!(
            "SELECT {CHANNEL_COLS}, u.nickname FROM moderators m \
             JOIN channels c ON c.name = {join_col} JOIN users u ON u.sub = c.owner_sub \
             WHERE {where_col} = ?1 ORDER BY c.name"
        );
        let conn = self.db.lock();
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![value], listing_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The channel's current stream key.
    pub async fn stream_key_of(&self, name: &str) -> Result<String> {
        Ok(self.db.lock().query_row(
            "SELECT stream_key FROM channels WHERE name = ?1",
            params![name],
            |r| r.get(0),
        )?)
    }
}

#[async_trait]
impl ModeratorStore for SqliteStore {
    async fn moderators(&self, channel: &str) -> Result<Vec<ChannelListing>> {
        self.moderator_listing("m.moderator", "m.channel", channel)
    }

    async fn add_moderator(&self, channel: &str, moderator: &str) -> Result<()> {
        self.db.lock().execute(
            "INSERT OR IGNORE INTO moderators (channel, moderator) VALUES (?1, ?2)",
            params![channel, moderator],
        )?;
        Ok(())
    }

    async fn remove_moderator(&self, channel: &str, moderator: &str) -> Result<bool> {
        let n = self.db.lock().execute(
            "DELETE FROM moderators WHERE channel = ?1 AND moderator = ?2",
            params![channel, moderator],
        )?;
        Ok(n > 0)
    }

    async fn is_moderator(&self, channel: &str, user_channel: &str) -> Result<bool> {
        Ok(self
            .db
            .lock()
            .query_row(
                "SELECT 1 FROM moderators WHERE channel = ?1 AND moderator = ?2",
                params![channel, user_channel],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    async fn moderated_by(&self, user_channel: &str) -> Result<Vec<ChannelListing>> {
        self.moderator_listing("m.channel", "m.moderator", user_channel)
    }
}

#[async_trait]
impl AvatarStore for SqliteStore {
    async fn replace_avatar(&self, file_name: &str, channel: &str, a: &Avatar) -> Result<()> {
        let mut conn = self.db.lock();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO avatars (id, channel, content_type, bytes, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![file_name, channel, a.content_type, a.bytes, now_secs()],
        )?;
        tx.execute(
            "UPDATE channels SET avatar = ?2 WHERE name = ?1",
            params![channel, file_name],
        )?;
        tx.execute(
            "DELETE FROM avatars WHERE channel = ?1 AND id <> ?2",
            params![channel, file_name],
        )?;
        tx.commit()?;
        Ok(())
    }

    async fn avatar(&self, file_name: &str) -> Result<Option<Avatar>> {
        Ok(self
            .db
            .lock()
            .query_row(
                "SELECT content_type, bytes FROM avatars WHERE id = ?1",
                params![file_name],
                |r| {
                    Ok(Avatar {
                        content_type: r.get(0)?,
                        bytes: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }
}

impl SqliteStore {
    pub async fn record(&self, e: &StreamStateEvent) -> Result<()> {
        self.db.lock().execute(
            "INSERT INTO stream_events (channel, event_name, session_id, at) VALUES (?1, ?2, ?3, ?4)",
            params![e.channel, e.event_name, e.session_id, e.at],
        )?;
        Ok(())
    }

    pub async fn recent(&self, channel: &str, limit: u32) -> Result<Vec<StreamStateEvent>> {
        let conn = self.db.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT channel, event_name, session_id, at FROM stream_events WHERE channel = ?1 \
             ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![channel, limit], |r| {
            Ok(StreamStateEvent {
                channel: r.get(0)?,
                event_name: r.get(1)?,
                session_id: r.get(2)?,
                at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
