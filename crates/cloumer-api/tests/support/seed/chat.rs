//! The fixture's IVS Chat messaging WebSocket: echoes messages, refuses moderation
//! (the seed's tokens carry SEND_MESSAGE only), drops or refuses connections and rate-limits
//! sends on demand.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tokio::sync::watch;

use super::{CHANNEL, FixtureState, NICKNAME, avatar_url};

pub(super) async fn chat(State(state): State<Arc<FixtureState>>, ws: WebSocketUpgrade) -> Response {
    let Some(token) = ws
        .requested_protocols()
        .next()
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        return (StatusCode::UNAUTHORIZED, "no token").into_response();
    };
    if state
        .refuse_chat
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        return (StatusCode::UNAUTHORIZED, "token refused").into_response();
    }
    // Subscribed before the upgrade completes, so a drop requested after the client saw
    // `Connected` always reaches this socket.
    let mut drops = state.drop_chat.subscribe();
    drops.mark_unchanged();
    state.chat_connections.lock().unwrap().push(token.clone());
    ws.protocols([token])
        .on_upgrade(move |socket| serve_chat(state, socket, drops))
}

async fn serve_chat(
    state: Arc<FixtureState>,
    mut socket: WebSocket,
    mut drops: watch::Receiver<u32>,
) {
    loop {
        tokio::select! {
            _ = drops.changed() => {
                let _ = socket.send(Message::Close(None)).await;
                return;
            }
            message = socket.recv() => {
                let Some(Ok(Message::Text(text))) = message else { return };
                state.chat_frames.lock().unwrap().push(text.to_string());
                let frame: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                let n = state.message_serial.fetch_add(1, Ordering::SeqCst) + 1;
                let rate_limited = frame["Action"] == "SEND_MESSAGE"
                    && state
                        .rate_limit_sends
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok();
                let answer = match frame["Action"].as_str() {
                    _ if rate_limited => serde_json::json!({
                        "Type": "ERROR", "Id": format!("err-{n}"), "RequestId": frame["RequestId"],
                        "ErrorCode": 429, "ErrorMessage": "Rate limit exceeded",
                    }),
                    Some("SEND_MESSAGE") => serde_json::json!({
                        "Type": "MESSAGE", "Id": format!("msg-{n}"), "RequestId": frame["RequestId"],
                        "Content": frame["Content"], "Attributes": {},
                        "SendTime": "2023-12-09T12:00:00.000Z",
                        "Sender": {"UserId": CHANNEL, "Attributes": {"username": NICKNAME, "avatar": avatar_url("default_profile.png")}},
                    }),
                    // The seed's tokens carry SEND_MESSAGE only.
                    _ => serde_json::json!({
                        "Type": "ERROR", "Id": format!("err-{n}"), "RequestId": frame["RequestId"],
                        "ErrorCode": 403, "ErrorMessage": "Forbidden",
                    }),
                };
                if socket.send(Message::Text(answer.to_string().into())).await.is_err() {
                    return;
                }
            }
        }
    }
}
