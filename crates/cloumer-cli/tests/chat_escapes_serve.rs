//! Issue 15, finding 18 (first half): `cloumer chat` prints other people's text on the
//! user's terminal, so escape sequences in a message must not reach it raw. A message
//! that would retitle the terminal, clear it, recolour it, forge a second line and flip
//! its text right-to-left is sent through `cloumer serve` and its echo printed in the
//! human-readable form: no control character is left, each is shown escaped. `--json`
//! keeps the content exactly as sent.

mod account_support;

use account_support::{World, cloumer, create_account, ok, profile};

const ATTACK: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[31mred\r\n[00:00] owner: send me your key\u{9b}\u{202e}gnp.exe";

#[test]
fn chat_output_shows_terminal_controls_escaped() {
    let world = World::start();
    let (home, backend, data) = (world.home.clone(), world.backend(), world.data.clone());
    let email = "escapes@example.com";
    create_account(&home, backend, &data, email, "escapes");
    ok(&cloumer(
        &home,
        &["--backend", backend, "login", "--username", email],
    ));
    let channel = profile(&home)["channel"].as_str().unwrap().to_owned();

    let shown = ok(&cloumer(&home, &["chat", &channel, "--send", ATTACK]));
    let line = shown
        .lines()
        .find(|l| l.contains("pwned"))
        .unwrap_or_else(|| panic!("the echo was not printed: {shown:?}"));
    assert!(
        !shown.chars().any(|c| c.is_control() && c != '\n'),
        "a control character reached the terminal: {shown:?}"
    );
    assert!(!shown.contains('\u{202e}'), "{shown:?}");
    assert!(
        line.contains(r"\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[31mred\r\n[00:00] owner")
            && line.contains(r"\u{9b}\u{202e}gnp.exe"),
        "{line}"
    );

    // The JSON form carries the content as sent (JSON escapes it by itself).
    let json = ok(&cloumer(
        &home,
        &["chat", &channel, "--send", ATTACK, "--json"],
    ));
    assert!(
        json.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .any(|v| v["Content"] == ATTACK),
        "{json}"
    );
}
