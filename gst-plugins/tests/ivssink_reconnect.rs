//! ivssink's reconnect controls against a real nginx-rtmp: reconnect-now, the attempt limit,
//! and a clean EOS while the ingest is down.

mod common;

use std::time::{Duration, Instant};

use gst::prelude::*;

use common::Nginx;
use common::init_rtmp as init;
use common::pipeline::{Run, connect_then_kill_ingest, failure_kind, is_state};

const KEY: &str = "livekey";

fn connected_then_dropped(props: &str) -> (Nginx, Run) {
    let mut nginx = Nginx::start(KEY);
    let run = connect_then_kill_ingest(&mut nginx, KEY, props);
    (nginx, run)
}

#[test]
fn reconnect_now_skips_the_backoff_delay() {
    if !init() {
        return;
    }
    // A first retry 20 s away: only reconnect-now can bring it back quickly.
    let (mut nginx, mut run) =
        connected_then_dropped("reconnect-delay-initial-ms=20000 reconnect-delay-max-ms=20000");
    nginx.restart();
    let ivs = run.pipeline.by_name("ivs").expect("ivssink");
    let asked = Instant::now();
    ivs.emit_by_name::<()>("reconnect-now", &[]);
    assert!(
        run.pump_until(Duration::from_secs(10), |m| is_state(m, "connected"))
            .is_some(),
        "reconnect-now did not reconnect: {:?}",
        run.states()
    );
    assert!(
        asked.elapsed() < Duration::from_secs(5),
        "{:?}",
        asked.elapsed()
    );
    let _ = run.stop();
}

#[test]
fn gives_up_after_max_reconnect_attempts() {
    if !init() {
        return;
    }
    let (_nginx, mut run) = connected_then_dropped(
        "max-reconnect-attempts=2 reconnect-delay-initial-ms=200 reconnect-delay-max-ms=400",
    );
    let err = run
        .pump_until(Duration::from_secs(20), |m| {
            matches!(m.view(), gst::MessageView::Error(_))
        })
        .expect("an error after the attempts ran out");
    assert_eq!(failure_kind(&err).as_deref(), Some("network"));
    let attempts: Vec<u32> = run
        .element_structs(gstcloumer::STATE_MESSAGE)
        .iter()
        .filter(|s| s.get::<&str>("state").ok() == Some("reconnecting"))
        .map(|s| s.get::<u32>("attempt").expect("attempt"))
        .collect();
    assert_eq!(attempts, vec![1, 2]);
    assert_eq!(run.states().last().map(String::as_str), Some("failed"));
    run.pipeline.set_state(gst::State::Null).expect("null");
}

#[test]
fn eos_while_the_ingest_is_down_still_finishes() {
    if !init() {
        return;
    }
    let (_nginx, run) = connected_then_dropped("");
    // Run::stop asserts a clean EOS within 20 s.
    let run = run.stop();
    assert!(run.errors().is_empty(), "{:?}", run.errors());
}
