#![allow(clippy::unwrap_used)]
//! RTMPS ingest of the whole server: ffmpeg publishes over TLS with the key from R6 →
//! `isLive`, recording and HLS; a wrong key is refused; a rustls client that trusts only
//! the generated certificate (the profile's `ingest_certificate`) completes the handshake
//! for 127.0.0.1 and localhost, and a restart presents the same certificate.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result};
use common::media;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The `host:port` of an `rtmps://host:port/app/` URL.
fn rtmps_addr(url: &str) -> SocketAddr {
    url.strip_prefix("rtmps://")
        .and_then(|rest| rest.strip_suffix("/app/"))
        .and_then(|addr| addr.parse().ok())
        .unwrap_or_else(|| panic!("not an RTMPS ingest URL: {url}"))
}

/// TLS to `addr` as `name`, trusting only `cert_pem`; then the first RTMP handshake step
/// (C0+C1 → S0), which proves the RTMP session runs behind the TLS.
async fn tls_then_rtmp(addr: SocketAddr, name: &str, cert_pem: &[u8]) -> Result<()> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(cert_pem) {
        roots.add(cert?)?;
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    let mut tls = connector
        .connect(ServerName::try_from(name.to_owned())?, tcp)
        .await
        .with_context(|| format!("TLS handshake as {name}"))?;
    let mut c0c1 = vec![0u8; 1 + 1536];
    c0c1[0] = 3;
    tls.write_all(&c0c1).await?;
    let mut s0 = [0u8; 1];
    tokio::time::timeout(std::time::Duration::from_secs(10), tls.read_exact(&mut s0))
        .await
        .context("no RTMP answer")??;
    anyhow::ensure!(s0[0] == 3, "RTMP version {} from the server", s0[0]);
    Ok(())
}

#[tokio::test]
async fn ffmpeg_publishes_over_rtmps_live_recorded_and_hls() -> Result<()> {
    if !media::have("ffmpeg") || !media::have("ffprobe") {
        cloumer_testkit::skip(
            "ffmpeg/ffprobe not installed (the README's test set-up installs them)",
        );
        return Ok(());
    }
    let t = common::start().await;
    let tokens = t.user("streamer@example.com", "streamer").await;
    let id = tokens["IdToken"].as_str().unwrap();
    let page = t.mypage(id).await;
    let channel = page["chanelName"].as_str().unwrap().to_owned();
    let ingest = t.server.backend_profile().rtmps_url.context("rtmps_url")?;
    assert!(
        ingest.starts_with("rtmps://") && ingest.ends_with("/app/"),
        "{ingest}"
    );
    assert_eq!(
        page["streamUrl"],
        ingest.as_str(),
        "R6 hands out the RTMPS ingest"
    );
    let url = format!("{ingest}{}", page["streamKey"].as_str().unwrap());
    let publisher = tokio::spawn(async move { media::publish(&url, "1280x720", &[], 10).await });

    let server = &t;
    assert!(
        media::eventually(|| async move { server.mypage(id).await["isLive"] == "true" }).await,
        "isLive never became \"true\""
    );
    let (_, live) = t.get("/public/broadcast_status", None).await;
    assert_eq!(live[0]["sub_key"], channel.as_str(), "{live}");

    let status = publisher.await??;
    assert!(status.success(), "ffmpeg over RTMPS failed: {status}");
    assert!(
        media::eventually(|| async move { server.mypage(id).await["isLive"] == "false" }).await,
        "isLive stayed \"true\" after the publisher left"
    );

    let recordings: Vec<_> = std::fs::read_dir(t.dir.path().join("recordings").join(&channel))?
        .collect::<Result<_, _>>()?;
    assert_eq!(recordings.len(), 1, "one recording per session");
    assert_eq!(
        media::probe(&recordings[0].path().to_string_lossy()).await?,
        ["aac,audio", "h264,video"]
    );
    let (_, playback) = t
        .get(&format!("/public/get_channel?code={channel}"), None)
        .await;
    let playlist = playback["play_back"].as_str().unwrap();
    assert_eq!(
        media::probe(playlist).await?,
        ["aac,audio", "h264,video"],
        "{playlist}"
    );
    Ok(())
}

