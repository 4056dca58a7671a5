include!("src/command_names.rs");

fn main() {
    // `generate_context!` needs ui/dist to exist. A fresh clone has not built the UI yet, so
    // give `cargo check` a placeholder page that says how to build the real one.
    let dist = std::path::Path::new("../ui/dist");
    if !dist.join("index.html").exists() {
        let _ = std::fs::create_dir_all(dist);
        let _ = std::fs::write(
            dist.join("index.html"),
            "<!doctype html><title>Cloumer Studio</title><p>The UI is not built: run scripts/build-app.sh</p>",
        );
    }
    println!("cargo:rerun-if-changed=../ui/dist");
    println!("cargo:rerun-if-changed=src/command_names.rs");
    // With an app manifest, our commands need an explicit permission: only the capability
    // in capabilities/main.json (main window) grants them.
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMAND_NAMES));
    if let Err(e) = tauri_build::try_build(attributes) {
        println!("cargo:warning=tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
