//! The IVS Chat client against the seed fixture's chat WebSocket: the chat token from R5
//! as the sub-protocol, content sent exactly as typed (never pre-escaped, seed bug B11),
//! local length checks, a refused moderation action, backing off after IVS's 429, and
//! reconnection with a fresh token and growing backoff after the server drops the socket.

mod support;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use cloumer_api::chat::{AccountTokens, ChatClient, ChatEvent, ChatOptions, ConnectionState};
use cloumer_api::{Account, Error};
use secrecy::SecretString;
use support::seed::{self, SeedFixture};
use tokio::sync::mpsc::UnboundedReceiver;

const WAIT: Duration = Duration::from_secs(20);

async fn chat(
    fixture: &SeedFixture,
    options: ChatOptions,
) -> (Arc<Account>, ChatClient, UnboundedReceiver<ChatEvent>) {
    let account = Account::open(fixture.profile()).expect("open the account");
    account
        .session()
        .log_in("alice@example.com", &SecretString::from("Correct-Horse-9!"))
        .await
        .expect("log in");
    let account = Arc::new(account);
    let tokens = Arc::new(AccountTokens::new(account.clone(), seed::CHANNEL));
    let (client, events) = ChatClient::connect(account.profile().chat_endpoint(), tokens, options);
    (account, client, events)
}

/// Quick reconnects, at most five attempts.
fn quick_reconnects() -> ChatOptions {
    ChatOptions {
        initial_backoff: Duration::from_millis(200),
        max_attempts: Some(5),
        ..ChatOptions::default()
    }
}

/// The next event matching `pred`, collecting everything seen on the way.
async fn until(
    events: &mut UnboundedReceiver<ChatEvent>,
    seen: &mut Vec<ChatEvent>,
    pred: impl Fn(&ChatEvent) -> bool,
) -> ChatEvent {
    loop {
        let event = tokio::time::timeout(WAIT, events.recv())
            .await
            .unwrap_or_else(|_| panic!("no matching chat event in {WAIT:?}; saw {seen:?}"))
            .expect("the chat task ended");
        seen.push(event.clone());
        if pred(&event) {
            return event;
        }
    }
}

fn connected(e: &ChatEvent) -> bool {
    matches!(e, ChatEvent::ConnectionState(ConnectionState::Connected))
}

#[tokio::test]
async fn chat_frames_carry_the_content_as_typed() {
    let fixture = SeedFixture::start().await;
    let (account, client, mut events) = chat(&fixture, quick_reconnects()).await;
    let mut seen = Vec::new();
    until(&mut events, &mut seen, connected).await;
    assert_eq!(
        *fixture.state.chat_connections.lock().unwrap(),
        ["AQICAHfixture1"],
        "the R5 token is the WebSocket sub-protocol"
    );

    let typed = r#"He said "hi" \ back — 안녕 🎥 a&b=c?d#e"#;
    let request_id = client.send(typed).expect("send");
    let echo = until(&mut events, &mut seen, |e| {
        matches!(e, ChatEvent::Message(_))
    })
    .await;
    let ChatEvent::Message(message) = echo else {
        unreachable!()
    };
    assert_eq!(message.content, typed);
    assert_eq!(message.request_id.as_deref(), Some(request_id.as_str()));
    assert_eq!(message.sender.attributes["username"], seed::NICKNAME);

    let frames = fixture.state.chat_frames.lock().unwrap().clone();
    let frame: serde_json::Value = serde_json::from_str(&frames[0]).expect("a JSON frame");
    assert_eq!(frame["Action"], "SEND_MESSAGE");
    assert_eq!(frame["RequestId"], request_id.as_str());
    assert_eq!(
        frame["Content"], typed,
        "not pre-escaped (seed bug B11): {}",
        frames[0]
    );

    // 500 code points pass the local check; 501 never leave the machine.
    let long: String = "가".repeat(501);
    assert!(matches!(client.send(&long), Err(Error::Invalid { .. })));
    assert!(matches!(client.send("   "), Err(Error::Invalid { .. })));
    client
        .send(&long[..500 * "가".len()])
        .expect("500 code points");
    until(
        &mut events,
        &mut seen,
        |e| matches!(e, ChatEvent::Message(m) if m.content.chars().count() == 500),
    )
    .await;
    assert_eq!(fixture.state.chat_frames.lock().unwrap().len(), 2);

    // The seed's tokens cannot moderate: the server's ERROR answers our RequestId.
    let delete = client.delete("msg-1", Some("spam")).unwrap();
    let refused = until(&mut events, &mut seen, |e| {
        matches!(e, ChatEvent::Error { .. })
    })
    .await;
    assert_eq!(refused.request_id(), Some(delete.as_str()));
    assert!(matches!(refused, ChatEvent::Error { code: 403, .. }));
    let frames = fixture.state.chat_frames.lock().unwrap().clone();
    let frame: serde_json::Value = serde_json::from_str(frames.last().unwrap()).unwrap();
    assert_eq!(frame["Action"], "DELETE_MESSAGE");
    assert_eq!(frame["Id"], "msg-1");
    account.session().log_out().await.unwrap();
}

