//! The chat service as a client sees it: a real WebSocket (tokio-tungstenite) against
//! `ChatService::router` on loopback, without the rest of the server.

mod chat_support;

use anyhow::{Context, Result, bail};
use chat_support::{
    Chat, expect_error, expect_frame, expect_message, next_frame, send, send_message,
};
use cloumer_protocol::chat::{Attributes, Capability, ClientFrame, ServerFrame};
use cloumer_server::chat::ChatService;
use cloumer_server::media::ChatGrant;
use futures::SinkExt;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn message_reaches_everyone_with_sender_and_attributes_unchanged() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let chat = Chat::start(dir.path()).await?;
    let mut alice = chat
        .connect("room1", "alice", &[Capability::SendMessage])
        .await;
    let mut viewer = chat.connect("room1", "anon", &[]).await;
    let mut elsewhere = chat
        .connect("room2", "bob", &[Capability::SendMessage])
        .await;

    let content = r#"he said "<b>hi</b>" & 'bye' \n 안녕 🎉"#;
    let mut attributes = Attributes::new();
    attributes.insert("sticker".into(), "<cat> & \"dog\"".into());
    send(
        &mut alice,
        &ClientFrame::SendMessage {
            request_id: "req-1".into(),
            content: content.into(),
            attributes: attributes.clone(),
        },
    )
    .await?;

    let echo = expect_message(&mut alice).await?;
    assert_eq!(echo.request_id.as_deref(), Some("req-1"));
    assert_eq!(echo.content, content);
    assert_eq!(echo.attributes, attributes);
    assert_eq!(echo.sender.user_id, "alice");
    assert_eq!(echo.sender.attributes["username"], "alice-name");
    assert_eq!(
        echo.sender.attributes["avatar"],
        "https://example.test/alice.png"
    );
    time::OffsetDateTime::parse(
        &echo.send_time,
        &time::format_description::well_known::Rfc3339,
    )?;

    let seen = expect_message(&mut viewer).await?;
    assert_eq!(seen.id, echo.id);
    assert_eq!(seen.content, content);
    assert_eq!(seen.attributes, attributes);

    // The read-only viewer may not send; the other room heard nothing.
    send(&mut viewer, &send_message("req-2", "hello")).await?;
    assert_eq!(expect_error(&mut viewer, "req-2").await?, 403);
    send(&mut elsewhere, &send_message("req-3", "room2 only")).await?;
    assert_eq!(expect_message(&mut elsewhere).await?.content, "room2 only");

    // A frame that is not JSON of the protocol is a 400.
    elsewhere
        .send(Message::text(r#"{"Action":"SHOUT","RequestId":"req-4"}"#))
        .await?;
    assert_eq!(expect_error(&mut elsewhere, "req-4").await?, 400);
    Ok(())
}

#[tokio::test]
async fn content_limit_is_500_code_points() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let chat = Chat::start(dir.path()).await?;
    let mut alice = chat
        .connect("room", "alice", &[Capability::SendMessage])
        .await;
    send(&mut alice, &send_message("ok", &"가".repeat(500))).await?;
    assert_eq!(
        expect_message(&mut alice).await?.content.chars().count(),
        500
    );
    send(&mut alice, &send_message("long", &"가".repeat(501))).await?;
    assert_eq!(expect_error(&mut alice, "long").await?, 413);
    Ok(())
}

#[tokio::test]
async fn room_over_ten_messages_per_second_is_rate_limited() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let chat = Chat::start(dir.path()).await?;
    // Three senders, 10 frames each in one burst: each may send 5 (half the room), and
    // the room takes 10 of the 15 that pass the senders' shares.
    let mut senders = Vec::new();
    for user in ["alice", "bob", "carol"] {
        senders.push((
            user,
            chat.connect("room", user, &[Capability::SendMessage]).await,
        ));
    }
    for (user, ws) in &mut senders {
        for i in 0..10 {
            send(ws, &send_message(&format!("{user}-{i}"), "spam")).await?;
        }
    }
    let mut total = 0;
    for (user, ws) in &mut senders {
        let (delivered, limited) = own_outcomes(ws, user, 10).await?;
        assert!(limited >= 5, "{user}: no 429 beyond its share ({limited})");
        assert!(
            delivered <= 5,
            "{user} got more than its share: {delivered}"
        );
        total += delivered;
    }
    // GCRA refills one message every 100 ms: the bursts take a few milliseconds.
    assert!((10..=11).contains(&total), "the room let {total} through");
    Ok(())
}

