//! Issue 15, finding 4: chat `Attributes` are bounded as IVS Chat bounds them (1 KB of keys
//! and values in total). Messages with 4 MiB of attributes are refused and never stored or
//! fanned out; just over 1 KB is an ERROR 413 that leaves the socket open; a
//! DeleteMessage / DisconnectUser `Reason` over 256 characters is a 413 too; and a history
//! answer of the most (200) largest legal messages stays a couple of MiB, not hundreds.

mod chat_support;

use anyhow::{Result, bail};
use chat_support::{Chat, Ws, expect_error, expect_frame, expect_message, send};
use cloumer_protocol::chat::{
    Attributes, Capability, ClientFrame, MAX_ATTRIBUTES_BYTES, MAX_MESSAGE_CODE_POINTS,
    MAX_REASON_CODE_POINTS, ServerFrame,
};
use cloumer_server::chat::{ChatLimits, HISTORY_MAX_LIMIT};
use futures::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// Limits high enough that filling the history takes no time.
fn fast_limits() -> ChatLimits {
    ChatLimits {
        room_per_second: 10_000,
        sender_per_second: 10_000,
        ..ChatLimits::default()
    }
}

fn message(request_id: &str, content: &str, attributes: Attributes) -> ClientFrame {
    ClientFrame::SendMessage {
        request_id: request_id.into(),
        content: content.into(),
        attributes,
    }
}

/// Attributes of `bytes` bytes in total, in one value under key "k".
fn attributes_of(bytes: usize, fill: char) -> Attributes {
    let mut a = Attributes::new();
    a.insert("k".into(), fill.to_string().repeat(bytes - 1));
    a
}

/// Whether the server closed `ws` with 1009 (or dropped it) rather than answering.
async fn closed_as_too_big(ws: &mut Ws) -> bool {
    loop {
        match tokio::time::timeout(chat_support::WAIT, ws.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => {
                return frame.is_none_or(|f| f.code == CloseCode::Size);
            }
            Ok(Some(Ok(Message::Text(_)))) => return false,
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) => return true,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn four_mib_attributes_are_refused_and_never_stored() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let chat = Chat::with_limits(dir.path(), fast_limits()).await?;
    let mut viewer = chat.connect("room", "viewer", &[]).await;
    let huge = attributes_of(4 * 1024 * 1024, 'x');
    for i in 0..20 {
        let mut attacker = chat
            .connect("room", "attacker", &[Capability::SendMessage])
            .await;
        // The server closes while the client still writes: the send itself may fail.
        let sent = send(
            &mut attacker,
            &message(&format!("huge-{i}"), "hi", huge.clone()),
        )
        .await;
        assert!(
            sent.is_err() || closed_as_too_big(&mut attacker).await,
            "attempt {i} was not closed as too big"
        );
    }
    // Just over IVS's 1 KB: an ERROR 413 for that request; the socket stays usable.
    let mut sender = chat
        .connect("room", "sender", &[Capability::SendMessage])
        .await;
    let over = attributes_of(MAX_ATTRIBUTES_BYTES + 1, 'x');
    send(&mut sender, &message("over", "hi", over)).await?;
    assert_eq!(expect_error(&mut sender, "over").await?, 413);
    let fits = attributes_of(MAX_ATTRIBUTES_BYTES, 'x');
    send(&mut sender, &message("fits", "hi", fits.clone())).await?;
    assert_eq!(expect_message(&mut sender).await?.attributes, fits);

    // The viewer saw only the legal message; the history holds only it.
    let seen = expect_message(&mut viewer).await?;
    assert_eq!(seen.request_id.as_deref(), Some("fits"));
    let history = chat.history("room", Some(HISTORY_MAX_LIMIT)).await?;
    assert_eq!(history.len(), 1, "{} messages stored", history.len());
    Ok(())
}

#[tokio::test]
async fn reasons_over_256_characters_are_refused() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let chat = Chat::start(dir.path()).await?;
    let mut moderator = chat
        .connect(
            "room",
            "mod",
            &[Capability::DeleteMessage, Capability::DisconnectUser],
        )
        .await;
    let long = "r".repeat(MAX_REASON_CODE_POINTS + 1);
    send(
        &mut moderator,
        &ClientFrame::DisconnectUser {
            request_id: "kick".into(),
            user_id: "troll".into(),
            reason: Some(long.clone()),
        },
    )
    .await?;
    assert_eq!(expect_error(&mut moderator, "kick").await?, 413);
    send(
        &mut moderator,
        &ClientFrame::DeleteMessage {
            request_id: "delete".into(),
            id: "m1".into(),
            reason: Some(long),
        },
    )
    .await?;
    assert_eq!(expect_error(&mut moderator, "delete").await?, 413);
    // The refused kick did not happen: the user may join.
    assert!(
        chat.try_connect(&chat.token("room", "troll", &[]))
            .await
            .is_ok()
    );
    Ok(())
}

#[tokio::test]
async fn a_full_history_answer_stays_small() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let chat = Chat::with_limits(dir.path(), fast_limits()).await?;
    let mut sender = chat
        .connect("room", "sender", &[Capability::SendMessage])
        .await;
    // The largest legal message as JSON: every character a control character (6 bytes
    // escaped), 500 of content and 1 KB of attributes.
    let content = "\u{1}".repeat(MAX_MESSAGE_CODE_POINTS);
    let attributes = attributes_of(MAX_ATTRIBUTES_BYTES, '\u{1}');
    let n = HISTORY_MAX_LIMIT as usize + 10;
    for i in 0..n {
        sender
            .send(Message::text(serde_json::to_string(&message(
                &format!("r{i}"),
                &content,
                attributes.clone(),
            ))?))
            .await?;
    }
    for _ in 0..n {
        match expect_frame(&mut sender).await? {
            ServerFrame::Message(_) => {}
            other => bail!("a legal message was refused: {other:?}"),
        }
    }
    let url = format!(
        "http://{}/public/v1/chat-history/room?limit=100000",
        chat.addr
    );
    let body = reqwest::get(url).await?.error_for_status()?.bytes().await?;
    let messages: Vec<serde_json::Value> = serde_json::from_slice(&body)?;
    println!(
        "history of {} largest legal messages: {} bytes ({:.0} per message)",
        messages.len(),
        body.len(),
        body.len() as f64 / messages.len() as f64
    );
    assert_eq!(messages.len(), HISTORY_MAX_LIMIT as usize);
    // 200 messages of at most ~10 KB each as JSON (the seed's server answered 438 MiB).
    assert!(
        body.len() < 2_500_000,
        "history answer of {} bytes",
        body.len()
    );
    Ok(())
}