#[tokio::test]
async fn chat_reconnects_with_a_fresh_token_and_backoff_after_the_server_drops_it() {
    let fixture = SeedFixture::start().await;
    let (account, client, mut events) = chat(&fixture, quick_reconnects()).await;
    let mut seen = Vec::new();
    until(&mut events, &mut seen, connected).await;

    // The server drops the socket and refuses the next two handshakes.
    fixture.state.refuse_chat.store(2, Ordering::SeqCst);
    fixture.state.drop_chat_connections();
    until(&mut events, &mut seen, connected).await;

    let delays: Vec<u64> = seen
        .iter()
        .filter_map(|e| match e {
            ChatEvent::ConnectionState(ConnectionState::Reconnecting { retry_in_ms, .. }) => {
                Some(*retry_in_ms)
            }
            _ => None,
        })
        .collect();
    // 200 ms after the drop, doubling per failed attempt; jitter adds up to the delay again.
    assert_eq!(delays.len(), 3, "{seen:?}");
    for (delay, base) in delays.iter().zip([200, 400, 800]) {
        assert!(
            (base..2 * base).contains(delay),
            "backoff doubles per failed attempt: {seen:?}"
        );
    }
    let connecting = seen
        .iter()
        .filter(|e| matches!(e, ChatEvent::ConnectionState(ConnectionState::Connecting)))
        .count();
    assert_eq!(connecting, 4, "one Connecting per attempt: {seen:?}");

    // Every attempt asked the token provider (R5) for a fresh token.
    assert_eq!(fixture.state.calls_to("/stream/get_caht").len(), 4);
    let used = fixture.state.chat_connections.lock().unwrap().clone();
    assert_eq!(
        used,
        ["AQICAHfixture1", "AQICAHfixture4"],
        "never a token twice"
    );

    // The new connection works.
    client.send("back again").unwrap();
    until(
        &mut events,
        &mut seen,
        |e| matches!(e, ChatEvent::Message(m) if m.content == "back again"),
    )
    .await;

    // Dropping the client closes the connection for good.
    drop(client);
    let end = tokio::time::timeout(WAIT, async {
        while let Some(e) = events.recv().await {
            if matches!(
                e,
                ChatEvent::ConnectionState(ConnectionState::Reconnecting { .. })
            ) {
                return Err(e);
            }
        }
        Ok(())
    })
    .await
    .expect("the chat task ends once every handle is dropped");
    assert!(
        end.is_ok(),
        "no reconnect after the client was dropped: {end:?}"
    );
    account.session().log_out().await.unwrap();
}

#[tokio::test]
async fn a_rate_limited_client_waits_before_sending_again_and_backs_off_further() {
    let fixture = SeedFixture::start().await;
    let pause = Duration::from_millis(300);
    let options = ChatOptions {
        rate_limit_pause: pause,
        ..ChatOptions::default()
    };
    let (account, client, mut events) = chat(&fixture, options).await;
    let mut seen = Vec::new();
    until(&mut events, &mut seen, connected).await;

    // IVS answers 429 when the room's rate is exceeded: the next send waits the pause,
    // a second 429 in a row doubles it, and a delivered message resets it.
    fixture.state.rate_limit_sends.store(2, Ordering::SeqCst);
    let mut refused_at = Vec::new();
    for text in ["one", "two"] {
        let id = client.send(text).unwrap();
        let refused = until(&mut events, &mut seen, |e| {
            matches!(e, ChatEvent::Error { .. })
        })
        .await;
        assert!(matches!(refused, ChatEvent::Error { code: 429, .. }));
        assert_eq!(refused.request_id(), Some(id.as_str()));
        refused_at.push(tokio::time::Instant::now());
    }
    client.send("three").unwrap();
    until(
        &mut events,
        &mut seen,
        |e| matches!(e, ChatEvent::Message(m) if m.content == "three"),
    )
    .await;
    let waited = [
        refused_at[1] - refused_at[0],
        tokio::time::Instant::now() - refused_at[1],
    ];
    assert!(
        waited[0] >= pause - Duration::from_millis(20),
        "the send after a 429 waits the pause: {waited:?}"
    );
    assert!(
        waited[1] >= 2 * pause - Duration::from_millis(20),
        "a second 429 doubles the pause: {waited:?}"
    );
    let frames = fixture.state.chat_frames.lock().unwrap().len();
    assert_eq!(
        frames, 3,
        "every message went once, none dropped or repeated"
    );

    // A delivered message resets the pause: the next 429 waits 300 ms again, not 1.2 s.
    fixture.state.rate_limit_sends.store(1, Ordering::SeqCst);
    client.send("four").unwrap();
    until(&mut events, &mut seen, |e| {
        matches!(e, ChatEvent::Error { code: 429, .. })
    })
    .await;
    let refused = tokio::time::Instant::now();
    client.send("five").unwrap();
    until(
        &mut events,
        &mut seen,
        |e| matches!(e, ChatEvent::Message(m) if m.content == "five"),
    )
    .await;
    let waited = refused.elapsed();
    assert!(
        waited >= pause - Duration::from_millis(20) && waited < 4 * pause,
        "the pause starts over after a delivered message: {waited:?}"
    );
    account.session().log_out().await.unwrap();
}
