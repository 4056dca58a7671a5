//! Where codes go. Without `--smtp` (local use) every message a user would receive is
//! appended to `<data-dir>/outbox.jsonl` (owner-only: it holds live codes), one JSON
//! object a line. With `--smtp` it is e-mailed instead ([`super::mail`]) and no file keeps
//! the code. The log line names the recipient and subject, never the code: logs are read
//! by more people and tools than the outbox.

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
    mailer: Option<super::mail::Mailer>,
}

impl Outbox {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            lock: Mutex::new(()),
            mailer: None,
        }
    }

    /// Codes go by mail instead of into the file.
    pub fn with_mailer(self, mailer: Option<super::mail::Mailer>) -> Self {
        Self { mailer, ..self }
    }

    pub fn send(&self, msg: &Message<'_>) -> Result<()> {
        if let Some(mailer) = &self.mailer {
            let body = format!(
                "{}: {}\n\nUser: {}\nThis code expires soon. If you did not ask for it, \
                 ignore this message.\n",
                msg.subject, msg.code, msg.username
            );
            mailer.post(msg.to, msg.subject, body);
            tracing::info!(to = msg.to, subject = msg.subject, "mail queued");
            return Ok(());
        }
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
