//! The RTMP and RTMPS accept loops: capped admission ([`crate::listen`]), the TLS handshake
//! for RTMPS under the handshake deadline, then one RTMP session per connection.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use super::IngestContext;
use super::rtmp::{Admission, Ended, serve};
use crate::Error;
use crate::listen::{Acceptor, ConnPermit};

/// Accepts connections until `stop`; with `tls`, each one completes a TLS handshake first
/// (RTMPS) and then runs the same RTMP session as a plain connection.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    context: Arc<IngestContext>,
    mut stop: watch::Receiver<bool>,
) {
    let scheme = if tls.is_some() { "RTMPS" } else { "RTMP" };
    let mut acceptor = Acceptor::new(listener, scheme, context.pending.clone());
    loop {
        let (stream, peer, permit) = tokio::select! {
            accepted = acceptor.accept() => accepted,
            _ = stop.changed() => return,
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(
            stream,
            peer,
            permit,
            tls.clone(),
            context.clone(),
            stop.clone(),
        ));
        tracing::trace!(%peer, "{scheme} connection accepted");
    }
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    permit: ConnPermit,
    tls: Option<TlsAcceptor>,
    context: Arc<IngestContext>,
    stop: watch::Receiver<bool>,
) {
    let admission = Admission {
        accepted: tokio::time::Instant::now(),
        permit: Some(permit),
    };
    let scheme = if tls.is_some() { "RTMPS" } else { "RTMP" };
    let ended = match tls {
        None => serve(stream, admission, context, stop).await,
        Some(acceptor) => {
            let deadline = admission.handshake_deadline();
            match tokio::time::timeout_at(deadline, acceptor.accept(stream)).await {
                Ok(Ok(tls_stream)) => serve(tls_stream, admission, context, stop).await,
                Ok(Err(e)) => Ended::early(Err(Error::Ingest(format!("TLS handshake: {e}")))),
                Err(_) => Ended::early(Err(Error::Ingest("TLS handshake timed out".into()))),
            }
        }
    };
    if let Err(error) = ended.outcome {
        if ended.published {
            tracing::info!(%peer, %error, "{scheme} connection ended");
        } else {
            tracing::debug!(%peer, %error, "{scheme} connection ended before publishing");
        }
    }
}
