//! Starting and stopping the whole backend in-process: [`Server::start`] →
//! [`RunningServer`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use cloumer_protocol::backend::BackendProfile;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::Result;
use crate::startup;
use crate::state::SharedState;
use crate::store::sqlite::SqliteStore;

/// Region the pool id and stream keys carry (the seed's).
pub const DEFAULT_REGION: &str = "ap-northeast-2";

/// Where the server keeps its data and listens.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub data_dir: PathBuf,
    /// HTTP: REST, Cognito, chat WebSocket, HLS.
    pub listen: SocketAddr,
    pub rtmp: SocketAddr,
    pub rtmps: SocketAddr,
    /// The RTMPS certificate: configured files, or generated into `<data_dir>/tls/`.
    pub rtmps_tls: crate::ingest::TlsSource,
    /// The type of channels created from now on (existing channels keep theirs).
    pub channel_type: crate::ingest::ChannelType,
    pub region: String,
    /// Chat messages a second each room accepts (IVS's default quota: 10).
    pub chat_room_rate: u32,
    /// Web origins (`https://host[:port]`) allowed to call the HTTP API from a browser.
    /// Empty (the default): no cross-origin access at all.
    pub cors_origins: Vec<String>,
    /// The URLs handed out (`--public-url`, `--public-rtmps-host`); default: the sockets.
    pub public: crate::public_url::PublicAddress,
    /// HTTPS on the HTTP listener (`--tls-cert/--tls-key`); `None`: plain HTTP.
    pub http_tls: Option<HttpTls>,
    /// Codes by e-mail (`--smtp`); `None`: into `<data_dir>/outbox.jsonl`.
    pub smtp: Option<crate::auth::mail::SmtpSettings>,
    /// Where "my page" sends streamers to download the studio (`--studio-download-url`);
    /// `None`: the page shows no link. An `http(s)://` URL, checked at start.
    pub studio_download_url: Option<String>,
}

/// The PEM certificate chain and key the HTTPS listener presents.
#[derive(Debug, Clone)]
pub struct HttpTls {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl ServerConfig {
    /// The `cloumer serve` defaults: 127.0.0.1:8787 (HTTP), :1935 (RTMP), :1936 (RTMPS).
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            rtmp: SocketAddr::from(([127, 0, 0, 1], 1935)),
            rtmps: SocketAddr::from(([127, 0, 0, 1], 1936)),
            rtmps_tls: crate::ingest::TlsSource::Generated,
            channel_type: crate::ingest::ChannelType::Standard,
            region: DEFAULT_REGION.into(),
            chat_room_rate: cloumer_protocol::chat::MAX_MESSAGES_PER_SECOND,
            cors_origins: Vec::new(),
            public: Default::default(),
            http_tls: None,
            smtp: None,
            studio_download_url: None,
        }
    }

    /// Free ports everywhere (tests, embedded use).
    pub fn ephemeral(data_dir: impl Into<PathBuf>) -> Self {
        let any = SocketAddr::from(([127, 0, 0, 1], 0));
        Self {
            listen: any,
            rtmp: any,
            rtmps: any,
            ..Self::new(data_dir)
        }
    }
}

pub struct Server;

/// A started server. Dropping it without [`RunningServer::shutdown`] aborts the tasks.
pub struct RunningServer {
    api_url: String,
    profile: BackendProfile,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    state: SharedState,
    ingest: crate::ingest::RunningIngest,
}

impl Server {
    /// Opens the data dir, binds HTTP, starts chat and the ingest, and serves.
    pub async fn start(config: ServerConfig) -> Result<RunningServer> {
        crate::private_file::dir(&config.data_dir)?;
        let (db, pool) = startup::open_pool(&config).await?;
        // A malformed origin is a start-up error, not a silently closed door.
        let cors = crate::cors::layer(&config.cors_origins)?;
        let http_tls = startup::http_tls(&config).await?;
        let listener = TcpListener::bind(config.listen).await?;
        let store = Arc::new(SqliteStore::new(db.clone()));
        let ingest = startup::start_ingest(&config, &store).await?;
        let urls = startup::public_urls(&config, &listener, http_tls.is_some(), &ingest)?;
        let api_url = urls.api.clone();
        let tokens = startup::tokens(db, &pool, &urls);
        let chat = startup::open_chat(&config).await?;
        let profile = startup::backend_profile(&pool, &urls, &ingest);
        let outbox = startup::outbox(&config)?;
        let state = startup::app_state(&config, pool, tokens, store, &urls, outbox);
        let rest = startup::rest_state(&state, chat.clone(), &ingest, &urls);
        let app = startup::router(state.clone(), rest, chat, &ingest, cors).merge(
            crate::site::router(&profile, config.studio_download_url.as_deref())?,
        );
        let (stop, task) = startup::serve_http(listener, http_tls, app);
        tracing::info!(api = %api_url, "server ready");
        Ok(RunningServer {
            api_url,
            profile,
            stop: Some(stop),
            task: Some(task),
            state,
            ingest,
        })
    }
}

impl RunningServer {
    /// The REST base URL, e.g. `http://127.0.0.1:8787` or the `--public-url`.
    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    /// The backend profile clients load to reach this server.
    pub fn backend_profile(&self) -> BackendProfile {
        self.profile.clone()
    }

    /// Stream lifecycle hooks (what the ingest calls on publish/unpublish).
    pub fn live_events(&self) -> crate::live::LiveEvents {
        crate::live::LiveEvents {
            store: self.state.store.clone(),
        }
    }

    /// Confirms `username`'s sign-up without a code (and provisions its channel): for an
    /// embedded server whose owner is the caller ("Try it locally"). In-process only.
    /// `Ok(false)` when the server has no such user.
    pub async fn confirm_user_locally(&self, username: &str) -> Result<bool> {
        crate::cognito::signup::confirm_without_code(&self.state, username)
            .await
            .map_err(|e| crate::Error::Service {
                service: "auth",
                message: e.message,
            })
    }

    /// Stops accepting, lets in-flight requests finish, and waits for the tasks.
    pub async fn shutdown(mut self) {
        self.ingest.shutdown();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        tracing::info!("server stopped");
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
