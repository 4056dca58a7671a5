//! One chat connection: reads client frames, answers errors to the sender only, and
//! relays the room's broadcast until the user is kicked or the session expires.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, close_code};
use cloumer_protocol::chat::{
    Attributes, Capability, ChatError, ChatMessage, ClientFrame, Sender, ServerFrame, codes, events,
};
use tokio::sync::broadcast::error::RecvError;

use super::ChatService;
use super::frame::{self, FrameRejection};
use super::limits::Throttled;
use super::room::{Room, RoomSignal};
use super::token::Grant;

/// One connection's view of its user: the grant and the sender key of the rate limits.
struct Client {
    grant: Grant,
    /// The user id, shared with the room's per-sender limiter without copying per message.
    sender: Arc<str>,
}

pub(crate) async fn run(service: Arc<ChatService>, grant: Grant, mut socket: WebSocket) {
    let client = Client {
        sender: Arc::from(grant.user_id.as_str()),
        grant,
    };
    let grant = &client.grant;
    let room = service.rooms.get(&grant.room);
    let mut signals = room.subscribe();
    let session_left = grant.session_expires - crate::error::now_secs();
    let session_end = tokio::time::sleep(Duration::from_secs(session_left.max(0) as u64));
    tokio::pin!(session_end);
    tracing::debug!(room = %grant.room, user = %grant.user_id, "chat socket open");
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    if let Some(reply) = handle_frame(&service, &room, &client, text.as_str())
                        && socket.send(Message::Text(reply)).await.is_err()
                    {
                        break;
                    }
                }
                Some(Err(e)) => {
                    let (code, reason) = read_failure(e);
                    close(&mut socket, code, reason).await;
                    break;
                }
                Some(Ok(Message::Close(_))) | None => break,
                // Pings are answered by axum; binary frames are not part of the protocol.
                Some(Ok(_)) => {}
            },
            signal = signals.recv() => match signal {
                Ok(RoomSignal::Frame(frame)) => {
                    if socket.send(Message::Text(frame)).await.is_err() {
                        break;
                    }
                }
                Ok(RoomSignal::Disconnect { user_id }) if *user_id == *grant.user_id => {
                    close(&mut socket, close_code::POLICY, "disconnected by a moderator").await;
                    break;
                }
                Ok(RoomSignal::Disconnect { .. }) => {}
                Err(RecvError::Lagged(skipped)) => {
                    tracing::warn!(room = %grant.room, skipped, "slow chat socket skipped frames");
                }
                Err(RecvError::Closed) => break,
            },
            () = &mut session_end => {
                if let Some(frame) = error_frame(None, codes::UNAUTHORIZED, "session expired") {
                    let _ = socket.send(Message::Text(frame)).await;
                }
                close(&mut socket, close_code::POLICY, "session expired").await;
                break;
            }
        }
    }
    tracing::debug!(room = %grant.room, user = %grant.user_id, "chat socket closed");
}

/// The close code and reason for a failed read: 1009 for a message over the size limit
/// (refused at its header, nothing buffered), 1007 for text that is not UTF-8, 1002 for
/// other protocol violations.
fn read_failure(error: axum::Error) -> (u16, &'static str) {
    use tungstenite::error::{CapacityError, Error as WsError};
    match error.into_inner().downcast::<WsError>().map(|e| *e) {
        Ok(WsError::Capacity(CapacityError::MessageTooLong { .. })) => {
            (close_code::SIZE, "message too big")
        }
        Ok(WsError::Utf8(_)) => (close_code::INVALID, "text is not UTF-8"),
        _ => (close_code::PROTOCOL, "protocol error"),
    }
}

async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        })))
        .await;
}

/// Handles one client frame; returns the error frame for the sender, if any. Successful
/// actions answer through the room broadcast (the sender receives its own echo there).
fn handle_frame(
    service: &ChatService,
    room: &Room,
    client: &Client,
    text: &str,
) -> Option<Utf8Bytes> {
    let frame = match frame::parse(text) {
        Ok(frame) => frame,
        Err(FrameRejection {
            request_id,
            code,
            message,
        }) => return error_frame(request_id, code, &message),
    };
    let grant = &client.grant;
    let outcome = match frame {
        ClientFrame::SendMessage {
            request_id,
            content,
            attributes,
        } => send_message(service, room, client, &request_id, content, attributes)
            .map_err(|(code, msg)| (request_id, code, msg)),
        ClientFrame::DeleteMessage {
            request_id,
            id,
            reason,
        } => delete_message(service, room, grant, &request_id, &id, reason)
            .map_err(|(code, msg)| (request_id, code, msg)),
        ClientFrame::DisconnectUser {
            request_id,
            user_id,
            reason,
        } => disconnect_user(service, room, grant, &request_id, &user_id, reason)
            .map_err(|(code, msg)| (request_id, code, msg)),
    };
    match outcome {
        Ok(()) => None,
        Err((request_id, code, message)) => error_frame(Some(request_id), code, &message),
    }
}

