//! There is no mail: every message a user would receive is appended to
//! `<data-dir>/outbox.jsonl` (owner-only: it holds live codes), one JSON object a line.
//! The log line names the recipient and subject, never the code: logs are read by more
//! people and tools than the outbox.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use serde::Serialize;

use crate::Result;

#[derive(Debug, Serialize)]
pub struct Message<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub code: &'a str,
    pub username: &'a str,
    pub purpose: &'a str,
    pub at: String,
}

pub struct Outbox {
    path: PathBuf,
    // Serialises appends so lines never interleave.
    lock: Mutex<()>,
}

impl Outbox {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            lock: Mutex::new(()),
        }
    }

    pub fn send(&self, msg: &Message<'_>) -> Result<()> {
        let mut line = serde_json::to_string(msg)?;
        line.push('\n');
        {
            let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
            let mut file = crate::private_file::append(&self.path)?;
            file.write_all(line.as_bytes())?;
        }
        tracing::info!(to = msg.to, subject = msg.subject, "outbox message");
        Ok(())
    }
}
