//! cloumer-api's chat client against a real `cloumer serve`: when the channel owner kicks
//! a viewer, the server drops the viewer's socket; the viewer's client reports it and
//! tries to reconnect with a fresh token from its token provider (R5), after the backoff.
//! The kick keeps the viewer out (issue 15, finding 9), so those attempts are refused
//! (403) until the owner makes the viewer a moderator: the next fresh token carries the
//! moderator's capabilities, which a kick does not keep out, and the viewer chats again.

mod account_support;

use std::sync::Arc;
use std::time::Duration;

use account_support::{PASSWORD, World, cloumer, create_account, ok, profile};
use cloumer_api::chat::{AccountTokens, ChatClient, ChatEvent, ChatOptions, ConnectionState};
use cloumer_api::{Account, BackendProfile};
use secrecy::SecretString;
use tokio::sync::mpsc::UnboundedReceiver;

const WAIT: Duration = Duration::from_secs(30);

async fn until(
    events: &mut UnboundedReceiver<ChatEvent>,
    seen: &mut Vec<ChatEvent>,
    pred: impl Fn(&ChatEvent) -> bool,
) {
    loop {
        let event = tokio::time::timeout(WAIT, events.recv())
            .await
            .unwrap_or_else(|_| panic!("no matching chat event in {WAIT:?}; saw {seen:?}"))
            .expect("the chat task ended");
        let done = pred(&event);
        seen.push(event);
        if done {
            return;
        }
    }
}

async fn join(
    profile: &BackendProfile,
    email: &str,
    channel: &str,
) -> (ChatClient, UnboundedReceiver<ChatEvent>) {
    // Each account keeps its tokens in memory once logged in, so two users can share
    // the process even though the credential store holds one session per backend.
    let account = Account::open(profile.clone()).expect("open");
    account
        .session()
        .log_in(email, &SecretString::from(PASSWORD))
        .await
        .expect("log in");
    let account = Arc::new(account);
    let options = ChatOptions {
        initial_backoff: Duration::from_millis(300),
        max_attempts: Some(5),
        ..ChatOptions::default()
    };
    let tokens = Arc::new(AccountTokens::new(account.clone(), channel));
    ChatClient::connect(account.profile().chat_endpoint(), tokens, options)
}

fn connected(e: &ChatEvent) -> bool {
    matches!(e, ChatEvent::ConnectionState(ConnectionState::Connected))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kicked_viewer_retries_with_fresh_tokens_and_is_kept_out_until_made_a_moderator() {
    let world = World::start();
    let (home, backend, data) = (world.home.clone(), world.backend(), world.data.clone());
    let (owner, viewer) = ("owner@example.com", "viewer@example.com");
    create_account(&home, backend, &data, owner, "owner");
    create_account(&home, backend, &data, viewer, "viewer");
    ok(&cloumer(
        &home,
        &["--backend", backend, "login", "--username", viewer],
    ));
    let viewer_channel = profile(&home)["channel"].as_str().unwrap().to_owned();
    ok(&cloumer(&home, &["login", "--username", owner]));
    let owner_channel = profile(&home)["channel"].as_str().unwrap().to_owned();
    ok(&cloumer(&home, &["logout"]));

    let profile = cloumer_api::backend::load_file(&world.backend_path).expect("backend profile");
    let (viewer_chat, mut viewer_events) = join(&profile, viewer, &owner_channel).await;
    let (owner_chat, mut owner_events) = join(&profile, owner, &owner_channel).await;
    let (mut vseen, mut oseen) = (Vec::new(), Vec::new());
    until(&mut viewer_events, &mut vseen, connected).await;
    until(&mut owner_events, &mut oseen, connected).await;

    owner_chat
        .disconnect_user(&viewer_channel, Some("cool down"))
        .expect("kick");
    until(
        &mut owner_events,
        &mut oseen,
        |e| matches!(e, ChatEvent::UserDisconnected { user_id, .. } if *user_id == viewer_channel),
    )
    .await;

    // The viewer sees the drop, backs off and tries again: refused while kicked.
    until(&mut viewer_events, &mut vseen, |e| {
        matches!(
            e,
            ChatEvent::ConnectionState(ConnectionState::Reconnecting { attempt: 2, reason, .. })
                if reason.contains("403")
        )
    })
    .await;
    let connections = vseen.iter().filter(|e| connected(e)).count();
    assert_eq!(connections, 1, "a kicked viewer got back in: {vseen:?}");

    // Made a moderator, the viewer's next fresh token gets in.
    let promote = (home.clone(), viewer_channel.clone());
    tokio::task::spawn_blocking(move || {
        let (home, viewer_channel) = promote;
        ok(&cloumer(&home, &["login", "--username", owner]));
        ok(&cloumer(&home, &["moderators", "add", &viewer_channel]));
        ok(&cloumer(&home, &["logout"]));
    })
    .await
    .expect("promotion");
    until(&mut viewer_events, &mut vseen, connected).await;
    let reconnecting = vseen.iter().find_map(|e| match e {
        ChatEvent::ConnectionState(ConnectionState::Reconnecting {
            attempt,
            retry_in_ms,
            ..
        }) => Some((*attempt, *retry_in_ms)),
        _ => None,
    });
    // The first retry waits the initial 300 ms, plus up to as much again of jitter.
    assert!(
        matches!(reconnecting, Some((1, delay)) if (300..600).contains(&delay)),
        "{vseen:?}"
    );

    // The new connection carries a working token: the owner sees the viewer's message.
    viewer_chat.send("back after the kick").expect("send");
    until(
        &mut owner_events,
        &mut oseen,
        |e| matches!(e, ChatEvent::Message(m) if m.content == "back after the kick"),
    )
    .await;
}
