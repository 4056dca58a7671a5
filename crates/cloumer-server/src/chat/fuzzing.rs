//! Entry points for fuzz targets (cargo-fuzz): the chat's parsers on arbitrary input.
//! They must never panic, whatever the input.

pub use super::frame::FrameRejection;
use cloumer_protocol::chat::ClientFrame;

/// Parses and validates one client text frame exactly as the chat socket does.
pub fn client_frame(text: &str) -> Result<ClientFrame, FrameRejection> {
    super::frame::parse(text)
}
