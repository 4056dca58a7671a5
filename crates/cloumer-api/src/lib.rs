//! Cloumer's client for accounts and backends. Must not depend on GStreamer or Tauri.
