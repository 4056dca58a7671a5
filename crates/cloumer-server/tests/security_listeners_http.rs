#![allow(clippy::unwrap_used)]
//! Issue 15 #11 (no header-read timeout) and #16 (CORS allowed any origin), performed
//! against an in-process server on loopback.

mod common;
mod security_listeners_support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use security_listeners_support as attack;
use tokio::io::AsyncWriteExt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_requests_are_closed_after_the_header_timeout_while_rest_answers() {
    let t = common::start().await;
    let api: SocketAddr = t
        .server
        .api_url()
        .trim_start_matches("http://")
        .parse()
        .unwrap();
    let started = Instant::now();
    let url = t.server.api_url().to_owned();
    let latencies = tokio::spawn(async move { attack::rest_latencies(&url, 150).await });
    let mut closes = Vec::new();
    for _ in 0..2_000 {
        let mut c = attack::connect_from(attack::ATTACKER, api).await.unwrap();
        // A request head that never ends.
        let _ = c
            .write_all(b"GET /public/users HTTP/1.1\r\nHost: cloumer\r\n")
            .await;
        closes.push(tokio::spawn(async move {
            attack::closed_by(&mut c, started + Duration::from_secs(20))
                .await
                .then(|| started.elapsed())
        }));
    }
    eprintln!("2,000 half-sent requests in {:?}", started.elapsed());
    let (_, p90, _) = attack::summarize(
        "GET /public/users during the attack",
        latencies.await.unwrap(),
    );
    assert!(p90 < Duration::from_millis(50), "p90 {p90:?}");

    let (mut at_once, mut held) = (0, Vec::new());
    for close in closes {
        let when = close
            .await
            .unwrap()
            .expect("a half-sent request is still open after 20 s");
        if when < Duration::from_secs(5) {
            at_once += 1;
        } else {
            held.push(when);
        }
    }
    eprintln!(
        "closed at once (over the per-address cap): {at_once}; held until the header timeout: {} \
         (closed {:?}..{:?})",
        held.len(),
        held.iter().min(),
        held.iter().max()
    );
    assert!(!held.is_empty());
    assert!(
        held.iter()
            .all(|w| *w >= Duration::from_secs(9) && *w < Duration::from_secs(16))
    );
    assert_eq!(t.get("/public/users", None).await.0, 200);
}

/// `Access-Control-Allow-Origin` of a request from `origin` (a simple GET and a preflight).
async fn allowed(t: &common::TestServer, origin: &str) -> (Option<String>, Option<String>) {
    let header = |r: reqwest::Response| {
        r.headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let get = t
        .http
        .get(t.url("/public/users"))
        .header("Origin", origin)
        .send()
        .await
        .unwrap();
    let preflight = t
        .http
        .request(
            reqwest::Method::OPTIONS,
            t.url("/stream/v1/stream-key/rotate"),
        )
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization")
        .send()
        .await
        .unwrap();
    (header(get), header(preflight))
}

#[tokio::test]
async fn cross_origin_requests_get_no_cors_headers_unless_the_origin_is_allowed() {
    let t = common::start().await;
    assert_eq!(allowed(&t, "https://evil.example").await, (None, None));
    assert_eq!(allowed(&t, "http://127.0.0.1:5173").await, (None, None));

    let site = "https://cloumer.example";
    let t = common::start_with(|c| cloumer_server::ServerConfig {
        cors_origins: vec![format!("{site}/")],
        ..c
    })
    .await;
    let yes = Some(site.to_owned());
    assert_eq!(allowed(&t, site).await, (yes.clone(), yes));
    assert_eq!(allowed(&t, "https://evil.example").await, (None, None));

    let dir = tempfile::tempdir().unwrap();
    let mut config = cloumer_server::ServerConfig::ephemeral(dir.path());
    config.cors_origins = vec!["*".into()];
    assert!(
        cloumer_server::Server::start(config).await.is_err(),
        "a wildcard must be refused"
    );
}
