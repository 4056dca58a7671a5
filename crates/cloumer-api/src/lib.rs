//! Cloumer's client for accounts and backends, shared by the CLI and the desktop app.
//! Must not depend on GStreamer or Tauri.
//!
//! - [`backend`]: find and load the backend profile (flag, env, remembered copy).
//! - [`cognito`]: sign up, confirm, log in (SRP, password fallback), refresh, sign out.
//! - [`secrets`]: the OS credential store (keyutils fallback on headless Linux).
//! - [`session`]: tokens kept in the credential store, refreshed before expiry and on 401.
//! - [`rest`]: the REST client (R1–R8 + additive routes) and [`Account`], which ties a
//!   session to it.
//! - [`chat`]: the IVS Chat WebSocket client.
//! - [`destination`]: where to go live (CLOUMER account, own AWS account, custom URL).
//! - [`logging`]: log filter caps that keep dependencies from logging secrets.
//!
//! Ids such as R6 (a seed route), W4 or B11 (a seed hole or bug we work around) are those
//! of docs/seed-compatibility.md.

mod account;
pub mod avatar;
pub mod backend;
pub mod chat;
pub mod cognito;
pub mod destination;
mod error;
pub mod logging;
pub mod models;
pub mod rest;
mod retry;
pub mod secrets;
pub mod session;

pub use account::Account;
pub use backend::BackendProfile;
pub use error::{AuthErrorKind, Error, Result};
pub use cloumer_protocol::rest::StreamStatus;
pub use models::{Broadcast, Channel, ChatToken, Moderator, Profile};
pub use rest::{RestClient, RestClientBuilder};
pub use session::{Session, Tokens};
