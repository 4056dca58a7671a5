//! RTMP ingest, per-session recording and HLS playback.
//!
//! The RTMP protocol is `rml_rtmp`'s `ServerSession` over tokio sockets. Each accepted
//! publish is written, as received, to an FLV recording and fed to a GStreamer
//! `flvdemux ! h264parse/aacparse ! mpegtsmux ! hlssink` pipeline: GStreamer only re-packs the
//! encoded H.264/AAC into 2 s MPEG-TS segments (no decoding, no transcoding), which keeps
//! one 4.5 Mbps stream at a few percent of a core, and its muxer is the one players are
//! tested against.
//!
//! RTMPS is the same session code behind a rustls handshake (`tokio-rustls`); its
//! certificate is configured or generated once into the data dir ([`TlsSource`]).
//!
//! GStreamer is initialised off the start-up path (a background thread at start, and on
//! demand by the first publish), so the listeners accept within milliseconds.
//!
//! Hardening (issue 15): connections that have not published yet are capped in total and
//! per client address and must publish within 10 s with at most 64 KiB of input
//! ([`listener`], [`rtmp`], [`budget`]); `rml_rtmp`'s panics on malformed input end only
//! their connection ([`contain`]); a publish can be ended from outside ([`LocalMedia`]).

mod activity;
mod budget;
mod contain;
mod control;
mod flv;
#[doc(hidden)]
pub mod fuzzing;
mod hls;
mod limits;
mod listener;
mod publication;
mod rtmp;
mod sps;
mod viewers;
/// Also the HTTPS listener's certificate loading.
pub(crate) mod tls;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use axum::Router;
use tokio::sync::{Notify, watch};

use crate::listen::{Caps, ConnLimiter};
use crate::{Error, Result};

pub use control::LocalMedia;
pub use limits::ChannelType;
pub use tls::TlsSource;

/// The RTMP application name publishers must use (`rtmp://host/app/<stream key>`).
pub const APP_NAME: &str = "app";

/// The HLS playlist path of a channel, as served by [`RunningIngest::hls_router`].
pub fn playback_path(channel: &str) -> String {
    format!("/hls/{channel}/index.m3u8")
}

/// What a valid stream key opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelGrant {
    pub channel: String,
    pub channel_type: ChannelType,
}

/// How ingest asks the rest of the server about stream keys and reports live state.
#[async_trait]
pub trait IngestHooks: Send + Sync {
    /// The channel a stream key publishes to; `None` refuses the publish.
    async fn authorize(&self, stream_key: &str) -> Option<ChannelGrant>;
    async fn stream_started(&self, channel: &str, session_id: &str);
    async fn stream_ended(&self, channel: &str, session_id: &str);
}

#[derive(Debug, Clone)]
pub struct IngestConfig {
    pub rtmp: SocketAddr,
    pub rtmps: SocketAddr,
    /// The RTMPS certificate.
    pub tls: TlsSource,
    /// Recordings go to `<data_dir>/recordings/<channel>/<session>.flv`, HLS to
    /// `<data_dir>/hls/<channel>/`.
    pub data_dir: PathBuf,
}

/// Where a publication's media goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outputs {
    /// The recording and HLS under the data dir.
    Files,
    /// Nowhere ([`fuzzing`]: no files, no GStreamer).
    Discard,
}

/// Shared by every connection.
pub(crate) struct IngestContext {
    pub hooks: Arc<dyn IngestHooks>,
    pub data_dir: PathBuf,
    pub outputs: Outputs,
    /// Channels with a publisher now (one publisher per channel): how to stop it, and its
    /// activity (start time, last media) for GetStream.
    live: Mutex<HashMap<String, (Arc<Notify>, Arc<activity::Activity>)>>,
    /// RTMP and RTMPS connections that have not started publishing.
    pub pending: Arc<ConnLimiter>,
}

impl IngestContext {
    pub(crate) fn new(
        hooks: Arc<dyn IngestHooks>,
        data_dir: PathBuf,
        outputs: Outputs,
        pending: Arc<ConnLimiter>,
    ) -> Self {
        Self {
            hooks,
            data_dir,
            outputs,
            live: Mutex::default(),
            pending,
        }
    }

