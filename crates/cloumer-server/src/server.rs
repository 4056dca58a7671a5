//! Starting and stopping the whole backend in-process: [`Server::start`] →
//! [`RunningServer`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use cloumer_protocol::backend::BackendProfile;
use cloumer_protocol::rest::ChatTokenResponse;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::auth::outbox::Outbox;
use crate::auth::tokens::Tokens;
use crate::db::Db;
use crate::media::{ChatGrant, ChatRooms, MediaUrls};
use crate::state::{AppState, Pool, SharedState};
use crate::store::sqlite::SqliteStore;
use crate::{Error, Result};

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

/// The REST handlers mint chat tokens through the [`ChatRooms`] seam; locally that is
/// this process's own chat service.
#[async_trait]
impl ChatRooms for crate::chat::ChatService {
    async fn mint_token(&self, grant: ChatGrant) -> Result<ChatTokenResponse> {
        Ok(crate::chat::ChatService::mint_token(
            self,
            crate::chat::TokenRequest {
                room: grant.room,
                user_id: grant.user_id,
                capabilities: grant.capabilities,
                attributes: grant.attributes,
                session_duration_minutes: grant.session_duration_minutes,
            },
        ))
    }
}

/// URLs of this process's ingest and HLS.
struct LocalMedia {
    api_url: String,
    rtmp: SocketAddr,
    /// The RTMPS ingest R6 hands out; `None` hands out the plain one (see `Server::start`).
    rtmps: Option<SocketAddr>,
}

impl MediaUrls for LocalMedia {
    fn playback_url(&self, channel: &str) -> String {
        format!("{}/hls/{channel}/index.m3u8", self.api_url)
    }
    fn rtmps_url(&self) -> String {
        match self.rtmps {
            Some(addr) => format!("rtmps://{addr}/app/"),
            None => self.rtmp_url(),
        }
    }
    fn rtmp_url(&self) -> String {
        format!("rtmp://{}/app/", self.rtmp)
    }
}

impl Server {
    pub async fn start(config: ServerConfig) -> Result<RunningServer> {
        crate::private_file::dir(&config.data_dir)?;
        let data_dir = config.data_dir.clone();
        // Database work (and the first-run RSA key) is blocking: keep it off the reactor.
        let (db, region, pool_id, client_id, srp_secret) = tokio::task::spawn_blocking(move || {
            let db = Arc::new(Db::open(&data_dir)?);
            let region = String::from_utf8_lossy(
                &db.meta_or_insert("region", || Ok(config.region.clone().into_bytes()))?,
            )
            .into_owned();
            let pool_suffix =
                db.meta_or_insert("pool_suffix", || Ok(crate::ids::alnum(9).into_bytes()))?;
            let pool_id = format!("{region}_{}", String::from_utf8_lossy(&pool_suffix));
            let client_id = String::from_utf8_lossy(&db.meta_or_insert("client_id", || {
                Ok(crate::ids::alnum(26).to_lowercase().into_bytes())
            })?)
            .into_owned();
            let srp_secret =
                db.meta_or_insert("srp_secret", || Ok(crate::ids::bytes::<32>().to_vec()))?;
            Ok::<_, Error>((db, region, pool_id, client_id, srp_secret))
        })
        .await
        .map_err(|e| Error::Io(std::io::Error::other(e)))??;

        // A malformed origin is a start-up error, not a silently closed door.
        let cors = crate::cors::layer(&config.cors_origins)?;
        let listener = TcpListener::bind(config.listen).await?;
        let api_url = format!("http://{}", listener.local_addr()?);
        let cognito_endpoint = format!("{api_url}/cognito/");
        let issuer = format!("{api_url}/cognito/{pool_id}");
        let tokens = Tokens::start(db.clone(), issuer, client_id.clone());
        let store = Arc::new(SqliteStore::new(db));
        let chat = {
            let data_dir = config.data_dir.clone();
            let rate = config.chat_room_rate;
            tokio::task::spawn_blocking(move || {
                crate::chat::ChatService::open_with_room_rate(&data_dir, rate)
            })
            .await
            .map_err(|e| Error::Io(std::io::Error::other(e)))??
        };
        let ingest = crate::ingest::Ingest::start(
            crate::ingest::IngestConfig {
                rtmp: config.rtmp,
                rtmps: config.rtmps,
                tls: config.rtmps_tls.clone(),
                data_dir: config.data_dir.clone(),
            },
            Arc::new(crate::live::LiveEvents {
                channels: store.clone(),
                events: store.clone(),
            }),
        )
        .await?;
        let media = Arc::new(LocalMedia {
            api_url: api_url.clone(),
            rtmp: ingest.rtmp_addr(),
            // R6 `streamUrl`: the RTMPS ingest; clients trust its certificate through the
            // profile's `ingest_certificate`.
            rtmps: Some(ingest.rtmps_addr()),
        });
        let profile = BackendProfile {
            region: region.clone(),
            user_pool_id: pool_id.clone(),
            client_id: client_id.clone(),
            api_url: api_url.clone(),
            cognito_endpoint: Some(cognito_endpoint),
            chat_endpoint: Some(format!("{}/chat", api_url.replacen("http://", "ws://", 1))),
            rtmp_url: Some(media.rtmp_url()),
            rtmps_url: Some(format!("rtmps://{}/app/", ingest.rtmps_addr())),
            ingest_certificate: Some(ingest.certificate().display().to_string()),
            allow_password_auth: false,
        };
        let state: SharedState = Arc::new(AppState {
            pool: Pool {
                region,
                pool_id,
                client_id,
                srp_secret,
            },
            api_url: api_url.clone(),
            users: store.clone(),
            sessions: store.clone(),
            channels: store.clone(),
            moderators: store.clone(),
            avatars: store.clone(),
            events: store,
            tokens,
            outbox: Outbox::new(config.data_dir.join("outbox.jsonl")),
            chat: chat.clone(),
            media,
            streams: Arc::new(ingest.control()),
            channel_type: config.channel_type,
            auth_guard: Default::default(),
        });

        let mut app = crate::routes::router(state.clone())
            .merge(chat.router())
            .merge(ingest.hls_router());
        if let Some(cors) = cors {
            app = app.layer(cors);
        }
        // Capped connections with a header-read timeout (see `listen`).
        let caps = crate::listen::Caps::for_this_process();
        let limiter = crate::listen::ConnLimiter::new(caps.http_total, caps.http_per_address);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(crate::listen::http::serve(listener, app, limiter, async {
            let _ = stopped.await;
        }));
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
    /// The REST base URL, e.g. `http://127.0.0.1:8787`.
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
            channels: self.state.channels.clone(),
            events: self.state.events.clone(),
        }
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
