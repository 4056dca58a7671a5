//! A headless Wayland desktop with the ScreenCast portal, as a streamer's sway session
//! has it: a private D-Bus session bus, PipeWire + WirePlumber, sway on the headless
//! backend (one 1280x720 output filled with [`WaylandSession::COLOUR`]),
//! xdg-desktop-portal-wlr and xdg-desktop-portal. The portal's "choose a screen" step
//! runs a chooser script that logs each call and picks the one output, so a test can
//! count how often the user would have been asked. Without a GPU the portal needs a
//! small relay on its Wayland connection (see `wayland_shim.rs`).
//!
//! Everything lives in temporary directories (runtime dir, home, config, state) and
//! stops on drop. Packages: sway, xdg-desktop-portal, xdg-desktop-portal-wlr, pipewire,
//! wireplumber, gstreamer1.0-pipewire, grim, dbus-daemon (scripts/setup.sh).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::process::{ChildGuard, is_root, wait_until};
use crate::wayland_shim::DmabufShim;

const OUTPUT: &str = "HEADLESS-1";
const PORTAL: &str = "/usr/libexec/xdg-desktop-portal";
const PORTAL_WLR: &str = "/usr/libexec/xdg-desktop-portal-wlr";
const PERMISSION_STORE: &str = "/usr/libexec/xdg-permission-store";
/// sway refuses to run as root (it drops privileges and checks they cannot come back):
/// under root it runs as `nobody`.
const NOBODY: u32 = 65534;

#[derive(Debug)]
pub struct WaylandSession {
    // Field order is drop order: the portal first, the bus last.
    _portal: ChildGuard,
    _portal_wlr: ChildGuard,
    _shim: DmabufShim,
    _painter: ChildGuard,
    _sway: ChildGuard,
    _wireplumber: ChildGuard,
    _pipewire: ChildGuard,
    _bus: ChildGuard,
    wayland_socket: PathBuf,
    chooser_log: PathBuf,
    home: PathBuf,
    _sway_dir: tempfile::TempDir,
    dir: tempfile::TempDir,
}

impl WaylandSession {
    /// The colour the output shows (sway's background, repainted by a client), RGB.
    pub const COLOUR: [u8; 3] = [0x2a, 0x7f, 0xd4];
    /// The output's size.
    pub const SIZE: (u32, u32) = (1280, 720);

