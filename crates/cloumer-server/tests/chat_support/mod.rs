//! A chat client harness for the chat tests: `ChatService::router` on loopback with a real
//! WebSocket client (tokio-tungstenite), tokens minted in process, frame helpers.
#![allow(dead_code)]

pub mod raw;
pub mod vitals;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use cloumer_protocol::chat::{Attributes, Capability, ChatMessage, ClientFrame, ServerFrame};
use cloumer_server::chat::{ChatLimits, ChatService};
use cloumer_server::media::ChatGrant;
use futures::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub const WAIT: Duration = Duration::from_secs(15);

pub struct Chat {
    pub service: Arc<ChatService>,
    pub addr: SocketAddr,
    server: tokio::task::JoinHandle<()>,
}

impl Chat {
    pub async fn start(dir: &Path) -> Result<Self> {
        Self::serve(ChatService::open(dir)?).await
    }

    /// A chat service on `dir` with these rates and kick timeout.
    pub async fn with_limits(dir: &Path, limits: ChatLimits) -> Result<Self> {
        Self::serve(ChatService::open_with_limits(dir, limits)?).await
    }

    pub async fn serve(service: Arc<ChatService>) -> Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let app = service.clone().router();
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            service,
            addr,
            server,
        })
    }

    pub fn token(&self, room: &str, user: &str, caps: &[Capability]) -> String {
        let mut attributes = Attributes::new();
        attributes.insert("username".into(), format!("{user}-name"));
        attributes.insert("avatar".into(), format!("https://example.test/{user}.png"));
        self.service
            .mint_token(ChatGrant {
                room: room.into(),
                user_id: user.into(),
                capabilities: caps.to_vec(),
                attributes,
                session_duration_minutes: 60,
            })
            .token
            .expect("token minted")
    }

    /// Opens the socket; `Err` carries the HTTP status when the upgrade is refused.
    pub async fn connect_token(&self, token: &str) -> Result<Ws, u16> {
        self.try_connect(token).await.map_err(|(status, _)| status)
    }

    /// Opens the socket; `Err` carries the HTTP status and body of a refused upgrade.
    pub async fn try_connect(&self, token: &str) -> Result<Ws, (u16, String)> {
        let mut request = format!("ws://{}/chat", self.addr)
            .into_client_request()
            .expect("request");
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", token.parse().expect("header"));
        match tokio_tungstenite::connect_async(request).await {
            Ok((ws, response)) => {
                let echoed = response
                    .headers()
                    .get("Sec-WebSocket-Protocol")
                    .and_then(|v| v.to_str().ok());
                assert_eq!(
                    echoed,
                    Some(token),
                    "the token is echoed as the sub-protocol"
                );
                Ok(ws)
            }
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err((
                response.status().as_u16(),
                String::from_utf8_lossy(response.body().as_deref().unwrap_or_default())
                    .into_owned(),
            )),
            Err(e) => panic!("unexpected connect error: {e}"),
        }
    }

    pub async fn connect(&self, room: &str, user: &str, caps: &[Capability]) -> Ws {
        let token = self.token(room, user, caps);
        self.connect_token(&token).await.expect("upgrade accepted")
    }

    pub async fn history(&self, room: &str, limit: Option<u32>) -> Result<Vec<ChatMessage>> {
        let mut url = format!("http://{}/public/v1/chat-history/{room}", self.addr);
        if let Some(limit) = limit {
            url.push_str(&format!("?limit={limit}"));
        }
        Ok(reqwest::get(url).await?.error_for_status()?.json().await?)
    }
}

impl Drop for Chat {
    fn drop(&mut self) {
        self.server.abort();
    }
}

pub async fn send(ws: &mut Ws, frame: &ClientFrame) -> Result<()> {
    ws.send(Message::text(serde_json::to_string(frame)?))
        .await?;
    Ok(())
}

pub fn send_message(request_id: &str, content: &str) -> ClientFrame {
    ClientFrame::SendMessage {
        request_id: request_id.into(),
        content: content.into(),
        attributes: Attributes::new(),
    }
}

/// The next protocol frame; `Ok(None)` when the server closed the socket.
pub async fn next_frame(ws: &mut Ws) -> Result<Option<ServerFrame>> {
    loop {
        let message = tokio::time::timeout(WAIT, ws.next())
            .await
            .context("no frame in time")?;
        match message {
            Some(Ok(Message::Text(text))) => return Ok(Some(serde_json::from_str(&text)?)),
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Ok(None),
            Some(Ok(_)) => {}
        }
    }
}

pub async fn expect_frame(ws: &mut Ws) -> Result<ServerFrame> {
    next_frame(ws).await?.context("socket closed")
}

pub async fn expect_message(ws: &mut Ws) -> Result<ChatMessage> {
    match expect_frame(ws).await? {
        ServerFrame::Message(m) => Ok(m),
        other => bail!("expected MESSAGE, got {other:?}"),
    }
}

pub async fn expect_error(ws: &mut Ws, request_id: &str) -> Result<u16> {
    match expect_frame(ws).await? {
        ServerFrame::Error(e) => {
            assert_eq!(e.request_id.as_deref(), Some(request_id));
            Ok(e.error_code)
        }
        other => bail!("expected ERROR, got {other:?}"),
    }
}