/// Counts the answers to `user`'s own `n` requests (RequestIds `<user>-…`): its echoed
/// messages and its 429s, skipping other senders' messages.
async fn own_outcomes(ws: &mut chat_support::Ws, user: &str, n: usize) -> Result<(usize, usize)> {
    let prefix = format!("{user}-");
    let ours = |id: &Option<String>| id.as_deref().is_some_and(|id| id.starts_with(&prefix));
    let (mut delivered, mut limited) = (0, 0);
    while delivered + limited < n {
        match expect_frame(ws).await? {
            ServerFrame::Message(m) if ours(&m.request_id) => delivered += 1,
            ServerFrame::Error(e) if e.error_code == 429 && ours(&e.request_id) => limited += 1,
            ServerFrame::Message(_) => {}
            other => bail!("unexpected {other:?}"),
        }
    }
    Ok((delivered, limited))
}

#[tokio::test]
async fn a_raised_room_rate_lets_a_busy_room_through() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let chat = Chat::serve(ChatService::open_with_room_rate(dir.path(), 100)?).await?;
    let mut alice = chat
        .connect("room", "alice", &[Capability::SendMessage])
        .await;
    for i in 0..30 {
        send(&mut alice, &send_message(&format!("r{i}"), "busy")).await?;
    }
    for _ in 0..30 {
        match expect_frame(&mut alice).await? {
            ServerFrame::Message(_) => {}
            other => bail!("a message under the raised rate was refused: {other:?}"),
        }
    }
    Ok(())
}

#[tokio::test]
async fn delete_notifies_everyone_and_leaves_history() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let chat = Chat::start(dir.path()).await?;
    let mut alice = chat
        .connect("room", "alice", &[Capability::SendMessage])
        .await;
    let mut moderator = chat
        .connect("room", "mod", &[Capability::DeleteMessage])
        .await;
    send(&mut alice, &send_message("a1", "keep me")).await?;
    send(&mut alice, &send_message("a2", "delete me")).await?;
    let _keep = expect_message(&mut alice).await?;
    let doomed = expect_message(&mut alice).await?;
    expect_message(&mut moderator).await?;
    expect_message(&mut moderator).await?;

    // Alice cannot delete; an unknown id is a 404.
    send(
        &mut alice,
        &ClientFrame::DeleteMessage {
            request_id: "d0".into(),
            id: doomed.id.clone(),
            reason: None,
        },
    )
    .await?;
    assert_eq!(expect_error(&mut alice, "d0").await?, 403);
    send(
        &mut moderator,
        &ClientFrame::DeleteMessage {
            request_id: "d1".into(),
            id: "no-such-message".into(),
            reason: None,
        },
    )
    .await?;
    assert_eq!(expect_error(&mut moderator, "d1").await?, 404);

    send(
        &mut moderator,
        &ClientFrame::DeleteMessage {
            request_id: "d2".into(),
            id: doomed.id.clone(),
            reason: Some("spam".into()),
        },
    )
    .await?;
    for ws in [&mut alice, &mut moderator] {
        match expect_frame(ws).await? {
            ServerFrame::Event(e) => {
                assert_eq!(e.event_name, "aws:DELETE_MESSAGE");
                assert_eq!(e.attributes["MessageId"], doomed.id);
                assert_eq!(e.attributes["MessageID"], doomed.id);
                assert_eq!(e.attributes["Reason"], "spam");
            }
            other => bail!("expected the delete event, got {other:?}"),
        }
    }
    let history = chat.history("room", None).await?;
    let contents: Vec<_> = history.iter().map(|m| m.content.as_str()).collect();
    assert_eq!(contents, ["keep me"]);
    Ok(())
}

