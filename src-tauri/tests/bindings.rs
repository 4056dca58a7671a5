//! The UI's `bindings.ts` is generated from the Rust types; this fails when the committed
//! file is stale. Regenerate with `UPDATE_BINDINGS=1 cargo test -p cloumer-studio --test bindings`.

use std::path::PathBuf;

fn committed() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings.ts")
}

#[test]
fn committed_bindings_match_the_rust_types() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fresh_path = dir.path().join("bindings.ts");
    cloumer_studio::export_bindings(&fresh_path).expect("export bindings");
    let fresh = std::fs::read_to_string(&fresh_path).expect("read fresh bindings");
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(committed(), &fresh).expect("write ui/src/lib/bindings.ts");
        return;
    }
    let current = std::fs::read_to_string(committed()).unwrap_or_default();
    assert!(
        current == fresh,
        "ui/src/lib/bindings.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p cloumer-studio --test bindings` and commit it"
    );
}

#[test]
fn every_command_has_exactly_one_permission() {
    let toml = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("permissions/studio.toml"),
    )
    .expect("permissions/studio.toml");
    let granted: Vec<&str> = toml
        .lines()
        .filter_map(|l| l.trim().strip_prefix("\"allow-"))
        .filter_map(|l| l.split('"').next())
        .collect();
    let expected: Vec<String> = cloumer_studio::COMMAND_NAMES
        .iter()
        .map(|n| n.replace('_', "-"))
        .collect();
    assert_eq!(
        granted, expected,
        "permissions/studio.toml must list every command of command_names.rs, in order"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    cloumer_studio::export_bindings(&dir.path().join("b.ts")).expect("export bindings");
    let bindings = std::fs::read_to_string(dir.path().join("b.ts")).expect("read bindings");
    for name in cloumer_studio::COMMAND_NAMES {
        assert!(
            bindings.contains(&format!("\"{name}\"")),
            "command {name} is not registered with tauri-specta"
        );
    }
}

#[test]
fn capability_is_for_the_main_window_only_and_grants_no_wildcards() {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("capabilities/main.json"),
    )
    .expect("capabilities/main.json");
    let cap: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(cap["windows"], serde_json::json!(["main"]));
    for p in cap["permissions"].as_array().expect("permissions") {
        let p = p.as_str().expect("plain permission names");
        assert!(
            !p.starts_with("fs:") && !p.starts_with("shell:") && !p.contains('*'),
            "unexpected permission {p}"
        );
    }
}
