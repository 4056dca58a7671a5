//! The native preview (`BroadcastConfig::preview_window`): the session paints into an X
//! window of the front end's, at the window's size, only while it is shown; the JPEG
//! preview then slows to a still now and then and is back at full rate once the window
//! hides.

mod support;

use std::time::Duration;

use cloumer_engine::{PreviewWindow, ScreenSource, SessionHandle};
use support::{config, distinct_frame_rate, first_frame, wait_running};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    ConfigureWindowAux, ConnectionExt, CreateWindowAux, ImageFormat, WindowClass,
};
use x11rb::rust_connection::RustConnection;

/// A mapped top-level window on the test display, as a front end would give the session.
struct TestWindow {
    conn: RustConnection,
    id: u32,
}

impl TestWindow {
    fn open(display: &str, width: u16, height: u16) -> Self {
        let (conn, screen) = x11rb::connect(Some(display)).expect("connect to Xvfb");
        let root = conn.setup().roots[screen].clone();
        let id = conn.generate_id().expect("window id");
        let aux = CreateWindowAux::new()
            .background_pixel(root.black_pixel)
            .override_redirect(1);
        conn.create_window(
            x11rb::COPY_DEPTH_FROM_PARENT,
            id,
            root.root,
            100,
            100,
            width,
            height,
            0,
            WindowClass::INPUT_OUTPUT,
            0,
            &aux,
        )
        .expect("create window");
        conn.map_window(id).expect("map");
        conn.flush().expect("flush");
        Self { conn, id }
    }

    fn resize(&self, width: u32, height: u32) {
        let aux = ConfigureWindowAux::new().width(width).height(height);
        self.conn.configure_window(self.id, &aux).expect("resize");
        self.conn.flush().expect("flush");
    }

    /// Whether the pixel at (x, y) is brighter than black, as seen on the screen.
    fn lit(&self, x: i16, y: i16) -> bool {
        let image = self
            .conn
            .get_image(ImageFormat::Z_PIXMAP, self.id, x, y, 1, 1, !0)
            .expect("get image")
            .reply()
            .expect("image");
        image.data.iter().take(3).any(|&channel| channel > 40)
    }
}

/// Colour bars: the top row of the picture is bright from edge to edge.
fn bars() -> cloumer_engine::BroadcastConfig {
    let mut bars = config(true, None);
    bars.sources.screen = Some(ScreenSource::TestPattern {
        pattern: "smpte".into(),
    });
    bars
}

async fn painted_after(window: &PreviewWindow, wait: Duration) -> u64 {
    let before = window.painted();
    tokio::time::sleep(wait).await;
    window.painted() - before
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_preview_is_painted_into_the_window_only_while_it_is_shown() {
    let xvfb = match cloumer_testkit::Xvfb::start() {
        Ok(xvfb) => xvfb,
        Err(e) => {
            cloumer_testkit::skip(format!("the native preview needs Xvfb: {e:#}"));
            return;
        }
    };
    let test_window = TestWindow::open(xvfb.display(), 640, 360);
    let window = PreviewWindow::new(xvfb.display(), test_window.id as usize);
    let mut config = bars();
    config.preview_window = Some(window.clone());
    let handle = SessionHandle::spawn(config).expect("spawn");
    let mut preview = handle.preview();
    wait_running(&handle).await;
    first_frame(&mut preview).await;

    // Hidden (how it starts): nothing painted, the JPEG preview as without a window.
    assert_eq!(painted_after(&window, Duration::from_millis(800)).await, 0);
    let (fps, frame) = distinct_frame_rate(&mut preview, Duration::from_secs(2)).await;
    assert!(
        fps >= 12.0,
        "JPEG preview at {fps:.1} fps while the window hides"
    );
    assert_eq!((frame.width, frame.height), (480, 270));

    // Shown: painted at 15 fps into the whole window; the JPEG preview is down to a still
    // every few seconds.
    window.show(640, 360);
    let painted = painted_after(&window, Duration::from_secs(2)).await;
    assert!(
        (24..=33).contains(&painted),
        "{painted} frames painted in 2 s"
    );
    assert!(test_window.lit(4, 4), "nothing painted at the top left");
    assert!(test_window.lit(635, 4), "nothing painted at the top right");
    assert!(
        test_window.lit(4, 300),
        "nothing painted at the bottom left"
    );
    preview.borrow_and_update();
    let quiet_until = tokio::time::Instant::now() + Duration::from_secs(3);
    let mut stills = 0;
    while let Ok(Ok(())) = tokio::time::timeout_at(quiet_until, preview.changed()).await {
        stills += 1;
    }
    assert!(stills <= 1, "{stills} JPEG frames in 3 s beside the window");

    // A taller window: the picture keeps its aspect ratio, centred (black above and below).
    test_window.resize(320, 240);
    window.show(320, 240);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!test_window.lit(160, 10), "the picture is not centred");
    assert!(test_window.lit(4, 40), "nothing painted in the middle band");
    assert!(
        test_window.lit(315, 40),
        "the picture does not fill the width"
    );

    // Hidden again: no more painting, the JPEG preview back at its full rate.
    window.hide();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(painted_after(&window, Duration::from_secs(1)).await <= 1);
    let (fps, _) = distinct_frame_rate(&mut preview, Duration::from_secs(2)).await;
    assert!(
        fps >= 12.0,
        "JPEG preview at {fps:.1} fps after the window hid"
    );

    assert_eq!(handle.stop().await.name(), "stopped");
}
