//! Cloumer's broadcast engine. Knows GStreamer; must not depend on Tauri or any HTTP crate.
