//! The account commands against a real `cloumer serve` started by the test: signup →
//! confirm (code from the server's outbox) → login → profile → title → avatar, with an
//! isolated HOME / XDG_CONFIG_HOME, and no token or key in any file the client wrote.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_cloumer");
const PASSWORD: &str = "Correct-Horse-9!";

struct Serve(Child);
impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_serve(dir: &Path) -> (Serve, PathBuf) {
    let backend = dir.join("backend.toml");
    let child = Command::new(BIN)
        .args(["serve", "--data-dir"])
        .arg(dir.join("data"))
        .args(["--listen", "127.0.0.1:0", "--rtmp", "127.0.0.1:0", "--rtmps", "127.0.0.1:0", "--write-backend"])
        .arg(&backend)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn cloumer serve");
    let serve = Serve(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !backend.exists() || std::fs::read_to_string(&backend).unwrap_or_default().is_empty() {
        assert!(Instant::now() < deadline, "cloumer serve wrote no backend profile in 60 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    (serve, backend)
}

fn cloumer(home: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("CLOUMER_PASSWORD", PASSWORD)
        .env_remove("CLOUMER_BACKEND")
        .env_remove("RUST_LOG")
        .output()
        .expect("run cloumer")
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "failed: {}\n{}", String::from_utf8_lossy(&out.stderr), String::from_utf8_lossy(&out.stdout));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn confirmation_code(data: &Path, email: &str) -> String {
    let text = std::fs::read_to_string(data.join("outbox.jsonl")).expect("outbox.jsonl");
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["to"] == email || v["username"] == email)
        .filter_map(|v| v["code"].as_str().map(str::to_owned))
        .last()
        .expect("a code for the user in the outbox")
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() { files_under(&p, out) } else { out.push(p) }
    }
}

#[test]
fn signup_confirm_login_profile_title_avatar_against_cloumer_serve() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let (_serve, backend) = start_serve(tmp.path());
    let backend = backend.to_str().unwrap();
    let email = format!("streamer-{}@example.com", std::process::id());

    ok(&cloumer(&home, &["--backend", backend, "signup", "--username", &email, "--nickname", "스트리머"]));
    let code = confirmation_code(&tmp.path().join("data"), &email);
    ok(&cloumer(&home, &["--backend", backend, "confirm", "--username", &email, "--code", &code]));
    ok(&cloumer(&home, &["--backend", backend, "login", "--username", &email]));

    // Later commands find the remembered backend without the flag.
    let profile: serde_json::Value = serde_json::from_str(ok(&cloumer(&home, &["profile", "--json"])).trim()).unwrap();
    assert_eq!(profile["live"], serde_json::Value::Bool(false));
    assert!(profile["channel"].as_str().is_some_and(|c| !c.is_empty()));
    let masked = profile["stream_key"].as_str().unwrap().to_owned();
    let full: serde_json::Value =
        serde_json::from_str(ok(&cloumer(&home, &["profile", "--json", "--show-key"])).trim()).unwrap();
    let key = full["stream_key"].as_str().unwrap().to_owned();
    assert_ne!(masked, key);
    assert!(key.len() > 8 && masked.ends_with(&key[key.len() - 4..]));

    let title = "안녕 🎥 a&b=c?d#e + f";
    ok(&cloumer(&home, &["title", title]));
    let after: serde_json::Value = serde_json::from_str(ok(&cloumer(&home, &["profile", "--json"])).trim()).unwrap();
    assert_eq!(after["title"], title);

    // Invalid avatar: exit 2, nothing changes; valid PNG: the avatar URL changes.
    let gif = tmp.path().join("a.gif");
    std::fs::write(&gif, b"GIF89a....").unwrap();
    let bad = cloumer(&home, &["avatar", gif.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    let png = tmp.path().join("a.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    ok(&cloumer(&home, &["avatar", png.to_str().unwrap()]));
    let with_avatar: serde_json::Value = serde_json::from_str(ok(&cloumer(&home, &["profile", "--json"])).trim()).unwrap();
    assert_ne!(with_avatar["avatar_url"], after["avatar_url"]);

    // No secret in any file the client wrote.
    let mut files = Vec::new();
    files_under(&home, &mut files);
    assert!(!files.is_empty(), "login remembers the backend in the config dir");
    for f in files {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        assert!(!text.contains(&key), "stream key in {}", f.display());
        assert!(!text.contains("eyJ"), "a JWT in {}", f.display());
    }

    ok(&cloumer(&home, &["logout"]));
    let out = cloumer(&home, &["profile"]);
    assert!(!out.status.success());
}