    pub fn start() -> Result<Self> {
        crate::require_programs(&[
            "sway",
            "swaybg",
            "pipewire",
            "wireplumber",
            "dbus-daemon",
            "dbus-send",
            "setpriv",
            "grim",
            PORTAL,
            PORTAL_WLR,
            PERMISSION_STORE,
        ])?;
        if !pipewiresrc_installed() {
            bail!("GStreamer's pipewiresrc is missing: install gstreamer1.0-pipewire");
        }
        let dir = tempfile::Builder::new()
            .prefix("cloumer-wayland-")
            .tempdir()?;
        let root = dir.path();
        let runtime = root.join("run");
        let home = root.join("home");
        for d in [&runtime, &home.join(".config"), &root.join("services")] {
            std::fs::create_dir_all(d)?;
        }
        set_mode(&runtime, 0o700)?;
        let bus_address = format!("unix:path={}", runtime.join("bus").display());
        let chooser_log = root.join("chooser-calls.log");
        let shim_socket = runtime.join("wayland-portal");
        let base_env = base_env(&runtime, &home, &bus_address);

        let bus = start_bus(root, &runtime, &base_env)?;
        let pipewire = spawn_logged("pipewire", Command::new("pipewire"), root, &base_env)?;
        wait_for("PipeWire's socket", &runtime.join("pipewire-0"))?;
        let wireplumber =
            spawn_logged("wireplumber", Command::new("wireplumber"), root, &base_env)?;

        // In /tmp, not $TMPDIR: under root sway runs as `nobody`, who must reach it.
        let sway_dir = tempfile::Builder::new()
            .prefix("cloumer-sway-")
            .tempdir_in("/tmp")?;
        let (sway, wayland_socket) = start_sway(sway_dir.path(), root)?;
        let painter = start_painter(&wayland_socket, root, &base_env)?;
        let shim = DmabufShim::start(&shim_socket, &wayland_socket)?;

        let chooser = write_chooser(root, &chooser_log)?;
        let portal_config = root.join("xdpw.conf");
        std::fs::write(
            &portal_config,
            format!(
                "[screencast]\nchooser_type=simple\nchooser_cmd={}\nmax_fps=30\n",
                chooser.display()
            ),
        )?;
        let mut wlr = Command::new(PORTAL_WLR);
        wlr.args(["-l", "INFO", "-c"])
            .arg(&portal_config)
            .env("WAYLAND_DISPLAY", &shim_socket);
        let portal_wlr = spawn_logged("xdg-desktop-portal-wlr", wlr, root, &base_env)?;
        wait_for_name(&bus_address, "org.freedesktop.impl.portal.desktop.wlr")?;
        let mut frontend = Command::new(PORTAL);
        frontend.arg("--replace");
        let portal = spawn_logged("xdg-desktop-portal", frontend, root, &base_env)?;
        wait_for_name(&bus_address, "org.freedesktop.portal.Desktop")?;

        let session = Self {
            _portal: portal,
            _portal_wlr: portal_wlr,
            _shim: shim,
            _painter: painter,
            _sway: sway,
            _wireplumber: wireplumber,
            _pipewire: pipewire,
            _bus: bus,
            wayland_socket,
            chooser_log,
            home,
            _sway_dir: sway_dir,
            dir,
        };
        session.check_output_colour()?;
        Ok(session)
    }

    /// The environment of a program in this session: runtime dir, session bus,
    /// `WAYLAND_DISPLAY`, `XDG_SESSION_TYPE=wayland`, and a private home (config, state
    /// and data dirs) so nothing of the caller's is read or written.
    pub fn env(&self) -> Vec<(String, String)> {
        let runtime = self.dir.path().join("run");
        let bus = format!("unix:path={}", runtime.join("bus").display());
        let mut env = base_env(&runtime, &self.home, &bus);
        env.push((
            "WAYLAND_DISPLAY".into(),
            self.wayland_socket.display().to_string(),
        ));
        env
    }

    /// How many times the portal asked the user to choose what to share.
    pub fn chooser_calls(&self) -> usize {
        std::fs::read_to_string(&self.chooser_log)
            .map(|log| log.lines().count())
            .unwrap_or(0)
    }

    /// The private home (`HOME`) the session's programs use.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The log files of the session's programs, for a failing test's message.
    pub fn logs(&self) -> String {
        let mut text = String::new();
        for name in [
            "sway",
            "painter",
            "xdg-desktop-portal-wlr",
            "xdg-desktop-portal",
            "wireplumber",
        ] {
            let path = self.dir.path().join(format!("{name}.log"));
            let log = std::fs::read_to_string(&path).unwrap_or_default();
            let tail: Vec<_> = log.lines().rev().take(15).collect();
            text.push_str(&format!("--- {name} (last lines)\n"));
            for line in tail.into_iter().rev() {
                text.push_str(line);
                text.push('\n');
            }
        }
        text
    }

    /// The output's centre pixel as sway composed it (grim, screencopy): the picture is
    /// there before any test relies on it.
    fn check_output_colour(&self) -> Result<()> {
        let mut last = String::new();
        let shown = wait_until(Duration::from_secs(10), || match self.centre_pixel() {
            Ok(pixel) => {
                last = format!("{pixel:?}");
                pixel == Self::COLOUR
            }
            Err(e) => {
                last = format!("{e:#}");
                false
            }
        });
        if !shown {
            bail!(
                "sway's output never showed the background {:?} (last: {last})\n{}",
                Self::COLOUR,
                self.logs()
            );
        }
        Ok(())
    }

