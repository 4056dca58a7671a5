//! `cloumer live` over a constrained uplink (issue 19): a test bed of network namespaces
//! with `tc tbf` on the link ([`cloumer_testkit::NetBed`]) and nginx-rtmp behind TLS on
//! the far side. What a viewer would see is checked on the ingest's recording (ffprobe);
//! the controller's own view comes from `--json`.
//!
//! The picture is `--camera test:snow` at 720p30: noise makes x264 use its whole bitrate,
//! so the stream really needs what `--bitrate` says. The scenarios run one at a time (the
//! encoder takes most of a core of this 2-core machine).

mod live_support;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use cloumer_testkit::{Ingest, NetBed, probe, skip_unless};
use live_support::{Finished, GOOD_KEY};
use serde_json::Value;

/// One scenario at a time: two x264 encoders would starve each other on 2 cores.
static SEQUENTIAL: Mutex<()> = Mutex::new(());

const FPS: f64 = 30.0;

struct Bed {
    // Dropped after nginx (declared last): the namespaces outlive what runs in them.
    ingest: Ingest,
    bed: NetBed,
}

fn bed(rate_kbit: u32) -> anyhow::Result<Bed> {
    cloumer_testkit::require_programs(&["nginx", "ffprobe"])?;
    let bed = NetBed::new(rate_kbit)?;
    let ingest = Ingest::start_behind(GOOD_KEY, &bed)?;
    Ok(Bed { ingest, bed })
}

/// Streams `secs` of 720p30 snow at `--bitrate 3500` (plus `extra` arguments) through the
/// bed while `scenario` (given the time the stream went live) changes the link.
fn stream(
    bed: &Bed,
    secs: u64,
    extra: &[&str],
    scenario: impl FnOnce(&NetBed, Instant) + Send,
) -> Finished {
    let mut cmd = bed.bed.client().command(env!("CARGO_BIN_EXE_cloumer"));
    cmd.args([
        "live",
        "--to",
        &bed.ingest.rtmps_url(),
        "--camera",
        "test:snow",
    ])
    .args([
        "--size",
        "1280x720",
        "--fps",
        "30",
        "--bitrate",
        "3500",
        "--json",
    ])
    .args(["--duration", &secs.to_string()])
    .args(extra)
    .env("CLOUMER_STREAM_KEY", GOOD_KEY)
    .env("RUST_LOG", "warn");
    let started = Instant::now();
    let child = live_support::spawn(&mut cmd);
    std::thread::scope(|scope| {
        scope.spawn(|| scenario(&bed.bed, started));
        live_support::finish(child, started, Duration::from_secs(secs + 40))
    })
}

/// The `--json` stats objects as (seconds since start, object).
fn stats(run: &Finished) -> Vec<(f64, Value)> {
    run.events()
        .into_iter()
        .filter(|e| e["event"] == "stats")
        .filter_map(|e| Some((e["uptime_secs"].as_f64()?, e)))
        .collect()
}

/// Runs of samples with more than 0.5 s waiting to leave.
fn backlog_episodes(samples: &[&(f64, Value)]) -> usize {
    let over: Vec<bool> = samples
        .iter()
        .map(|(_, s)| s["backlog_ms"].as_u64() > Some(500))
        .collect();
    over.windows(2).filter(|w| !w[0] && w[1]).count() + usize::from(over.first() == Some(&true))
}

fn bitrate_events(run: &Finished) -> Vec<Value> {
    run.events()
        .into_iter()
        .filter(|e| e["event"] == "bitrate")
        .collect()
}

/// The one recording nginx made (there is no reconnect in these scenarios).
fn recording(bed: &Bed) -> std::path::PathBuf {
    let recordings = bed
        .ingest
        .wait_recordings(1, Duration::from_secs(15))
        .expect("nginx finished the recording");
    recordings[0].path.clone()
}

/// Average bitrate the ingest received, kbit/s (size over the media's time span).
fn ingest_kbps(path: &std::path::Path) -> f64 {
    let packets = probe::packets(path, "v").expect("packets");
    let span = packets.last().map(|p| p.pts).unwrap_or(0.0) - packets[0].pts;
    let bytes = std::fs::metadata(path).expect("recording").len();
    bytes as f64 * 8.0 / 1000.0 / span.max(1.0)
}

fn keyframes_every_2_s(path: &std::path::Path) {
    let keys = probe::keyframe_times(path).expect("keyframes");
    assert!(keys.len() >= 5, "keyframes {keys:?}");
    for pair in keys.windows(2) {
        let gap = pair[1] - pair[0];
        assert!((gap - 2.0).abs() < 0.15, "keyframes at {keys:?}");
    }
}

