//! One module per command family; each owns its clap arguments.

pub mod account;
pub mod backend;
pub mod chat;
pub mod devices;
pub mod live;
pub mod serve;
