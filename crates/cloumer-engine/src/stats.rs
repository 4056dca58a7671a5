//! Stats published once a second while a session runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use gst::prelude::*;
use gstcloumer::IvsStats;
use serde::Serialize;

use crate::pipeline::names;

/// One sample. Rates are over the last second; counters since the session started.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    pub uptime_secs: f64,
    /// What leaves towards the ingest (or, recording only, what the encoder makes).
    pub output_bitrate_kbps: f64,
    /// What the video encoder produces.
    pub encoder_bitrate_kbps: f64,
    pub fps: f64,
    pub frames_encoded: u64,
    /// Frames the capture/compose stage threw away (late or surplus).
    pub frames_dropped: u64,
    /// Frames repeated because capture delivered late.
    pub frames_late: u64,
    /// Encoded buffers dropped while the ingest was unreachable.
    pub network_dropped: u64,
    /// `x264`, `nvenc`, `va` or `vaapi`.
    pub encoder: String,
    pub bytes_sent: u64,
    pub bytes_acked: u64,
    pub connected: bool,
    pub reconnects: u32,
    /// What the video encoder is asked for now (kbit/s): the configured bitrate, or less
    /// while adaptive bitrate holds it down.
    pub target_bitrate_kbps: u32,
    /// Video waiting to leave towards the ingest (the queue in front of the network and
    /// the socket's send buffer), in ms.
    pub backlog_ms: u64,
    /// True while adaptive bitrate holds the target below the configured bitrate.
    pub congested: bool,
}

/// Counts encoded video frames and bytes with a pad probe (cheap atomics, no locks).
#[derive(Debug, Default)]
pub(crate) struct EncoderCounters {
    frames: AtomicU64,
    bytes: AtomicU64,
}

impl EncoderCounters {
    pub(crate) fn attach(pipeline: &gst::Pipeline) -> Arc<Self> {
        let counters = Arc::new(Self::default());
        let pad = pipeline
            .by_name(names::VIDEO_ENCODER)
            .and_then(|e| e.static_pad("src"));
        if let Some(pad) = pad {
            let c = counters.clone();
            pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
                if let Some(buffer) = info.buffer() {
                    c.frames.fetch_add(1, Ordering::Relaxed);
                    c.bytes.fetch_add(buffer.size() as u64, Ordering::Relaxed);
                }
                gst::PadProbeReturn::Ok
            });
        }
        counters
    }
}

/// Turns counters into per-second samples.
#[derive(Debug)]
pub(crate) struct StatsSampler {
    started: Instant,
    last_at: Instant,
    last_frames: u64,
    last_bytes: u64,
    last_sent: u64,
    pub(crate) qos_dropped: u64,
    /// What ivssink last reported.
    pub(crate) output: IvsStats,
}

impl StatsSampler {
    pub(crate) fn new() -> Self {
        let now = Instant::now();
        Self {
            started: now,
            last_at: now,
            last_frames: 0,
            last_bytes: 0,
            last_sent: 0,
            qos_dropped: 0,
            output: IvsStats::default(),
        }
    }

    pub(crate) fn sample(
        &mut self,
        pipeline: &gst::Pipeline,
        counters: &EncoderCounters,
        streaming: bool,
        encoder: &str,
    ) -> Stats {
        let now = Instant::now();
        let dt = now.duration_since(self.last_at).as_secs_f64().max(1e-3);
        let frames = counters.frames.load(Ordering::Relaxed);
        let bytes = counters.bytes.load(Ordering::Relaxed);
        let encoder_kbps = (bytes - self.last_bytes) as f64 * 8.0 / dt / 1000.0;
        let fps = (frames - self.last_frames) as f64 / dt;
        let out = &self.output;
        let output_kbps = if streaming {
            // Over our own interval: ivssink reports several times a second.
            out.bytes_sent.saturating_sub(self.last_sent) as f64 * 8.0 / dt / 1000.0
        } else {
            encoder_kbps
        };
        let (rate_dropped, rate_duplicated) = pipeline
            .by_name(names::VIDEO_RATE)
            .map(|r| (r.property::<u64>("drop"), r.property::<u64>("duplicate")))
            .unwrap_or((0, 0));
        let stats = Stats {
            uptime_secs: now.duration_since(self.started).as_secs_f64(),
            output_bitrate_kbps: round1(output_kbps),
            encoder_bitrate_kbps: round1(encoder_kbps),
            fps: round1(fps),
            frames_encoded: frames,
            frames_dropped: rate_dropped + self.qos_dropped,
            frames_late: rate_duplicated,
            network_dropped: out.dropped_buffers,
            encoder: encoder.to_owned(),
            bytes_sent: out.bytes_sent,
            bytes_acked: out.bytes_acked,
            connected: out.connected,
            reconnects: out.reconnects,
            // Filled in by the session from adaptive bitrate.
            target_bitrate_kbps: 0,
            backlog_ms: 0,
            congested: false,
        };
        self.last_at = now;
        self.last_frames = frames;
        self.last_bytes = bytes;
        self.last_sent = out.bytes_sent;
        stats
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}
