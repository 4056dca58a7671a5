//! The replaceable "sink part" of ivssink: `queue ! flvmux streamable=true ! rtmp2sink` per
//! connection attempt. A fresh part per attempt gives a clean FLV header + codec headers to
//! the ingest and fresh rtmp2sink stats (all zeros until the ingest accepts `publish`).

use gst::glib;
use gst::prelude::*;

use super::location::{self, StreamKey};
use super::log_guard;

/// How much a stalled connection may buffer before the oldest data is dropped, so that
/// upstream (capture, encoder, the safety recording) never blocks on the network.
const QUEUE_MAX_TIME: gst::ClockTime = gst::ClockTime::from_seconds(4);
/// rtmp2sink connect/IO timeout in seconds.
const RTMP_TIMEOUT_S: u32 = 5;
/// How long flvmux waits for a late stream before writing the other one. flvmux never
/// lets FLV timestamps go backwards: when a starved encoder's frame arrives after audio
/// that is newer, it is restamped to that audio's time, and the keyframe cadence IVS
/// checks (every 2 s) drifts. Waiting only costs anything when a stream is late.
const MUX_WAIT: gst::ClockTime = gst::ClockTime::from_seconds(1);

pub(crate) struct SinkPart {
    pub elements: Vec<gst::Element>,
    pub rtmpsink: gst::Element,
    /// The video queue in front of the muxer: where a slow uplink's backlog builds up once
    /// the socket's send buffer is full (rtmp2sink then blocks).
    pub video_queue: gst::Element,
    /// Where the element's `video` / `audio` ghost pads point.
    pub video_sink: gst::Pad,
    pub audio_sink: Option<gst::Pad>,
}

fn leaky_queue(name: &str) -> Result<gst::Element, glib::BoolError> {
    gst::ElementFactory::make("queue")
        .name(name)
        .property("max-size-buffers", 0u32)
        .property("max-size-bytes", 0u32)
        .property("max-size-time", QUEUE_MAX_TIME.nseconds())
        .property_from_str("leaky", "downstream")
        .build()
}

impl SinkPart {
    /// Builds and links the part inside `bin` (not yet started, ghost pads not yet targeted).
    pub(crate) fn build(
        bin: &gst::Bin,
        generation: u64,
        location: &str,
        key: &StreamKey,
        with_audio: bool,
    ) -> Result<SinkPart, glib::BoolError> {
        let mux = gst::ElementFactory::make("flvmux")
            .name(format!("mux{generation}"))
            .property("streamable", true)
            .property("latency", MUX_WAIT.nseconds())
            .build()?;
        let rtmpsink = gst::ElementFactory::make("rtmp2sink")
            .name(format!("rtmp{generation}"))
            // Connect as soon as the part starts, in rtmp2sink's own thread (the state
            // change does not wait for it): the TLS + RTMP handshake then overlaps with
            // capture and encoder start-up instead of following the first keyframe.
            .property("async-connect", true)
            .property("async", false)
            .property("timeout", RTMP_TIMEOUT_S)
            // Sent as soon as muxed: syncing on the clock would hold every packet for the
            // whole pipeline latency, MUX_WAIT included, though the sources are live already.
            .property("sync", false)
            // tls-validation-flags stays at its default (validate-all) on purpose.
            .build()?;
        log_guard::keep_key_out_of_debug_log();
        // The key is set before the element has a parent: GStreamer's deep-notify (what
        // `gst-launch-1.0 -v` prints) only travels up to the parents an element has when the
        // property changes, so the full URL never reaches the pipeline's notify handlers.
        rtmpsink.set_property("location", location::publish_url(location, key));
        let video_queue = leaky_queue(&format!("vqueue{generation}"))?;
        let audio_queue = if with_audio {
            Some(leaky_queue(&format!("aqueue{generation}"))?)
        } else {
            None
        };

        let mut elements = vec![video_queue.clone(), mux.clone(), rtmpsink.clone()];
        elements.extend(audio_queue.iter().cloned());
        bin.add_many(&elements)?;
        let sink_pad = |q: &gst::Element| {
            q.static_pad("sink")
                .ok_or_else(|| glib::bool_error!("queue without sink pad"))
        };
        let linked = (|| {
            let vpad = mux
                .request_pad_simple("video")
                .ok_or_else(|| glib::bool_error!("flvmux gave no video pad"))?;
            video_queue
                .static_pad("src")
                .ok_or_else(|| glib::bool_error!("queue without src pad"))?
                .link(&vpad)
                .map_err(|e| glib::bool_error!("linking video: {e:?}"))?;
            if let Some(aq) = &audio_queue {
                let apad = mux
                    .request_pad_simple("audio")
                    .ok_or_else(|| glib::bool_error!("flvmux gave no audio pad"))?;
                aq.static_pad("src")
                    .ok_or_else(|| glib::bool_error!("queue without src pad"))?
                    .link(&apad)
                    .map_err(|e| glib::bool_error!("linking audio: {e:?}"))?;
            }
            mux.link(&rtmpsink)?;
            Ok((
                sink_pad(&video_queue)?,
                audio_queue.as_ref().map(sink_pad).transpose()?,
            ))
        })();
        let (video_sink, audio_sink) = match linked {
            Ok(pads) => pads,
            Err(err) => {
                let _ = bin.remove_many(&elements);
                return Err(err);
            }
        };
        Ok(SinkPart {
            elements,
            rtmpsink,
            video_queue,
            video_sink,
            audio_sink,
        })
    }