    fn centre_pixel(&self) -> Result<[u8; 3]> {
        let (w, h) = Self::SIZE;
        let output = Command::new("grim")
            .args(["-t", "ppm", "-g", &format!("{},{} 1x1", w / 2, h / 2), "-"])
            .env("WAYLAND_DISPLAY", &self.wayland_socket)
            .stderr(Stdio::piped())
            .output()
            .context("running grim")?;
        if !output.status.success() {
            bail!("grim: {}", String::from_utf8_lossy(&output.stderr).trim());
        }
        // A binary PPM ends with the pixels: the last three bytes are the one pixel.
        match output.stdout.as_slice() {
            [.., r, g, b] if output.stdout.starts_with(b"P6") => Ok([*r, *g, *b]),
            _ => bail!("grim gave no PPM picture"),
        }
    }
}

fn base_env(runtime: &Path, home: &Path, bus: &str) -> Vec<(String, String)> {
    let path = |p: PathBuf| p.display().to_string();
    vec![
        ("XDG_RUNTIME_DIR".into(), path(runtime.to_owned())),
        ("DBUS_SESSION_BUS_ADDRESS".into(), bus.to_owned()),
        ("XDG_SESSION_TYPE".into(), "wayland".into()),
        // xdg-desktop-portal picks its backends by desktop (wlr.portal: UseIn=sway).
        ("XDG_CURRENT_DESKTOP".into(), "sway".into()),
        ("HOME".into(), path(home.to_owned())),
        ("XDG_CONFIG_HOME".into(), path(home.join(".config"))),
        ("XDG_DATA_HOME".into(), path(home.join(".local/share"))),
        ("XDG_STATE_HOME".into(), path(home.join(".local/state"))),
        // No X11 here: a program that still looked for one would fail visibly.
        ("DISPLAY".into(), String::new()),
    ]
}

/// A session bus that can start only the permission store (where the portal keeps
/// restore tokens): nothing of the machine's own session services is activated.
fn start_bus(root: &Path, runtime: &Path, env: &[(String, String)]) -> Result<ChildGuard> {
    let services = root.join("services");
    std::fs::write(
        services.join("org.freedesktop.impl.portal.PermissionStore.service"),
        format!(
            "[D-BUS Service]\nName=org.freedesktop.impl.portal.PermissionStore\nExec={PERMISSION_STORE}\n"
        ),
    )?;
    let config = root.join("bus.conf");
    std::fs::write(
        &config,
        format!(
            r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <servicedir>{}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
            runtime.join("bus").display(),
            services.display()
        ),
    )?;
    let mut bus = Command::new("dbus-daemon");
    bus.arg(format!("--config-file={}", config.display()))
        .arg("--nofork");
    let guard = spawn_logged("dbus-daemon", bus, root, env)?;
    wait_for("the session bus", &runtime.join("bus"))?;
    Ok(guard)
}

/// sway on the headless backend with pixman (no GPU here), in a runtime dir of its own
/// that the `nobody` user may write when we are root. Returns it and its socket.
fn start_sway(dir: &Path, logs: &Path) -> Result<(ChildGuard, PathBuf)> {
    let config = dir.join("config");
    let [r, g, b] = WaylandSession::COLOUR;
    let (w, h) = WaylandSession::SIZE;
    std::fs::write(
        &config,
        format!(
            "xwayland disable\ndefault_border none\n\
             output {OUTPUT} mode {w}x{h} bg #{r:02x}{g:02x}{b:02x} solid_color\n"
        ),
    )?;
    let mut sway = if is_root() {
        chown_tree(dir, NOBODY)?;
        let mut c = Command::new("setpriv");
        c.arg(format!("--reuid={NOBODY}"))
            .arg(format!("--regid={NOBODY}"))
            .arg("--clear-groups")
            .arg("sway");
        c
    } else {
        Command::new("sway")
    };
    sway.arg("-c")
        .arg(&config)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("XDG_RUNTIME_DIR", dir)
        .env("WLR_BACKENDS", "headless")
        .env("WLR_LIBINPUT_NO_DEVICES", "1")
        .env("WLR_RENDERER", "pixman");
    let guard = spawn_logged("sway", sway, logs, &[])?;
    let socket = dir.join("wayland-1");
    let alt = dir.join("wayland-0");
    if !wait_until(Duration::from_secs(10), || socket.exists() || alt.exists()) {
        bail!(
            "sway did not open its Wayland socket: {}",
            read_log(logs, "sway")
        );
    }
    Ok((guard, if socket.exists() { socket } else { alt }))
}

