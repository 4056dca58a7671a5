//! The shell on Tauri's mock runtime: commands answer over real IPC, errors arrive as the
//! tagged `AppError`, settings persist under the app's config dir.

use cloumer_studio::{AppPaths, run_app_with};
use serde_json::{Value, json};
use tauri::Manager;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

fn app(root: &std::path::Path) -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let app = run_app_with(mock_builder(), AppPaths::under(root))
        .build(cloumer_studio::context())
        .expect("mock app builds");
    // The real context: the config's main window and its capability (our commands only).
    let window = match app.get_webview_window("main") {
        Some(w) => w,
        None => WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("main window"),
    };
    (app, window)
}

fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().expect("url"),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|body| body.deserialize::<Value>().expect("JSON answer"))
}

/// Signs up on the chosen backend; `None` (with the reason printed) when this machine has no
/// usable credential store, so the calling test skips.
fn sign_up(window: &WebviewWindow<MockRuntime>, email: &str, nickname: &str) -> Option<Value> {
    let args = json!({ "email": email, "password": "Corr3ct-Horse-Battery", "nickname": nickname });
    or_skip(invoke(window, "sign_up", args), "sign up")
}

#[test]
fn first_run_has_no_backend_and_default_settings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_app, window) = app(dir.path());
    let info = invoke(&window, "app_info", json!({})).expect("app_info answers");
    assert_eq!(info["backend"], Value::Null);
    assert_eq!(info["account"], Value::Null);
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    let settings = invoke(&window, "get_settings", json!({})).expect("settings");
    assert_eq!(settings["quality"], "720p30");
    assert_eq!(
        invoke(&window, "get_live_state", json!({})).expect("state"),
        json!({ "state": "idle" })
    );
}

#[test]
fn errors_are_tagged_with_their_kind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_app, window) = app(dir.path());
    let err = invoke(&window, "go_live", json!({})).expect_err("no backend yet");
    assert_eq!(err["kind"], "noBackend");
    let err = invoke(
        &window,
        "use_custom_rtmp",
        json!({ "url": "http://x", "streamKey": "k" }),
    )
    .expect_err("bad URL");
    assert_eq!(err["kind"], "validation");
    assert_eq!(err["field"], "url");
    let err =
        invoke(&window, "chat_send", json!({ "text": "가".repeat(501) })).expect_err("too long");
    assert_eq!(err["kind"], "validation");
}

#[test]
fn settings_persist_in_the_config_dir_without_secrets() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let (_app, window) = app(dir.path());
        let mut settings = invoke(&window, "get_settings", json!({})).expect("settings");
        settings["quality"] = json!("1080p30");
        settings["pip"]["corner"] = json!("topLeft");
        settings["language"] = json!("ko");
        invoke(&window, "save_settings", json!({ "settings": settings })).expect("saved");
        let info = invoke(
            &window,
            "use_custom_rtmp",
            json!({ "url": "rtmp://127.0.0.1:1935/app/", "streamKey": "sk_very_secret" }),
        )
        .expect("custom RTMP accepted");
        assert_eq!(info["kind"], "rtmp");
        assert_eq!(info["hasAccounts"], false);
    }
    let file =
        std::fs::read_to_string(dir.path().join("config/settings.json")).expect("settings file");
    assert!(
        !file.contains("sk_very_secret"),
        "the stream key must never reach the settings file"
    );
    let (_app, window) = app(dir.path());
    let settings = invoke(&window, "get_settings", json!({})).expect("settings");
    assert_eq!(settings["quality"], "1080p30");
    assert_eq!(settings["pip"]["corner"], "topLeft");
    assert_eq!(settings["lastBackend"], "rtmp");
    assert_eq!(settings["language"], "ko", "the chosen language is restored on restart");
}

#[test]
fn rejects_a_language_the_studio_does_not_speak() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_app, window) = app(dir.path());
    let mut settings = invoke(&window, "get_settings", json!({})).expect("settings");
    assert_eq!(settings["language"], json!(null), "follows the system by default");
    settings["language"] = json!("fr");
    let err = invoke(&window, "save_settings", json!({ "settings": settings }))
        .expect_err("no French messages");
    assert_eq!(err["kind"], "validation");
}

#[test]
fn rejects_out_of_range_pip_size() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_app, window) = app(dir.path());
    let mut settings = invoke(&window, "get_settings", json!({})).expect("settings");
    settings["pip"]["sizePercent"] = json!(90);
    let err = invoke(&window, "save_settings", json!({ "settings": settings }))
        .expect_err("90 % is too big");
    assert_eq!(err["kind"], "validation");
}

