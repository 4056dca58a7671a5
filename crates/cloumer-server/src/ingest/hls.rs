//! HLS: the received FLV bytes go through `flvdemux ! h264parse/aacparse ! mpegtsmux !
//! hlssink`, a pure remux into MPEG-TS segments cut at every publisher keyframe (2 s
//! segments from IVS's 2 s keyframe interval) with a live playlist; and the route that
//! serves them.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Extension;
use axum::Router;
use axum::extract::{ConnectInfo, Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use gst::prelude::*;

use super::viewers::Viewers;
use crate::{Error, Result};

/// One channel's remux pipeline.
pub(crate) struct HlsPipeline {
    pipeline: gst::Pipeline,
    src: gst_app::AppSrc,
}

impl HlsPipeline {
    /// Starts writing `index.m3u8` and `segmentNNNNN.ts` into `dir` (emptied first, so a
    /// new session never serves the previous one's segments).
    pub fn start(dir: &Path) -> Result<Self> {
        // Cheap once done; waits for the start-up warm-up thread if it is still running.
        gst::init().map_err(|e| Error::Ingest(format!("GStreamer init: {e}")))?;
        if dir.exists() {
            std::fs::remove_dir_all(dir)?;
        }
        std::fs::create_dir_all(dir)?;
        let location = dir.join("segment%05d.ts");
        let playlist = dir.join("index.m3u8");
        // Static description: parse_launch links flvdemux's sometimes-pads when they
        // appear and requests mpegtsmux's pads up front. Publishers must send audio and
        // video (as every IVS encoder does).
        //
        // hlssink, not hlssink2: hlssink2's splitmuxsink decides whether a GOP still fits
        // the open segment only once that GOP is complete, so a segment was listed when
        // the GOP *after* it had fully arrived, 2 s after its last frame (glass-to-glass
        // ~5.5 s in Chromium). hlssink closes a segment at the keyframe that follows it
        // (it asks for a key unit every target duration; h264parse answers at the next
        // keyframe): listed ~0.1 s after its last frame, glass-to-glass ~3.3 s
        // (docs/server-benchmarks.md). Its target duration of 1 s is only the request
        // interval: segments are whole GOPs, and the playlist's EXT-X-TARGETDURATION is
        // computed from them (2 for IVS's 2 s keyframe interval).
        let description = format!(
            "appsrc name=src is-live=true format=bytes caps=video/x-flv block=false max-bytes=67108864 \
             ! flvdemux name=demux \
             demux.video ! queue max-size-time=5000000000 ! h264parse ! mux. \
             demux.audio ! queue max-size-time=5000000000 ! aacparse ! mux. \
             mpegtsmux name=mux ! hlssink name=hls target-duration=1 playlist-length=6 max-files=12 \
             location=\"{}\" playlist-location=\"{}\"",
            location.display(),
            playlist.display()
        );
        let pipeline = gst::parse::launch(&description)
            .map_err(|e| Error::Ingest(format!("HLS pipeline: {e}")))?
            .downcast::<gst::Pipeline>()
            .map_err(|_| Error::Ingest("HLS pipeline is not a pipeline".into()))?;
        let src = pipeline
            .by_name("src")
            .and_then(|e| e.downcast::<gst_app::AppSrc>().ok())
            .ok_or_else(|| Error::Ingest("HLS pipeline has no appsrc".into()))?;
        pipeline
            .set_state(gst::State::Playing)
            .map_err(|e| Error::Ingest(format!("HLS pipeline start: {e}")))?;
        Ok(Self { pipeline, src })
    }

    pub fn push(&self, bytes: Vec<u8>) {
        if let Err(e) = self.src.push_buffer(gst::Buffer::from_mut_slice(bytes)) {
            tracing::debug!(error = ?e, "HLS pipeline refused data");
        }
    }

    /// Ends the stream so the last segment and the playlist's end are written. Blocking:
    /// call from `spawn_blocking`.
    pub fn finish(self) {
        let _ = self.src.end_of_stream();
        if let Some(bus) = self.pipeline.bus() {
            let _ = bus.timed_pop_filtered(
                gst::ClockTime::from_seconds(5),
                &[gst::MessageType::Eos, gst::MessageType::Error],
            );
        }
        // Dropping `self` here sets the pipeline to NULL.
    }

    /// The first error the pipeline posted, if any (non-blocking).
    pub fn error(&self) -> Option<String> {
        let bus = self.pipeline.bus()?;
        let message = bus.pop_filtered(&[gst::MessageType::Error])?;
        match message.view() {
            gst::MessageView::Error(e) => Some(e.error().to_string()),
            _ => None,
        }
    }
}

impl Drop for HlsPipeline {
    /// A pipeline dropped while PLAYING keeps its queue threads running on freed elements
    /// (a crash): the publisher's error path and a cancelled connection drop it without
    /// `finish`. After `finish` this is a no-op.
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

/// Serves a channel's playlist and segments; a served playlist or segment counts its
/// client as a viewer (see `viewers`): a player fetches both every couple of seconds.
pub(crate) fn router(hls_dir: PathBuf, viewers: Arc<Viewers>) -> Router {
    Router::new()
        .route("/hls/{channel}/{file}", get(serve_file))
        .with_state((hls_dir, viewers))
}

async fn serve_file(
    State((hls_dir, viewers)): State<(PathBuf, Arc<Viewers>)>,
    UrlPath((channel, file)): UrlPath<(String, String)>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
) -> Response {
    let safe = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && !s.starts_with('.')
    };
    if !safe(&channel) || !safe(&file) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let content_type = if file.ends_with(".m3u8") {
        "application/vnd.apple.mpegurl"
    } else if file.ends_with(".ts") {
        "video/mp2t"
    } else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match tokio::fs::read(hls_dir.join(&channel).join(&file)).await {
        Ok(bytes) => {
            if let Some(Extension(ConnectInfo(peer))) = peer {
                let agent = headers
                    .get(header::USER_AGENT)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                viewers.seen(&channel, peer.ip(), agent);
            }
            (
                [
                    (header::CONTENT_TYPE, content_type),
                    // Playlists change every segment; segments never change.
                    (
                        header::CACHE_CONTROL,
                        if content_type == "video/mp2t" {
                            "max-age=60"
                        } else {
                            "no-cache"
                        },
                    ),
                    (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
                ],
                bytes,
            )
                .into_response()
        }
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}
