//! The CLOUMER backend in one process: the seed's REST API, Cognito-compatible auth,
//! IVS-Chat-compatible chat, RTMP(S) ingest and HLS playback, on SQLite.
//!
//! Start it with [`Server::start`]; storage, chat and media sit behind traits
//! ([`store`], [`media`]) so the same handlers can run against AWS services.
//!
//! Must not depend on Tauri or on `cloumer-engine`.

pub mod auth;
pub mod chat;
pub mod cognito;
mod cors;
mod db;
mod error;
mod ids;
pub mod ingest;
mod listen;
pub mod live;
pub mod media;
mod private_file;
pub mod public_url;
pub mod rest;
mod routes;
mod server;
mod site;
mod sqlite_file;
mod startup;
pub mod state;
pub mod store;

pub use error::{Error, Result};
pub use public_url::PublicAddress;
pub use server::{DEFAULT_REGION, HttpTls, RunningServer, Server, ServerConfig};
