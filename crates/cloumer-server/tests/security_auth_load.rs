//! Issue 15 #6: password guessing cannot starve the server (hashing runs in a bounded
//! CPU pool off the async workers), and one client address flooding the unauthenticated
//! operations is throttled (TooManyRequestsException) without shutting out others.

mod common;
mod security_auth_support;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use cloumer_testkit::skip;
use common::cognito_at;
use security_auth_support::{Figures, client_from, password_login, timed};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_password_guessing_loops_leave_the_api_responsive() {
    let t = Arc::new(common::start().await);
    let stop = Arc::new(AtomicBool::new(false));
    let answers = Arc::new(AtomicUsize::new(0));
    let mut attackers = Vec::new();
    for a in 0..8 {
        let (t, stop, answers) = (t.clone(), stop.clone(), answers.clone());
        attackers.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                // A new name each time: no lockout, every guess costs a hash.
                let (s, b) =
                    password_login(&t, &format!("target{a}-{i}@example.com"), "guess-123").await;
                let kind = b["__type"].as_str().unwrap_or_default();
                assert!(
                    s == 400
                        && (kind == "NotAuthorizedException" || kind == "TooManyRequestsException"),
                    "attacker got {s} {b}"
                );
                answers.fetch_add(1, Ordering::Relaxed);
                i += 1;
            }
        }));
    }
    // Let the attack saturate the pool, then measure the public API for 6 s.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let until = Instant::now() + Duration::from_secs(6);
    let mut latencies = Vec::new();
    while Instant::now() < until {
        let ((status, _), took) = timed(t.get("/public/users", None)).await;
        assert_eq!(status, 200);
        latencies.push(took);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for a in attackers {
        a.await.unwrap();
    }
    let figures = Figures::of(latencies);
    eprintln!(
        "GET /public/users under 8 guessing loops: {figures}; {} guesses answered",
        answers.load(Ordering::Relaxed)
    );
    assert!(figures.p90 < 50.0, "p90 {:.1} ms", figures.p90);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_flooding_address_is_throttled_and_others_still_served() {
    let t = Arc::new(common::start().await);
    let client_id = t.client_id();
    let guess = json!({"ClientId": client_id, "Username": "nobody@example.com",
                       "ConfirmationCode": "123456"});
    let throttled = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut floods = Vec::new();
    for _ in 0..16 {
        let (t, guess, throttled) = (t.clone(), guess.clone(), throttled.clone());
        floods.push(tokio::spawn(async move {
            for _ in 0..50 {
                let (s, b) = t.cognito("ConfirmSignUp", guess.clone()).await;
                match b["__type"].as_str() {
                    Some("TooManyRequestsException") => {
                        throttled.fetch_add(1, Ordering::Relaxed);
                    }
                    Some("CodeMismatchException") => {}
                    _ => panic!("unexpected {s} {b}"),
                }
            }
        }));
    }
    for f in floods {
        f.await.unwrap();
    }
    let throttled = throttled.load(Ordering::Relaxed);
    eprintln!(
        "800 ConfirmSignUp from one address in {:?}: {throttled} TooManyRequests",
        started.elapsed()
    );
    assert!(throttled >= 200, "only {throttled} throttled");
    // The REST API and other addresses are unaffected.
    assert_eq!(t.get("/public/users", None).await.0, 200);
    let other = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
    let Some(http) = client_from(&t, other).await else {
        return skip("cannot connect from 127.0.0.2 (a second loopback address)");
    };
    let (_, b) = cognito_at(&http, &t.server, "ConfirmSignUp", guess).await;
    assert_eq!(b["__type"], "CodeMismatchException", "{b}");
}
