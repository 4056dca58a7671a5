//! Starts the test environment (Xvfb with moving content, PulseAudio tone, nginx-rtmp with
//! TLS) for scripts such as bench/, prints where everything is as one JSON line on stdout,
//! and tears it all down when stdin closes.
//!
//! Usage: `testkit-env STREAM_KEY` (the one key the ingest accepts).

use std::io::Read;

use anyhow::Context;
use cloumer_testkit::{Ingest, Pulse, Xvfb};

fn main() -> anyhow::Result<()> {
    let key = std::env::args()
        .nth(1)
        .context("usage: testkit-env STREAM_KEY")?;
    let xvfb = Xvfb::start()?;
    let pulse = Pulse::start()?;
    let ingest = Ingest::start(&key)?;
    let env: serde_json::Map<String, serde_json::Value> = pulse
        .env()
        .into_iter()
        .map(|(k, v)| (k, serde_json::Value::String(v)))
        .collect();
    let info = serde_json::json!({
        "display": xvfb.display(),
        "pulse_env": env,
        "mic": pulse.monitor_source(),
        "rtmp_url": ingest.rtmp_url(),
        "rtmps_url": ingest.rtmps_url(),
        "record_dir": ingest.record_dir(),
    });
    println!("{info}");
    // Keep everything up until the caller closes our stdin (or dies).
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    drop((ingest, pulse, xvfb));
    Ok(())
}
