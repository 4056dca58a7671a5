//! The account commands against a real `cloumer serve` started by the test: signup →
//! confirm (code from the server's outbox) → login → profile → title → avatar, with an
//! isolated HOME / XDG_CONFIG_HOME, and no token or key in any file the client wrote or
//! in its logs.

mod account_support;

use account_support::{World, cloumer, cloumer_logged, confirmation_code, files_under, ok};

#[test]
fn signup_confirm_login_profile_title_avatar_against_cloumer_serve() {
    let world = World::start();
    let (home, backend, tmp) = (world.home.clone(), world.backend(), world.tmp());
    let email = format!("streamer-{}@example.com", std::process::id());

    ok(&cloumer(
        &home,
        &[
            "--backend",
            backend,
            "signup",
            "--username",
            &email,
            "--nickname",
            "스트리머",
        ],
    ));
    let code = confirmation_code(&tmp.join("data"), &email);
    ok(&cloumer(
        &home,
        &[
            "--backend",
            backend,
            "confirm",
            "--username",
            &email,
            "--code",
            &code,
        ],
    ));
    ok(&cloumer(
        &home,
        &["--backend", backend, "login", "--username", &email],
    ));

    // Later commands find the remembered backend without the flag.
    let profile: serde_json::Value =
        serde_json::from_str(ok(&cloumer(&home, &["profile", "--json"])).trim()).unwrap();
    assert_eq!(profile["live"], serde_json::Value::Bool(false));
    assert!(profile["channel"].as_str().is_some_and(|c| !c.is_empty()));
    let masked = profile["stream_key"].as_str().unwrap().to_owned();
    let full: serde_json::Value =
        serde_json::from_str(ok(&cloumer(&home, &["profile", "--json", "--show-key"])).trim())
            .unwrap();
    let key = full["stream_key"].as_str().unwrap().to_owned();
    assert_ne!(masked, key);
    assert!(key.len() > 8 && masked.ends_with(&key[key.len() - 4..]));

    let title = "안녕 🎥 a&b=c?d#e + f";
    ok(&cloumer(&home, &["title", title]));
    let after: serde_json::Value =
        serde_json::from_str(ok(&cloumer(&home, &["profile", "--json"])).trim()).unwrap();
    assert_eq!(after["title"], title);

    // Invalid avatar: exit 2, nothing changes; valid PNG: the avatar URL changes.
    let gif = tmp.join("a.gif");
    std::fs::write(&gif, b"GIF89a....").unwrap();
    let bad = cloumer(&home, &["avatar", gif.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    let missing = cloumer(&home, &["avatar", tmp.join("nope.png").to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(2));
    assert_one_line(&missing.stderr, "cannot read");
    let png = tmp.join("a.png");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    ok(&cloumer(&home, &["avatar", png.to_str().unwrap()]));
    let with_avatar: serde_json::Value =
        serde_json::from_str(ok(&cloumer(&home, &["profile", "--json"])).trim()).unwrap();
    assert_ne!(with_avatar["avatar_url"], after["avatar_url"]);

    let channel = after["channel"].as_str().unwrap();

    // No secret in any file the client wrote.
    let mut files = Vec::new();
    files_under(&home, &mut files);
    assert!(
        !files.is_empty(),
        "login remembers the backend in the config dir"
    );
    for f in files {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        assert!(!text.contains(&key), "stream key in {}", f.display());
        assert!(!text.contains("eyJ"), "a JWT in {}", f.display());
    }

    // Bad input: one clear line, exit 2, nothing sent.
    let long = "가".repeat(501);
    let refused = cloumer(&home, &["chat", channel, "--send", &long]);
    assert_eq!(refused.status.code(), Some(2));
    assert_one_line(&refused.stderr, "the limit is 500");
    let malformed = tmp.join("malformed.toml");
    std::fs::write(&malformed, "region = \"x\"\nclient_id = 3\n").unwrap();
    let profile_error = cloumer(
        &home,
        &["--backend", malformed.to_str().unwrap(), "profile"],
    );
    assert_eq!(profile_error.status.code(), Some(2));
    assert_one_line(&profile_error.stderr, "key `client_id`");

    // Nor in the logs, at their most verbose (REST, Cognito refresh, chat handshake).
    for args in [
        &["profile", "--json"][..],
        &["chat", channel, "--send", "logged", "--json"][..],
    ] {
        let out = cloumer_logged(&home, "trace", args);
        ok(&out);
        let log = String::from_utf8_lossy(&out.stderr);
        assert!(!log.is_empty(), "trace logs were written");
        assert!(!log.contains(&key), "stream key in the logs of {args:?}");
        assert!(!log.contains("eyJ"), "a JWT in the logs of {args:?}");
    }

    ok(&cloumer(&home, &["logout"]));
    let out = cloumer(&home, &["profile"]);
    assert!(!out.status.success());
}

/// stderr is one line that says `what`.
fn assert_one_line(stderr: &[u8], what: &str) {
    let text = String::from_utf8_lossy(stderr);
    assert_eq!(text.trim_end().lines().count(), 1, "one line: {text}");
    assert!(text.contains(what), "{text}");
}
