//! Wire types of Cloumer's contracts, shared by the client (`cloumer-api`) and the
//! server (`cloumer-server`) so that both sides agree by construction.
//!
//! - [`rest`]: the seed's REST shapes (R1–R8, field names and typos kept) and the
//!   additive routes of `cloumer serve`.
//! - [`chat`]: IVS Chat messaging frames (client actions, server MESSAGE/EVENT/ERROR).
//! - [`cognito`]: the Cognito Identity Provider JSON protocol subset we speak.
//! - [`backend`]: the backend profile (TOML) that tells a client where a backend lives.
//! - [`destination`]: where a stream goes (ingest URL, stream key, extra certificate) and
//!   the one RTMP(S) URL check.
//!
//! This crate does no I/O and must not depend on HTTP, WebSocket, GStreamer or Tauri crates.

pub mod backend;
pub mod chat;
pub mod cognito;
pub mod destination;
mod error;
pub mod rest;

pub use error::{Error, Result};
