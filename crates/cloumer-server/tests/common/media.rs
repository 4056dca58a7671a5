//! ffmpeg as an independent RTMP(S) publisher, ffprobe as the judge of what was recorded
//! and served.

use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

/// Whether `tool -version` runs.
pub fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Publishes a 30 fps test pattern + tone of `size` to `url` (`rtmp://` or `rtmps://`,
/// key included) for `seconds`, in real time; returns ffmpeg's exit status. `extra` goes
/// before the video codec's output options (e.g. bitrate settings).
pub async fn publish(url: &str, size: &str, extra: &[&str], seconds: u32) -> Result<ExitStatus> {
    let mut cmd = tokio::process::Command::new("ffmpeg");
    cmd.args([
        "-hide_banner",
        "-loglevel",
        "error",
        "-re",
        "-f",
        "lavfi",
        "-i",
    ])
    .arg(format!("testsrc2=size={size}:rate=30"))
    .args(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"])
    .args(["-t", &seconds.to_string()])
    .args([
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-g",
        "60",
        "-pix_fmt",
        "yuv420p",
    ])
    .args(extra)
    .args(["-c:a", "aac", "-f", "flv", url])
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .kill_on_drop(true);
    let status = tokio::time::timeout(Duration::from_secs(u64::from(seconds) + 60), cmd.status())
        .await
        .context("ffmpeg did not finish")??;
    Ok(status)
}

/// `codec_name,codec_type` of every stream ffprobe finds in `input`, sorted, deduplicated.
pub async fn probe(input: &str) -> Result<Vec<String>> {
    // Async: an HLS server under test may run on this same runtime.
    let out = tokio::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=codec_type,codec_name",
            "-of",
            "csv=p=0",
            input,
        ])
        .output()
        .await?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut streams: Vec<String> = text
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    streams.sort();
    // HLS input lists each stream under its program too.
    streams.dedup();
    Ok(streams)
}

/// Polls `check` every 200 ms for up to 30 s (generous: a loaded 2-core CI).
pub async fn eventually<F, Fut>(mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}
