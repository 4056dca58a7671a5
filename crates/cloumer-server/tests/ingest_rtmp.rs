#![allow(clippy::unwrap_used)]
//! RTMP ingest with ffmpeg as the publisher: hooks, recording, HLS, refusals.

mod common;

use std::path::Path;
use std::process::ExitStatus;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use async_trait::async_trait;
use cloumer_server::ingest::{
    ChannelGrant, ChannelType, Ingest, IngestConfig, IngestHooks, RunningIngest, playback_path,
};
use common::media;

#[derive(Default)]
struct Hooks {
    events: Mutex<Vec<String>>,
}

#[async_trait]
impl IngestHooks for Hooks {
    async fn authorize(&self, stream_key: &str) -> Option<ChannelGrant> {
        let (channel, channel_type) = match stream_key {
            "sk_standard_secret" => ("alice", ChannelType::Standard),
            "sk_basic_secret" => ("bob", ChannelType::Basic),
            _ => return None,
        };
        Some(ChannelGrant {
            channel: channel.into(),
            channel_type,
        })
    }
    async fn stream_started(&self, channel: &str, _session_id: &str) {
        self.events.lock().unwrap().push(format!("start {channel}"));
    }
    async fn stream_ended(&self, channel: &str, _session_id: &str) {
        self.events.lock().unwrap().push(format!("end {channel}"));
    }
}

impl Hooks {
    fn events(&self) -> Vec<String> {
        self.events.lock().unwrap().clone()
    }

    async fn wait_for(&self, event: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if self.events().iter().any(|e| e == event) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        false
    }
}

async fn start(dir: &Path) -> Result<(Arc<Hooks>, RunningIngest)> {
    let hooks = Arc::new(Hooks::default());
    let ingest = Ingest::start(
        IngestConfig {
            rtmp: "127.0.0.1:0".parse()?,
            rtmps: "127.0.0.1:0".parse()?,
            tls: Default::default(),
            data_dir: dir.to_path_buf(),
        },
        hooks.clone(),
    )
    .await?;
    Ok((hooks, ingest))
}

/// Publishes to the plain RTMP listener of `ingest`.
async fn publish(
    ingest: &RunningIngest,
    key: &str,
    size: &str,
    extra: &[&str],
    seconds: u32,
) -> Result<ExitStatus> {
    let url = format!("rtmp://{}/app/{key}", ingest.rtmp_addr());
    media::publish(&url, size, extra, seconds).await
}

#[tokio::test]
async fn publish_records_and_serves_hls() -> Result<()> {
    if !media::have("ffmpeg") || !media::have("ffprobe") {
        cloumer_testkit::skip(
            "ffmpeg/ffprobe not installed (the README's test set-up installs them)",
        );
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let (hooks, ingest) = start(dir.path()).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let http = listener.local_addr()?;
    let router = ingest.hls_router();
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });

    let status = publish(&ingest, "sk_standard_secret", "1280x720", &[], 8).await?;
    assert!(status.success(), "ffmpeg publish failed: {status}");
    assert!(
        hooks.wait_for("end alice").await,
        "hooks: {:?}",
        hooks.events()
    );
    assert_eq!(hooks.events(), ["start alice", "end alice"]);

    let recordings: Vec<_> =
        std::fs::read_dir(dir.path().join("recordings/alice"))?.collect::<Result<_, _>>()?;
    assert_eq!(recordings.len(), 1);
    let recording = recordings[0].path();
    assert_eq!(recording.extension().and_then(|e| e.to_str()), Some("flv"));
    assert_eq!(
        media::probe(&recording.to_string_lossy()).await?,
        ["aac,audio", "h264,video"]
    );

    let playlist_url = format!("http://{http}{}", playback_path("alice"));
    let response = reqwest::get(&playlist_url).await?;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.apple.mpegurl"
    );
    let playlist = response.text().await?;
    assert!(playlist.starts_with("#EXTM3U"), "{playlist}");
    let segment = playlist
        .lines()
        .find(|l| l.ends_with(".ts"))
        .context("no segment")?;
    let seg = reqwest::get(format!("http://{http}/hls/alice/{segment}")).await?;
    assert_eq!(seg.headers()["content-type"], "video/mp2t");
    assert_eq!(
        media::probe(&playlist_url).await?,
        ["aac,audio", "h264,video"]
    );
    assert_eq!(
        reqwest::get(format!("http://{http}/hls/alice/..%2Fx.ts"))
            .await?
            .status(),
        404
    );

    ingest.shutdown();
    server.abort();
    Ok(())
}

#[tokio::test]
async fn wrong_key_is_refused() -> Result<()> {
    if !media::have("ffmpeg") {
        cloumer_testkit::skip("ffmpeg not installed (the README's test set-up installs them)");
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let (hooks, ingest) = start(dir.path()).await?;
    let status = publish(&ingest, "not-a-key", "640x360", &[], 5).await?;
    assert!(!status.success(), "a wrong key must not publish");
    assert!(hooks.events().is_empty(), "hooks: {:?}", hooks.events());
    assert!(!dir.path().join("recordings/alice").exists());
    ingest.shutdown();
    Ok(())
}

#[tokio::test]
async fn over_limit_resolution_is_refused() -> Result<()> {
    if !media::have("ffmpeg") {
        cloumer_testkit::skip("ffmpeg not installed (the README's test set-up installs them)");
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let (hooks, ingest) = start(dir.path()).await?;
    let started = Instant::now();
    let status = publish(&ingest, "sk_standard_secret", "2560x1440", &[], 20).await?;
    assert!(!status.success(), "1440p must be refused");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "refused only after {:?}",
        started.elapsed()
    );
    assert!(
        hooks.wait_for("end alice").await,
        "hooks: {:?}",
        hooks.events()
    );
    ingest.shutdown();
    Ok(())
}
