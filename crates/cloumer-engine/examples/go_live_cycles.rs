//! Memory across go-live/stop cycles in one process, as the studio does them:
//! `cargo run --release -p cloumer-engine --example go_live_cycles -- [CYCLES]`.
//!
//! Each cycle streams 5 s of a 720p30 test pattern + tone to a recording with the preview
//! subscribed, stops, and prints the process's resident memory while live and after the
//! stop. Like the studio, it caps glibc's malloc arenas first (`limit_malloc_arenas`);
//! `MALLOC_ARENA_MAX=16` in the environment shows glibc's default on 2 cores instead.
//! Results: docs/benchmarks.md ("Memory across go-live cycles").

use std::time::{Duration, Instant};

use cloumer_engine::{
    AudioSource, AudioSourceKind, BroadcastConfig, Outputs, RecordingOutput, ScreenSource,
    SessionHandle, SessionState, Sources,
};

/// VmRSS of this process in MiB.
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("VmRSS");
    kib / 1024.0
}

fn config(recording: std::path::PathBuf) -> BroadcastConfig {
    BroadcastConfig {
        sources: Sources {
            screen: Some(ScreenSource::TestPattern {
                pattern: "ball".into(),
            }),
            camera: None,
            audio: vec![AudioSource::new(AudioSourceKind::TestTone {
                frequency: 440,
            })],
        },
        outputs: Outputs {
            stream: None,
            recording: Some(RecordingOutput { path: recording }),
        },
        ..Default::default()
    }
}

fn main() {
    // Before the runtime's threads exist, as the studio does it.
    cloumer_engine::limit_malloc_arenas();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(cycles());
}

async fn cycles() {
    cloumer_engine::init().expect("GStreamer");
    let cycles: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10);
    let dir = tempfile::tempdir().expect("temp dir");
    println!("cycle,live_rss_mib,stopped_rss_mib");
    for cycle in 0..cycles {
        let handle =
            SessionHandle::spawn(config(dir.path().join(format!("{cycle}.mkv")))).expect("session");
        let mut preview = handle.preview();
        handle.start().await.expect("start");
        handle
            .state()
            .wait_for(|s| matches!(s, SessionState::Live { .. }))
            .await
            .expect("live");
        let live_since = Instant::now();
        while live_since.elapsed() < Duration::from_secs(5) {
            let _ = tokio::time::timeout(Duration::from_millis(200), preview.changed()).await;
        }
        let live = rss_mib();
        handle.stop().await;
        drop(handle);
        tokio::time::sleep(Duration::from_millis(500)).await;
        println!("{cycle},{live:.1},{:.1}", rss_mib());
    }
}
