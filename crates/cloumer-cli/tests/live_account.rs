//! `cloumer live` without `--to` goes to the logged-in account's ingest. A self-hosted
//! `cloumer serve` ingests over RTMPS with a self-signed certificate that no trust store
//! knows; the backend profile names it (`ingest_certificate`), and the stream must get
//! through with TLS validation on, trusting exactly that certificate.

mod account_support;

use account_support::{World, cloumer, create_account, ok, profile};

#[test]
fn live_without_to_streams_to_the_self_hosted_account_over_rtmps() {
    let world = World::start();
    let email = format!("live-{}@example.com", std::process::id());
    create_account(&world.home, world.backend(), &world.data, &email, "live");
    ok(&cloumer(
        &world.home,
        &["--backend", world.backend(), "login", "--username", &email],
    ));

    let url = profile(&world.home)["stream_url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(url.starts_with("rtmps://"), "the account ingest is {url}");

    let out = cloumer(
        &world.home,
        &["live", "--test-sources", "--duration", "4", "--json"],
    );
    let stdout = ok(&out);
    let states: Vec<String> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["event"] == "state")
        .filter_map(|e| e["state"].as_str().map(str::to_owned))
        .collect();
    // Issue 20 #6: stats lines carry the account channel's viewers (none watch here).
    let viewers: Vec<serde_json::Value> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["event"] == "stats")
        .map(|e| e["viewers"].clone())
        .collect();
    assert!(
        viewers.iter().any(|v| v == 0),
        "no `viewers` in the stats: {viewers:?}"
    );
    // `live` comes from ivssink only once the ingest accepted the publish over TLS.
    for wanted in ["connecting", "live", "stopped"] {
        assert!(
            states.iter().any(|s| s == wanted),
            "no `{wanted}` in {states:?}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Issue 20 #4: without `--channel-type`, `cloumer live` checks the settings against the
/// account channel's type (R6 `channelType`): a 1080p / 8500 kbps stream on a BASIC
/// channel is refused before connecting, exit 2, saying what to change.
#[test]
fn live_refuses_settings_over_the_accounts_basic_channel_before_connecting() {
    let world = World::start_with(&["--channel-type", "BASIC"]);
    let email = format!("basic-{}@example.com", std::process::id());
    create_account(&world.home, world.backend(), &world.data, &email, "basic");
    ok(&cloumer(
        &world.home,
        &["--backend", world.backend(), "login", "--username", &email],
    ));

    let out = cloumer(
        &world.home,
        &[
            "live",
            "--test-sources",
            "--size",
            "1920x1080",
            "--bitrate",
            "8500",
            "--duration",
            "4",
            "--json",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("BASIC") && stderr.contains("3500 kbps or less"),
        "the refusal does not say what to change: {stderr}"
    );
    assert!(
        !stdout.contains("\"connecting\""),
        "connected before refusing: {stdout}"
    );
}
