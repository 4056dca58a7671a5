//! "Export diagnostics": one zip a user can attach to a support request. It holds the
//! recent logs, the versions (app, GStreamer, OS, session), the H.264 encoder probe and the
//! settings, every text scrubbed of stream keys, tokens and passwords ([`scrub`]).

mod scrub;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use zip::write::SimpleFileOptions;

use super::Services;
use crate::error::{AppError, Result};

pub use scrub::{REDACTED, scrub};

impl Services {
    /// Opens the logs folder in the desktop's file manager; its path.
    pub fn open_logs(&self) -> Result<PathBuf> {
        super::folders::open_in_file_manager(&self.paths.logs)?;
        Ok(self.paths.logs.clone())
    }

    /// [`export`] into the Downloads folder (or the home folder), with this machine's report.
    pub async fn export_diagnostics(&self) -> Result<PathBuf> {
        let settings = serde_json::to_string_pretty(&self.settings.get()).unwrap_or_default();
        let logs = self.paths.logs.clone();
        let dest = dirs::download_dir()
            .or_else(dirs::home_dir)
            .unwrap_or_else(std::env::temp_dir);
        // The encoder probe really encodes a few frames: off the async runtime's threads.
        tauri::async_runtime::spawn_blocking(move || {
            let encoders = cloumer_engine::h264_encoders()
                .map(|e| serde_json::to_string_pretty(&e).unwrap_or_default())
                .unwrap_or_else(|e| format!("encoder probe failed: {e}"));
            let report = Report {
                app_version: env!("CARGO_PKG_VERSION").to_owned(),
                gstreamer_version: cloumer_engine::gstreamer_version(),
                encoders,
                settings,
            };
            export(&logs, &dest, &report)
        })
        .await
        .map_err(|e| AppError::Storage {
            message: format!("the diagnostics export stopped: {e}"),
        })?
    }
}

/// Logs older than this are left out (the daily files of the last week).
const LOG_MAX_AGE: Duration = Duration::from_secs(7 * 24 * 3600);
/// Of each log file, at most its last this many bytes.
const LOG_TAIL_BYTES: u64 = 4 * 1024 * 1024;

/// What the export says about this machine besides the logs.
pub struct Report {
    pub app_version: String,
    pub gstreamer_version: String,
    /// The encoder probe, as JSON.
    pub encoders: String,
    /// settings.json's content, as JSON.
    pub settings: String,
}

/// Writes `cloumer-diagnostics-<UTC time>.zip` into `dest_dir` and returns its path.
pub fn export(logs_dir: &Path, dest_dir: &Path, report: &Report) -> Result<PathBuf> {
    std::fs::create_dir_all(dest_dir).map_err(|e| storage("the export folder", dest_dir, e))?;
    let stamp = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year][month][day]-[hour][minute][second]"
        ))
        .unwrap_or_default();
    let path = dest_dir.join(format!("cloumer-diagnostics-{stamp}.zip"));
    let file = std::fs::File::create(&path).map_err(|e| storage("the export", &path, e))?;
    let mut zip = zip::ZipWriter::new(file);
    let mut add = |name: &str, text: &str| -> Result<()> {
        let options =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file(name, options)
            .and_then(|()| zip.write_all(scrub(text).as_bytes()).map_err(Into::into))
            .map_err(|e| AppError::Storage {
                message: format!("cannot write {name} into {}: {e}", path.display()),
            })
    };
    add("versions.txt", &versions(report))?;
    add("encoders.json", &report.encoders)?;
    add("settings.json", &report.settings)?;
    for (name, text) in recent_logs(logs_dir) {
        add(&format!("logs/{name}"), &text)?;
    }
    zip.finish().map_err(|e| AppError::Storage {
        message: format!("cannot finish {}: {e}", path.display()),
    })?;
    tracing::info!(path = %path.display(), "diagnostics exported");
    Ok(path)
}

fn versions(report: &Report) -> String {
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_owned())
        })
        .unwrap_or_else(|| std::env::consts::OS.to_owned());
    let env = |name: &str| std::env::var(name).unwrap_or_else(|_| "-".into());
    format!(
        "Cloumer Studio {}\nGStreamer {}\nOS {} ({})\nsession {} / desktop {} / WAYLAND_DISPLAY {} / DISPLAY {}\nlocale {}\n",
        report.app_version,
        report.gstreamer_version,
        os,
        std::env::consts::ARCH,
        env("XDG_SESSION_TYPE"),
        env("XDG_CURRENT_DESKTOP"),
        env("WAYLAND_DISPLAY"),
        env("DISPLAY"),
        env("LANG"),
    )
}

/// (file name, the tail of its text) of the log files written within LOG_MAX_AGE.
fn recent_logs(dir: &Path) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let now = SystemTime::now();
    let mut logs: Vec<_> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| {
            e.metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|at| now.duration_since(at).unwrap_or_default() <= LOG_MAX_AGE)
        })
        .filter_map(|e| Some((e.file_name().into_string().ok()?, tail(&e.path()).ok()?)))
        .collect();
    logs.sort();
    logs
}

fn tail(path: &Path) -> std::io::Result<String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    file.seek(SeekFrom::Start(len.saturating_sub(LOG_TAIL_BYTES)))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn storage(what: &str, path: &Path, e: std::io::Error) -> AppError {
    AppError::Storage {
        message: format!("cannot create {what} at {}: {e}", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_export_holds_scrubbed_logs_and_reports() {
        let dir = tempfile::tempdir().expect("tempdir");
        let logs = dir.path().join("logs");
        std::fs::create_dir_all(&logs).expect("logs");
        let key = scrub::fake_stream_key("ap-northeast-2");
        let settings_key = scrub::fake_stream_key("us-west-2");
        std::fs::write(
            logs.join("studio.log.2026-12-07"),
            format!("INFO go live url=rtmps://ingest:443/app/{key}\nINFO 방송 시작\n"),
        )
        .expect("log");
        let report = Report {
            app_version: "0.1.0".into(),
            gstreamer_version: "1.22.0".into(),
            encoders: r#"[{"kind":"x264","usable":true}]"#.into(),
            settings: format!(r#"{{"lang":"ko","streamKey":"{settings_key}"}}"#),
        };
        let path = export(&logs, &dir.path().join("out"), &report).expect("export");
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).expect("zip")).expect("zip");
        let mut names: Vec<_> = zip.file_names().map(str::to_owned).collect();
        names.sort();
        assert_eq!(
            names,
            [
                "encoders.json",
                "logs/studio.log.2026-12-07",
                "settings.json",
                "versions.txt"
            ]
        );
        let mut all = String::new();
        for i in 0..zip.len() {
            std::io::Read::read_to_string(&mut zip.by_index(i).expect("entry"), &mut all)
                .expect("text");
        }
        assert!(!all.contains(&key) && !all.contains(&settings_key), "{all}");
        assert!(
            all.contains("방송 시작") && all.contains("Cloumer Studio 0.1.0"),
            "{all}"
        );
    }
}
