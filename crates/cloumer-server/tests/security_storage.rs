#![allow(clippy::unwrap_used)]
//! Secrets at rest and storage bounds (hardening findings 5 and 10), each by the attack:
//! another local user reading the data dir, and one account uploading avatars in a loop.

mod common;

use cloumer_testkit::seed_contract::png;

/// Finding 5: the data dir holds the token-signing key, the SRP secret and verifiers,
/// pending codes and stream keys. Nobody but its owner may list or read it, also when an
/// older run (or a careless `mkdir`) left it world-readable.
#[cfg(unix)]
#[tokio::test]
async fn the_data_dir_and_every_secret_in_it_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;

    let parent = tempfile::tempdir().unwrap();
    let data = parent.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let server = common::start_in(&data).await;
    let t = common::TestServer {
        server,
        dir: parent,
        http: reqwest::Client::new(),
    };
    // A sign-up writes a code to the outbox; a log-in needs the signing key.
    let client_id = t.client_id();
    let (s, b) = t
        .cognito(
            "SignUp",
            serde_json::json!({
                "ClientId": client_id, "Username": "mode@example.com", "Password": "Passw0rd!",
                "UserAttributes": [{"Name": "email", "Value": "mode@example.com"}],
            }),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, _) = t.get("/cognito/x/.well-known/jwks.json", None).await;
    assert!(s == 200 || s == 404);

    // The dir is what keeps other users out of everything in it (recordings, HLS, ...).
    assert_eq!(mode(&data), 0o700, "the data dir");
    // The secrets are owner-only themselves too, so a copy of the dir keeps them so.
    let entries = walk(&data);
    let names: Vec<String> = entries
        .iter()
        .map(|e| e.strip_prefix(&data).unwrap().display().to_string())
        .collect();
    for secret in [
        "cloumer.sqlite3",
        "cloumer.sqlite3-wal",
        "chat.sqlite",
        "chat.secret",
        "outbox.jsonl",
        "tls/ingest-key.pem",
    ] {
        assert!(
            names.iter().any(|n| n == secret),
            "{secret} was expected in the data dir: {names:?}"
        );
        let m = mode(&data.join(secret));
        assert_eq!(m & 0o077, 0, "{secret} is {m:o}: others may read it");
    }
    for (entry, name) in entries.iter().zip(&names) {
        assert_eq!(mode(entry) & 0o002, 0, "{name} is world-writable");
    }
    t.server.shutdown().await;
}

#[cfg(unix)]
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        }
        out.push(path);
    }
    out
}

/// Finding 10: every upload used to be kept (25 x 4 MiB = +100 MiB per account in 2 s).
/// A channel now holds one avatar: the database stays the size of one image, the new
/// image is served and the replaced one is gone.
#[tokio::test]
async fn avatar_uploads_in_a_loop_keep_one_image_per_channel() {
    let t = common::start().await;
    let a = t.user("loop@example.com", "loop").await;
    let id = a["IdToken"].as_str().unwrap();
    const UPLOADS: usize = 25;
    const SIZE: usize = 1024 * 1024;
    let mut first_url = None;
    for i in 0..UPLOADS {
        let mut image = png(SIZE);
        image[8] = i as u8; // each upload different
        let (s, b) = t.upload_avatar(id, image, "me.png", "image/png").await;
        assert_eq!(s, 200, "{b}");
        if i == 0 {
            first_url = Some(t.mypage(id).await["profile"].as_str().unwrap().to_owned());
        }
    }
    let current = t.mypage(id).await["profile"].as_str().unwrap().to_owned();
    let res = t.http.get(&current).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().len(), SIZE + 8);
    let old = t.http.get(first_url.unwrap()).send().await.unwrap();
    assert_eq!(old.status(), 404, "the replaced avatar is deleted");

    let on_disk: u64 = ["cloumer.sqlite3", "cloumer.sqlite3-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(t.dir.path().join(f)).ok())
        .map(|m| m.len())
        .sum();
    eprintln!(
        "{UPLOADS} uploads of {} KiB: database + WAL = {} KiB",
        SIZE / 1024,
        on_disk / 1024
    );
    assert!(
        on_disk < (UPLOADS * SIZE / 2) as u64,
        "the database kept the replaced images: {on_disk} bytes"
    );
}