type Refusal = (u16, String);

fn require(grant: &Grant, capability: Capability) -> Result<(), Refusal> {
    if grant.can(capability) {
        Ok(())
    } else {
        Err((
            codes::FORBIDDEN,
            format!("the token does not grant {capability:?}"),
        ))
    }
}

fn send_message(
    service: &ChatService,
    room: &Room,
    client: &Client,
    request_id: &str,
    content: String,
    attributes: Attributes,
) -> Result<(), Refusal> {
    let grant = &client.grant;
    require(grant, Capability::SendMessage)?;
    room.try_send(&client.sender).map_err(|throttled| {
        let limits = &service.limits;
        let message = match throttled {
            Throttled::Sender => format!(
                "you are sending too fast: at most {} messages a second each",
                limits.sender_per_second
            ),
            Throttled::Room => format!(
                "the room's message rate ({} a second) is exceeded",
                limits.room_per_second
            ),
        };
        (codes::RATE_LIMITED, message)
    })?;
    let message = ChatMessage {
        id: super::new_id(),
        request_id: Some(request_id.to_owned()),
        content,
        attributes,
        send_time: super::now_rfc3339(),
        sender: Sender {
            user_id: grant.user_id.clone(),
            attributes: grant.attributes.clone(),
        },
    };
    service
        .history
        .append(&grant.room, &message)
        .map_err(server_error)?;
    broadcast(room, &ServerFrame::Message(message))
}

fn delete_message(
    service: &ChatService,
    room: &Room,
    grant: &Grant,
    request_id: &str,
    id: &str,
    reason: Option<String>,
) -> Result<(), Refusal> {
    require(grant, Capability::DeleteMessage)?;
    if !service
        .history
        .delete(&grant.room, id)
        .map_err(server_error)?
    {
        return Err((codes::NOT_FOUND, "no such message in this room".into()));
    }
    let mut attributes = Attributes::new();
    attributes.insert("MessageId".into(), id.to_owned());
    // Deprecated spelling that IVS still sends; older clients read it.
    attributes.insert("MessageID".into(), id.to_owned());
    attributes.insert("Reason".into(), reason.unwrap_or_default());
    // Additive (IVS has no such attribute): who deleted it, for moderators' traces.
    attributes.insert("ModeratorId".into(), grant.user_id.clone());
    broadcast(
        room,
        &super::moderation::event(Some(request_id), events::DELETE_MESSAGE, attributes),
    )
}

fn disconnect_user(
    service: &ChatService,
    room: &Room,
    grant: &Grant,
    request_id: &str,
    user_id: &str,
    reason: Option<String>,
) -> Result<(), Refusal> {
    require(grant, Capability::DisconnectUser)?;
    // Recorded before the sockets close, so a reconnect racing the kick is refused too.
    let now_ms = super::now_millis();
    let timeout_ms = i64::try_from(service.limits.kick_timeout.as_millis()).unwrap_or(i64::MAX);
    service
        .restrictions
        .restrict(
            &grant.room,
            user_id,
            now_ms.saturating_add(timeout_ms),
            reason.as_deref().unwrap_or_default(),
            now_ms,
        )
        .map_err(server_error)?;
    super::moderation::disconnect(
        room,
        user_id,
        reason.as_deref().unwrap_or_default(),
        &grant.user_id,
        Some(request_id),
    )
    .map_err(server_error)
}

fn broadcast(room: &Room, frame: &ServerFrame) -> Result<(), Refusal> {
    super::moderation::publish(room, frame).map_err(server_error)
}

fn server_error(e: crate::Error) -> Refusal {
    tracing::error!(error = %e, "chat action failed");
    (codes::SERVER_ERROR, "internal error".into())
}

fn error_frame(request_id: Option<String>, code: u16, message: &str) -> Option<Utf8Bytes> {
    let frame = ServerFrame::Error(ChatError {
        id: super::new_id(),
        request_id,
        error_code: code,
        error_message: message.to_owned(),
    });
    serde_json::to_string(&frame).ok().map(Utf8Bytes::from)
}
