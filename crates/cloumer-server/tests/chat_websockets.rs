#![allow(clippy::unwrap_used)]
//! The chat of the whole server against an independent WebSocket client: Python's
//! `websockets` (tests/chat_clients.py) with R5 tokens: message with attributes, delete by
//! the owner (not by a viewer), 500 code points, disconnect, forged token. Needs
//! `pip install websockets`; skips with a printed reason when missing.

mod common;

#[tokio::test]
async fn python_websockets_client_chats_and_moderates() {
    if !common::python_can(
        "import websockets.asyncio.client",
        "websockets >= 13: pip install websockets",
    ) {
        return;
    }
    let t = common::start().await;
    let owner = t.user("owner@example.com", "owner").await;
    let viewer = t.user("viewer@example.com", "viewer").await;
    let owner_id = owner["IdToken"].as_str().unwrap();
    let viewer_id = viewer["IdToken"].as_str().unwrap();
    let room = t.mypage(owner_id).await["chanelName"]
        .as_str()
        .unwrap()
        .to_owned();
    let viewer_channel = t.mypage(viewer_id).await["chanelName"]
        .as_str()
        .unwrap()
        .to_owned();
    let chat_token = |id: &str| {
        let (t, room) = (&t, &room);
        let id = id.to_owned();
        async move {
            let (status, body) = t
                .get(&format!("/stream/get_caht?targetChanel={room}"), Some(&id))
                .await;
            assert_eq!(status, 200, "{body}");
            body["token"].as_str().unwrap().to_owned()
        }
    };
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/chat_clients.py");
    let out = tokio::process::Command::new("python3")
        .arg(script)
        .arg(t.server.backend_profile().chat_endpoint())
        .arg(&viewer_channel)
        // Tokens are secrets: the environment, not argv.
        .env("CHAT_OWNER_TOKEN", chat_token(owner_id).await)
        .env("CHAT_VIEWER_TOKEN", chat_token(viewer_id).await)
        .output()
        .await
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("OK"),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
}
