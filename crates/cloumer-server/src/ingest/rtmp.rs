//! One RTMP connection: handshake, connect/publish negotiation through `rml_rtmp`'s
//! `ServerSession`, stream-key check, limit checks, then recording + HLS of the media.

use std::sync::Arc;
use std::time::Duration;

use rml_rtmp::handshake::{Handshake, HandshakeProcessResult, PeerType};
use rml_rtmp::sessions::{
    ServerSession, ServerSessionConfig, ServerSessionEvent, ServerSessionResult,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufWriter};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use super::hls::HlsPipeline;
use super::limits::LimitCheck;
use super::{APP_NAME, ChannelGrant, IngestContext, flv};
use crate::{Error, Result};

/// How long a client may take to complete the TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Accepts connections until `stop`; with `tls`, each one completes a TLS handshake first
/// (RTMPS) and then runs the same RTMP session as a plain connection.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    context: Arc<IngestContext>,
    mut stop: watch::Receiver<bool>,
) {
    let scheme = if tls.is_some() { "RTMPS" } else { "RTMP" };
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let context = context.clone();
                    let stop = stop.clone();
                    let tls = tls.clone();
                    tokio::spawn(async move {
                        let served = match tls {
                            None => serve(stream, context, stop).await,
                            Some(acceptor) => {
                                match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                                    Ok(Ok(tls_stream)) => serve(tls_stream, context, stop).await,
                                    Ok(Err(e)) => Err(Error::Ingest(format!("TLS handshake: {e}"))),
                                    Err(_) => Err(Error::Ingest("TLS handshake timed out".into())),
                                }
                            }
                        };
                        if let Err(e) = served {
                            tracing::info!(%peer, error = %e, "{scheme} connection ended");
                        }
                    });
                }
                Err(e) => tracing::warn!(error = %e, "{scheme} accept failed"),
            },
            _ = stop.changed() => return,
        }
    }
}

/// A publish in progress.
struct Publication {
    channel: String,
    session_id: String,
    recording: BufWriter<tokio::fs::File>,
    hls: Option<HlsPipeline>,
    limits: LimitCheck,
}

/// Why the connection stops.
enum Flow {
    Continue,
    Close(String),
}

