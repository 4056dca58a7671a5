//! One RTMP connection: handshake, connect/publish negotiation through `rml_rtmp`'s
//! `ServerSession`, stream-key check, limit checks, then recording + HLS of the media.
//!
//! ```text
//! accepted ─ handshake (≤ 5 s) ─ connect, createStream, publish (≤ 10 s from accept,
//!            ≤ 64 KiB in all) ─ publishing (≤ 8 MiB without a complete message)
//!                                  └─ ends on EOF, an error, a limit, StopStream, shutdown:
//!                                     the publication is finished every time
//! ```
//!
//! Every call into `rml_rtmp` runs [`contained`]: its panics on malformed input end the
//! connection like any protocol error.

use std::sync::Arc;
use std::time::Duration;

use rml_rtmp::handshake::{Handshake, HandshakeProcessResult, PeerType};
use rml_rtmp::sessions::{
    ServerSession, ServerSessionConfig, ServerSessionEvent, ServerSessionResult,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

use super::budget::InputBudget;
use super::contain::contained;
use super::publication::{Publication, begin};
use super::{APP_NAME, IngestContext, flv};
use crate::listen::ConnPermit;
use crate::{Error, Result};

/// How long the TLS (RTMPS) and RTMP handshakes may take together.
pub(crate) const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a connection may take from accept to an accepted publish.
pub(crate) const PUBLISH_DEADLINE: Duration = Duration::from_secs(10);

/// A connection's place among those not publishing yet, and its deadlines.
pub(crate) struct Admission {
    pub accepted: Instant,
    /// Released once the publish is accepted; `None` when not counted (fuzzing).
    pub permit: Option<ConnPermit>,
}

impl Admission {
    pub fn handshake_deadline(&self) -> Instant {
        self.accepted + HANDSHAKE_TIMEOUT
    }
    fn publish_deadline(&self) -> Instant {
        self.accepted + PUBLISH_DEADLINE
    }
}

/// How a connection ended, for its one log line.
pub(crate) struct Ended {
    /// Whether it had published (its end is worth an INFO line; the rest is DEBUG, since
    /// anyone can open and drop connections by the thousand).
    pub published: bool,
    pub outcome: Result<()>,
}

/// Why the connection stops.
enum Flow {
    Continue,
    Close(String),
}

/// Serves one connection until it ends; the publication, if any, is finished.
pub(crate) async fn serve<S>(
    mut stream: S,
    admission: Admission,
    context: Arc<IngestContext>,
    stop: watch::Receiver<bool>,
) -> Ended
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let leftover =
        match tokio::time::timeout_at(admission.handshake_deadline(), handshake(&mut stream)).await
        {
            Ok(Ok(leftover)) => leftover,
            Ok(Err(e)) => return Ended::early(Err(e)),
            Err(_) => return Ended::early(Err(Error::Ingest("RTMP handshake timed out".into()))),
        };
    let session = match rtmp(|| ServerSession::new(ServerSessionConfig::new())) {
        Ok(session) => session,
        Err(e) => return Ended::early(Err(e)),
    };
    let (session, initial) = session;
    let mut connection = Connection {
        stream,
        session,
        context: &context,
        publication: None,
        budget: InputBudget::default(),
    };
    let outcome = connection.run(initial, &leftover, admission, stop).await;
    let published = connection.publication.is_some();
    if let Some(publication) = connection.publication.take() {
        publication.finish(&context).await;
    }
    let outcome = match outcome {
        Ok(Flow::Close(reason)) => {
            let _ = connection.stream.shutdown().await;
            Err(Error::Ingest(reason))
        }
        Ok(Flow::Continue) => Ok(()),
        Err(e) => Err(e),
    };
    Ended { published, outcome }
}

impl Ended {
    pub fn early(outcome: Result<()>) -> Self {
        Self {
            published: false,
            outcome,
        }
    }
}

