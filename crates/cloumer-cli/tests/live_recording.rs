//! Recording without streaming, crash safety, and the camera picture-in-picture layout.

mod live_support;

use std::time::{Duration, Instant};

use cloumer_testkit::probe;
use live_support::*;

#[test]
fn record_only_gives_a_playable_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("only.mkv");
    let run = run(
        cloumer()
            .args(["live", "--test-sources", "--record"])
            .arg(&file)
            .args(["--size", "854x480", "--fps", "30", "--duration", "5"]),
        Duration::from_secs(60),
    );
    assert_eq!(run.code(), Some(0), "{}", run.describe());
    assert_h264_aac(&file, 854, 480, 30.0);
    let frames = probe::decoded_video_frames(&file).expect("decode");
    assert!(
        frames >= 140,
        "{frames} frames decoded from a 5 s recording"
    );
}

#[test]
fn kill_9_leaves_a_playable_recording() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("crash.mkv");
    let mut child = spawn(
        cloumer()
            .args(["live", "--test-sources", "--record"])
            .arg(&file),
    );
    let started = Instant::now();
    let grew = cloumer_testkit::wait_until(Duration::from_secs(30), || {
        std::fs::metadata(&file)
            .map(|m| m.len() > 0)
            .unwrap_or(false)
    });
    assert!(grew, "nothing recorded");
    std::thread::sleep(
        Duration::from_secs(4).saturating_sub(started.elapsed().min(Duration::from_secs(1))),
    );
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    assert_h264_aac(&file, 1280, 720, 30.0);
    let frames = probe::decoded_video_frames(&file).expect("a killed recording still decodes");
    assert!(frames >= 60, "only {frames} frames survived");
}

/// The camera goes through the compositor at its corner; the screen fills the rest.
#[test]
fn camera_picture_in_picture_layout() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("pip.mkv");
    let run = run(
        cloumer()
            .args(["live", "--test-sources", "--camera", "--record"])
            .arg(&file)
            .args([
                "--size",
                "1280x720",
                "--pip-corner",
                "bottom-right",
                "--pip-size",
                "0.25",
                "--pip-margin",
                "24",
            ])
            .args(["--duration", "4"]),
        Duration::from_secs(60),
    );
    assert_eq!(run.code(), Some(0), "{}", run.describe());
    assert_h264_aac(&file, 1280, 720, 30.0);
    // Late enough that x264's rate control has refined the camera after its first frames.
    let frame = rgb_frame(&file, 1280, 720, 90);
    // Camera (colour bars) at x 936..1256, y 516..696; the ball pattern elsewhere is black
    // and white, so colour saturation tells them apart.
    let pip = saturated_share(&frame, 1280, (946, 526, 300, 110));
    let same_size_top_left = saturated_share(&frame, 1280, (10, 10, 300, 110));
    let left_of_pip = saturated_share(&frame, 1280, (600, 526, 300, 110));
    assert!(
        pip > 0.5,
        "the bottom-right corner is not the camera: {:.0}% coloured",
        pip * 100.0
    );
    assert!(
        same_size_top_left < 0.1 && left_of_pip < 0.1,
        "camera colours outside its corner"
    );
}

#[test]
fn real_camera_picture_in_picture() {
    let Some(device) = (0..8)
        .map(|n| format!("/dev/video{n}"))
        .find(|p| std::path::Path::new(p).exists())
    else {
        cloumer_testkit::skip_for_hardware("no V4L2 camera on this machine");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("cam.mkv");
    let run = run(
        cloumer()
            .args(["live", "--test-sources", "--camera", &device])
            .arg("--record")
            .arg(&file)
            .args(["--duration", "3"]),
        Duration::from_secs(60),
    );
    assert_eq!(run.code(), Some(0), "{}", run.describe());
}

/// Frame number `n`, `width` x `height` RGB.
fn rgb_frame(file: &std::path::Path, width: usize, height: usize, n: u32) -> Vec<u8> {
    let rgb = probe::rgb_frame(file, n).expect("ffmpeg");
    assert_eq!(
        rgb.len(),
        width * height * 3,
        "frame {n} of {}",
        file.display()
    );
    rgb
}

/// Share of strongly coloured pixels in a rectangle (x, y, w, h).
fn saturated_share(rgb: &[u8], width: usize, (x, y, w, h): (usize, usize, usize, usize)) -> f64 {
    let mut coloured = 0;
    for row in y..y + h {
        for col in x..x + w {
            let i = (row * width + col) * 3;
            let (r, g, b) = (rgb[i], rgb[i + 1], rgb[i + 2]);
            if r.max(g).max(b) - r.min(g).min(b) > 80 {
                coloured += 1;
            }
        }
    }
    coloured as f64 / (w * h) as f64
}
