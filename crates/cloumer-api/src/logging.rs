//! Keeping secrets out of logs that our dependencies write.
//!
//! Our own code never logs a token or key (see [`crate::Error`]). Some dependencies do at
//! their most verbose levels: tungstenite traces the whole WebSocket handshake request,
//! and the chat token travels in it as the `Sec-WebSocket-Protocol` header (IVS Chat's
//! protocol; our server's tokens are JWTs). So whatever `RUST_LOG` asks for, those
//! targets are held below the level that prints them.

use tracing_subscriber::EnvFilter;

/// Per-target caps added after the user's own filter (later directives win).
const CAPS: &[&str] = &["tungstenite::handshake=debug"];

/// `filter` with the caps above added.
pub fn without_secrets(mut filter: EnvFilter) -> EnvFilter {
    for cap in CAPS {
        match cap.parse() {
            Ok(directive) => filter = filter.add_directive(directive),
            Err(e) => tracing::warn!("bad log cap {cap}: {e}"),
        }
    }
    filter
}
