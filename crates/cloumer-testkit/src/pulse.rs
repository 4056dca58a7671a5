//! A private PulseAudio server with a null sink playing a tone.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::process::{ChildGuard, wait_until};

/// `pulseaudio` in its own `XDG_RUNTIME_DIR` (mode 700) with a null sink `vsink` (48 kHz
/// stereo) and a 440 Hz tone playing into it. Capture `vsink.monitor` with the
/// environment of [`Pulse::env`]. Killed and removed on drop.
#[derive(Debug)]
pub struct Pulse {
    runtime_dir: tempfile::TempDir,
    _tone: ChildGuard,
    _server: ChildGuard,
}

pub const SINK: &str = "vsink";

impl Pulse {
    pub fn start() -> Result<Self> {
        crate::require_programs(&["pulseaudio", "gst-launch-1.0"])?;
        let runtime_dir = tempfile::Builder::new()
            .prefix("cloumer-pulse-")
            .tempdir()?;
        set_mode_700(runtime_dir.path())?;
        let env = envs(runtime_dir.path());
        let server = ChildGuard::spawn(
            "pulseaudio",
            Command::new("pulseaudio")
                .args([
                    "--daemonize=no",
                    "--exit-idle-time=-1",
                    "--disallow-exit",
                    "--disable-shm",
                    "-n",
                    "--load=module-native-protocol-unix",
                    &format!("--load=module-null-sink sink_name={SINK} rate=48000 channels=2"),
                    "--load=module-always-sink",
                ])
                .envs(env.iter().cloned())
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        )?;
        let mut server = server;
        let socket = runtime_dir.path().join("pulse/native");
        if !wait_until(Duration::from_secs(15), || {
            socket.exists() || !server.alive()
        }) || !server.alive()
        {
            bail!("pulseaudio did not start (is it allowed to run as this user?)");
        }
        let tone = ChildGuard::spawn(
            "tone",
            Command::new("gst-launch-1.0")
                .args([
                    "-q",
                    "audiotestsrc",
                    "is-live=true",
                    "wave=sine",
                    "freq=440",
                    "volume=0.5",
                    "!",
                    "audio/x-raw,rate=48000,channels=2",
                    "!",
                    "pulsesink",
                    &format!("device={SINK}"),
                ])
                .envs(env.iter().cloned())
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        )?;
        std::thread::sleep(Duration::from_millis(500));
        Ok(Self {
            runtime_dir,
            _tone: tone,
            _server: server,
        })
    }

    /// The environment a client needs to reach this server.
    pub fn env(&self) -> Vec<(String, String)> {
        envs(self.runtime_dir.path())
    }

    /// The source that carries the tone (`--mic vsink.monitor`).
    pub fn monitor_source(&self) -> String {
        format!("{SINK}.monitor")
    }

    pub fn runtime_dir(&self) -> PathBuf {
        self.runtime_dir.path().to_owned()
    }

    /// Suspends (or resumes) the sink and so its monitor: a client capturing the monitor
    /// gets no buffer until it resumes, as with a real microphone that PulseAudio is still
    /// opening ("the first buffer comes a second late").
    pub fn suspend(&self, suspended: bool) -> Result<()> {
        crate::require_programs(&["pactl"])?;
        let status = Command::new("pactl")
            .args(["suspend-sink", SINK, if suspended { "1" } else { "0" }])
            .envs(self.env())
            .stdout(Stdio::null())
            .status()
            .context("running pactl")?;
        if !status.success() {
            bail!("pactl suspend-sink {SINK} failed: {status}");
        }
        Ok(())
    }
}

fn envs(dir: &Path) -> Vec<(String, String)> {
    let dir = dir.to_string_lossy().into_owned();
    vec![
        ("XDG_RUNTIME_DIR".into(), dir.clone()),
        ("PULSE_SERVER".into(), format!("unix:{dir}/pulse/native")),
        // Keeps pulseaudio from using the caller's ~/.config/pulse cookie.
        ("PULSE_COOKIE".into(), format!("{dir}/pulse-cookie")),
    ]
}

fn set_mode_700(dir: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .context("chmod 700 XDG_RUNTIME_DIR")
}
