//! `cloumer-package appimage <AppDir> <out.AppImage>`: writes the AppImage of an AppDir that
//! scripts/appdir.sh laid out (AppRun, .desktop, icon, usr/...).
//!
//! The bytes come from the `appimage` crate: AppImageKit's type-2 runtime (which mounts the
//! image with libfuse2, or extracts it with --appimage-extract-and-run) followed by the
//! squashfs that `mksquashfs` (Debian's squashfs-tools) makes of the AppDir. Tauri's own
//! bundler would download linuxdeploy and the runtime from GitHub releases, which Debian does
//! not package and CI cannot reach.

mod error;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use error::PackageError;

/// The name inside the image (`<name>.AppDir`) and of its desktop entry.
const APP_NAME: &str = "cloumer-studio";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [cmd, appdir, out] if cmd == "appimage" => {
            build_appimage(Path::new(appdir), Path::new(out))
        }
        _ => Err(PackageError::Usage),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cloumer-package: {e}");
            ExitCode::FAILURE
        }
    }
}

fn build_appimage(appdir: &Path, out: &Path) -> Result<(), PackageError> {
    if !appdir.join("AppRun").is_file() {
        return Err(PackageError::NotAnAppDir(appdir.to_path_buf()));
    }
    // `AppImage::new` makes an empty `<staging>/<name>.AppDir` (removing any old one) and
    // `build` puts the squashfs beside it: a staging directory of our own, next to the output,
    // keeps both away from the caller's files.
    let staging = staging_dir(out);
    let io = |source| PackageError::Staging {
        path: staging.clone(),
        source,
    };
    std::fs::create_dir_all(&staging).map_err(io)?;
    let built = (|| -> Result<(), String> {
        let image = appimage::AppImage::new(&staging, APP_NAME.to_string()).map_err(chain)?;
        // The AppDir is moved into the place `new` made (rename replaces an empty directory)
        // and back afterwards, rather than copied: a copy would add the whole tree (about
        // 370 MB for the studio) to the disk a CI run needs. Across file systems, it is copied.
        let inside = image.appdir().to_path_buf();
        if std::fs::rename(appdir, &inside).is_err() {
            image.add_directory(appdir, Path::new("")).map_err(chain)?;
            return image.build(out, None).map_err(chain);
        }
        let result = image.build(out, None).map_err(chain);
        std::fs::rename(&inside, appdir)
            .map_err(|e| format!("moving the AppDir back from {}: {e}", inside.display()))?;
        result
    })();
    // Had the AppDir not come back, it is still inside the staging directory: keep that.
    let cleaned = if appdir.exists() {
        std::fs::remove_dir_all(&staging).map_err(io)
    } else {
        Ok(())
    };
    built.map_err(|message| PackageError::Build {
        out: out.to_path_buf(),
        message,
    })?;
    cleaned
}

fn staging_dir(out: &Path) -> PathBuf {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    parent.join(format!(
        ".{APP_NAME}-appimage-staging-{}",
        std::process::id()
    ))
}

fn chain(e: impl std::fmt::Display) -> String {
    // `{:#}` of an anyhow error prints its whole cause chain on one line.
    format!("{e:#}")
}