struct Connection<'a, S> {
    stream: S,
    session: ServerSession,
    context: &'a IngestContext,
    publication: Option<Publication>,
    budget: InputBudget,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Connection<'_, S> {
    /// Every error goes into the outcome instead of returning early: the caller must
    /// always finish the publication (recording flushed, HLS stopped, Stream End sent), also
    /// when the publisher just drops the connection (rtmp2sink closes TLS without
    /// close_notify, which is a read error).
    async fn run(
        &mut self,
        initial: Vec<ServerSessionResult>,
        leftover: &[u8],
        admission: Admission,
        mut stop: watch::Receiver<bool>,
    ) -> Result<Flow> {
        let publish_deadline = admission.publish_deadline();
        let mut permit = admission.permit;
        let mut outcome = self.handle_results(initial).await;
        if matches!(outcome, Ok(Flow::Continue)) {
            outcome = self.feed(leftover).await;
        }
        let mut buf = vec![0u8; 64 * 1024];
        while matches!(outcome, Ok(Flow::Continue)) {
            if self.publication.is_some() {
                // A publisher: no longer one of the connections waiting to publish.
                permit.take();
            }
            let stopped = self.publication.as_ref().map(|p| p.stop.clone());
            let n = tokio::select! {
                read = self.stream.read(&mut buf) => read?,
                _ = stop.changed() => 0,
                () = tokio::time::sleep_until(publish_deadline), if self.publication.is_none() => {
                    return Ok(Flow::Close(format!(
                        "no publish within {} s", PUBLISH_DEADLINE.as_secs()
                    )));
                }
                () = notified(stopped) => {
                    return Ok(Flow::Close("publish stopped (StopStream: stream key rotated)".into()));
                }
            };
            if n == 0 {
                break;
            }
            outcome = self.feed(&buf[..n]).await;
        }
        outcome
    }

    /// Hands received bytes to the RTMP session and acts on what it makes of them.
    async fn feed(&mut self, bytes: &[u8]) -> Result<Flow> {
        if let Err(reason) = self.budget.spend(bytes.len(), self.publication.is_some()) {
            return Ok(Flow::Close(reason));
        }
        let session = &mut self.session;
        let results = rtmp(|| session.handle_input(bytes))?;
        if results
            .iter()
            .any(|r| !matches!(r, ServerSessionResult::OutboundResponse(_)))
        {
            self.budget.delivered();
        }
        self.handle_results(results).await
    }

    async fn handle_results(&mut self, results: Vec<ServerSessionResult>) -> Result<Flow> {
        let mut pending = std::collections::VecDeque::from(results);
        while let Some(result) = pending.pop_front() {
            match result {
                ServerSessionResult::OutboundResponse(packet) => {
                    self.stream.write_all(&packet.bytes).await?
                }
                ServerSessionResult::RaisedEvent(event) => {
                    if let Flow::Close(reason) = self.handle_event(event, &mut pending).await? {
                        // Flush the refusal before closing.
                        while let Some(ServerSessionResult::OutboundResponse(packet)) =
                            pending.pop_front()
                        {
                            self.stream.write_all(&packet.bytes).await?;
                        }
                        return Ok(Flow::Close(reason));
                    }
                }
                ServerSessionResult::UnhandleableMessageReceived(_) => {}
            }
        }
        self.stream.flush().await?;
        Ok(Flow::Continue)
    }

    async fn handle_event(
        &mut self,
        event: ServerSessionEvent,
        pending: &mut std::collections::VecDeque<ServerSessionResult>,
    ) -> Result<Flow> {
        let session = &mut self.session;
        match event {
            ServerSessionEvent::ConnectionRequested {
                request_id,
                app_name,
            } => {
                if app_name != APP_NAME {
                    pending.extend(rtmp(|| {
                        session.reject_request(
                            request_id,
                            "NetConnection.Connect.Rejected",
                            "unknown application",
                        )
                    })?);
                    return Ok(Flow::Close(format!(
                        "refused connect to application {app_name:?}"
                    )));
                }
                pending.extend(rtmp(|| session.accept_request(request_id))?);
            }
            ServerSessionEvent::PublishStreamRequested {
                request_id,
                stream_key,
                ..
            } => {
                if self.publication.is_some() {
                    return Ok(Flow::Close("second publish on one connection".into()));
                }
                // The key is a secret: never logged.
                let Some(grant) = self.context.hooks.authorize(&stream_key).await else {
                    pending.extend(rtmp(|| {
                        session.reject_request(
                            request_id,
                            "NetStream.Publish.BadName",
                            "invalid stream key",
                        )
                    })?);
                    tracing::warn!("refused publish: unknown stream key");
                    return Ok(Flow::Close("refused publish: unknown stream key".into()));
                };
                match begin(&grant, self.context).await {
                    Ok(started) => {
                        self.publication = Some(started);
                        pending.extend(rtmp(|| session.accept_request(request_id))?);
                    }
                    Err(reason) => {
                        pending.extend(rtmp(|| {
                            session.reject_request(request_id, "NetStream.Publish.BadName", &reason)
                        })?);
                        tracing::warn!(channel = %grant.channel, %reason, "refused publish");
                        return Ok(Flow::Close(reason));
                    }
                }
            }
            ServerSessionEvent::StreamMetadataChanged { metadata, .. } => {
                if let (Some(p), Some(w), Some(h)) = (
                    self.publication.as_mut(),
                    metadata.video_width,
                    metadata.video_height,
                ) && let Err(reason) = p.limits.resolution(w, h)
                {
                    return Ok(over_limit(p, reason));
                }
            }
            ServerSessionEvent::VideoDataReceived {
                data, timestamp, ..
            } => {
                if let Some(p) = self.publication.as_mut() {
                    if let Some((w, h)) = super::sps::avc_sequence_resolution(&data)
                        && let Err(reason) = p.limits.resolution(w, h)
                    {
                        return Ok(over_limit(p, reason));
                    }
                    if let Err(reason) = p.media(flv::TAG_VIDEO, timestamp.value, &data).await? {
                        return Ok(over_limit(p, reason));
                    }
                }
            }
            ServerSessionEvent::AudioDataReceived {
                data, timestamp, ..
            } => {
                if let Some(p) = self.publication.as_mut()
                    && let Err(reason) = p.media(flv::TAG_AUDIO, timestamp.value, &data).await?
                {
                    return Ok(over_limit(p, reason));
                }
            }
            ServerSessionEvent::PublishStreamFinished { .. } => {
                return Ok(Flow::Close("publisher finished".into()));
            }
            _ => {}
        }
        Ok(Flow::Continue)
    }
}

