//! The two outputs hanging off the encoder tees.

use gst::prelude::*;

use super::{leaky_queue, link_from_tee, make, names};
use crate::config::{RecordingOutput, StreamOutput};
use crate::error::{Error, Result};

/// How much a branch may lag before its queue drops the oldest data.
const STREAM_QUEUE_SECS: u64 = 3;
const RECORDING_QUEUE_SECS: u64 = 5;
/// Upper bound of ivssink's back-off between reconnect attempts.
const RECONNECT_DELAY_MAX_MS: u32 = 1800;

/// ```text
///  cloumer-video-tee ─ video ┐
///                            cloumer-stream-sink (ivssink: leaky queues inside) ─ RTMP(S)
///  cloumer-audio-tee ─ audio ┘
/// ```
/// `ivssink` never blocks upstream (it queues each connection's data in leaky queues of
/// its own and drops while disconnected), so the tees feed it directly: another queue in
/// front would only add a thread and a copy of the backlog per stream. The stock stand-in
/// blocks while connecting, so it gets a leaky queue per pad.
/// Returns true when the sink is our `ivssink` (reconnects by itself, posts state and stats
/// messages), false for the stock stand-in.
pub(super) fn stream(
    pipeline: &gst::Pipeline,
    output: &StreamOutput,
    video_tee: &gst::Element,
    audio_tee: &gst::Element,
) -> Result<bool> {
    let (sink, ivssink) = stream_sink(output)?;
    pipeline.add(&sink)?;
    for (tee, pad) in [(video_tee, "video"), (audio_tee, "audio")] {
        if ivssink {
            link_from_tee(tee, &sink, Some(pad))?;
            continue;
        }
        let queue = leaky_queue(STREAM_QUEUE_SECS)?;
        pipeline.add(&queue)?;
        link_from_tee(tee, &queue, None)?;
        let src = queue
            .static_pad("src")
            .ok_or_else(|| Error::Pipeline("queue without src".into()))?;
        let sink_pad = sink
            .static_pad(pad)
            .ok_or_else(|| Error::Pipeline(format!("the stream sink has no `{pad}` pad")))?;
        src.link(&sink_pad).map_err(|e| {
            Error::Pipeline(format!(
                "cannot link the {pad} queue to the stream sink: {e:?}"
            ))
        })?;
    }
    Ok(ivssink)
}

/// The one place that decides the RTMP(S) output element: `ivssink` when registered.
fn stream_sink(output: &StreamOutput) -> Result<(gst::Element, bool)> {
    if let Some(cert) = &output.trusted_certificate {
        // Before the sink exists: GIO reads the default trust database at each handshake.
        crate::tls::trust_additionally(cert)?;
    }
    if gst::ElementFactory::find("ivssink").is_some() {
        let sink = make("ivssink", Some(names::STREAM_SINK))?;
        sink.set_property("location", output.url.as_str());
        sink.set_property("stream-key", output.key.expose());
        // IVS ends a stream after 30 s without data and viewers wait for it: retry at least
        // every RECONNECT_DELAY_MAX_MS so the first try lands within ~2 s of the ingest
        // coming back, however long it was gone.
        sink.set_property("reconnect-delay-max-ms", RECONNECT_DELAY_MAX_MS);
        return Ok((sink, true));
    }
    Ok((stock_stream_sink(output)?, false))
}

/// ```text
///  [bin cloumer-stream-sink: video ─┐
///                                   flvmux(streamable) ─ rtmp2sink(url + key)
///                            audio ─┘]
/// ```
/// No reconnect: a dropped connection fails the session. TLS is validated against the
/// system trust store plus the output's trusted certificate (rtmp2sink's default
/// validate-all; never switched off).
fn stock_stream_sink(output: &StreamOutput) -> Result<gst::Element> {
    let bin = gst::Bin::with_name(names::STREAM_SINK);
    let mux = make("flvmux", Some("flvmux"))?;
    mux.set_property("streamable", true);
    // As in ivssink: flvmux restamps a late stream's buffers rather than let FLV time go
    // backwards, so it waits up to 1 s for a starved encoder; the sink sends at once
    // instead of holding every packet for that latency.
    mux.set_property("latency", gst::ClockTime::from_seconds(1).nseconds());
    let sink = make("rtmp2sink", Some("rtmp2sink"))?;
    sink.set_property("sync", false);
    let location = format!(
        "{}/{}",
        output.url.trim_end_matches('/'),
        output.key.expose()
    );
    sink.set_property("location", location);
    bin.add_many([&mux, &sink])?;
    mux.link(&sink)?;
    for (pad, template) in [("video", "video"), ("audio", "audio")] {
        let target = mux
            .request_pad_simple(template)
            .ok_or_else(|| Error::Pipeline(format!("flvmux gave no {pad} pad")))?;
        let ghost = gst::GhostPad::builder_with_target(&target)?
            .name(pad)
            .build();
        bin.add_pad(&ghost)?;
    }
    Ok(bin.upcast())
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
