//! Issue 15, finding 3: one huge chat WebSocket message must not take the server's
//! memory. An anonymous viewer (R4 token) sends a 60 MiB text message as one frame, then
//! three such messages at once (one as 16 KiB fragments): each connection is closed with
//! 1009 (Message Too Big) after the frame header, the process grows by a few MiB at most,
//! and `GET /public/users` keeps answering fast meanwhile.
//!
//! Alone in its binary: the memory figures are the whole process's.

mod chat_support;
mod common;

use std::net::SocketAddr;
use std::time::Duration;

use chat_support::raw;
use chat_support::vitals::{LatencyProbe, quantile_ms};
use cloumer_testkit::skip;
use common::proc_status_mib;

const HUGE: u64 = 60 * 1024 * 1024;
/// RFC 6455's "Message Too Big".
const CLOSE_TOO_BIG: u16 = 1009;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_60_mib_chat_message_is_refused_without_buffering() {
    let Some(rss_before) = proc_status_mib("VmHWM") else {
        return skip("no /proc/self/status to read the process's memory from");
    };
    let t = common::start().await;
    let id_token = t.user("owner@example.com", "owner").await["IdToken"]
        .as_str()
        .expect("id token")
        .to_owned();
    let channel = t.mypage(&id_token).await["chanelName"]
        .as_str()
        .expect("channel")
        .to_owned();
    let anonymous_token = || {
        let t = &t;
        let channel = &channel;
        async move {
            let (status, body) = t
                .get(&format!("/public/get_chat?targetChanel={channel}"), None)
                .await;
            assert_eq!(status, 200, "{body}");
            body["token"].as_str().expect("token").to_owned()
        }
    };
    let addr: SocketAddr = t
        .server
        .api_url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .expect("api address");
    let rss_start = proc_status_mib("VmHWM").unwrap_or(rss_before);

    let probe = LatencyProbe::start(t.url("/public/users"), Duration::from_millis(20));
    // One message, one frame.
    let one = raw::send_huge_text(
        raw::open(addr, &anonymous_token().await).await.unwrap(),
        HUGE,
        HUGE,
    )
    .await
    .expect("attack ran");
    println!("one 60 MiB frame: {one:?}");
    assert_eq!(one.close_code, Some(CLOSE_TOO_BIG), "{one:?}");

    // Three at once, two single frames and one message in 16 KiB fragments; repeated for
    // two seconds so the probe sees the server under attack.
    let attack_started = std::time::Instant::now();
    let mut rounds = 0;
    while attack_started.elapsed() < Duration::from_secs(2) && rounds < 100 {
        rounds += 1;
        let mut attacks = Vec::new();
        for frame_size in [HUGE, HUGE, 16 * 1024] {
            let stream = raw::open(addr, &anonymous_token().await).await.unwrap();
            attacks.push(tokio::spawn(raw::send_huge_text(stream, HUGE, frame_size)));
        }
        for attack in attacks {
            let outcome = attack.await.unwrap().expect("attack ran");
            if rounds == 1 {
                println!("concurrent 60 MiB message: {outcome:?}");
            }
            assert_eq!(outcome.close_code, Some(CLOSE_TOO_BIG), "{outcome:?}");
            assert!(outcome.elapsed < Duration::from_secs(10), "{outcome:?}");
        }
    }
    println!("{rounds} rounds of three 60 MiB messages at once");
    let latencies = probe.finish().await;
    let rss_peak = proc_status_mib("VmHWM").unwrap_or(f64::NAN);
    let (p50, p90, max) = (
        quantile_ms(&latencies, 0.5),
        quantile_ms(&latencies, 0.9),
        quantile_ms(&latencies, 1.0),
    );
    println!(
        "peak RSS {rss_start:.1} -> {rss_peak:.1} MiB (+{:.1}); GET /public/users during the attack: \
         n={} p50={p50:.1} ms p90={p90:.1} ms max={max:.1} ms",
        rss_peak - rss_start,
        latencies.len()
    );
    assert!(
        rss_peak - rss_start < 32.0,
        "peak RSS grew by {:.1} MiB",
        rss_peak - rss_start
    );
    assert!(latencies.len() >= 20, "only {} probes", latencies.len());
    assert!(
        p90 < 50.0,
        "GET /public/users p90 {p90:.1} ms during the attack"
    );

    // The chat still works for everyone else.
    let mut viewer = raw::open(addr, &anonymous_token().await)
        .await
        .expect("a new viewer");
    let _ = tokio::io::AsyncWriteExt::shutdown(&mut viewer).await;
    t.server.shutdown().await;
}
