//! RTMP(S) ingest, per-session recording and HLS playback.
