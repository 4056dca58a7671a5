//! Shared by the account/chat CLI tests: a `cloumer serve` started by the test, the
//! `cloumer` binary run with an isolated HOME / XDG_CONFIG_HOME, and codes from the
//! server's outbox.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_cloumer");
pub const PASSWORD: &str = "Correct-Horse-9!";

pub struct Serve(Child);
impl Serve {
    /// The server's process id (for its memory, file handles, ...).
    pub fn pid(&self) -> u32 {
        self.0.id()
    }
}
impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A test's world: a temp dir, a user's HOME in it, and a `cloumer serve` whose data and
/// backend profile live there. The server stops before the directory goes.
pub struct World {
    _serve: Serve,
    pub home: PathBuf,
    /// The backend profile file `cloumer serve` wrote.
    pub backend_path: PathBuf,
    /// The server's data dir (outbox.jsonl holds the codes it "mailed").
    pub data: PathBuf,
    _tmp: tempfile::TempDir,
}

impl World {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// [`World::start`] with `extra` arguments for `cloumer serve`.
    pub fn start_with(extra: &[&str]) -> Self {
        let tmp = tempfile::tempdir().expect("temp dir");
        let home = tmp.path().join("home");
        std::fs::create_dir_all(&home).expect("home dir");
        let (serve, backend_path) = start_serve_with(tmp.path(), Stdio::null(), extra);
        Self {
            _serve: serve,
            home,
            backend_path,
            data: tmp.path().join("data"),
            _tmp: tmp,
        }
    }

    /// The backend profile path as an argument.
    pub fn backend(&self) -> &str {
        self.backend_path.to_str().expect("UTF-8 temp path")
    }

    pub fn tmp(&self) -> &Path {
        self._tmp.path()
    }
}

/// Starts `cloumer serve` with its data under `dir`; returns it and its backend profile.
pub fn start_serve(dir: &Path) -> (Serve, PathBuf) {
    start_serve_with(dir, Stdio::null(), &[])
}

/// [`start_serve`] with the server's stderr going to `stderr` and `extra` arguments.
pub fn start_serve_with(dir: &Path, stderr: Stdio, extra: &[&str]) -> (Serve, PathBuf) {
    let backend = dir.join("backend.toml");
    let child = Command::new(BIN)
        .args(["serve", "--data-dir"])
        .arg(dir.join("data"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--rtmp",
            "127.0.0.1:0",
            "--rtmps",
            "127.0.0.1:0",
            "--write-backend",
        ])
        .arg(&backend)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("spawn cloumer serve");
    let serve = Serve(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !backend.exists()
        || std::fs::read_to_string(&backend)
            .unwrap_or_default()
            .is_empty()
    {
        assert!(
            Instant::now() < deadline,
            "cloumer serve wrote no backend profile in 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (serve, backend)
}

/// Runs `cloumer ARGS` as a user whose home is `home` (password from CLOUMER_PASSWORD).
pub fn cloumer(home: &Path, args: &[&str]) -> Output {
    cloumer_with_password(home, PASSWORD, args)
}

pub fn cloumer_with_password(home: &Path, password: &str, args: &[&str]) -> Output {
    command(home, password, args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run cloumer")
}

/// Runs `cloumer ARGS` with extra environment variables (password from CLOUMER_PASSWORD).
pub fn cloumer_env(home: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = command(home, PASSWORD, args);
    command.env_remove("RUST_LOG");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("run cloumer")
}

/// Runs `cloumer ARGS` with `RUST_LOG=<filter>` (logs on stderr).
pub fn cloumer_logged(home: &Path, filter: &str, args: &[&str]) -> Output {
    command(home, PASSWORD, args)
        .env("RUST_LOG", filter)
        .output()
        .expect("run cloumer")
}

fn command(home: &Path, password: &str, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("CLOUMER_PASSWORD", password)
        .env_remove("CLOUMER_BACKEND")
        .stdin(Stdio::null());
    command
}

/// Asserts success; returns stdout.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Asserts failure with a one-line message; returns stderr.
pub fn failed(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "unexpected success: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The last code the server "mailed" to `email`.
pub fn confirmation_code(data: &Path, email: &str) -> String {
    let text = std::fs::read_to_string(data.join("outbox.jsonl")).expect("outbox.jsonl");
    text.lines()
        .rev()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["to"] == email || v["username"] == email)
        .find_map(|v| v["code"].as_str().map(str::to_owned))
        .expect("a code for the user in the outbox")
}

/// How many codes the server "mailed" to `email`.
pub fn codes_sent(data: &Path, email: &str) -> usize {
    std::fs::read_to_string(data.join("outbox.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["to"] == email || v["username"] == email)
        .count()
}

/// Signs up and confirms `email` (code from the outbox).
pub fn create_account(home: &Path, backend: &str, data: &Path, email: &str, nickname: &str) {
    ok(&cloumer(
        home,
        &[
            "--backend",
            backend,
            "signup",
            "--username",
            email,
            "--nickname",
            nickname,
        ],
    ));
    let code = confirmation_code(data, email);
    ok(&cloumer(
        home,
        &[
            "--backend",
            backend,
            "confirm",
            "--username",
            email,
            "--code",
            &code,
        ],
    ));
}

/// `profile --json` of whoever is logged in.
pub fn profile(home: &Path) -> serde_json::Value {
    serde_json::from_str(ok(&cloumer(home, &["profile", "--json", "--show-key"])).trim())
        .expect("profile JSON")
}

pub fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            files_under(&p, out)
        } else {
            out.push(p)
        }
    }
}