#[test]
fn a_link_slower_than_the_bitrate_is_handled_within_5_s() {
    let _one = SEQUENTIAL.lock().unwrap_or_else(|p| p.into_inner());
    let bed = skip_unless!(bed(1500));
    let run = stream(&bed, 30, &[], |_, _| {});
    assert_eq!(run.code(), Some(0), "{}", run.describe());
    let samples = stats(&run);
    // Onset: the link is slow from the start, so the first second of streaming.
    let first = samples
        .iter()
        .find(|(_, s)| s["bytes_sent"].as_u64() > Some(0))
        .map(|(t, _)| *t)
        .expect("bytes sent");
    let cleared = samples
        .iter()
        .find(|(t, s)| *t > first && s["backlog_ms"].as_u64() < Some(500))
        .map(|(t, _)| *t)
        .expect("the backlog cleared");
    assert!(
        cleared - first <= 5.0,
        "backlog under 0.5 s only {:.1} s after the onset\n{}",
        cleared - first,
        run.describe()
    );
    let later: Vec<_> = samples.iter().filter(|(t, _)| *t > cleared).collect();
    let episodes = backlog_episodes(&later);
    assert!(episodes <= 2, "{episodes} episodes\n{}", run.describe());
    assert!(
        bitrate_events(&run)
            .iter()
            .any(|e| e["reason"] == "congestion"),
        "{}",
        run.describe()
    );
    let last = &samples.last().expect("stats").1;
    assert_eq!(last["reconnects"], 0, "{}", run.describe());
    let path = recording(&bed);
    let (frames, ratio) = live_support::frame_ratio(&path, FPS);
    assert!(ratio >= 0.97, "{frames} frames, {ratio:.3} of the expected");
    keyframes_every_2_s(&path);
    let kbps = ingest_kbps(&path);
    assert!(kbps < 1500.0, "the ingest received {kbps:.0} kbit/s");
}

#[test]
fn without_adaptive_bitrate_the_same_link_falls_behind() {
    let _one = SEQUENTIAL.lock().unwrap_or_else(|p| p.into_inner());
    let bed = skip_unless!(bed(1500));
    let run = stream(&bed, 20, &["--no-abr"], |_, _| {});
    assert!(bitrate_events(&run).is_empty(), "{}", run.describe());
    let samples = stats(&run);
    let worst = samples
        .iter()
        .filter_map(|(_, s)| s["backlog_ms"].as_u64())
        .max()
        .unwrap_or(0);
    // Today's behaviour: the backlog grows until ivssink's queue drops data.
    assert!(worst > 2000, "worst backlog {worst} ms\n{}", run.describe());
    assert!(
        samples
            .iter()
            .all(|(_, s)| s["target_bitrate_kbps"] == 3500),
        "{}",
        run.describe()
    );
}

#[test]
fn a_faster_link_is_found_within_15_s() {
    let _one = SEQUENTIAL.lock().unwrap_or_else(|p| p.into_inner());
    let bed = skip_unless!(bed(1500));
    const FASTER_AT: u64 = 12;
    let run = stream(&bed, FASTER_AT + 20, &[], |net, started| {
        std::thread::sleep(Duration::from_secs(FASTER_AT).saturating_sub(started.elapsed()));
        net.set_rate_kbit(20_000).expect("tc change");
    });
    assert_eq!(run.code(), Some(0), "{}", run.describe());
    let samples = stats(&run);
    assert!(
        samples
            .iter()
            .any(|(t, s)| *t < FASTER_AT as f64 && s["congested"] == true),
        "never congested on the slow link\n{}",
        run.describe()
    );
    let recovered = samples.iter().find(|(t, s)| {
        *t > FASTER_AT as f64 && s["target_bitrate_kbps"].as_u64() >= Some(3500 * 9 / 10)
    });
    let (t, _) = recovered.unwrap_or_else(|| panic!("never recovered\n{}", run.describe()));
    eprintln!(
        "back to 90 % {:.1} s after the link grew",
        *t - FASTER_AT as f64
    );
    // The whole run (stats and bitrate events), to see how the climb went.
    if std::env::var_os("ABR_TRACE").is_some() {
        eprintln!("{}", run.describe());
    }
    assert!(
        *t - FASTER_AT as f64 <= 15.0,
        "back to 90 % only {:.1} s after the link grew\n{}",
        *t - FASTER_AT as f64,
        run.describe()
    );
}

