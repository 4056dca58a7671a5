//! A virtual X display with moving content.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Result, bail};

use crate::process::{ChildGuard, wait_until};

/// `Xvfb :N` on a free display number with a bouncing ball window (so captured frames
/// differ from each other). Killed on drop.
#[derive(Debug)]
pub struct Xvfb {
    display: String,
    _content: ChildGuard,
    _server: ChildGuard,
}

impl Xvfb {
    /// A 1920x1080 screen with a moving 1280x720 test picture on it.
    pub fn start() -> Result<Self> {
        crate::require_programs(&["Xvfb", "gst-launch-1.0"])?;
        // Display numbers from a range unlikely to clash with a desktop; the lock file and
        // the socket tell which are taken. Parallel tests race for a number: a server that
        // loses exits at once and we try the next.
        let start = 100 + (std::process::id() % 200);
        for number in (start..start + 100).map(|n| n % 400 + 100) {
            let lock = format!("/tmp/.X{number}-lock");
            let socket = format!("/tmp/.X11-unix/X{number}");
            if Path::new(&lock).exists() || Path::new(&socket).exists() {
                continue;
            }
            let display = format!(":{number}");
            let mut server = ChildGuard::spawn(
                "Xvfb",
                Command::new("Xvfb")
                    .args([
                        &display,
                        "-screen",
                        "0",
                        "1920x1080x24",
                        "-nolisten",
                        "tcp",
                        "-noreset",
                    ])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null()),
            )?;
            let up = wait_until(Duration::from_secs(10), || {
                Path::new(&socket).exists() || !server.alive()
            });
            if !up || !server.alive() {
                continue;
            }
            let content = ChildGuard::spawn(
                "moving content",
                Command::new("gst-launch-1.0")
                    .args([
                        "-q",
                        "videotestsrc",
                        "pattern=ball",
                        "is-live=true",
                        "!",
                        "video/x-raw,width=1280,height=720,framerate=30/1",
                        "!",
                        "ximagesink",
                        &format!("display={display}"),
                        "sync=true",
                    ])
                    .env("DISPLAY", &display)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null()),
            )?;
            // Give the window time to map so the first captured frames already move.
            std::thread::sleep(Duration::from_millis(700));
            return Ok(Self {
                display,
                _content: content,
                _server: server,
            });
        }
        bail!("no free X display number for Xvfb")
    }

    /// `:N`, for `DISPLAY` or `--screen`.
    pub fn display(&self) -> &str {
        &self.display
    }
}
