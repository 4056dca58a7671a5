//! A way in for a fuzzer (cargo-fuzz): arbitrary bytes through the ingest's connection
//! handling — RTMP handshake, chunk stream, our event handling, up to a publish — without
//! sockets, files or GStreamer.
//!
//! ```text
//! bytes ──> in-memory duplex ──> rtmp::serve (the real one) ──> responses, drained
//!                                     └─ hooks: every stream key opens channel "fuzz",
//!                                        media goes nowhere (Outputs::Discard)
//! ```

use std::sync::Arc;

use async_trait::async_trait;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::rtmp::{Admission, serve};
use super::{ChannelGrant, ChannelType, IngestContext, IngestHooks, Outputs};
use crate::listen::ConnLimiter;

/// Feeds `bytes` to one ingest connection as if a client had sent them and closed.
/// Never panics; memory stays bounded by the ingest's input budgets.
pub fn feed(bytes: &[u8]) {
    thread_local! {
        static RUNTIME: Option<tokio::runtime::Runtime> = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .ok();
    }
    RUNTIME.with(|runtime| {
        if let Some(runtime) = runtime {
            runtime.block_on(connection(bytes));
        }
    });
}

async fn connection(bytes: &[u8]) {
    let context = Arc::new(IngestContext::new(
        Arc::new(GrantAll),
        std::path::PathBuf::new(),
        Outputs::Discard,
        ConnLimiter::new(1, 1),
    ));
    let (mut client, server) = tokio::io::duplex(64 * 1024);
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    let admission = Admission {
        accepted: tokio::time::Instant::now(),
        permit: None,
    };
    let client_side = async move {
        // Write and drain at once: the server's answers must not fill the pipe.
        let (mut reader, mut writer) = tokio::io::split(&mut client);
        let write = async {
            let _ = writer.write_all(bytes).await;
            let _ = writer.shutdown().await;
        };
        let drain = async {
            let mut sink = [0u8; 16 * 1024];
            while matches!(reader.read(&mut sink).await, Ok(n) if n > 0) {}
        };
        tokio::join!(write, drain);
    };
    tokio::join!(client_side, serve(server, admission, context, stop));
}

/// Every key publishes to channel `fuzz` (BASIC limits, the strictest checks).
struct GrantAll;

#[async_trait]
impl IngestHooks for GrantAll {
    async fn authorize(&self, _stream_key: &str) -> Option<ChannelGrant> {
        Some(ChannelGrant {
            channel: "fuzz".into(),
            channel_type: ChannelType::Basic,
        })
    }
    async fn stream_started(&self, _channel: &str, _session_id: &str) {}
    async fn stream_ended(&self, _channel: &str, _session_id: &str) {}
}

#[cfg(test)]
mod tests {
    use super::feed;

    #[test]
    fn garbage_empty_and_truncated_input_end_quietly() {
        feed(&[]);
        feed(&[3]);
        feed(&[0xff; 5000]);
        let mut handshake = vec![3u8];
        handshake.extend([0u8; 1536]);
        handshake.extend([0u8; 1536]);
        feed(&handshake);
    }
}
