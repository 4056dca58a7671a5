//! Issue 21: timeouts and bans on `cloumer serve`. A moderator of alice's channel times out
//! and then bans carol: carol's open chat socket closes at once, R5 refuses her tokens
//! meanwhile (saying until when, or that it is a ban), the room lists it, and lifting it
//! lets her back in. Only the owner and moderators may do any of it; bad input is 400.

use futures::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::common::TestServer;

struct Person {
    token: String,
    channel: String,
}

async fn person(t: &TestServer, email: &str, nickname: &str) -> Person {
    let tokens = t.user(email, nickname).await;
    let token = tokens["IdToken"].as_str().unwrap().to_owned();
    let channel = t.mypage(&token).await["chanelName"]
        .as_str()
        .unwrap()
        .to_owned();
    Person { token, channel }
}

async fn call(
    t: &TestServer,
    method: &str,
    path: &str,
    who: &Person,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = t
        .http
        .request(method.parse().unwrap(), t.url(path))
        .header("Authorization", &who.token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn chat_token(t: &TestServer, who: &Person, room: &str) -> (u16, Value) {
    call(
        t,
        "GET",
        &format!("/stream/get_caht?targetChanel={room}"),
        who,
        None,
    )
    .await
}

#[tokio::test]
async fn moderators_time_out_ban_list_and_lift() {
    let t = super::common::start().await;
    let alice = person(&t, "alice@example.test", "Alice").await;
    let bob = person(&t, "bob@example.test", "Bob").await;
    let carol = person(&t, "carol@example.test", "Carol").await;
    let dave = person(&t, "dave@example.test", "Dave").await;
    let room = alice.channel.clone();
    let restriction = |user: &str| format!("/stream/v1/chat-restrictions/{room}/{user}");
    let list_path = format!("/stream/v1/chat-restrictions/{room}");

    // Alice makes Bob a moderator; Bob sees her channel in his list and its moderators.
    let (s, b) = call(
        &t,
        "PUT",
        &format!("/stream/v1/moderators/{}", bob.channel),
        &alice,
        None,
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = call(&t, "GET", "/stream/v1/moderated-channels", &bob, None).await;
    assert_eq!(
        (s, b[0]["chanelName"].as_str()),
        (200, Some(room.as_str())),
        "{b}"
    );
    assert_eq!(b[0]["nickname"], "Alice");
    let (s, b) = call(
        &t,
        "GET",
        &format!("/stream/v1/moderators?channel={room}"),
        &bob,
        None,
    )
    .await;
    assert_eq!(
        (s, b[0]["chanelName"].as_str()),
        (200, Some(bob.channel.as_str())),
        "{b}"
    );
    // A moderator cannot change the moderators; an outsider cannot even list them.
    let (s, _) = call(
        &t,
        "PUT",
        &format!("/stream/v1/moderators/{}?channel={room}", dave.channel),
        &bob,
        None,
    )
    .await;
    assert_eq!(s, 403);
    let (s, _) = call(
        &t,
        "GET",
        &format!("/stream/v1/moderators?channel={room}"),
        &dave,
        None,
    )
    .await;
    assert_eq!(s, 403);

    // Carol is in the chat.
    let (s, b) = chat_token(&t, &carol, &room).await;
    assert_eq!(s, 200, "{b}");
    let mut request = t
        .server
        .backend_profile()
        .chat_endpoint()
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        b["token"].as_str().unwrap().parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();

    // Who may not, and what is refused.
    let timeout = json!({"durationSeconds": 600, "reason": "spam"});
    assert_eq!(
        call(
            &t,
            "PUT",
            &restriction(&carol.channel),
            &dave,
            Some(timeout.clone())
        )
        .await
        .0,
        403
    );
    assert_eq!(call(&t, "GET", &list_path, &dave, None).await.0, 403);
    assert_eq!(
        call(
            &t,
            "PUT",
            &restriction(&carol.channel),
            &alice,
            Some(json!({"durationSeconds": 0}))
        )
        .await
        .0,
        400
    );
    let (s, b) = call(
        &t,
        "PUT",
        &restriction(&carol.channel),
        &alice,
        Some(json!({"durationSeconds": 30 * 86400 + 1})),
    )
    .await;
    assert_eq!(
        (s, b["field"].as_str()),
        (400, Some("durationSeconds")),
        "{b}"
    );
    let (s, b) = call(
        &t,
        "PUT",
        &restriction(&carol.channel),
        &alice,
        Some(json!({"reason": "x".repeat(257)})),
    )
    .await;
    assert_eq!((s, b["field"].as_str()), (400, Some("reason")), "{b}");
    assert_eq!(
        call(&t, "PUT", &restriction(&room), &bob, Some(json!({})))
            .await
            .0,
        400,
        "the owner"
    );
    assert_eq!(
        call(
            &t,
            "PUT",
            &restriction(&bob.channel),
            &alice,
            Some(json!({}))
        )
        .await
        .0,
        400,
        "a moderator"
    );
    assert_eq!(
        call(
            &t,
            "PUT",
            &restriction("nobody-here"),
            &alice,
            Some(json!({}))
        )
        .await
        .0,
        404
    );
    let (s, b) = call(
        &t,
        "PUT",
        &restriction(&carol.channel),
        &alice,
        Some(json!("not an object")),
    )
    .await;
    assert_eq!((s, b["field"].as_str()), (400, Some("body")), "{b}");

    // Bob times Carol out: her socket closes now, and R5 refuses her until then.
    let (s, b) = call(&t, "PUT", &restriction(&carol.channel), &bob, Some(timeout)).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["userId"], carol.channel.as_str());
    assert!(b["until"].as_str().is_some_and(|u| u.ends_with('Z')), "{b}");
    let closed = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        while let Some(Ok(frame)) = socket.next().await {
            if matches!(frame, Message::Close(_)) {
                return true;
            }
        }
        true
    })
    .await;
    assert_eq!(
        closed,
        Ok(true),
        "the timed-out user's socket closes at once"
    );
    let (s, b) = chat_token(&t, &carol, &room).await;
    assert_eq!(s, 403, "{b}");
    assert!(b["message"].as_str().unwrap().contains("timed out"), "{b}");
    // Elsewhere she is welcome.
    assert_eq!(chat_token(&t, &carol, &dave.channel).await.0, 200);
    let (s, b) = call(&t, "GET", &list_path, &bob, None).await;
    assert_eq!(s, 200);
    assert_eq!(b.as_array().unwrap().len(), 1, "{b}");
    assert_eq!(
        (b[0]["userId"].as_str(), b[0]["reason"].as_str()),
        (Some(carol.channel.as_str()), Some("spam"))
    );

    // Then bans her: no end time, and R5 says so.
    let (s, b) = call(
        &t,
        "PUT",
        &restriction(&carol.channel),
        &alice,
        Some(json!({"reason": "again"})),
    )
    .await;
    assert_eq!((s, b.get("until")), (200, None), "{b}");
    let (s, b) = chat_token(&t, &carol, &room).await;
    assert_eq!(s, 403);
    assert!(b["message"].as_str().unwrap().contains("banned"), "{b}");
    let (_, b) = call(&t, "GET", &list_path, &alice, None).await;
    assert_eq!(
        (b[0].get("until"), b[0]["reason"].as_str()),
        (None, Some("again")),
        "{b}"
    );

    // A restart lifts nothing; lifting does.
    let t = t.restart().await;
    // The issuer is the server's URL, which moved: log in again.
    let relogin = |p: &Person, email: &'static str| {
        let channel = p.channel.clone();
        let t = &t;
        async move {
            let token = t.login(email, "Passw0rd!").await["IdToken"]
                .as_str()
                .unwrap()
                .to_owned();
            Person { token, channel }
        }
    };
    let bob = relogin(&bob, "bob@example.test").await;
    let carol = relogin(&carol, "carol@example.test").await;
    let dave = relogin(&dave, "dave@example.test").await;
    assert_eq!(chat_token(&t, &carol, &room).await.0, 403);
    assert_eq!(
        call(&t, "DELETE", &restriction(&carol.channel), &dave, None)
            .await
            .0,
        403
    );
    assert_eq!(
        call(&t, "DELETE", &restriction(&carol.channel), &bob, None)
            .await
            .0,
        200
    );
    assert_eq!(
        call(&t, "DELETE", &restriction(&carol.channel), &bob, None)
            .await
            .0,
        404
    );
    assert_eq!(chat_token(&t, &carol, &room).await.0, 200);
    let (_, b) = call(&t, "GET", &list_path, &bob, None).await;
    assert_eq!(b, json!([]));
}
