//! `cloumer chat`, `moderators` and `key` against a real `cloumer serve`: a viewer sends
//! (JSON lines with Id and Content), a viewer's --delete / --kick are refused (non-zero
//! exit, promptly), the owner's succeed on the server's room event, a moderator added
//! with `moderators add` may delete, timeouts and bans keep a user out until lifted, and
//! `key --rotate` changes the stream key.

mod account_support;

use std::time::{Duration, Instant};

use account_support::{World, cloumer, create_account, failed, ok, profile};

/// JSON lines of a `--json` run.
fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect()
}

/// Sends `text` to `channel`'s chat; returns the message Id from the echoed MESSAGE.
fn send(home: &std::path::Path, channel: &str, text: &str) -> String {
    let out = ok(&cloumer(home, &["chat", channel, "--send", text, "--json"]));
    let lines = json_lines(&out);
    let message = lines
        .iter()
        .find(|l| l["Type"] == "MESSAGE" && l["Content"] == text)
        .unwrap_or_else(|| panic!("no echo of the message in {out}"));
    message["Id"].as_str().expect("an Id").to_owned()
}

#[test]
fn chat_moderation_waits_for_the_servers_answer() {
    let world = World::start();
    let (home, backend, data) = (world.home.clone(), world.backend(), world.data.clone());
    let (owner, viewer) = ("owner@example.com", "viewer@example.com");
    create_account(&home, backend, &data, owner, "owner");
    create_account(&home, backend, &data, viewer, "시청자");

    // One credential store entry per backend: log in as one user at a time.
    ok(&cloumer(
        &home,
        &["--backend", backend, "login", "--username", owner],
    ));
    let owner_profile = profile(&home);
    let owner_channel = owner_profile["channel"].as_str().unwrap().to_owned();
    let old_key = owner_profile["stream_key"].as_str().unwrap().to_owned();
    ok(&cloumer(&home, &["login", "--username", viewer]));
    let viewer_channel = profile(&home)["channel"].as_str().unwrap().to_owned();

    // A viewer sends: content as typed, quotes and backslashes included.
    let typed = r#"hello "there" \ 안녕 🎥"#;
    let first = send(&home, &owner_channel, typed);

    // A viewer may not delete or kick: refused by an ERROR frame, promptly, exit 1.
    let started = Instant::now();
    let refused = failed(&cloumer(
        &home,
        &["chat", &owner_channel, "--delete", &first],
    ));
    assert!(
        refused.contains("refused") && refused.contains("403"),
        "{refused}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "the refusal took {:?}",
        started.elapsed()
    );
    let refused = failed(&cloumer(
        &home,
        &["chat", &owner_channel, "--kick", &owner_channel],
    ));
    assert!(refused.contains("403"), "{refused}");

    // The owner deletes: success is the aws:DELETE_MESSAGE event, printed as a JSON line.
    ok(&cloumer(&home, &["login", "--username", owner]));
    let out = ok(&cloumer(
        &home,
        &["chat", &owner_channel, "--delete", &first, "--json"],
    ));
    assert!(
        json_lines(&out)
            .iter()
            .any(|l| l["EventName"] == "aws:DELETE_MESSAGE" && l["MessageId"] == first.as_str()),
        "{out}"
    );
    // Deleting it again: the server says 404.
    let again = failed(&cloumer(
        &home,
        &["chat", &owner_channel, "--delete", &first],
    ));
    assert!(again.contains("404"), "{again}");
    let out = ok(&cloumer(
        &home,
        &["chat", &owner_channel, "--kick", &viewer_channel, "--json"],
    ));
    assert!(
        json_lines(&out)
            .iter()
            .any(|l| l["EventName"] == "aws:DISCONNECT_USER"
                && l["UserId"] == viewer_channel.as_str()),
        "{out}"
    );

    // The owner makes the viewer a moderator; the viewer may now delete.
    ok(&cloumer(&home, &["moderators", "add", &viewer_channel]));
    let listed = ok(&cloumer(&home, &["moderators", "list", "--json"]));
    assert!(
        json_lines(&listed)
            .iter()
            .any(|l| l["channel"] == viewer_channel.as_str()),
        "{listed}"
    );
    let second = send(&home, &owner_channel, "from the owner");
    ok(&cloumer(&home, &["login", "--username", viewer]));
    ok(&cloumer(
        &home,
        &["chat", &owner_channel, "--delete", &second],
    ));
    ok(&cloumer(&home, &["login", "--username", owner]));
    ok(&cloumer(&home, &["moderators", "remove", &viewer_channel]));
    assert!(json_lines(&ok(&cloumer(&home, &["moderators", "--json"]))).is_empty());

    // Timeouts and bans (issue 21): the owner keeps the viewer out; the viewer's chat is
    // refused (R5 says why) until the owner lifts it.
    let out = ok(&cloumer(
        &home,
        &[
            "chat",
            &owner_channel,
            "--timeout",
            &viewer_channel,
            "--seconds",
            "120",
            "--reason",
            "calm down",
            "--json",
        ],
    ));
    let timeout = &json_lines(&out)[0];
    assert!(
        timeout["until"].as_str().is_some() && timeout["reason"] == "calm down",
        "{out}"
    );
    let out = ok(&cloumer(
        &home,
        &["chat", &owner_channel, "--ban", &viewer_channel, "--json"],
    ));
    assert!(
        json_lines(&out)[0].get("until").is_none(),
        "a ban has no end: {out}"
    );
    let listed = ok(&cloumer(&home, &["chat", &owner_channel, "--restrictions"]));
    assert!(
        listed.contains(&viewer_channel) && listed.contains("banned until lifted"),
        "{listed}"
    );
    let bad = failed(&cloumer(
        &home,
        &[
            "chat",
            &owner_channel,
            "--timeout",
            &viewer_channel,
            "--seconds",
            "0",
        ],
    ));
    assert!(bad.contains("1 to 2592000"), "{bad}");
    ok(&cloumer(&home, &["login", "--username", viewer]));
    let refused = failed(&cloumer(
        &home,
        &["chat", &owner_channel, "--send", "let me in"],
    ));
    assert!(refused.contains("banned"), "{refused}");
    ok(&cloumer(&home, &["login", "--username", owner]));
    ok(&cloumer(
        &home,
        &["chat", &owner_channel, "--lift", &viewer_channel],
    ));
    assert!(
        ok(&cloumer(&home, &["chat", &owner_channel, "--restrictions"]))
            .trim()
            .is_empty()
    );
    ok(&cloumer(&home, &["login", "--username", viewer]));
    send(&home, &owner_channel, "back again");
    ok(&cloumer(&home, &["login", "--username", owner]));

    // key: masked by default; --rotate gives a new key that the profile then shows.
    let masked = ok(&cloumer(&home, &["key"]));
    assert!(!masked.contains(&old_key) && masked.trim().ends_with(&old_key[old_key.len() - 4..]));
    let rotated = ok(&cloumer(&home, &["key", "--rotate", "--show-key"]));
    let new_key = rotated.trim();
    assert_ne!(new_key, old_key);
    assert_eq!(profile(&home)["stream_key"], new_key);
    ok(&cloumer(&home, &["logout"]));
}
