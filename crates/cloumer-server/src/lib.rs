//! The CLOUMER backend: the seed's REST API written once over seams, and (feature
//! `self-hosted`, on by default) the whole backend in one process: Cognito-compatible
//! auth, IVS-Chat-compatible chat, RTMP(S) ingest and HLS playback, on SQLite.
//!
//! Start it with [`Server::start`]. The REST router ([`rest::router`]) runs over
//! [`rest::RestState`]: storage ([`store`]), media, chat tokens and stream keys
//! ([`media`]) and the caller's identity ([`identity`]). `cloumer-aws` builds this crate
//! with `default-features = false` (router and seams only: no GStreamer, no SQLite, no
//! ingest, no chat server) and fills the seams with AWS services.
//!
//! Must not depend on Tauri, on `cloumer-engine` or on the AWS SDK.

#[cfg(feature = "self-hosted")]
pub mod auth;
pub mod channel_type;
#[cfg(feature = "self-hosted")]
pub mod chat;
#[cfg(feature = "self-hosted")]
pub mod cognito;
#[cfg(feature = "self-hosted")]
mod cors;
#[cfg(feature = "self-hosted")]
mod db;
mod error;
pub mod identity;
pub mod ids;
#[cfg(feature = "self-hosted")]
pub mod ingest;
#[cfg(feature = "self-hosted")]
mod listen;
#[cfg(feature = "self-hosted")]
pub mod live;
#[cfg(feature = "self-hosted")]
mod local_seams;
pub mod media;
#[cfg(feature = "self-hosted")]
mod private_file;
#[cfg(feature = "self-hosted")]
pub mod public_url;
pub mod rest;
#[cfg(feature = "self-hosted")]
mod routes;
#[cfg(feature = "self-hosted")]
mod server;
#[cfg(feature = "self-hosted")]
mod site;
#[cfg(feature = "self-hosted")]
mod sqlite_file;
#[cfg(feature = "self-hosted")]
mod startup;
#[cfg(feature = "self-hosted")]
pub mod state;
pub mod store;

pub use channel_type::ChannelType;
pub use error::{Error, Result};
#[cfg(feature = "self-hosted")]
pub use public_url::PublicAddress;
#[cfg(feature = "self-hosted")]
pub use server::{DEFAULT_REGION, HttpTls, RunningServer, Server, ServerConfig};