#[test]
fn another_window_gets_none_of_our_commands() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (app, _main) = app(dir.path());
    let other = WebviewWindowBuilder::new(&app, "other", Default::default())
        .build()
        .expect("second window");
    let err = invoke(&other, "app_info", json!({}))
        .expect_err("only the main window is granted our commands");
    assert!(
        err.as_str().is_some_and(|e| e.contains("not allowed")),
        "unexpected answer {err}"
    );
}

/// "Try it locally" end to end inside the shell: the embedded server starts on loopback,
/// sign-up is confirmed from its outbox, the title is saved on its own and the stream key
/// never reaches the UI in full.
#[test]
fn local_backend_sign_up_profile_and_title() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_app, window) = app(dir.path());
    let backend = invoke(&window, "start_local_backend", json!({})).expect("local backend starts");
    assert_eq!(backend["kind"], "local");
    assert!(
        dir.path().join("data/local-server").is_dir(),
        "server data lives under the studio's data dir"
    );
    let Some(outcome) = sign_up(&window, "neo@example.com", "Neo") else {
        return;
    };
    assert_eq!(outcome["status"], "signedIn", "{outcome}");
    assert_eq!(outcome["account"]["nickname"], "Neo");
    let profile = invoke(
        &window,
        "save_title",
        json!({ "title": "첫 방송 <b>live</b>" }),
    )
    .expect("title saved");
    assert_eq!(profile["title"], "첫 방송 <b>live</b>");
    let page = invoke(&window, "get_profile", json!({})).expect("profile");
    assert_eq!(page["title"], "첫 방송 <b>live</b>");
    // Issue 20 #4: the studio's presets follow the channel type R6 tells.
    assert_eq!(page["channelType"], "STANDARD", "{page}");
    let last4 = profile["streamKeyLast4"]
        .as_str()
        .expect("last4")
        .to_owned();
    let key = invoke(&window, "reveal_stream_key", json!({})).expect("key");
    let key = key.as_str().expect("key string");
    assert!(key.len() > 4 && key.ends_with(&last4));
    assert!(
        !profile.to_string().contains(key),
        "the profile must not carry the full key"
    );
}

#[test]
fn own_ivs_channel_checks_the_arn_before_asking_aws() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_app, window) = app(dir.path());
    let err = invoke(
        &window,
        "use_ivs_channel",
        json!({ "region": "us-west-2", "channelArn": "not-an-arn" }),
    )
    .expect_err("a malformed ARN is refused");
    assert_eq!(err["kind"], "validation");
    assert_eq!(err["field"], "channelArn");
    let err = invoke(
        &window,
        "use_ivs_channel",
        json!({ "region": " ", "channelArn": "arn:aws:ivs:us-west-2:123456789012:channel/AbCd" }),
    )
    .expect_err("a region is required");
    assert_eq!(err["field"], "region");
}

/// After a restart the studio reopens the local backend and signs back in from the refresh
/// token in the credential store: no password.
#[test]
fn restart_restores_the_local_session_without_a_password() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let (_app, window) = app(dir.path());
        invoke(&window, "start_local_backend", json!({})).expect("local backend starts");
        let Some(outcome) = sign_up(&window, "trinity@example.com", "Trinity") else {
            return;
        };
        assert_eq!(outcome["status"], "signedIn", "{outcome}");
        invoke(&window, "save_title", json!({ "title": "before restart" })).expect("title");
    }
    let (_app, window) = app(dir.path());
    let info = invoke(&window, "app_info", json!({})).expect("app_info");
    assert_eq!(info["lastBackend"], "local");
    assert_eq!(
        info["account"],
        Value::Null,
        "nothing is signed in before the restore"
    );
    let account = invoke(&window, "restore_session", json!({})).expect("restore answers");
    assert_eq!(account["nickname"], "Trinity", "{account}");
    assert_eq!(
        invoke(&window, "get_profile", json!({})).expect("profile")["title"],
        "before restart"
    );
}

