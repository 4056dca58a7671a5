//! The two outputs hanging off the encoder tees.

use gst::prelude::*;

use super::{leaky_queue, link_from_tee, make, names};
use crate::config::{RecordingOutput, StreamOutput};
use crate::error::{Error, Result};

/// How much the recording may lag before its queues drop the oldest data.
const RECORDING_QUEUE_SECS: u64 = 5;
/// Upper bound of ivssink's back-off between reconnect attempts.
const RECONNECT_DELAY_MAX_MS: u32 = 1800;
/// How often ivssink reports its bytes and backlog.
const STATS_INTERVAL_MS: u32 = 250;

/// ```text
///  cloumer-video-tee ─ video ┐
///                            cloumer-stream-sink (ivssink: leaky queues inside) ─ RTMP(S)
///  cloumer-audio-tee ─ audio ┘
/// ```
/// `ivssink` never blocks upstream (it queues each connection's data in leaky queues of
/// its own and drops while disconnected), so the tees feed it directly: another queue in
/// front would only add a thread and a copy of the backlog per stream.
pub(super) fn stream(
    pipeline: &gst::Pipeline,
    output: &StreamOutput,
    video_tee: &gst::Element,
    audio_tee: &gst::Element,
) -> Result<()> {
    if let Some(cert) = &output.trusted_certificate {
        // Before the sink exists: GIO reads the default trust database at each handshake.
        crate::tls::trust_additionally(cert)?;
    }
    let sink = make("ivssink", Some(names::STREAM_SINK))?;
    sink.set_property("location", output.url.as_str());
    sink.set_property("stream-key", output.key.expose());
    // IVS ends a stream after 30 s without data and viewers wait for it: retry at least
    // every RECONNECT_DELAY_MAX_MS so the first try lands within ~2 s of the ingest coming
    // back, however long it was gone.
    sink.set_property("reconnect-delay-max-ms", RECONNECT_DELAY_MAX_MS);
    // Adaptive bitrate notices a backlog within this long (session/abr.rs).
    sink.set_property("stats-interval-ms", STATS_INTERVAL_MS);
    pipeline.add(&sink)?;
    link_from_tee(video_tee, &sink, Some("video"))?;
    link_from_tee(audio_tee, &sink, Some("audio"))
}

/// ```text
///  cloumer-video-tee ─ queue(leaky) ─┐
///                                    cloumer-recording-mux (matroskamux, streamable) ─ filesink
///  cloumer-audio-tee ─ queue(leaky) ─┘
/// ```
/// Streamable Matroska writes no index to seek back to, so every cluster on disk is
/// playable as soon as it is written: a crash or kill -9 leaves a playable file.
pub(super) fn recording(
    pipeline: &gst::Pipeline,
    output: &RecordingOutput,
    video_tee: &gst::Element,
    audio_tee: &gst::Element,
) -> Result<()> {
    let mux = make("matroskamux", Some(names::RECORDING_MUX))?;
    mux.set_property("streamable", true);
    let sink = make("filesink", Some(names::RECORDING_SINK))?;
    sink.set_property("location", output.path.to_string_lossy().as_ref());
    // Rendering sync is pointless for a file; async off so the sink never holds up preroll.
    sink.set_property("sync", false);
    sink.set_property("async", false);
    pipeline.add_many([&mux, &sink])?;
    mux.link(&sink)?;
    for (tee, template) in [(video_tee, "video_%u"), (audio_tee, "audio_%u")] {
        let queue = leaky_queue(RECORDING_QUEUE_SECS)?;
        pipeline.add(&queue)?;
        link_from_tee(tee, &queue, None)?;
        let pad = mux
            .request_pad_simple(template)
            .ok_or_else(|| Error::Pipeline(format!("matroskamux gave no {template} pad")))?;
        let src = queue
            .static_pad("src")
            .ok_or_else(|| Error::Pipeline("queue without src".into()))?;
        src.link(&pad)
            .map_err(|e| Error::Pipeline(format!("cannot link to the recording muxer: {e:?}")))?;
    }
    Ok(())
}
