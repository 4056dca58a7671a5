//! The steps of [`crate::Server::start`], each one job, in the order it runs them.

use std::sync::Arc;

use axum::Router;
use cloumer_protocol::backend::BackendProfile;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::auth::outbox::Outbox;
use crate::auth::tokens::Tokens;
use crate::chat::ChatService;
use crate::db::Db;
use crate::ingest::RunningIngest;
use crate::public_url::{Bound, PublicUrls};
use crate::server::ServerConfig;
use crate::state::{AppState, Pool, SharedState};
use crate::store::sqlite::SqliteStore;
use crate::{Error, Result};

/// Runs blocking start-up work (SQLite, files, the first-run RSA key) off the reactor.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::Io(std::io::Error::other(e)))?
}

/// Opens the database and the pool's identity, made on the first start and kept: the
/// region, pool id, client id and SRP secret every issued token and stored verifier
/// depend on.
pub(crate) async fn open_pool(config: &ServerConfig) -> Result<(Arc<Db>, Pool)> {
    let data_dir = config.data_dir.clone();
    let configured_region = config.region.clone();
    blocking(move || {
        let db = Arc::new(Db::open(&data_dir)?);
        let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
        let region = text(db.meta_or_insert("region", || Ok(configured_region.into_bytes()))?);
        let pool_suffix =
            text(db.meta_or_insert("pool_suffix", || Ok(crate::ids::alnum(9).into_bytes()))?);
        let client_id = text(db.meta_or_insert("client_id", || {
            Ok(crate::ids::alnum(26).to_lowercase().into_bytes())
        })?);
        let srp_secret =
            db.meta_or_insert("srp_secret", || Ok(crate::ids::bytes::<32>().to_vec()))?;
        let pool = Pool {
            pool_id: format!("{region}_{pool_suffix}"),
            region,
            client_id,
            srp_secret,
        };
        Ok((db, pool))
    })
    .await
}

/// Opens the chat service (its history and token secret live in the data dir).
pub(crate) async fn open_chat(config: &ServerConfig) -> Result<Arc<ChatService>> {
    let data_dir = config.data_dir.clone();
    let rate = config.chat_room_rate;
    blocking(move || ChatService::open_with_room_rate(&data_dir, rate)).await
}

/// Starts the RTMP(S) ingest, which reports publishes to the store as stream-state events.
pub(crate) async fn start_ingest(
    config: &ServerConfig,
    store: &Arc<SqliteStore>,
) -> Result<RunningIngest> {
    crate::ingest::Ingest::start(
        crate::ingest::IngestConfig {
            rtmp: config.rtmp,
            rtmps: config.rtmps,
            tls: config.rtmps_tls.clone(),
            data_dir: config.data_dir.clone(),
        },
        Arc::new(crate::live::LiveEvents {
            store: store.clone(),
        }),
    )
    .await
}

/// The profile clients load to reach this server: every endpoint is this process's, as
/// the public URLs name it.
pub(crate) fn backend_profile(
    pool: &Pool,
    urls: &PublicUrls,
    ingest: &RunningIngest,
) -> BackendProfile {
    BackendProfile {
        region: pool.region.clone(),
        user_pool_id: pool.pool_id.clone(),
        client_id: pool.client_id.clone(),
        api_url: urls.api.clone(),
        cognito_endpoint: Some(format!("{}/cognito/", urls.api)),
        chat_endpoint: Some(urls.chat.clone()),
        rtmp_url: Some(urls.rtmp.clone()),
        rtmps_url: Some(urls.rtmps.clone()),
        ingest_certificate: Some(ingest.certificate().display().to_string()),
        allow_password_auth: false,
    }
}

/// Signs and verifies this pool's JWTs; the issuer is under this server's public URL.
pub(crate) fn tokens(db: Arc<Db>, pool: &Pool, urls: &PublicUrls) -> Arc<Tokens> {
    Tokens::start(db, urls.issuer(&pool.pool_id), pool.client_id.clone())
}

