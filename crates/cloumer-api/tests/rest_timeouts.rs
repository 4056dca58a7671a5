//! A backend that accepts connections and never answers: requests time out with a typed
//! `Transport` error, idempotent GETs are retried, a POST (avatar upload) is sent once.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use cloumer_api::{Error, RestClient};
use secrecy::SecretString;

/// Counts connections and holds each open without a byte of answer.
async fn silent_server() -> (String, Arc<AtomicU32>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/develop", listener.local_addr().expect("address"));
    let accepted = Arc::new(AtomicU32::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            held.push(socket);
        }
    });
    (url, accepted)
}

fn timed_out(result: &Result<impl std::fmt::Debug, Error>) -> bool {
    matches!(result, Err(Error::Transport { message, .. }) if message == "timed out")
}

#[tokio::test]
async fn a_silent_backend_times_out_gets_are_retried_posts_are_not() {
    let (url, accepted) = silent_server().await;
    let client = RestClient::builder(&url)
        .timeout(Duration::from_millis(200))
        .get_retries(2)
        .build()
        .expect("client");

    let channels = client.channels().await;
    assert!(timed_out(&channels), "{channels:?}");
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        3,
        "a GET: one try and two retries"
    );

    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let token = SecretString::from("fixture-id-token");
    let upload = client.upload_avatar(&token, png).await;
    assert!(timed_out(&upload), "{upload:?}");
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        4,
        "a POST is sent once: a retry could upload twice"
    );
}
