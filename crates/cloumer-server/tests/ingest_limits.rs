#![allow(clippy::unwrap_used)]
//! Over-limit input on a stored channel type: a server whose new channels are BASIC
//! (`cloumer serve --channel-type BASIC`) refuses a 5 Mbps 720p publish (BASIC allows
//! 3.5 Mbps above 480p) and logs why. Its own test binary: it installs the process-wide
//! log capture.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;
use cloumer_server::ingest::ChannelType;
use common::media;

/// Everything the server logs, as text.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    fn capture() -> Self {
        let logs = Logs::default();
        let writer = logs.clone();
        tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .init();
        logs
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn five_mbps_into_a_basic_channel_is_refused_with_a_logged_reason() -> Result<()> {
    if !media::have("ffmpeg") {
        cloumer_testkit::skip("ffmpeg not installed (the README's test set-up installs them)");
        return Ok(());
    }
    let logs = Logs::capture();
    let t = common::start_with(|config| cloumer_server::ServerConfig {
        channel_type: ChannelType::Basic,
        ..config
    })
    .await;
    let tokens = t.user("basic@example.com", "basic").await;
    let page = t.mypage(tokens["IdToken"].as_str().unwrap()).await;
    let url = format!(
        "{}{}",
        t.server.backend_profile().rtmp_url.unwrap(),
        page["streamKey"].as_str().unwrap()
    );
    // Constant 5 Mbps: x264 pads with filler data to the HRD rate, whatever the picture.
    let cbr = [
        "-b:v",
        "5M",
        "-minrate",
        "5M",
        "-maxrate",
        "5M",
        "-bufsize",
        "5M",
        "-x264-params",
        "nal-hrd=cbr",
    ];
    let started = Instant::now();
    let status = media::publish(&url, "1280x720", &cbr, 40).await?;
    assert!(!status.success(), "5 Mbps into BASIC must be refused");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "refused only after {:?}",
        started.elapsed()
    );
    let channel = page["chanelName"].as_str().unwrap();
    let reason = format!("above the {} limit of 3.5 Mbps", ChannelType::Basic);
    let (captured, wanted) = (&logs, &reason);
    assert!(
        media::eventually(|| async move {
            captured
                .text()
                .lines()
                .any(|l| l.contains("over-limit") && l.contains(channel) && l.contains(wanted))
        })
        .await,
        "no logged reason ({reason}) in:\n{}",
        logs.text()
    );
    assert_eq!(
        t.mypage(tokens["IdToken"].as_str().unwrap()).await["isLive"],
        "false"
    );
    Ok(())
}
