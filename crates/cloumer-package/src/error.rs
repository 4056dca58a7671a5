use std::path::PathBuf;

/// What can go wrong while packaging.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("usage: cloumer-package appimage <AppDir> <out.AppImage>")]
    Usage,
    #[error("{0} is not an AppDir: it has no executable AppRun")]
    NotAnAppDir(PathBuf),
    #[error("cannot prepare the staging directory {path}: {source}")]
    Staging {
        path: PathBuf,
        source: std::io::Error,
    },
    // The appimage crate reports through anyhow; its chain is kept in the message.
    #[error("building {out} failed: {message}")]
    Build { out: PathBuf, message: String },
}
