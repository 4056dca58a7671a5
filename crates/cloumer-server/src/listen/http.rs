//! The HTTP listener: axum's router served connection by connection with hyper-util, so
//! that each connection is capped ([`super::ConnLimiter`]) and must send its request head
//! within [`HEADER_READ_TIMEOUT`] (issue 15 #11: 2,000 half-sent requests were held for
//! minutes). An idle keep-alive connection is closed by the same timeout.
//!
//! HTTP/1.1 only, plain or over TLS (`--tls-cert/--tls-key`): hyper's header-read timeout
//! does not apply to HTTP/2, so HTTPS offers only `http/1.1` by ALPN. A TLS handshake must
//! finish within the same [`HEADER_READ_TIMEOUT`], and holds its connection permit, so
//! half-open handshakes are capped exactly like half-sent request heads.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::time::timeout;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use super::{Acceptor, ConnLimiter};

/// How long a client may take to send a request head (and how long an idle keep-alive
/// connection stays open), as nginx's `client_header_timeout` (there 60 s).
pub(crate) const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `app` on `listener` until `stop` resolves, then lets in-flight requests finish
/// (upgraded WebSockets live on in their own tasks, as with `axum::serve`).
pub(crate) async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    app: Router,
    limiter: Arc<ConnLimiter>,
    stop: impl Future<Output = ()>,
) {
    let mut builder = auto::Builder::new(TokioExecutor::new()).http1_only();
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let graceful = GracefulShutdown::new();
    let mut acceptor = Acceptor::new(listener, "HTTP", limiter);
    let mut stop = std::pin::pin!(stop);
    loop {
        let (stream, peer, permit) = tokio::select! {
            accepted = acceptor.accept() => accepted,
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        // Each request sees the peer as `ConnectInfo<SocketAddr>`, as it did under
        // `into_make_service_with_connect_info` (per-address throttles read it).
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(request)
        });
        let (builder, watcher, tls) = (builder.clone(), graceful.watcher(), tls.clone());
        tokio::spawn(async move {
            let result = match tls {
                None => {
                    let connection = builder
                        .serve_connection_with_upgrades(TokioIo::new(stream), service)
                        .into_owned();
                    watcher.watch(connection).await
                }
                Some(tls) => match timeout(HEADER_READ_TIMEOUT, tls.accept(stream)).await {
                    Ok(Ok(stream)) => {
                        let connection = builder
                            .serve_connection_with_upgrades(TokioIo::new(stream), service)
                            .into_owned();
                        watcher.watch(connection).await
                    }
                    Ok(Err(error)) => Err(error.into()),
                    Err(_) => Err("TLS handshake timed out".into()),
                },
            };
            if let Err(error) = result {
                // Timeouts, resets, malformed requests: the client's problem, not ours.
                tracing::debug!(%peer, %error, "HTTP connection ended");
            }
            drop(permit);
        });
    }
    drop(acceptor);
    graceful.shutdown().await;
}
