//! The session in a desktop's credential store: `cloumer login` against a real
//! `cloumer serve` with a Secret Service (gnome-keyring in a private D-Bus session, as on
//! a Linux desktop). Later processes find the session there, the kernel-keyring fallback
//! holds nothing, logout removes it, and no plain file carries a token or the key.

mod account_support;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use account_support::{World, cloumer_env, create_account, failed, files_under, ok};

/// Children killed when the test ends, pass or fail.
struct Daemon(Child);
impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn installed(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A private session bus; returns it and its address.
fn session_bus() -> (Daemon, String) {
    let mut child = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--print-address=1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start dbus-daemon");
    let mut address = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_line(&mut address)
        .expect("the bus address");
    (Daemon(child), address.trim().to_owned())
}

/// gnome-keyring's Secret Service on `bus`, its login keyring created and unlocked with
/// a password on stdin (what a desktop's login does), its keyring file under `home`.
fn keyring_daemon(bus: &str, home: &Path, runtime: &Path) -> Daemon {
    let mut child = Command::new("gnome-keyring-daemon")
        .args(["--foreground", "--unlock", "--components=secrets"])
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        // Its control socket goes here, not among the user's files.
        .env("XDG_RUNTIME_DIR", runtime)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start gnome-keyring-daemon");
    // The keyring's own password; the daemon reads it until end of input.
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(b"desktop-login")
        .expect("the keyring password");
    let daemon = Daemon(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let owned = Command::new("dbus-send")
            .args([
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.secrets",
            ])
            .env("DBUS_SESSION_BUS_ADDRESS", bus)
            .output()
            .expect("dbus-send");
        if String::from_utf8_lossy(&owned.stdout).contains("boolean true") {
            return daemon;
        }
        assert!(
            Instant::now() < deadline,
            "gnome-keyring did not own org.freedesktop.secrets in 20 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn login_keeps_the_session_in_the_secret_service() {
    let missing: Vec<&str> = ["dbus-daemon", "dbus-send", "gnome-keyring-daemon"]
        .into_iter()
        .filter(|p| !installed(p))
        .collect();
    if !missing.is_empty() {
        cloumer_testkit::skip(format!(
            "no Secret Service to test against ({missing:?} not installed)"
        ));
        return;
    }
    let world = World::start();
    let (home, backend) = (world.home.clone(), world.backend());
    let (_bus, address) = session_bus();
    let runtime = world.tmp().join("run");
    std::fs::create_dir_all(&runtime).unwrap();
    let _keyring = keyring_daemon(&address, &home, &runtime);
    // As on a desktop: the bus is there and the store is chosen automatically.
    let desktop = [
        ("DBUS_SESSION_BUS_ADDRESS", address.as_str()),
        ("CLOUMER_CREDENTIAL_STORE", ""),
    ];
    let headless = [
        ("DBUS_SESSION_BUS_ADDRESS", address.as_str()),
        ("CLOUMER_CREDENTIAL_STORE", "keyutils"),
    ];

    let email = format!("desktop-{}@example.com", std::process::id());
    create_account(&home, backend, &world.data, &email, "desk");
    let login = ["--backend", backend, "login", "--username", &email];
    ok(&cloumer_env(&home, &desktop, &login));

    // Another process finds the session in the Secret Service...
    let profile: serde_json::Value = serde_json::from_str(
        ok(&cloumer_env(
            &home,
            &desktop,
            &["profile", "--json", "--show-key"],
        ))
        .trim(),
    )
    .expect("profile JSON");
    let key = profile["stream_key"].as_str().unwrap().to_owned();
    assert!(key.len() > 8, "a stream key: {profile}");
    // ...and only there: the headless fallback store has nothing.
    let elsewhere = failed(&cloumer_env(&home, &headless, &["profile"]));
    assert!(elsewhere.contains("not logged in"), "{elsewhere}");

    // No plain file carries a token or the key (gnome-keyring's own file is encrypted).
    let mut files = Vec::new();
    files_under(&home, &mut files);
    assert!(
        files
            .iter()
            .any(|f| f.extension().is_some_and(|e| e == "keyring")),
        "gnome-keyring keeps the session in its encrypted keyring file: {files:?}"
    );
    for f in &files {
        let text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned();
        assert!(!text.contains(&key), "stream key in {}", f.display());
        assert!(!text.contains("eyJ"), "a JWT in {}", f.display());
    }

    ok(&cloumer_env(&home, &desktop, &["logout"]));
    let after = failed(&cloumer_env(&home, &desktop, &["profile"]));
    assert!(after.contains("not logged in"), "{after}");
}
