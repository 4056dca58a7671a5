//! The tray icon: Go live / Stop / Quit, the same actions as the window's buttons.

use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};

use crate::services::Services;

pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let go_live = MenuItem::with_id(app, "go-live", "Go live", true, None::<&str>)?;
    let stop = MenuItem::with_id(app, "stop", "Stop", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&go_live, &stop, &quit])?;
    let mut tray = TrayIconBuilder::with_id("studio")
        .menu(&menu)
        .tooltip("Cloumer Studio");
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.on_menu_event(|app, event| {
        let app = app.clone();
        let id = event.id().as_ref().to_owned();
        tauri::async_runtime::spawn(async move { on_menu(app, id).await });
    })
    .build(app)?;
    Ok(())
}

async fn on_menu<R: Runtime>(app: AppHandle<R>, id: String) {
    let services = app.state::<Services>();
    let outcome = match id.as_str() {
        "go-live" => services.go_live().await,
        "stop" => services.stop_live().await,
        "quit" => {
            services.shutdown().await;
            app.exit(0);
            Ok(())
        }
        _ => Ok(()),
    };
    // Failures also reach the window through the live state (failed + reason).
    if let Err(e) = outcome {
        tracing::warn!("tray action {id} failed: {e}");
    }
}
