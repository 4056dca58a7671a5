#![allow(clippy::unwrap_used)]
//! Issue 15 #2 (endless RTMP messages), #15 (malformed chunk streams) and #17 (key rotation
//! ends the old publish), each performed against an in-process server on loopback.

mod common;
mod security_listeners_support;

use std::time::{Duration, Instant};

use common::media::eventually;
use security_listeners_support::{self as attack, LOCAL, RawRtmp};

const STREAMER: &str = "streamer@example.com";

/// A server with one confirmed streamer: (server, ID token, stream key, RTMP address).
async fn streamer() -> (common::TestServer, String, String, std::net::SocketAddr) {
    let t = common::start().await;
    let auth = t.user(STREAMER, "streamer").await;
    let id = auth["IdToken"].as_str().unwrap().to_owned();
    let key = t.mypage(&id).await["streamKey"]
        .as_str()
        .unwrap()
        .to_owned();
    let rtmp = attack::rtmp_addr(&t.server.backend_profile().rtmp_url.unwrap());
    (t, id, key, rtmp)
}

async fn is_live(t: &common::TestServer, id: &str) -> bool {
    t.mypage(id).await["isLive"] == "true"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyless_endless_messages_are_cut_off_and_memory_stays_bounded() {
    let (t, _, _, rtmp) = streamer().await;
    // One shared 16 MiB message: the clients' own memory must not hide the server's.
    let message = std::sync::Arc::new(attack::endless_message(16 << 20));
    let before = common::proc_status_mib("VmRSS").unwrap_or(0.0);
    let started = Instant::now();
    let attackers: Vec<_> = (0..16)
        .map(|_| {
            let message = message.clone();
            tokio::spawn(async move {
                let mut c = RawRtmp::handshake(attack::ATTACKER, rtmp).await.unwrap();
                let sent = attack::write_until_closed(&mut c.stream, &message).await;
                let closed =
                    attack::closed_by(&mut c.stream, Instant::now() + Duration::from_secs(5)).await;
                (sent, closed)
            })
        })
        .collect();
    let mut sent = Vec::new();
    for a in attackers {
        let (bytes, closed) = a.await.unwrap();
        assert!(closed, "an endless message must get its connection closed");
        sent.push(bytes);
    }
    let grown = common::proc_status_mib("VmRSS").unwrap_or(0.0) - before;
    eprintln!(
        "16 keyless 16 MiB messages: closed after {:?}, the most accepted {} KiB, RSS +{grown:.1} MiB",
        started.elapsed(),
        sent.iter().max().unwrap() >> 10
    );
    // Unbounded, the server held 16 x 16 MiB.
    assert!(grown < 64.0, "RSS grew {grown:.1} MiB");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(t.get("/public/users", None).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_chunk_stream_closes_only_that_connection_without_a_backtrace() {
    attack::count_panics();
    let (t, _, _, rtmp) = streamer().await;
    let panics = attack::panics_seen();
    // Past the 64 KiB budget too, so builds without overflow checks close it as well.
    let malformed = attack::malformed_chunk_stream(128, 80 << 10);
    for _ in 0..20 {
        let mut c = RawRtmp::handshake(attack::ATTACKER, rtmp).await.unwrap();
        attack::write_until_closed(&mut c.stream, &malformed).await;
        assert!(
            attack::closed_by(&mut c.stream, Instant::now() + Duration::from_secs(3)).await,
            "the malformed connection stays open"
        );
    }
    assert_eq!(
        attack::panics_seen(),
        panics,
        "a panic reached the default hook"
    );
    assert_eq!(t.get("/public/users", None).await.0, 200);
    let (_, accepted) = RawRtmp::publish(LOCAL, rtmp, "not-a-key").await.unwrap();
    assert!(
        !accepted,
        "the ingest still answers, and still refuses bad keys"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_publication_hit_by_a_malformed_chunk_stream_still_ends() {
    attack::count_panics();
    let (t, id, key, rtmp) = streamer().await;
    let panics = attack::panics_seen();
    let (mut publisher, accepted) = RawRtmp::publish(LOCAL, rtmp, &key).await.unwrap();
    assert!(accepted, "the publish is accepted");
    assert!(eventually(|| is_live(&t, &id)).await, "never went live");
    // Past the 8 MiB in-publish budget too (builds without overflow checks).
    let malformed = attack::malformed_chunk_stream(attack::CLIENT_CHUNK_SIZE, 9 << 20);
    attack::write_until_closed(&mut publisher.stream, &malformed).await;
    assert!(
        attack::closed_by(
            &mut publisher.stream,
            Instant::now() + Duration::from_secs(5)
        )
        .await
    );
    assert!(
        eventually(|| async { !is_live(&t, &id).await }).await,
        "Stream End was not recorded"
    );
    assert_eq!(
        attack::panics_seen(),
        panics,
        "a panic reached the default hook"
    );
    let channel = t.mypage(&id).await["chanelName"]
        .as_str()
        .unwrap()
        .to_owned();
    let recordings: Vec<_> = std::fs::read_dir(t.dir.path().join("recordings").join(channel))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(recordings.len(), 1);
    let header = std::fs::read(&recordings[0]).unwrap();
    assert!(header.starts_with(b"FLV"), "the recording was not flushed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotating_the_key_ends_the_old_publish_within_a_second_and_refuses_the_old_key() {
    let (t, id, old_key, rtmp) = streamer().await;
    let (mut publisher, accepted) = RawRtmp::publish(LOCAL, rtmp, &old_key).await.unwrap();
    assert!(accepted);
    assert!(eventually(|| is_live(&t, &id)).await, "never went live");

    let rotated = Instant::now();
    let response = t
        .http
        .post(t.url("/stream/v1/stream-key/rotate"))
        .header("Authorization", &id)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let new_key = response.json::<serde_json::Value>().await.unwrap()["streamKey"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        attack::closed_by(&mut publisher.stream, rotated + Duration::from_secs(1)).await,
        "the old publish is still connected a second after the rotation"
    );
    eprintln!(
        "old publish disconnected {:?} after the rotation",
        rotated.elapsed()
    );
    assert!(eventually(|| async { !is_live(&t, &id).await }).await);

    let (_, accepted) = RawRtmp::publish(LOCAL, rtmp, &old_key).await.unwrap();
    assert!(!accepted, "the old key still publishes");
    let (_, accepted) = RawRtmp::publish(LOCAL, rtmp, &new_key).await.unwrap();
    assert!(accepted, "the new key does not publish");
}
