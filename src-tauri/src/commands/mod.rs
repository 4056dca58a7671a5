//! Tauri commands: each one only unpacks its arguments and delegates to [`Services`].

pub mod account;
pub mod app;
pub mod backend;
pub mod chat;
pub mod live;

pub use crate::error::Result;
pub use crate::services::Services;
pub use tauri::State;
