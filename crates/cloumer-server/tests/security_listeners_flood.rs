#![allow(clippy::unwrap_used)]
//! Issue 15 #2: 1,100 RTMP connections from one address that send nothing. Before the fix
//! file handles ran out, the REST API stopped answering, a core spun and stderr grew by
//! 276 MiB in 10 s. (Alone in its binary: it counts the log of the whole process.)

mod common;
mod security_listeners_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::media::eventually;
use security_listeners_support::{self as attack, LOCAL, RawRtmp};

static LOGGED: AtomicUsize = AtomicUsize::new(0);

/// The server's log, counted instead of printed.
struct CountingLog;

impl std::io::Write for CountingLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        LOGGED.fetch_add(bytes.len(), Ordering::Relaxed);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_rtmp_flood_from_one_address_leaves_rest_and_other_publishers_working() {
    // INFO, as `cloumer serve` logs.
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(|| CountingLog)
        .init();
    let t = common::start().await;
    let auth = t.user("streamer@example.com", "streamer").await;
    let id = auth["IdToken"].as_str().unwrap().to_owned();
    let key = t.mypage(&id).await["streamKey"]
        .as_str()
        .unwrap()
        .to_owned();
    let rtmp = attack::rtmp_addr(&t.server.backend_profile().rtmp_url.unwrap());
    let logged_before = LOGGED.load(Ordering::Relaxed);
    let started = Instant::now();

    let api = t.server.api_url().to_owned();
    let latencies = tokio::spawn(async move { attack::rest_latencies(&api, 150).await });
    let mut idle = Vec::new();
    for _ in 0..1_100 {
        idle.push(attack::connect_from(attack::ATTACKER, rtmp).await.unwrap());
    }
    eprintln!("1,100 idle connections opened in {:?}", started.elapsed());
    // And a few that complete the handshake, then never publish.
    let mut shook = Vec::new();
    for _ in 0..4 {
        shook.push(RawRtmp::handshake([127, 0, 0, 4], rtmp).await.unwrap());
    }
    let closes: Vec<_> = idle
        .into_iter()
        .map(|mut c| {
            tokio::spawn(async move {
                let deadline = started + Duration::from_secs(15);
                attack::closed_by(&mut c, deadline)
                    .await
                    .then(|| started.elapsed())
            })
        })
        .collect();

    // Another address publishes while the flood holds its share.
    let (_publisher, accepted) = RawRtmp::publish(LOCAL, rtmp, &key).await.unwrap();
    assert!(accepted, "a publisher from another address was refused");
    assert!(eventually(|| async { t.mypage(&id).await["isLive"] == "true" }).await);

    let (_, p90, _) = attack::summarize(
        "GET /public/users during the flood",
        latencies.await.unwrap(),
    );
    assert!(p90 < Duration::from_millis(50), "p90 {p90:?}");

    let mut at_once = 0;
    let mut at_timeout = Vec::new();
    for close in closes {
        let when = close
            .await
            .unwrap()
            .expect("an idle connection outlived the publish deadline");
        if when < Duration::from_secs(5) {
            at_once += 1;
        } else {
            at_timeout.push(when);
        }
    }
    let latest = at_timeout.iter().max().copied().unwrap_or_default();
    let logged = LOGGED.load(Ordering::Relaxed) - logged_before;
    eprintln!(
        "closed at once (over the per-address cap): {at_once}; held then closed by the 5 s handshake \
         timeout: {} (last at {latest:?}); log: {logged} bytes; RSS {:.0} MiB",
        at_timeout.len(),
        common::proc_status_mib("VmRSS").unwrap_or(0.0)
    );
    assert!(!at_timeout.is_empty() && at_once > 1_000);
    // Silent ones by the 5 s handshake timeout.
    assert!(
        at_timeout
            .iter()
            .all(|w| *w >= Duration::from_millis(4_500))
    );
    for mut c in shook {
        assert!(
            attack::closed_by(&mut c.stream, started + Duration::from_secs(13)).await,
            "a handshaken connection that never published outlived the 10 s deadline"
        );
    }
    eprintln!(
        "handshaken, never published: closed by {:?}",
        started.elapsed()
    );
    assert!(logged < 64 * 1024, "the log grew {logged} bytes");
    // The publisher is not one of the idle: still live after the deadline.
    assert_eq!(t.mypage(&id).await["isLive"], "true");
}