    fn live(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, (Arc<Notify>, Arc<activity::Activity>)>> {
        // Nothing panics while holding it; a poisoned map is still consistent.
        self.live.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes the channel for a publisher; `false` when it already has one.
    pub(crate) fn claim(
        &self,
        channel: &str,
        stop: Arc<Notify>,
        activity: Arc<activity::Activity>,
    ) -> bool {
        let mut live = self.live();
        if live.contains_key(channel) {
            return false;
        }
        live.insert(channel.to_owned(), (stop, activity));
        true
    }

    /// The activity of the channel's publish, if it has one now.
    pub(crate) fn activity(&self, channel: &str) -> Option<Arc<activity::Activity>> {
        self.live().get(channel).map(|(_, a)| a.clone())
    }

    pub(crate) fn release(&self, channel: &str) {
        self.live().remove(channel);
    }

    /// Asks the channel's publisher to end; `false` when it has none.
    pub(crate) fn stop_publisher(&self, channel: &str) -> bool {
        match self.live().get(channel) {
            // `notify_one` keeps the signal if the connection is not waiting right now.
            Some((stop, _)) => {
                stop.notify_one();
                true
            }
            None => false,
        }
    }
}

pub struct Ingest;

impl Ingest {
    /// Binds the RTMP and RTMPS listeners and starts accepting publishers.
    pub async fn start(config: IngestConfig, hooks: Arc<dyn IngestHooks>) -> Result<RunningIngest> {
        warm_up_gstreamer();
        let identity = {
            let (tls, data_dir, host) = (
                config.tls.clone(),
                config.data_dir.clone(),
                config.rtmps.ip(),
            );
            tokio::task::spawn_blocking(move || {
                std::fs::create_dir_all(data_dir.join("hls"))?;
                std::fs::create_dir_all(data_dir.join("recordings"))?;
                tls::load(&tls, &data_dir, host)
            })
            .await
            .map_err(|e| Error::Ingest(format!("ingest start task: {e}")))??
        };
        let listener = tokio::net::TcpListener::bind(config.rtmp).await?;
        let rtmp_addr = listener.local_addr()?;
        let tls_listener = tokio::net::TcpListener::bind(config.rtmps).await?;
        let rtmps_addr = tls_listener.local_addr()?;
        let caps = Caps::for_this_process();
        let context = Arc::new(IngestContext::new(
            hooks,
            config.data_dir.clone(),
            Outputs::Files,
            // One budget for both listeners: they cost the same handles.
            ConnLimiter::new(caps.ingest_pending_total, caps.ingest_pending_per_address),
        ));
        let (stop_tx, stop_rx) = watch::channel(false);
        tokio::spawn(listener::accept_loop(
            listener,
            None,
            context.clone(),
            stop_rx.clone(),
        ));
        tokio::spawn(listener::accept_loop(
            tls_listener,
            Some(identity.acceptor),
            context.clone(),
            stop_rx,
        ));
        tracing::info!(%rtmp_addr, %rtmps_addr, "RTMP and RTMPS ingest listening");
        Ok(RunningIngest {
            rtmp_addr,
            rtmps_addr,
            certificate: identity.cert_path,
            hls_dir: config.data_dir.join("hls"),
            viewers: Default::default(),
            stop: stop_tx,
            context,
        })
    }
}

/// A started ingest; dropping it does not stop it, [`RunningIngest::shutdown`] does.
pub struct RunningIngest {
    rtmp_addr: SocketAddr,
    rtmps_addr: SocketAddr,
    certificate: PathBuf,
    hls_dir: PathBuf,
    /// HLS clients seen lately, by channel (viewer counts).
    viewers: Arc<viewers::Viewers>,
    stop: watch::Sender<bool>,
    context: Arc<IngestContext>,
}

impl std::fmt::Debug for RunningIngest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningIngest")
            .field("rtmp_addr", &self.rtmp_addr)
            .field("rtmps_addr", &self.rtmps_addr)
            .finish_non_exhaustive()
    }
}

impl RunningIngest {
    pub fn rtmp_addr(&self) -> SocketAddr {
        self.rtmp_addr
    }

    pub fn rtmps_addr(&self) -> SocketAddr {
        self.rtmps_addr
    }

    /// The PEM certificate the RTMPS listener presents (what clients trust).
    pub fn certificate(&self) -> &std::path::Path {
        &self.certificate
    }

    /// The REST handlers' view of this ingest (playback, ingest URL, StopStream), with
    /// HLS served under `api_url` and publishers told to use `rtmps_url`.
    pub fn media(&self, api_url: &str, rtmps_url: &str) -> LocalMedia {
        LocalMedia {
            context: self.context.clone(),
            api_url: api_url.to_owned(),
            rtmps_url: rtmps_url.to_owned(),
            viewers: self.viewers.clone(),
        }
    }

    /// Serves `GET /hls/{channel}/{file}` (playlist and segments).
    pub fn hls_router(&self) -> Router {
        hls::router(self.hls_dir.clone(), self.viewers.clone())
    }

    /// Stops accepting and ends every publishing session (recordings and playlists are
    /// finalized).
    pub fn shutdown(&self) {
        let _ = self.stop.send(true);
    }
}

/// Initialises GStreamer on a background thread: loading the plugin registry takes from
/// tens of milliseconds to seconds (first run, registry rebuild), which must not delay
/// "ready". The first publish calls [`gst::init`] again, which waits for this one.
fn warm_up_gstreamer() {
    let spawned = std::thread::Builder::new()
        .name("gst-init".into())
        .spawn(|| {
            if let Err(e) = gst::init() {
                tracing::error!(error = %e, "GStreamer init failed: HLS will be unavailable");
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "cannot start the GStreamer init thread; the first publish will init it");
    }
}
