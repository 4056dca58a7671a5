//! How a command fails: one clear line on stderr and the exit status of the contract.

use std::fmt::Display;
use std::process::ExitCode;

/// A failed command: the exit status and the one line the user reads.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    /// 1: anything not covered below.
    pub fn other(message: impl Display) -> Self {
        Self {
            code: 1,
            message: message.to_string(),
        }
    }
    /// 2: bad arguments or configuration.
    pub fn usage(message: impl Display) -> Self {
        Self {
            code: 2,
            message: message.to_string(),
        }
    }
    /// 3: the ingest rejected the stream key.
    pub fn key_rejected(message: impl Display) -> Self {
        Self {
            code: 3,
            message: message.to_string(),
        }
    }
    /// 4: TLS failed (untrusted or invalid certificate, handshake).
    pub fn tls(message: impl Display) -> Self {
        Self {
            code: 4,
            message: message.to_string(),
        }
    }

    /// 5: the ingest refused the stream (accepted the key, then kept closing the stream
    /// right after it started).
    pub fn ingest_refused(message: impl Display) -> Self {
        Self {
            code: 5,
            message: message.to_string(),
        }
    }

    pub fn report(self) -> ExitCode {
        eprintln!("error: {}", self.message);
        ExitCode::from(self.code)
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Self::other(format!("{e:#}"))
    }
}
