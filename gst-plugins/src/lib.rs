//! Cloumer's GStreamer elements. Must not depend on Tauri, HTTP crates or other Cloumer crates.