#[tokio::test]
async fn kick_closes_every_socket_of_the_user() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let chat = Chat::start(dir.path()).await?;
    let mut troll_a = chat
        .connect("room", "troll", &[Capability::SendMessage])
        .await;
    let mut troll_b = chat.connect("room", "troll", &[]).await;
    let mut bystander = chat
        .connect("room", "alice", &[Capability::SendMessage])
        .await;
    let mut moderator = chat
        .connect("room", "mod", &[Capability::DisconnectUser])
        .await;

    send(
        &mut bystander,
        &ClientFrame::DisconnectUser {
            request_id: "k0".into(),
            user_id: "troll".into(),
            reason: None,
        },
    )
    .await?;
    assert_eq!(expect_error(&mut bystander, "k0").await?, 403);

    send(
        &mut moderator,
        &ClientFrame::DisconnectUser {
            request_id: "k1".into(),
            user_id: "troll".into(),
            reason: Some("rude".into()),
        },
    )
    .await?;
    for ws in [&mut troll_a, &mut troll_b] {
        match expect_frame(ws).await? {
            ServerFrame::Event(e) => {
                assert_eq!(e.event_name, "aws:DISCONNECT_USER");
                assert_eq!(e.attributes["UserId"], "troll");
                assert_eq!(e.attributes["Reason"], "rude");
            }
            other => bail!("expected the disconnect event, got {other:?}"),
        }
        assert!(next_frame(ws).await?.is_none(), "the kicked socket closes");
    }
    // The bystander stays connected and can still chat.
    assert!(matches!(
        expect_frame(&mut bystander).await?,
        ServerFrame::Event(_)
    ));
    send(&mut bystander, &send_message("b1", "still here")).await?;
    assert_eq!(expect_message(&mut bystander).await?.content, "still here");
    Ok(())
}

#[tokio::test]
async fn forged_and_expired_tokens_are_refused() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let chat = Chat::start(dir.path()).await?;
    let good = chat.token("room", "alice", &[Capability::SendMessage]);
    let (payload, _mac) = good.split_once('.').context("token shape")?;
    let forged = format!("{payload}.AAAA");
    assert_eq!(chat.connect_token(&forged).await.err(), Some(403));

    let stale = chat
        .service
        .mint_token_issued_at(
            ChatGrant {
                room: "room".into(),
                user_id: "alice".into(),
                capabilities: vec![],
                attributes: Attributes::new(),
                session_duration_minutes: 60,
            },
            time::OffsetDateTime::now_utc().unix_timestamp() - 3600,
        )
        .token
        .context("token")?;
    assert_eq!(chat.connect_token(&stale).await.err(), Some(401));

    // A fresh token's times are RFC 3339, the session outliving the token.
    let minted = chat.service.mint_token(ChatGrant {
        room: "room".into(),
        user_id: "alice".into(),
        capabilities: vec![],
        attributes: Attributes::new(),
        session_duration_minutes: 60,
    });
    let parse = |s: Option<String>| {
        time::OffsetDateTime::parse(
            &s.expect("time"),
            &time::format_description::well_known::Rfc3339,
        )
    };
    let token_end = parse(minted.token_expiration_time)?;
    let session_end = parse(minted.session_expiration_time)?;
    assert!(token_end < session_end);
    Ok(())
}

#[tokio::test]
async fn history_survives_a_restart() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let token;
    {
        let chat = Chat::start(dir.path()).await?;
        token = chat.token("room", "alice", &[Capability::SendMessage]);
        let mut alice = chat.connect_token(&token).await.expect("upgrade");
        for i in 0..5 {
            send(
                &mut alice,
                &send_message(&format!("r{i}"), &format!("message {i}")),
            )
            .await?;
            expect_message(&mut alice).await?;
        }
    }
    let chat = Chat::start(dir.path()).await?;
    let all = chat.history("room", None).await?;
    let contents: Vec<_> = all.iter().map(|m| m.content.clone()).collect();
    assert_eq!(
        contents,
        (0..5).map(|i| format!("message {i}")).collect::<Vec<_>>()
    );
    assert!(all.iter().all(|m| m.request_id.is_none()));
    let last_two = chat.history("room", Some(2)).await?;
    assert_eq!(last_two[0].content, "message 3");
    assert_eq!(last_two[1].content, "message 4");
    assert!(chat.history("other", None).await?.is_empty());
    // Tokens minted before the restart still open a socket (the secret is persisted).
    assert!(chat.connect_token(&token).await.is_ok());
    Ok(())
}