/// The handlers' state: this process's implementation behind every seam.
pub(crate) fn app_state(
    config: &ServerConfig,
    pool: Pool,
    tokens: Arc<Tokens>,
    store: Arc<SqliteStore>,
    urls: &PublicUrls,
    outbox: Outbox,
) -> SharedState {
    Arc::new(AppState {
        pool,
        api_url: urls.api.clone(),
        store,
        tokens,
        outbox,
        channel_type: config.channel_type,
        auth_guard: Default::default(),
    })
}

/// Where codes go: `<data_dir>/outbox.jsonl`, or e-mail with `--smtp` (see `auth::mail`).
pub(crate) fn outbox(config: &ServerConfig) -> Result<Outbox> {
    let mailer = match &config.smtp {
        Some(smtp) => Some(crate::auth::mail::Mailer::start(smtp)?),
        None => None,
    };
    Ok(Outbox::new(config.data_dir.join("outbox.jsonl")).with_mailer(mailer))
}

/// The REST handlers' seams, all this process's: SQLite, the chat service, the ingest,
/// stream keys in SQLite and our own ID tokens.
pub(crate) fn rest_state(
    state: &SharedState,
    chat: Arc<ChatService>,
    ingest: &RunningIngest,
    urls: &PublicUrls,
) -> crate::rest::SharedRest {
    let store = state.store.clone();
    Arc::new(crate::rest::RestState {
        channels: store.clone(),
        moderators: store.clone(),
        avatars: store.clone(),
        chat,
        media: Arc::new(ingest.media(&urls.api, &urls.rtmps)),
        stream_keys: Arc::new(crate::local_seams::LocalStreamKeys {
            store,
            region: state.pool.region.clone(),
        }),
        identity: Arc::new(crate::local_seams::TokenIdentity {
            state: state.clone(),
        }),
        avatar_base_url: format!("{}/media/avatars", urls.api),
    })
}

/// Every HTTP route: REST and Cognito, chat, HLS.
pub(crate) fn router(
    state: SharedState,
    rest: crate::rest::SharedRest,
    chat: Arc<ChatService>,
    ingest: &RunningIngest,
    cors: Option<tower_http::cors::CorsLayer>,
) -> Router {
    let app = crate::routes::router(state, rest)
        .merge(chat.router())
        .merge(ingest.hls_router());
    match cors {
        Some(cors) => app.layer(cors),
        None => app,
    }
}

/// Serves HTTP on capped connections with a header-read timeout (see `listen`) until
/// the returned sender fires.
pub(crate) fn serve_http(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    app: Router,
) -> (oneshot::Sender<()>, JoinHandle<()>) {
    let caps = crate::listen::Caps::for_this_process();
    let limiter = crate::listen::ConnLimiter::new(caps.http_total, caps.http_per_address);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(crate::listen::http::serve(
        listener,
        tls,
        app,
        limiter,
        async {
            let _ = stopped.await;
        },
    ));
    (stop, task)
}

/// The HTTPS listener's acceptor (`--tls-cert/--tls-key`), offering HTTP/1.1 by ALPN (see
/// `listen::http` for why not h2); `None` for plain HTTP.
pub(crate) async fn http_tls(config: &ServerConfig) -> Result<Option<TlsAcceptor>> {
    let Some(files) = config.http_tls.clone() else {
        return Ok(None);
    };
    let mut tls =
        blocking(move || crate::ingest::tls::server_config(&files.cert, &files.key)).await?;
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Some(TlsAcceptor::from(Arc::new(tls))))
}

/// Every URL handed out: the configured public ones, or the bound sockets'.
pub(crate) fn public_urls(
    config: &ServerConfig,
    listener: &TcpListener,
    https: bool,
    ingest: &RunningIngest,
) -> Result<PublicUrls> {
    let bound = Bound {
        http: listener.local_addr()?,
        https,
        rtmp: ingest.rtmp_addr(),
        rtmps: ingest.rtmps_addr(),
    };
    PublicUrls::new(&config.public, &bound)
}
