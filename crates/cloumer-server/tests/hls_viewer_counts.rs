//! Viewer counts (issue 18 #3): HLS playback clients seen in the last 10 s, in R2's and
//! R1's additive `viewerCount` (R1: live channels only). A real publish (ffmpeg) to the
//! in-process server, then players that fetch the live playlist: one client polling many
//! times counts once, another client (another User-Agent) adds one; a second, offline
//! channel has no count in R1.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use cloumer_server::ChannelType;
use common::media;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r2_counts_the_hls_clients_of_the_last_10_seconds() {
    if !media::have("ffmpeg") {
        cloumer_testkit::skip("ffmpeg not installed (the README's test set-up installs it)");
        return;
    }
    let t = common::start().await;
    let auth = t.user("streamer@example.com", "streamer").await;
    let id_token = auth["IdToken"].as_str().unwrap().to_owned();
    let page = t.mypage(&id_token).await;
    // Issue 20 #4: R6 tells the channel type (STANDARD unless `--channel-type` says).
    assert_eq!(page["channelType"], "STANDARD", "{page}");
    let channel = page["chanelName"].as_str().unwrap().to_owned();
    let other = t.user("offline@example.com", "offline").await;
    let offline = t.mypage(other["IdToken"].as_str().unwrap()).await["chanelName"]
        .as_str()
        .unwrap()
        .to_owned();
    let key = page["streamKey"].as_str().unwrap().to_owned();
    let rtmp = t.server.backend_profile().rtmp_url.expect("rtmp url");
    let publisher = tokio::spawn(async move {
        media::publish(&format!("{rtmp}{key}"), "640x360", &[], 25).await
    });

    let playlist = t.url(&format!("/hls/{channel}/index.m3u8"));
    let fetch = |agent: &'static str| {
        let http = t.http.clone();
        let url = playlist.clone();
        async move {
            http.get(url)
                .header("User-Agent", agent)
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while fetch("player-a").await != 200 {
        assert!(Instant::now() < deadline, "no playlist within 30 s");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    for _ in 0..5 {
        assert_eq!(fetch("player-a").await, 200);
    }
    assert_eq!(fetch("player-b").await, 200);

    let (status, live) = t.get("/public/broadcast_status", None).await;
    assert_eq!(status, 200, "{live}");
    let entry = live
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["sub_key"] == channel.as_str())
        .unwrap_or_else(|| panic!("{channel} not live: {live}"));
    assert_eq!(entry["viewerCount"], 2, "{entry}");

    // R1 lists every channel: the live one with the same count, an offline one without.
    let (status, users) = t.get("/public/users", None).await;
    assert_eq!(status, 200, "{users}");
    let users = users.as_array().unwrap();
    let of = |name: &str| {
        users
            .iter()
            .find(|u| u["chanelName"] == name)
            .unwrap_or_else(|| panic!("{name} not in R1: {users:?}"))
    };
    assert_eq!(of(&channel)["viewerCount"], 2, "{users:?}");
    assert!(of(&offline)["viewerCount"].is_null(), "{users:?}");
    publisher.abort();
}

/// Issue 20 #4 and #6: R6 tells the channel type, and the owner's `GET /stream/v1/stream`
/// answers like IVS GetStream (state, health, viewerCount, startTime). A real publish to a
/// BASIC channel, a real HLS viewer (ffmpeg reading the live playlist and its segments):
/// the owner sees LIVE, HEALTHY and one viewer, then OFFLINE once the publisher has gone.
/// (In this binary, not one of its own: each test binary costs CI ~50 MB of disk.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_sees_state_health_and_hls_viewers_of_a_basic_channel() {
    if !media::have("ffmpeg") {
        cloumer_testkit::skip("ffmpeg not installed (the README's test set-up installs it)");
        return;
    }
    let t = common::start_with(|mut c| {
        c.channel_type = ChannelType::Basic;
        c
    })
    .await;
    let auth = t.user("basic@example.com", "basic").await;
    let id_token = auth["IdToken"].as_str().unwrap().to_owned();
    let page = t.mypage(&id_token).await;
    assert_eq!(page["channelType"], "BASIC", "{page}");
    let channel = page["chanelName"].as_str().unwrap().to_owned();

    let (status, body) = t.get("/stream/v1/stream", None).await;
    assert_eq!(status, 401, "{body}");
    let (status, offline) = t.get("/stream/v1/stream", Some(&id_token)).await;
    assert_eq!(status, 200, "{offline}");
    assert_eq!(offline["state"], "OFFLINE", "{offline}");
    assert_eq!(offline["viewerCount"], 0, "{offline}");
    assert!(offline.get("startTime").is_none(), "{offline}");

    // Within BASIC's 1.5 Mbps at 360p.
    let rtmp = t.server.backend_profile().rtmp_url.expect("rtmp url");
    let key = page["streamKey"].as_str().unwrap().to_owned();
    let publisher = tokio::spawn(async move {
        let rate = ["-b:v", "600k", "-maxrate", "600k", "-bufsize", "1200k"];
        media::publish(&format!("{rtmp}{key}"), "640x360", &rate, 40).await
    });
    let playlist = t.url(&format!("/hls/{channel}/index.m3u8"));
    assert!(
        media::eventually(|| async {
            t.http
                .get(&playlist)
                .header("User-Agent", "probe")
                .send()
                .await
                .is_ok_and(|r| r.status() == 200)
        })
        .await,
        "no playlist within 30 s"
    );
    // The playlist probe above was a client too: let it age out of the 10 s window, then
    // a real player (ffmpeg's HLS demuxer) keeps fetching the playlist and segments.
    tokio::time::sleep(Duration::from_secs(11)).await;
    let _viewer = tokio::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-i", &playlist])
        .args(["-t", "25", "-f", "null", "-"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("ffmpeg viewer");

    let last = std::sync::Mutex::new(serde_json::Value::Null);
    let seen = media::eventually(|| async {
        let (status, body) = t.get("/stream/v1/stream", Some(&id_token)).await;
        let ok = status == 200
            && body["state"] == "LIVE"
            && body["health"] == "HEALTHY"
            && body["viewerCount"] == 1;
        *last.lock().unwrap() = body;
        ok
    })
    .await;
    let body = last.lock().unwrap().clone();
    assert!(seen, "not LIVE/HEALTHY with one viewer: {body}");
    let start = body["startTime"].as_str().unwrap_or_default();
    assert!(
        time::OffsetDateTime::parse(start, &time::format_description::well_known::Rfc3339)
            .is_ok(),
        "startTime {start:?}"
    );

    publisher.abort();
    let ended = media::eventually(|| async {
        let (_, body) = t.get("/stream/v1/stream", Some(&id_token)).await;
        let offline = body["state"] == "OFFLINE";
        *last.lock().unwrap() = body;
        offline
    })
    .await;
    let body = last.lock().unwrap().clone();
    assert!(ended, "still live after the publisher went: {body}");
}