async fn serve<S>(
    mut stream: S,
    context: Arc<IngestContext>,
    mut stop: watch::Receiver<bool>,
) -> Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let leftover = handshake(&mut stream).await?;
    let (mut session, initial) =
        ServerSession::new(ServerSessionConfig::new()).map_err(rtmp_err)?;
    let mut publication: Option<Publication> = None;
    let mut outcome = handle_results(
        &mut stream,
        &mut session,
        initial,
        &context,
        &mut publication,
    )
    .await;
    // From here on every error goes into `outcome` instead of returning: a publication
    // must always be finished (recording flushed, HLS stopped, Stream End sent), also
    // when the publisher just drops the connection (rtmp2sink closes TLS without
    // close_notify, which is a read error).
    if matches!(outcome, Ok(Flow::Continue)) {
        outcome = feed(
            &mut stream,
            &mut session,
            &leftover,
            &context,
            &mut publication,
        )
        .await;
    }
    let mut buf = vec![0u8; 64 * 1024];
    while matches!(outcome, Ok(Flow::Continue)) {
        let n = tokio::select! {
            read = stream.read(&mut buf) => match read {
                Ok(n) => n,
                Err(e) => {
                    outcome = Err(e.into());
                    break;
                }
            },
            _ = stop.changed() => 0,
        };
        if n == 0 {
            break;
        }
        outcome = feed(
            &mut stream,
            &mut session,
            &buf[..n],
            &context,
            &mut publication,
        )
        .await;
    }
    if let Some(publication) = publication.take() {
        finish(publication, &context).await;
    }
    match outcome {
        Ok(Flow::Close(reason)) => {
            let _ = stream.shutdown().await;
            Err(Error::Ingest(reason))
        }
        Ok(Flow::Continue) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Hands received bytes to the RTMP session and acts on what it makes of them.
async fn feed<S: AsyncWrite + Unpin>(
    stream: &mut S,
    session: &mut ServerSession,
    bytes: &[u8],
    context: &IngestContext,
    publication: &mut Option<Publication>,
) -> Result<Flow> {
    let results = session.handle_input(bytes).map_err(rtmp_err)?;
    handle_results(stream, session, results, context, publication).await
}

async fn handshake<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S) -> Result<Vec<u8>> {
    let mut handshake = Handshake::new(PeerType::Server);
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Err(Error::Ingest("closed during the RTMP handshake".into()));
        }
        match handshake
            .process_bytes(&buf[..n])
            .map_err(|e| Error::Ingest(format!("RTMP handshake: {e:?}")))?
        {
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

fn rtmp_err(e: impl std::fmt::Debug) -> Error {
    Error::Ingest(format!("RTMP: {e:?}"))
}

async fn handle_results<S: AsyncWrite + Unpin>(
    stream: &mut S,
    session: &mut ServerSession,
    results: Vec<ServerSessionResult>,
    context: &IngestContext,
    publication: &mut Option<Publication>,
) -> Result<Flow> {
    let mut pending = std::collections::VecDeque::from(results);
    while let Some(result) = pending.pop_front() {
        match result {
            ServerSessionResult::OutboundResponse(packet) => {
                stream.write_all(&packet.bytes).await?
            }
            ServerSessionResult::RaisedEvent(event) => {
                if let Flow::Close(reason) =
                    handle_event(event, session, context, publication, &mut pending).await?
                {
                    // Flush the refusal before closing.
                    while let Some(ServerSessionResult::OutboundResponse(packet)) =
                        pending.pop_front()
                    {
                        stream.write_all(&packet.bytes).await?;
                    }
                    return Ok(Flow::Close(reason));
                }
            }
            ServerSessionResult::UnhandleableMessageReceived(_) => {}
        }
    }
    stream.flush().await?;
    Ok(Flow::Continue)
}

async fn handle_event(
    event: ServerSessionEvent,
    session: &mut ServerSession,
    context: &IngestContext,
    publication: &mut Option<Publication>,
    pending: &mut std::collections::VecDeque<ServerSessionResult>,
) -> Result<Flow> {
    match event {
        ServerSessionEvent::ConnectionRequested {
            request_id,
            app_name,
        } => {
            if app_name != APP_NAME {
                pending.extend(
                    session
                        .reject_request(
                            request_id,
                            "NetConnection.Connect.Rejected",
                            "unknown application",
                        )
                        .map_err(rtmp_err)?,
                );
                return Ok(Flow::Close(format!(
                    "refused connect to application {app_name:?}"
                )));
            }
            pending.extend(session.accept_request(request_id).map_err(rtmp_err)?);
        }
        ServerSessionEvent::PublishStreamRequested {
            request_id,
            stream_key,
            ..
        } => {
            if publication.is_some() {
                return Ok(Flow::Close("second publish on one connection".into()));
            }
            // The key is a secret: never logged.
            let Some(grant) = context.hooks.authorize(&stream_key).await else {
                pending.extend(
                    session
                        .reject_request(
                            request_id,
                            "NetStream.Publish.BadName",
                            "invalid stream key",
                        )
                        .map_err(rtmp_err)?,
                );
                tracing::warn!("refused publish: unknown stream key");
                return Ok(Flow::Close("refused publish: unknown stream key".into()));
            };
            match begin(&grant, context).await {
                Ok(started) => {
                    pending.extend(session.accept_request(request_id).map_err(rtmp_err)?);
                    *publication = Some(started);
                }
                Err(reason) => {
                    pending.extend(
                        session
                            .reject_request(request_id, "NetStream.Publish.BadName", &reason)
                            .map_err(rtmp_err)?,
                    );
                    tracing::warn!(channel = %grant.channel, %reason, "refused publish");
                    return Ok(Flow::Close(reason));
                }
            }
        }
        ServerSessionEvent::StreamMetadataChanged { metadata, .. } => {
            if let (Some(p), Some(w), Some(h)) = (
                publication.as_mut(),
                metadata.video_width,
                metadata.video_height,
            ) && let Err(reason) = p.limits.resolution(w, h)
            {
                tracing::warn!(channel = %p.channel, %reason, "stopped over-limit input");
                return Ok(Flow::Close(reason));
            }
        }
        ServerSessionEvent::VideoDataReceived {
            data, timestamp, ..
        } => {
            if let Some(p) = publication.as_mut() {
                if let Some((w, h)) = super::sps::avc_sequence_resolution(&data)
                    && let Err(reason) = p.limits.resolution(w, h)
                {
                    tracing::warn!(channel = %p.channel, %reason, "stopped over-limit input");
                    return Ok(Flow::Close(reason));
                }
                return media(p, flv::TAG_VIDEO, timestamp.value, &data).await;
            }
        }
        ServerSessionEvent::AudioDataReceived {
            data, timestamp, ..
        } => {
            if let Some(p) = publication.as_mut() {
                return media(p, flv::TAG_AUDIO, timestamp.value, &data).await;
            }
        }
        ServerSessionEvent::PublishStreamFinished { .. } => {
            return Ok(Flow::Close("publisher finished".into()));
        }
        _ => {}
    }
    Ok(Flow::Continue)
}

async fn media(p: &mut Publication, kind: u8, timestamp: u32, data: &[u8]) -> Result<Flow> {
    if let Err(reason) = p.limits.bytes(data.len()) {
        tracing::warn!(channel = %p.channel, %reason, "stopped over-limit input");
        return Ok(Flow::Close(reason));
    }
    let tag = flv::tag(kind, timestamp, data);
    p.recording.write_all(&tag).await?;
    if let Some(hls) = &p.hls {
        if let Some(error) = hls.error() {
            tracing::error!(channel = %p.channel, %error, "HLS pipeline failed; recording continues");
            // Dropping it stops it (a blocking state change): off the async workers.
            if let Some(failed) = p.hls.take() {
                tokio::task::spawn_blocking(move || drop(failed));
            }
        } else {
            hls.push(tag);
        }
    }
    Ok(Flow::Continue)
}

/// Claims the channel and opens the recording and the HLS pipeline.
async fn begin(grant: &ChannelGrant, context: &IngestContext) -> Result<Publication, String> {
    {
        let mut live = context
            .live
            .lock()
            .map_err(|_| "ingest state poisoned".to_string())?;
        if !live.insert(grant.channel.clone()) {
            return Err("the channel already has a publisher".into());
        }
    }
    match open_outputs(grant, context).await {
        Ok(publication) => {
            context
                .hooks
                .stream_started(&publication.channel, &publication.session_id)
                .await;
            tracing::info!(channel = %grant.channel, session = %publication.session_id, "stream started");
            Ok(publication)
        }
        Err(e) => {
            release(&grant.channel, context);
            Err(format!("cannot open outputs: {e}"))
        }
    }
}

async fn open_outputs(grant: &ChannelGrant, context: &IngestContext) -> Result<Publication> {
    let session_id = uuid::Uuid::new_v4().simple().to_string();
    let recordings = context.data_dir.join("recordings").join(&grant.channel);
    tokio::fs::create_dir_all(&recordings).await?;
    let file = tokio::fs::File::create(recordings.join(format!("{session_id}.flv"))).await?;
    let mut recording = BufWriter::with_capacity(256 * 1024, file);
    recording.write_all(&flv::header()).await?;
    let hls_dir = context.data_dir.join("hls").join(&grant.channel);
    let hls = tokio::task::spawn_blocking(move || HlsPipeline::start(&hls_dir))
        .await
        .map_err(|e| Error::Ingest(format!("HLS start task: {e}")))??;
    let header = flv::header();
    hls.push(header);
    Ok(Publication {
        channel: grant.channel.clone(),
        session_id,
        recording,
        hls: Some(hls),
        limits: LimitCheck::new(grant.channel_type),
    })
}

fn release(channel: &str, context: &IngestContext) {
    if let Ok(mut live) = context.live.lock() {
        live.remove(channel);
    }
}

async fn finish(mut p: Publication, context: &IngestContext) {
    if let Err(e) = p.recording.flush().await {
        tracing::error!(channel = %p.channel, error = %e, "recording flush failed");
    }
    if let Some(hls) = p.hls.take() {
        let _ = tokio::task::spawn_blocking(move || hls.finish()).await;
    }
    release(&p.channel, context);
    context.hooks.stream_ended(&p.channel, &p.session_id).await;
    tracing::info!(channel = %p.channel, session = %p.session_id, "stream ended");
}
