//! Shared by the `live_*` tests: running the real `cloumer` binary and reading its output.
#![allow(dead_code)]

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const GOOD_KEY: &str = "sk_test_cloumer_good";

/// `cloumer` with a clean environment for the stream key.
pub fn cloumer() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cloumer"));
    cmd.env_remove("CLOUMER_STREAM_KEY").env("RUST_LOG", "warn");
    cmd
}

#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Finished {
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// The `--json` lines.
    pub fn events(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// The `state` values of the state events, in order.
    pub fn states(&self) -> Vec<String> {
        self.events()
            .iter()
            .filter(|e| e["event"] == "state")
            .filter_map(|e| e["state"].as_str().map(str::to_owned))
            .collect()
    }

    pub fn describe(&self) -> String {
        format!(
            "exit {:?} after {:?}\nstdout:\n{}\nstderr:\n{}",
            self.code(),
            self.elapsed,
            self.stdout,
            self.stderr
        )
    }
}

/// Spawns with piped output.
pub fn spawn(cmd: &mut Command) -> Child {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start cloumer")
}

/// Waits for the child (killing it after `timeout`) and collects its output.
pub fn finish(mut child: Child, started: Instant, timeout: Duration) -> Finished {
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            break child.wait().expect("wait after kill");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Finished {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
        elapsed: started.elapsed(),
    }
}

pub fn run(cmd: &mut Command, timeout: Duration) -> Finished {
    let started = Instant::now();
    finish(spawn(cmd), started, timeout)
}

/// Checks a recording like a user would: H.264 Main/High at the size and rate, AAC-LC
/// 48 kHz stereo. Returns (video stream, audio stream).
pub fn assert_h264_aac(path: &Path, width: u64, height: u64, fps: f64) -> (Value, Value) {
    use cloumer_testkit::probe;
    let video = probe::stream(path, "video").expect("video stream");
    let audio = probe::stream(path, "audio").expect("audio stream");
    assert_eq!(video["codec_name"], "h264", "{video}");
    let profile = video["profile"].as_str().unwrap_or("");
    assert!(profile == "Main" || profile == "High", "profile {profile}");
    assert_eq!(video["width"].as_u64(), Some(width), "{video}");
    assert_eq!(video["height"].as_u64(), Some(height), "{video}");
    let rate = probe::parse_rate(video["avg_frame_rate"].as_str().unwrap_or(""))
        .or_else(|| probe::parse_rate(video["r_frame_rate"].as_str().unwrap_or("")))
        .expect("frame rate");
    assert!((rate - fps).abs() < 0.5, "frame rate {rate}, wanted {fps}");
    assert_eq!(audio["codec_name"], "aac", "{audio}");
    assert_eq!(audio["profile"], "LC", "{audio}");
    assert_eq!(audio["sample_rate"], "48000", "{audio}");
    assert_eq!(audio["channels"].as_u64(), Some(2), "{audio}");
    (video, audio)
}

/// Video frames in the file vs what `fps` over its time span should give.
pub fn frame_ratio(path: &Path, fps: f64) -> (usize, f64) {
    cloumer_testkit::probe::frame_ratio(path, fps).expect("video packets")
}
