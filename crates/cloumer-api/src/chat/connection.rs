//! The chat connection task: one WebSocket at a time, reconnected with a fresh token after
//! the crate's retry delays ([`crate::retry`]); commands wait in a channel while
//! disconnected.

use std::sync::Arc;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBackoff};
use cloumer_protocol::chat::{Attributes, ClientFrame, ServerFrame, codes, content_fits};
use futures::{SinkExt, StreamExt};
use secrecy::ExposeSecret;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use super::TokenProvider;
use super::events::{ChatEvent, ConnectionState};
use crate::{Error, Result};

/// The longest pause after a 429 (IVS Chat's rate is per second).
const MAX_RATE_LIMIT_PAUSE: Duration = Duration::from_secs(10);

/// Reconnection and pacing settings.
#[derive(Debug, Clone)]
pub struct ChatOptions {
    /// First reconnect delay; doubled (with jitter) per failed attempt up to `max_backoff`,
    /// and back to it once a connection was made.
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// Give up after this many consecutive failed connection attempts (None = never).
    pub max_attempts: Option<u32>,
    /// Pause before the next send after a 429 (doubled, with jitter, while 429s continue).
    pub rate_limit_pause: Duration,
}

impl Default for ChatOptions {
    fn default() -> Self {
        Self {
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_attempts: None,
            rate_limit_pause: Duration::from_secs(1),
        }
    }
}

/// A handle on a chat connection. Dropping every handle closes the connection.
#[derive(Clone)]
pub struct ChatClient {
    commands: mpsc::UnboundedSender<ClientFrame>,
}

impl std::fmt::Debug for ChatClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatClient").finish_non_exhaustive()
    }
}

impl ChatClient {
    /// Starts connecting to `endpoint` (e.g. `wss://edge.ivschat.<region>.amazonaws.com`);
    /// returns the handle and the stream of events (first `Connecting`, then `Connected`).
    pub fn connect(
        endpoint: impl Into<String>,
        tokens: Arc<dyn TokenProvider>,
        options: ChatOptions,
    ) -> (Self, mpsc::UnboundedReceiver<ChatEvent>) {
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (event_tx, events) = mpsc::unbounded_channel();
        let task = Task {
            endpoint: endpoint.into(),
            tokens,
            options,
            events: event_tx,
            commands: command_rx,
        };
        tokio::spawn(task.run());
        (Self { commands }, events)
    }

    /// Sends a message as typed (no escaping); returns its RequestId. Refused locally when
    /// longer than 500 code points or empty.
    pub fn send(&self, content: &str) -> Result<String> {
        self.send_with(content, Attributes::new())
    }

    pub fn send_with(&self, content: &str, attributes: Attributes) -> Result<String> {
        check_content(content)?;
        let request_id = uuid::Uuid::new_v4().to_string();
        self.push(ClientFrame::SendMessage {
            request_id: request_id.clone(),
            content: content.to_owned(),
            attributes,
        })?;
        Ok(request_id)
    }

    /// Deletes a message (needs the DELETE_MESSAGE capability); returns the RequestId.
    pub fn delete(&self, message_id: &str, reason: Option<&str>) -> Result<String> {
        let request_id = uuid::Uuid::new_v4().to_string();
        self.push(ClientFrame::DeleteMessage {
            request_id: request_id.clone(),
            id: message_id.to_owned(),
            reason: reason.map(str::to_owned),
        })?;
        Ok(request_id)
    }

    /// Disconnects every connection of a user (needs DISCONNECT_USER); returns the RequestId.
    pub fn disconnect_user(&self, user_id: &str, reason: Option<&str>) -> Result<String> {
        let request_id = uuid::Uuid::new_v4().to_string();
        self.push(ClientFrame::DisconnectUser {
            request_id: request_id.clone(),
            user_id: user_id.to_owned(),
            reason: reason.map(str::to_owned),
        })?;
        Ok(request_id)
    }

    fn push(&self, frame: ClientFrame) -> Result<()> {
        self.commands
            .send(frame)
            .map_err(|_| Error::ChatConnection("the chat connection is closed".into()))
    }
}

struct Task {
    endpoint: String,
    tokens: Arc<dyn TokenProvider>,
    options: ChatOptions,
    events: mpsc::UnboundedSender<ChatEvent>,
    commands: mpsc::UnboundedReceiver<ClientFrame>,
}

/// Why one connection ended.
enum Ended {
    /// Every handle was dropped or the event receiver is gone.
    ByUser,
    /// The socket dropped or failed; reconnect.
    Dropped(String),
}

impl Task {
    fn emit(&self, event: ChatEvent) -> bool {
        self.events.send(event).is_ok()
    }

