//! Issue 15, finding 9 (second half): a kick keeps the user out for a while. After a
//! moderator's DisconnectUser, the user's sockets close and a fresh token for that room
//! is refused (403, with when to come back), across a restart of the service, until the
//! kick timeout passes; other rooms, other users and moderators are not affected.

mod chat_support;

use std::time::Duration;

use anyhow::{Result, bail};
use chat_support::{Chat, expect_frame, next_frame, send};
use cloumer_protocol::chat::{Capability, ClientFrame, ServerFrame};
use cloumer_server::chat::{ChatLimits, DEFAULT_KICK_TIMEOUT};

const MODERATOR: &[Capability] = &[Capability::DeleteMessage, Capability::DisconnectUser];

/// Kicks `user` from `room` as a moderator and waits for the room's event.
async fn kick(chat: &Chat, room: &str, user: &str) -> Result<()> {
    let mut moderator = chat.connect(room, "mod", MODERATOR).await;
    send(
        &mut moderator,
        &ClientFrame::DisconnectUser {
            request_id: "kick".into(),
            user_id: user.into(),
            reason: Some("spam".into()),
        },
    )
    .await?;
    match expect_frame(&mut moderator).await? {
        ServerFrame::Event(e) if e.event_name == "aws:DISCONNECT_USER" => Ok(()),
        other => bail!("expected the kick's event, got {other:?}"),
    }
}

#[tokio::test]
async fn a_kicked_user_stays_out_even_with_a_new_token_and_after_a_restart() -> Result<()> {
    assert_eq!(DEFAULT_KICK_TIMEOUT, Duration::from_secs(300));
    let dir = tempfile::tempdir()?;
    {
        let chat = Chat::start(dir.path()).await?;
        let mut troll = chat
            .connect("room", "troll", &[Capability::SendMessage])
            .await;
        kick(&chat, "room", "troll").await?;
        while next_frame(&mut troll).await?.is_some() {}

        // Reconnecting at once with a freshly minted token: refused, saying why and when.
        let fresh = chat.token("room", "troll", &[Capability::SendMessage]);
        let (status, body) = chat.try_connect(&fresh).await.expect_err("refused");
        println!("reconnect after the kick: {status} {body}");
        assert_eq!(status, 403);
        assert!(
            body.contains("moderator") && body.contains("rejoin in 300 s"),
            "{body}"
        );
        assert!(body.contains("spam"), "{body}");

        // Elsewhere the user is welcome; in the room others and moderators are too.
        assert!(
            chat.try_connect(&chat.token("other", "troll", &[]))
                .await
                .is_ok()
        );
        assert!(
            chat.try_connect(&chat.token("room", "alice", &[]))
                .await
                .is_ok()
        );
        assert!(
            chat.try_connect(&chat.token("room", "troll", MODERATOR))
                .await
                .is_ok()
        );
    }
    // A restart does not lift the kick.
    let chat = Chat::start(dir.path()).await?;
    let fresh = chat.token("room", "troll", &[]);
    assert_eq!(chat.connect_token(&fresh).await.err(), Some(403));
    Ok(())
}

#[tokio::test]
async fn the_kick_ends_after_its_timeout() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let limits = ChatLimits {
        kick_timeout: Duration::from_millis(800),
        ..ChatLimits::default()
    };
    let chat = Chat::with_limits(dir.path(), limits).await?;
    kick(&chat, "room", "troll").await?;
    let token = chat.token("room", "troll", &[]);
    assert_eq!(chat.connect_token(&token).await.err(), Some(403));
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(chat.connect_token(&token).await.is_ok(), "still kept out");
    Ok(())
}