/// A publisher that dies (no RTMP close, no TLS close_notify) still ends the stream: isLive
/// goes back to "false" and the server, whose HLS pipeline was running, keeps serving.
#[tokio::test]
async fn killed_rtmps_publisher_ends_the_stream() -> Result<()> {
    if !media::have("ffmpeg") {
        cloumer_testkit::skip("ffmpeg not installed (the README's test set-up installs them)");
        return Ok(());
    }
    let t = common::start().await;
    let tokens = t.user("crasher@example.com", "crasher").await;
    let id = tokens["IdToken"].as_str().unwrap();
    let page = t.mypage(id).await;
    let ingest = t.server.backend_profile().rtmps_url.context("rtmps_url")?;
    let url = format!("{ingest}{}", page["streamKey"].as_str().unwrap());
    // kill_on_drop: aborting the task kills ffmpeg (SIGKILL) mid-stream.
    let publisher = tokio::spawn(async move { media::publish(&url, "640x360", &[], 60).await });

    let server = &t;
    assert!(
        media::eventually(|| async move { server.mypage(id).await["isLive"] == "true" }).await,
        "isLive never became \"true\""
    );
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    publisher.abort();
    assert!(
        media::eventually(|| async move { server.mypage(id).await["isLive"] == "false" }).await,
        "isLive stayed \"true\" after the publisher died"
    );
    let (status, _) = t.get("/public/broadcast_status", None).await;
    assert_eq!(status, 200, "the server still answers");
    Ok(())
}

#[tokio::test]
async fn wrong_key_over_rtmps_is_refused() -> Result<()> {
    if !media::have("ffmpeg") {
        cloumer_testkit::skip("ffmpeg not installed (the README's test set-up installs them)");
        return Ok(());
    }
    let t = common::start().await;
    let ingest = t.server.backend_profile().rtmps_url.context("rtmps_url")?;
    let status = media::publish(&format!("{ingest}sk_not_a_key"), "640x360", &[], 5).await?;
    assert!(!status.success(), "a wrong key must not publish");
    assert!(!t.dir.path().join("recordings").read_dir()?.any(|_| true));
    Ok(())
}

#[tokio::test]
async fn generated_certificate_is_valid_for_loopback_and_survives_restart() -> Result<()> {
    let t = common::start().await;
    let profile = t.server.backend_profile();
    let cert_path = profile.ingest_certificate.context("ingest_certificate")?;
    let tls_dir = t.dir.path().canonicalize()?.join("tls");
    assert_eq!(
        std::path::Path::new(&cert_path),
        tls_dir.join("ingest-cert.pem")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(tls_dir.join("ingest-key.pem"))?
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the private key is the owner's only");
    }
    let pem = std::fs::read(&cert_path)?;
    let addr = rtmps_addr(profile.rtmps_url.as_deref().unwrap());
    tls_then_rtmp(addr, "127.0.0.1", &pem).await?;
    tls_then_rtmp(addr, "localhost", &pem).await?;
    // A name the certificate does not carry is refused: the client really verifies.
    assert!(tls_then_rtmp(addr, "example.com", &pem).await.is_err());

    let t = t.restart().await;
    assert_eq!(std::fs::read(&cert_path)?, pem, "the same certificate");
    let profile = t.server.backend_profile();
    assert_eq!(
        profile.ingest_certificate.as_deref(),
        Some(cert_path.as_str())
    );
    tls_then_rtmp(
        rtmps_addr(profile.rtmps_url.as_deref().unwrap()),
        "127.0.0.1",
        &pem,
    )
    .await?;
    Ok(())
}