#[test]
fn a_steady_link_is_used_without_oscillating() {
    let _one = SEQUENTIAL.lock().unwrap_or_else(|p| p.into_inner());
    const LINK: u64 = 2500;
    const SETTLE: f64 = 15.0;
    let bed = skip_unless!(bed(LINK as u32));
    let run = stream(&bed, SETTLE as u64 + 60, &[], |_, _| {});
    assert_eq!(run.code(), Some(0), "{}", run.describe());
    let samples = stats(&run);
    let minute: Vec<_> = samples.iter().filter(|(t, _)| *t >= SETTLE).collect();
    assert!(minute.len() >= 55, "{}", run.describe());
    for (t, s) in &minute {
        let target = s["target_bitrate_kbps"].as_u64().unwrap_or(0);
        assert!(
            (LINK * 6 / 10..=LINK).contains(&target),
            "target {target} at {t:.0} s\n{}",
            run.describe()
        );
    }
    let episodes = backlog_episodes(&minute);
    let targets = minute
        .iter()
        .filter_map(|(_, s)| s["target_bitrate_kbps"].as_u64());
    let (low, high) = targets.fold((u64::MAX, 0), |(l, h), t| (l.min(t), h.max(t)));
    eprintln!("settled target {low}-{high} kbit/s on a {LINK} kbit/s link, {episodes} episodes");
    assert!(episodes <= 2, "{episodes} episodes\n{}", run.describe());
}

#[test]
fn the_link_going_down_for_10_s_reconnects_soon_after_its_return() {
    let _one = SEQUENTIAL.lock().unwrap_or_else(|p| p.into_inner());
    const DOWN_AT: u64 = 12;
    let bed = skip_unless!(bed(1500));
    let safety = tempfile::Builder::new()
        .prefix("cloumer-constrained-")
        .tempdir()
        .expect("tempdir");
    let file = safety.path().join("safety.mkv");
    let up_at = Mutex::new(None);
    let run = stream(
        &bed,
        DOWN_AT + 35,
        &["--record", file.to_str().expect("utf-8 path")],
        |net, started| {
            std::thread::sleep(Duration::from_secs(DOWN_AT).saturating_sub(started.elapsed()));
            net.link_down().expect("link down");
            std::thread::sleep(Duration::from_secs(10));
            net.link_up().expect("link up");
            *up_at.lock().expect("lock") = Some(Instant::now());
        },
    );
    assert_eq!(run.code(), Some(0), "{}", run.describe());
    let up_at = up_at
        .into_inner()
        .expect("lock")
        .expect("the link came back");
    let back = bed
        .ingest
        .publish_attempts()
        .into_iter()
        .find(|p| p.accepted && p.at > up_at)
        .unwrap_or_else(|| panic!("no publish after the link came back\n{}", run.describe()));
    let delay = back.at.duration_since(up_at);
    // The engine watches route netlink and asks ivssink to retry the moment the link is
    // back, instead of waiting out its back-off (up to 1.8 s) first.
    assert!(
        delay <= Duration::from_secs(2),
        "published again {delay:?} after the link came back\n{}",
        run.describe()
    );
    // Adaptive bitrate still works on the new connection: over the last 10 s the target
    // stays below --bitrate (held to the 1.5 Mbit/s link) and the backlog drains. The
    // median, not every sample: on a loaded 2-core machine the encoder sometimes stalls
    // and catches up in a burst that queues for a second, which the controller then
    // drains; a controller that stopped working would leave the backlog growing.
    let samples = stats(&run);
    let end = samples.last().map(|(t, _)| *t).unwrap_or(0.0);
    let last: Vec<&Value> = samples
        .iter()
        .filter(|(t, _)| *t > end - 10.0)
        .map(|(_, s)| s)
        .collect();
    assert!(
        !last.is_empty(),
        "no stats after the reconnect\n{}",
        run.describe()
    );
    for s in &last {
        assert!(
            s["target_bitrate_kbps"].as_u64() < Some(3500),
            "target not held below --bitrate: {s}\n{}",
            run.describe()
        );
    }
    let mut backlogs: Vec<u64> = last
        .iter()
        .filter_map(|s| s["backlog_ms"].as_u64())
        .collect();
    backlogs.sort_unstable();
    let median = backlogs
        .get(backlogs.len() / 2)
        .copied()
        .unwrap_or(u64::MAX);
    assert!(
        median < 500,
        "median backlog {median} ms over the last 10 s ({backlogs:?})\n{}",
        run.describe()
    );
    // The safety recording never depended on the network.
    let (frames, ratio) = live_support::frame_ratio(&file, FPS);
    assert!(
        ratio >= 0.995,
        "{frames} frames, {ratio:.4} of the expected"
    );
}