    pub(crate) fn contains(&self, obj: &gst::Object) -> bool {
        self.elements
            .iter()
            .any(|e| e.upcast_ref::<gst::Object>() == obj)
            || obj.parent().is_some_and(|p| {
                self.elements
                    .iter()
                    .any(|e| e.upcast_ref::<gst::Object>() == &p)
            })
    }

    /// (bytes sent, bytes acknowledged) on this part's connection so far.
    ///
    /// Never call this with the link lock held: rtmp2sink posts its error messages (which
    /// take that lock in `handle_message`) while holding the lock `stats` needs.
    pub(crate) fn byte_counts(&self) -> (u64, u64) {
        byte_counts(&self.rtmpsink)
    }
}

/// How much video waits in the part's queue (`current-level-time`).
pub(crate) fn queued_time(video_queue: &gst::Element) -> gst::ClockTime {
    gst::ClockTime::from_nseconds(video_queue.property::<u64>("current-level-time"))
}

pub(crate) fn byte_counts(rtmpsink: &gst::Element) -> (u64, u64) {
    {
        let stats = rtmpsink.property::<Option<gst::Structure>>("stats");
        let get = |name| {
            stats
                .as_ref()
                .and_then(|s| s.get::<u64>(name).ok())
                .unwrap_or(0)
        };
        (get("out-bytes-total"), get("out-bytes-acked"))
    }
}

/// Starts a part's `elements` at their bin's state.
pub(crate) fn start(elements: &[gst::Element]) -> Result<(), gst::StateChangeError> {
    for e in elements {
        e.sync_state_with_parent()
            .map_err(|_| gst::StateChangeError)?;
    }
    Ok(())
}

impl SinkPart {
    /// Stops and removes the part from `bin`.
    ///
    /// The part fails on the supervisor thread, possibly while the bin is still changing
    /// state (an unreachable ingest refuses within milliseconds of PAUSED). Locking the
    /// elements' state first keeps the bin from setting them back to PLAYING after we set
    /// them to NULL: an element disposed while PLAYING leaves its queue task running on a
    /// freed pad, which crashes the process.
    pub(crate) fn dispose(self, bin: &gst::Bin) {
        for e in &self.elements {
            e.set_locked_state(true);
        }
        for e in self.elements.iter().rev() {
            let _ = e.set_state(gst::State::Null);
        }
        let _ = bin.remove_many(&self.elements);
    }
}