/// A client filling the output, repainting the output in [`WaylandSession::COLOUR`] 30 times a
/// second, as a desktop that changes: screencopy (xdg-desktop-portal-wlr asks for frames
/// "with damage") delivers a frame only when the output changed, so a still background
/// alone would give a restored cast no frame at all.
fn start_painter(socket: &Path, logs: &Path, env: &[(String, String)]) -> Result<ChildGuard> {
    let [r, g, b] = WaylandSession::COLOUR;
    let (w, h) = WaylandSession::SIZE;
    let mut painter = Command::new("gst-launch-1.0");
    painter
        .args(["-q", "videotestsrc", "is-live=true", "pattern=solid-color"])
        .arg(format!("foreground-color=0xff{r:02x}{g:02x}{b:02x}"))
        .args([
            "!",
            &format!("video/x-raw,width={w},height={h},framerate=30/1"),
        ])
        // Tiled alone without borders (sway config) the window is the whole output;
        // waylandsink's own fullscreen fails on GStreamer 1.22 ("Window has no size").
        .args(["!", "waylandsink"])
        .env("WAYLAND_DISPLAY", socket);
    spawn_logged("painter", painter, logs, env)
}

/// The chooser xdg-desktop-portal-wlr runs when the user would be asked: logs the call
/// and answers with the one output.
fn write_chooser(root: &Path, log: &Path) -> Result<PathBuf> {
    let path = root.join("chooser.sh");
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\necho asked >> '{}'\necho {OUTPUT}\n",
            log.display()
        ),
    )?;
    set_mode(&path, 0o755)?;
    Ok(path)
}

fn spawn_logged(
    name: &str,
    mut command: Command,
    log_dir: &Path,
    env: &[(String, String)],
) -> Result<ChildGuard> {
    let log = std::fs::File::create(log_dir.join(format!("{name}.log")))?;
    command
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    ChildGuard::spawn(name, &mut command)
}

fn read_log(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(format!("{name}.log"))).unwrap_or_default()
}

fn wait_for(what: &str, path: &Path) -> Result<()> {
    if !wait_until(Duration::from_secs(10), || path.exists()) {
        bail!("{what} did not appear at {}", path.display());
    }
    Ok(())
}

/// Waits until `name` is owned on the bus (the service finished starting).
fn wait_for_name(bus: &str, name: &str) -> Result<()> {
    let owned = || {
        Command::new("dbus-send")
            .args([
                &format!("--bus={bus}"),
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                &format!("string:{name}"),
            ])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
    };
    if !wait_until(Duration::from_secs(15), owned) {
        bail!("{name} did not appear on the session bus");
    }
    Ok(())
}

fn pipewiresrc_installed() -> bool {
    Command::new("gst-inspect-1.0")
        .arg("pipewiresrc")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("chmod {mode:o} {}", path.display()))
}

fn chown_tree(dir: &Path, uid: u32) -> Result<()> {
    std::os::unix::fs::chown(dir, Some(uid), Some(uid))?;
    for entry in std::fs::read_dir(dir)? {
        std::os::unix::fs::chown(entry?.path(), Some(uid), Some(uid))?;
    }
    Ok(())
}