#[test]
fn audio_controls_are_checked_saved_and_remembered() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let (_app, window) = app(dir.path());
        let settings = invoke(&window, "get_settings", json!({})).expect("settings");
        assert_eq!(
            settings["sources"]["microphoneControl"],
            json!({ "volume": 1.0, "muted": false })
        );
        let control = json!({ "volume": 0.25, "muted": true });
        let saved = invoke(
            &window,
            "set_audio_control",
            json!({ "source": "microphone", "control": control }),
        )
        .expect("mute without a session");
        assert_eq!(saved["sources"]["microphoneControl"], control);
        let err = invoke(
            &window,
            "set_audio_control",
            json!({ "source": "desktopAudio", "control": { "volume": 3.0, "muted": false } }),
        )
        .expect_err("300 % is over the limit");
        assert_eq!(err["kind"], "validation");
        assert_eq!(err["field"], "volume");
    }
    let (_app, window) = app(dir.path());
    let settings = invoke(&window, "get_settings", json!({})).expect("settings");
    assert_eq!(
        settings["sources"]["microphoneControl"],
        json!({ "volume": 0.25, "muted": true })
    );
    assert_eq!(
        settings["sources"]["desktopAudioControl"],
        json!({ "volume": 1.0, "muted": false })
    );
}

/// While a session runs the control goes to the engine's volume element (a wrong source
/// index or a stopped pipeline would answer an error), and the session keeps running.
#[test]
fn audio_controls_apply_to_a_running_session_without_restarting_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_app, window) = app(dir.path());
    let mut settings = invoke(&window, "get_settings", json!({})).expect("settings");
    settings["sources"]["testSources"] = json!(true);
    invoke(&window, "save_settings", json!({ "settings": settings })).expect("saved");
    invoke(&window, "start_preview", json!({})).expect("preview starts (test sources)");
    for control in [
        json!({ "volume": 1.0, "muted": true }),
        json!({ "volume": 0.5, "muted": false }),
    ] {
        let saved = invoke(
            &window,
            "set_audio_control",
            json!({ "source": "microphone", "control": control }),
        )
        .expect("applied to the running preview");
        assert_eq!(saved["sources"]["microphoneControl"], control);
    }
    // Desktop audio is not part of a test-source session: saved for the next start only.
    invoke(
        &window,
        "set_audio_control",
        json!({ "source": "desktopAudio", "control": { "volume": 0.0, "muted": true } }),
    )
    .expect("saved");
    // Starting the preview again is a no-op only while the same session still runs.
    invoke(&window, "start_preview", json!({})).expect("still running");
    invoke(&window, "stop_preview", json!({})).expect("stops");
}

#[test]
fn automatic_bitrate_is_on_by_default_validated_and_reaches_the_engine_config() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_app, window) = app(dir.path());
    let mut settings = invoke(&window, "get_settings", json!({})).expect("settings");
    assert_eq!(settings["abr"], json!({ "enabled": true, "minKbps": 300 }));

    // Below the floor, and above the chosen bitrate (480p30 broadcasts at 1500 kbps).
    settings["quality"] = json!("480p30");
    for bad in [99, 1501] {
        settings["abr"]["minKbps"] = json!(bad);
        let err = invoke(&window, "save_settings", json!({ "settings": settings }))
            .expect_err("an out-of-range minimum is refused");
        assert_eq!(err["kind"], "validation", "{bad} kbps");
        assert_eq!(err["field"], "abr.minKbps", "{bad} kbps");
    }

    settings["abr"] = json!({ "enabled": false, "minKbps": 1500 });
    invoke(&window, "save_settings", json!({ "settings": settings })).expect("saved");
    let saved = invoke(&window, "get_settings", json!({})).expect("settings");
    let saved: cloumer_studio::types::Settings = serde_json::from_value(saved).expect("settings");
    let config = cloumer_studio::services::broadcast_config(&saved, None, true);
    assert!(!config.adaptive_bitrate.enabled);
    assert_eq!(config.adaptive_bitrate.min_kbps, 1500);
    assert_eq!(config.video_bitrate_kbps, 1500);
}

/// Skips (with the reason) when this machine has no usable credential store.
fn or_skip(answer: Result<Value, Value>, what: &str) -> Option<Value> {
    match answer {
        Ok(v) => Some(v),
        Err(e) if e["kind"] == "credentials" => {
            cloumer_testkit::skip(format!("no usable credential store here: {e}"));
            None
        }
        Err(e) => panic!("{what} failed: {e}"),
    }
}

