//! Wayland capture for real (issue 20 #1): in a headless sway session with the ScreenCast
//! portal ([`WaylandSession`]: xdg-desktop-portal + xdg-desktop-portal-wlr, PipeWire,
//! WirePlumber), `cloumer devices` offers the portal as the one screen, and `cloumer live`
//! captures the screen through the portal and PipeWire and streams it over RTMPS to
//! nginx-rtmp; the picture the ingest recorded shows the colour sway drew, edge to edge.
//! The first run saves the portal's restore token; the second (a bare `--screen`, which
//! means the portal in a Wayland session) hands it back and the portal does not ask
//! again: its chooser ran once in all; with the token deleted (a third run) it asks again.

mod live_support;

use std::path::Path;
use std::time::Duration;

use cloumer_testkit::{Ingest, WaylandSession, probe, skip_unless};
use live_support::*;

const TOKEN_FILE: &str = ".local/state/cloumer/portal-restore-token";

#[test]
fn portal_capture_reaches_the_ingest_and_the_restored_choice_asks_no_more() {
    let wayland = skip_unless!(WaylandSession::start());
    let ingest = skip_unless!(Ingest::start(GOOD_KEY));

    // The screens a Wayland session offers: the portal alone (X11 would see nothing here).
    let devices = run(
        cloumer().args(["devices", "--json"]).envs(wayland.env()),
        Duration::from_secs(30),
    );
    let screens: Vec<_> = devices
        .events()
        .into_iter()
        .filter(|d| d["kind"] == "screen")
        .map(|d| d["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(screens, ["portal"], "{}", devices.describe());

    go_live(&wayland, &ingest, &["--screen", "portal"]);
    assert_eq!(
        wayland.chooser_calls(),
        1,
        "the first run asks which screen to share"
    );
    let token_path = wayland.home().join(TOKEN_FILE);
    let token = std::fs::read_to_string(&token_path).unwrap_or_default();
    assert!(
        !token.trim().is_empty(),
        "no restore token saved at {}",
        token_path.display()
    );

    go_live(&wayland, &ingest, &["--screen"]);
    assert_eq!(
        wayland.chooser_calls(),
        1,
        "the second run asked again despite the restore token\n{}",
        wayland.logs()
    );

    // The token is what spared the question: without it the portal asks again.
    std::fs::remove_file(&token_path).expect("forget the token");
    go_live(&wayland, &ingest, &["--screen", "portal"]);
    assert_eq!(
        wayland.chooser_calls(),
        2,
        "without a restore token the portal must ask"
    );

    let recordings = ingest
        .wait_recordings(3, Duration::from_secs(30))
        .expect("three recordings at the ingest");
    for recording in &recordings {
        assert_shows_the_drawn_colour(&recording.path);
    }
}

/// `cloumer live` for 3 s in the Wayland session; it must end cleanly.
fn go_live(wayland: &WaylandSession, ingest: &Ingest, screen: &[&str]) {
    let mut cmd = cloumer();
    cmd.args(["live", "--to", &ingest.rtmps_url()])
        .args(["--size", "1280x720", "--fps", "30", "--encoder", "x264"])
        .args(["--duration", "3", "--json"])
        // Last: a bare `--screen` takes no value.
        .args(screen)
        .envs(wayland.env())
        .env("CLOUMER_STREAM_KEY", GOOD_KEY);
    let run = run(&mut cmd, Duration::from_secs(60));
    assert_eq!(
        run.code(),
        Some(0),
        "{}\n{}",
        run.describe(),
        wayland.logs()
    );
    assert!(
        run.states().iter().any(|s| s == "live"),
        "never live: {}",
        run.describe()
    );
}

/// A frame a second in: the centre and the four corners are sway's background colour
/// (within what H.264 and YUV 4:2:0 change), so the whole output was captured, not a
/// black or blank picture.
fn assert_shows_the_drawn_colour(file: &Path) {
    let (width, height) = WaylandSession::SIZE;
    let video = probe::stream(file, "video").expect("a video stream");
    assert_eq!(video["width"].as_u64(), Some(u64::from(width)), "{video}");
    assert_eq!(video["height"].as_u64(), Some(u64::from(height)), "{video}");
    let rgb = probe::rgb_frame(file, 30).expect("frame 30");
    let (w, h) = (width as usize, height as usize);
    assert_eq!(rgb.len(), w * h * 3, "a whole RGB frame");
    let box_size = 32;
    let spots = [
        ("centre", w / 2 - box_size / 2, h / 2 - box_size / 2),
        ("top left", 8, 8),
        ("top right", w - box_size - 8, 8),
        ("bottom left", 8, h - box_size - 8),
        ("bottom right", w - box_size - 8, h - box_size - 8),
    ];
    for (name, x0, y0) in spots {
        let mut sum = [0u64; 3];
        for y in y0..y0 + box_size {
            for x in x0..x0 + box_size {
                for (c, total) in sum.iter_mut().enumerate() {
                    *total += u64::from(rgb[(y * w + x) * 3 + c]);
                }
            }
        }
        let mean = sum.map(|s| s / (box_size * box_size) as u64);
        let expected = WaylandSession::COLOUR;
        let close = mean
            .iter()
            .zip(expected)
            .all(|(&got, want)| got.abs_diff(u64::from(want)) <= 10);
        assert!(
            close,
            "{name} of {} is {mean:?}, sway drew {expected:?}",
            file.display()
        );
    }
}
