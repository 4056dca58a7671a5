//! Capturing one X11 window by its title (issue 20, item 1): the device list names the
//! window, its screen id turns into a source, and the recording shows that window's picture
//! (a red window on a screen whose other content is a moving test picture).

mod support;

use std::time::Duration;

use cloumer_engine::{SessionHandle, screen_from_id, x11_windows};
use support::{config, wait_running};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{AtomEnum, ConnectionExt, CreateWindowAux, PropMode, WindowClass};
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

const TITLE: &str = "Cloumer capture test";
const RED: u32 = 0x00ff_0000;

/// A mapped, managed-looking (not override-redirect) red window with a title.
fn red_window(display: &str) -> RustConnection {
    let (conn, screen) = x11rb::connect(Some(display)).expect("connect to Xvfb");
    let root = conn.setup().roots[screen].clone();
    let id = conn.generate_id().expect("window id");
    let aux = CreateWindowAux::new().background_pixel(RED);
    conn.create_window(
        x11rb::COPY_DEPTH_FROM_PARENT,
        id,
        root.root,
        40,
        40,
        320,
        240,
        0,
        WindowClass::INPUT_OUTPUT,
        0,
        &aux,
    )
    .expect("create window");
    conn.change_property8(
        PropMode::REPLACE,
        id,
        AtomEnum::WM_NAME,
        AtomEnum::STRING,
        TITLE.as_bytes(),
    )
    .expect("title");
    conn.map_window(id).expect("map");
    conn.flush().expect("flush");
    conn
}

/// The average colour of a 128x128 square in the middle of frame `n` (the 4:3 window sits
/// between black bars on the 1280x720 canvas).
fn middle_rgb(path: &std::path::Path, n: u32) -> [u8; 3] {
    let rgb = cloumer_testkit::probe::rgb_frame(path, n).expect("frame");
    let (width, height) = (1280, 720);
    assert_eq!(rgb.len(), width * height * 3);
    let mut sum = [0u64; 3];
    for y in height / 2 - 64..height / 2 + 64 {
        for x in width / 2 - 64..width / 2 + 64 {
            for (c, total) in sum.iter_mut().enumerate() {
                *total += u64::from(rgb[(y * width + x) * 3 + c]);
            }
        }
    }
    sum.map(|total| (total / (128 * 128)) as u8)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_is_listed_by_title_and_captured_alone() {
    let xvfb = match cloumer_testkit::Xvfb::start() {
        Ok(xvfb) => xvfb,
        Err(e) => {
            cloumer_testkit::skip(format!("window capture needs Xvfb: {e:#}"));
            return;
        }
    };
    if let Err(e) = cloumer_testkit::require_programs(&["ffmpeg"]) {
        cloumer_testkit::skip(format!("window capture test: {e:#}"));
        return;
    }
    let _window = red_window(xvfb.display());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let titles = x11_windows(Some(xvfb.display())).expect("windows");
    assert!(
        titles.iter().any(|t| t == TITLE),
        "windows listed: {titles:?}"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let recording = dir.path().join("window.mkv");
    let mut config = config(false, Some(&recording));
    let id = format!("{}#window={TITLE}", xvfb.display());
    config.sources.screen = Some(screen_from_id(&id).expect("screen id"));
    let handle = SessionHandle::spawn(config).expect("spawn");
    wait_running(&handle).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    handle.stop().await;

    // Late in the recording: the first frames may predate the window's first capture.
    let frames = cloumer_testkit::probe::decoded_video_frames(&recording).expect("decode");
    assert!(frames >= 45, "{frames} frames in 2 s");
    let [r, g, b] = middle_rgb(&recording, (frames - 10) as u32);
    assert!(
        r > 200 && g < 60 && b < 60,
        "the recording shows rgb({r}, {g}, {b}), not the red window"
    );
}
