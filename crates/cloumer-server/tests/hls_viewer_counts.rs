//! Viewer counts (issue 18 #3): HLS playback clients seen in the last 10 s, in R2's and
//! R1's additive `viewerCount` (R1: live channels only). A real publish (ffmpeg) to the
//! in-process server, then players that fetch the live playlist: one client polling many
//! times counts once, another client (another User-Agent) adds one; a second, offline
//! channel has no count in R1.

mod common;

use std::time::{Duration, Instant};

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