fn over_limit(p: &Publication, reason: String) -> Flow {
    tracing::warn!(channel = %p.channel, %reason, "stopped over-limit input");
    Flow::Close(reason)
}

/// Resolves when `stop` is notified; never without one.
async fn notified(stop: Option<Arc<Notify>>) {
    match stop {
        Some(stop) => stop.notified().await,
        None => std::future::pending().await,
    }
}

async fn handshake<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S) -> Result<Vec<u8>> {
    let mut handshake = Handshake::new(PeerType::Server);
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Err(Error::Ingest("closed during the RTMP handshake".into()));
        }
        match rtmp(|| handshake.process_bytes(&buf[..n]))? {
            HandshakeProcessResult::InProgress { response_bytes } => {
                stream.write_all(&response_bytes).await?;
            }
            HandshakeProcessResult::Completed {
                response_bytes,
                remaining_bytes,
            } => {
                stream.write_all(&response_bytes).await?;
                return Ok(remaining_bytes);
            }
        }
    }
}

/// One call into `rml_rtmp`: its error or panic becomes an [`Error::Ingest`].
fn rtmp<T, E: std::fmt::Debug>(f: impl FnOnce() -> Result<T, E>) -> Result<T> {
    contained(f)?.map_err(|e| Error::Ingest(format!("RTMP: {e:?}")))
}
