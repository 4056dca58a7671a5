//! What a user would check with ffprobe/ffmpeg, as parsed data.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

fn ffprobe_json(path: &Path, args: &[&str]) -> Result<Value> {
    crate::require_programs(&["ffprobe"])?;
    let output = Command::new("ffprobe")
        .args(["-v", "error", "-of", "json"])
        .args(args)
        .arg(path)
        .output()
        .context("running ffprobe")?;
    if !output.status.success() {
        bail!(
            "ffprobe {}: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    serde_json::from_slice(&output.stdout).context("ffprobe output is not JSON")
}

/// `ffprobe -show_streams`: one JSON object per stream.
pub fn streams(path: &Path) -> Result<Vec<Value>> {
    let v = ffprobe_json(path, &["-show_streams"])?;
    Ok(v["streams"].as_array().cloned().unwrap_or_default())
}

/// The first stream of `codec_type` (`video`/`audio`).
pub fn stream(path: &Path, codec_type: &str) -> Result<Value> {
    streams(path)?
        .into_iter()
        .find(|s| s["codec_type"] == codec_type)
        .with_context(|| format!("{} has no {codec_type} stream", path.display()))
}

/// One packet: presentation time in seconds and whether it is a keyframe.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Packet {
    pub pts: f64,
    pub key: bool,
}

/// Every packet of the first `v` or `a` stream, in file order.
pub fn packets(path: &Path, selector: &str) -> Result<Vec<Packet>> {
    let v = ffprobe_json(
        path,
        &[
            "-select_streams",
            &format!("{selector}:0"),
            "-show_entries",
            "packet=pts_time,flags",
        ],
    )?;
    let packets = v["packets"].as_array().cloned().unwrap_or_default();
    Ok(packets
        .iter()
        .filter_map(|p| {
            let pts = p["pts_time"].as_str()?.parse().ok()?;
            Some(Packet {
                pts,
                key: p["flags"].as_str().unwrap_or("").contains('K'),
            })
        })
        .collect())
}

/// Times of the video keyframes.
pub fn keyframe_times(path: &Path) -> Result<Vec<f64>> {
    Ok(packets(path, "v")?
        .into_iter()
        .filter(|p| p.key)
        .map(|p| p.pts)
        .collect())
}

/// Video packets in the file, and their share of what `fps` over the file's time span
/// needs (1.0 = not one frame missing).
pub fn frame_ratio(path: &Path, fps: f64) -> Result<(usize, f64)> {
    let packets = packets(path, "v")?;
    let first = packets.iter().map(|p| p.pts).fold(f64::INFINITY, f64::min);
    let last = packets
        .iter()
        .map(|p| p.pts)
        .fold(f64::NEG_INFINITY, f64::max);
    let expected = ((last - first) * fps).round() + 1.0;
    Ok((packets.len(), packets.len() as f64 / expected))
}

/// `30/1` -> 30.0
pub fn parse_rate(rate: &str) -> Option<f64> {
    let (n, d) = rate.split_once('/')?;
    let (n, d): (f64, f64) = (n.parse().ok()?, d.parse().ok()?);
    (d != 0.0).then(|| n / d)
}

/// Mean and max volume of the first audio stream in dBFS (ffmpeg `volumedetect`).
pub fn volume_db(path: &Path) -> Result<(f64, f64)> {
    volumedetect(path, None)
}

/// Like [`volume_db`], over `from`..`to` seconds of the file's time line.
pub fn volume_db_between(path: &Path, from: f64, to: f64) -> Result<(f64, f64)> {
    volumedetect(path, Some((from, to)))
}

fn volumedetect(path: &Path, window: Option<(f64, f64)>) -> Result<(f64, f64)> {
    crate::require_programs(&["ffmpeg"])?;
    let mut filter = "volumedetect".to_owned();
    if let Some((from, to)) = window {
        filter = format!("atrim=start={from}:end={to},{filter}");
    }
    let output = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats", "-i"])
        .arg(path)
        .args(["-map", "0:a:0", "-af", &filter, "-f", "null", "-"])
        .output()
        .context("running ffmpeg volumedetect")?;
    let text = String::from_utf8_lossy(&output.stderr);
    let find = |key: &str| {
        text.lines()
            .find_map(|l| {
                l.split_once(key)
                    .map(|(_, v)| v.trim().trim_end_matches("dB").trim().parse::<f64>())
            })
            .and_then(|r| r.ok())
    };
    match (find("mean_volume:"), find("max_volume:")) {
        (Some(mean), Some(max)) => Ok((mean, max)),
        _ => bail!(
            "ffmpeg volumedetect gave no result for {}: {}",
            path.display(),
            text.trim()
        ),
    }
}

/// Decodes the whole file and counts video frames (a damaged file fails or comes up short).
pub fn decoded_video_frames(path: &Path) -> Result<u64> {
    let v = ffprobe_json(
        path,
        &[
            "-count_frames",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=nb_read_frames",
        ],
    )?;
    v["streams"][0]["nb_read_frames"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("ffprobe could not count the frames of {}", path.display()))
}

/// Frame number `n` of a video file as RGB24 bytes, decoded from the start (streamable
/// Matroska has no index to seek by).
pub fn rgb_frame(path: &Path, n: u32) -> Result<Vec<u8>> {
    crate::require_programs(&["ffmpeg"])?;
    let output = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-vf", &format!("select=eq(n\\,{n})"), "-frames:v", "1"])
        .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .context("running ffmpeg")?;
    if !output.status.success() || output.stdout.is_empty() {
        bail!(
            "ffmpeg frame {n} of {} ({}): {}",
            path.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(output.stdout)
}
