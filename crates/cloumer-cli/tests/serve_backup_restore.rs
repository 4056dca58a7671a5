//! Backup and restore of `cloumer serve`'s data dir as deploy/self-hosted/README.md says:
//! stop the server, copy the dir (`cp -a`), start another server on the copy: nothing is
//! lost (the account logs in, title, avatar, stream key, chat history).

mod account_support;

use std::path::Path;
use std::time::Duration;

use account_support::*;

/// `api_url` of a backend profile file.
fn api_url(backend: &Path) -> String {
    let text = std::fs::read_to_string(backend).expect("backend profile");
    text.lines()
        .find_map(|l| l.strip_prefix("api_url = "))
        .expect("api_url in the profile")
        .trim_matches('"')
        .to_owned()
}

fn get(url: &str) -> (u16, Vec<u8>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let res = reqwest::get(url).await.expect("GET");
        let status = res.status().as_u16();
        (status, res.bytes().await.expect("body").to_vec())
    })
}

/// Stops the server the way systemd does (SIGTERM), then makes sure it is gone.
fn stop(serve: Serve) {
    unsafe {
        libc::kill(serve.pid() as i32, libc::SIGTERM);
    }
    std::thread::sleep(Duration::from_secs(2));
    drop(serve);
}

#[test]
fn a_copied_data_dir_serves_everything_on_another_server() {
    let tmp = tempfile::tempdir().unwrap();
    let (first, second) = (tmp.path().join("first"), tmp.path().join("second"));
    std::fs::create_dir_all(&first).unwrap();
    std::fs::create_dir_all(&second).unwrap();
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();

    // Data on the first server: an account with title, avatar, stream key, a chat line.
    let (serve, backend) = start_serve(&first);
    let backend_arg = backend.to_str().unwrap();
    let email = "backup@example.com";
    create_account(&home, backend_arg, &first.join("data"), email, "backup");
    ok(&cloumer(
        &home,
        &["--backend", backend_arg, "login", "--username", email],
    ));
    ok(&cloumer(&home, &["title", "before the backup"]));
    let png = tmp.path().join("a.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR backup").unwrap();
    ok(&cloumer(&home, &["avatar", png.to_str().unwrap()]));
    let before = profile(&home);
    let channel = before["channel"].as_str().unwrap().to_owned();
    ok(&cloumer(
        &home,
        &["chat", &channel, "--send", "kept across the restore"],
    ));
    let avatar_path = before["avatar_url"]
        .as_str()
        .unwrap()
        .split_once("/media/")
        .map(|(_, p)| format!("/media/{p}"))
        .expect("avatar URL under /media/");
    stop(serve);

    // The documented backup: a copy keeping modes.
    let copied = std::process::Command::new("cp")
        .arg("-a")
        .arg(first.join("data"))
        .arg(second.join("data"))
        .status()
        .unwrap();
    assert!(copied.success());
    std::fs::remove_dir_all(&first).unwrap();

    // Another server on the copy (other ports): everything is there.
    let (_serve, backend) = start_serve(&second);
    let backend_arg = backend.to_str().unwrap();
    let home2 = tmp.path().join("home2");
    std::fs::create_dir_all(&home2).unwrap();
    ok(&cloumer(
        &home2,
        &["--backend", backend_arg, "login", "--username", email],
    ));
    let after = profile(&home2);
    assert_eq!(after["title"], "before the backup");
    assert_eq!(after["channel"], before["channel"]);
    assert_eq!(after["stream_key"], before["stream_key"], "stream key kept");
    let api = api_url(&backend);
    let (status, avatar) = get(&format!("{api}{avatar_path}"));
    assert_eq!(status, 200);
    assert!(
        avatar.ends_with(b"IHDR backup"),
        "the uploaded avatar bytes"
    );
    let (status, history) = get(&format!("{api}/public/v1/chat-history/{channel}"));
    assert_eq!(status, 200);
    assert!(
        String::from_utf8_lossy(&history).contains("kept across the restore"),
        "{}",
        String::from_utf8_lossy(&history)
    );
}