/// "Try it locally" is one click: the first start makes the owner's account (named after
/// the system user, confirmed without a code), later starts and sign-outs reuse it.
#[test]
fn try_locally_makes_the_owners_account_once_and_reuses_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let channel = {
        let (_app, window) = app(dir.path());
        let Some(account) = or_skip(invoke(&window, "try_locally", json!({})), "try_locally")
        else {
            return;
        };
        let email = account["email"].as_str().expect("email").to_owned();
        assert!(email.ends_with("@localhost"), "{account}");
        assert!(!account["nickname"].as_str().unwrap_or_default().is_empty());
        let channel = account["channel"].as_str().expect("channel").to_owned();
        assert_eq!(channel.len(), 10, "{account}");
        assert_eq!(
            invoke(&window, "get_profile", json!({})).expect("profile")["channel"],
            channel
        );
        // Signed out on this computer: one click signs back in (stored credentials).
        invoke(&window, "sign_out", json!({})).expect("sign out");
        let again = invoke(&window, "try_locally", json!({})).expect("again");
        assert_eq!(again["channel"], channel, "the same account, not a new one");
        // The settings file keeps no secret (the password is in the credential store).
        let settings =
            std::fs::read_to_string(dir.path().join("config/settings.json")).unwrap_or_default();
        assert!(!settings.contains("password"), "{settings}");
        channel
    };
    // A restart: the same account again, then "sign out everywhere" ends its sessions and
    // one click still signs the owner in.
    let (_app, window) = app(dir.path());
    let account = invoke(&window, "try_locally", json!({})).expect("after restart");
    assert_eq!(account["channel"], channel);
    invoke(&window, "sign_out_everywhere", json!({})).expect("sign out everywhere");
    let info = invoke(&window, "app_info", json!({})).expect("app_info");
    assert_eq!(info["account"], Value::Null);
    assert_eq!(
        invoke(&window, "get_profile", json!({})).expect_err("signed out")["kind"],
        "notSignedIn"
    );
    let account = invoke(&window, "try_locally", json!({})).expect("after sign-out");
    assert_eq!(account["channel"], channel);
}

/// The account flows on the embedded server: a wrong password says so by reason; a
/// forgotten password is reset with the code from the server's outbox, then signs in.
#[test]
fn wrong_password_then_forgot_password_and_reset() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_app, window) = app(dir.path());
    invoke(&window, "start_local_backend", json!({})).expect("local backend starts");
    let Some(_) = sign_up(&window, "morpheus@example.com", "Morpheus") else {
        return;
    };
    invoke(&window, "sign_out", json!({})).expect("sign out");
    let err = invoke(
        &window,
        "sign_in",
        json!({ "email": "morpheus@example.com", "password": "wrong-password" }),
    )
    .expect_err("a wrong password is refused");
    assert_eq!(err["kind"], "auth");
    assert_eq!(err["reason"], "wrongPassword", "{err}");
    invoke(
        &window,
        "forgot_password",
        json!({ "email": "morpheus@example.com" }),
    )
    .expect("reset code sent");
    let outbox = dir.path().join("data/local-server/outbox.jsonl");
    let code = std::fs::read_to_string(&outbox)
        .expect("outbox")
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|m| m["to"] == "morpheus@example.com" && m["purpose"] == "reset")
        .filter_map(|m| m["code"].as_str().map(str::to_owned))
        .next_back()
        .expect("a reset code");
    let err = invoke(
        &window,
        "reset_password",
        json!({ "email": "morpheus@example.com", "code": "000000", "newPassword": "New-Passw0rd-42" }),
    )
    .expect_err("a wrong code is refused");
    assert_eq!(err["reason"], "wrongCode", "{err}");
    let account = invoke(
        &window,
        "reset_password",
        json!({ "email": "morpheus@example.com", "code": code, "newPassword": "New-Passw0rd-42" }),
    )
    .expect("reset and signed in");
    assert_eq!(account["nickname"], "Morpheus");
    invoke(&window, "sign_out", json!({})).expect("sign out");
    let outcome = invoke(
        &window,
        "sign_in",
        json!({ "email": "morpheus@example.com", "password": "New-Passw0rd-42" }),
    )
    .expect("the new password works");
    assert_eq!(outcome["status"], "signedIn", "{outcome}");
}

/// The nickname starts as the system user's name and is edited in the profile: the new
/// one is in the account, the profile and the tokens of the next start.
#[test]
fn the_local_owners_nickname_is_editable() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let (_app, window) = app(dir.path());
        if or_skip(invoke(&window, "try_locally", json!({})), "try_locally").is_none() {
            return;
        }
        let err = invoke(&window, "set_nickname", json!({ "nickname": "  " }))
            .expect_err("an empty nickname is refused");
        assert_eq!(err["field"], "nickname");
        let account =
            invoke(&window, "set_nickname", json!({ "nickname": " 스트리머 " })).expect("renamed");
        assert_eq!(account["nickname"], "스트리머");
        assert_eq!(
            invoke(&window, "get_profile", json!({})).expect("profile")["nickname"],
            "스트리머"
        );
    }
    let (_app, window) = app(dir.path());
    let account = invoke(&window, "try_locally", json!({})).expect("after restart");
    assert_eq!(account["nickname"], "스트리머", "{account}");
}