    async fn run(mut self) {
        let mut failures = 0u32;
        let mut delays = self.delays();
        loop {
            if !self.emit(ChatEvent::ConnectionState(ConnectionState::Connecting)) {
                return;
            }
            let reason = match self.connect_once().await {
                Ok(Ended::ByUser) => return,
                Ok(Ended::Dropped(reason)) => {
                    failures = 0;
                    delays = self.delays();
                    reason
                }
                Err(e) if !retryable(&e) => {
                    self.emit(ChatEvent::ConnectionState(ConnectionState::Closed {
                        reason: e.to_string(),
                    }));
                    return;
                }
                Err(e) => {
                    failures += 1;
                    e.to_string()
                }
            };
            if self.options.max_attempts.is_some_and(|max| failures >= max) {
                self.emit(ChatEvent::ConnectionState(ConnectionState::Closed {
                    reason,
                }));
                return;
            }
            let delay = delays.next().unwrap_or(self.options.max_backoff);
            tracing::info!(%reason, ?delay, "chat connection lost; reconnecting");
            let state = ConnectionState::Reconnecting {
                attempt: failures + 1,
                retry_in_ms: delay.as_millis() as u64,
                reason,
            };
            if !self.emit(ChatEvent::ConnectionState(state)) {
                return;
            }
            tokio::time::sleep(delay).await;
        }
    }

    /// A fresh schedule of pauses after 429s: they grow while 429s continue, and a
    /// delivered message starts them over.
    fn rate_limit_pauses(&self) -> ExponentialBackoff {
        crate::retry::exponential(self.options.rate_limit_pause, MAX_RATE_LIMIT_PAUSE).build()
    }

    /// A fresh schedule of reconnect delays (unlimited: `max_attempts` ends the retries).
    fn delays(&self) -> ExponentialBackoff {
        crate::retry::exponential(self.options.initial_backoff, self.options.max_backoff).build()
    }

    /// Connects with a fresh token and pumps frames until the socket ends.
    async fn connect_once(&mut self) -> Result<Ended> {
        let token = self.tokens.chat_token().await?;
        let mut request = self.endpoint.as_str().into_client_request().map_err(|e| {
            Error::ChatConnection(format!("bad chat endpoint {}: {e}", self.endpoint))
        })?;
        let protocol = HeaderValue::from_str(token.token.expose_secret()).map_err(|_| {
            Error::ChatConnection("the chat token is not a valid sub-protocol".into())
        })?;
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", protocol);
        let (socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .map_err(|e| {
                Error::ChatConnection(format!("cannot connect to {}: {e}", self.endpoint))
            })?;
        if !self.emit(ChatEvent::ConnectionState(ConnectionState::Connected)) {
            return Ok(Ended::ByUser);
        }
        let (mut sink, mut stream) = socket.split();
        let mut pauses = self.rate_limit_pauses();
        let mut send_after = Instant::now();
        loop {
            tokio::select! {
                frame = self.commands.recv(), if Instant::now() >= send_after => {
                    let Some(frame) = frame else {
                        let _ = sink.send(Message::Close(None)).await;
                        return Ok(Ended::ByUser);
                    };
                    let text = serde_json::to_string(&frame).unwrap_or_default();
                    if let Err(e) = sink.send(Message::text(text)).await {
                        return Ok(Ended::Dropped(format!("send failed: {e}")));
                    }
                }
                _ = tokio::time::sleep_until(send_after), if Instant::now() < send_after => {}
                message = stream.next() => {
                    let text = match message {
                        Some(Ok(Message::Text(t))) => t.to_string(),
                        Some(Ok(Message::Binary(b))) => String::from_utf8_lossy(&b).into_owned(),
                        Some(Ok(Message::Close(frame))) => {
                            let why = frame.map(|f| format!("closed by the server ({}) {}", f.code, f.reason)).unwrap_or_else(|| "closed by the server".into());
                            return Ok(Ended::Dropped(why));
                        }
                        Some(Ok(_)) => continue,
                        Some(Err(e)) => return Ok(Ended::Dropped(e.to_string())),
                        None => return Ok(Ended::Dropped("connection closed".into())),
                    };
                    let frame: ServerFrame = match serde_json::from_str(&text) {
                        Ok(f) => f,
                        Err(e) => {
                            tracing::warn!("ignoring an unreadable chat frame: {e}");
                            continue;
                        }
                    };
                    let event = ChatEvent::from(frame);
                    if let ChatEvent::Error { code: codes::RATE_LIMITED, .. } = event {
                        send_after = Instant::now() + pauses.next().unwrap_or(MAX_RATE_LIMIT_PAUSE);
                    } else if matches!(event, ChatEvent::Message(_)) {
                        pauses = self.rate_limit_pauses();
                    }
                    if !self.emit(event) {
                        return Ok(Ended::ByUser);
                    }
                }
            }
        }
    }
}

/// The checks IVS Chat would refuse a message for, made before anything is sent: not
/// empty, at most 500 code points.
pub fn check_content(content: &str) -> Result<()> {
    if content.trim().is_empty() {
        return Err(Error::Invalid {
            field: Some("content".into()),
            message: "empty message".into(),
        });
    }
    if !content_fits(content) {
        return Err(Error::Invalid {
            field: Some("content".into()),
            message: format!("{} characters; the limit is 500", content.chars().count()),
        });
    }
    Ok(())
}

fn retryable(e: &Error) -> bool {
    !matches!(
        e,
        Error::NotLoggedIn
            | Error::NotFound { .. }
            | Error::Invalid { .. }
            | Error::Forbidden { .. }
            | Error::Refused(_)
    )
}
