//! The CLOUMER backend in one process: the seed's REST API, Cognito-compatible auth,
//! IVS-Chat-compatible chat, RTMP(S) ingest and HLS playback, on SQLite.
//!
//! Must not depend on Tauri or on `cloumer-engine`.

pub mod chat;
pub mod ingest;
