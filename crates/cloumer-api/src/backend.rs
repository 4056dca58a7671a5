//! Finding and loading the backend profile: `--backend FILE`, env `CLOUMER_BACKEND`, or
//! the copy `login --backend FILE` remembered in `<config dir>/cloumer/backend.toml`.
//! The profile holds no secret, so a plain file is the right place for it.

use std::path::{Path, PathBuf};

pub use cloumer_protocol::backend::BackendProfile;

use crate::{Error, Result};

/// Env var naming a backend profile file.
pub const BACKEND_ENV: &str = "CLOUMER_BACKEND";

/// `<config dir>/cloumer` (`$XDG_CONFIG_HOME/cloumer` on Linux), where the client keeps
/// its non-secret files.
pub fn config_dir() -> Result<PathBuf> {
    // dirs honours XDG_CONFIG_HOME on Linux and the platform's place elsewhere.
    dirs::config_dir()
        .map(|d| d.join("cloumer"))
        .ok_or_else(|| Error::Profile {
            path: PathBuf::from("~/.config/cloumer"),
            key: None,
            message: "no configuration directory (set HOME or XDG_CONFIG_HOME)".into(),
        })
}

/// Where `login --backend FILE` remembers the profile.
pub fn remembered_path() -> Result<PathBuf> {
    Ok(config_dir()?.join("backend.toml"))
}

/// Reads and validates one profile file, naming the key at fault.
pub fn load_file(path: &Path) -> Result<BackendProfile> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Profile {
        path: path.to_owned(),
        key: None,
        message: format!("cannot read: {e}"),
    })?;
    BackendProfile::from_toml(&text).map_err(|e| match e {
        cloumer_protocol::Error::BackendProfile { key, message } => {
            let message = match &key {
                Some(k) if !message.contains(k.as_str()) => format!("key `{k}`: {message}"),
                _ => message,
            };
            Error::Profile {
                path: path.to_owned(),
                key,
                message,
            }
        }
    })
}

/// Resolves the profile: explicit file (the CLI passes `--backend` / `CLOUMER_BACKEND`
/// here), then env, then the remembered copy.
pub fn resolve(explicit: Option<&Path>) -> Result<(BackendProfile, PathBuf)> {
    let path = match explicit {
        Some(p) => p.to_owned(),
        None => match std::env::var_os(BACKEND_ENV).filter(|v| !v.is_empty()) {
            Some(p) => PathBuf::from(p),
            None => {
                let remembered = remembered_path()?;
                if !remembered.exists() {
                    return Err(Error::NoBackend);
                }
                remembered
            }
        },
    };
    Ok((load_file(&path)?, path))
}

/// Copies the profile to the config dir so later commands find it without the flag.
pub fn remember(profile: &BackendProfile) -> Result<PathBuf> {
    let path = remembered_path()?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    std::fs::write(&path, profile.to_toml()).map_err(|e| Error::io(&path, e))?;
    Ok(path)
}

/// Whether this profile points at a `cloumer serve` backend rather than the seed's AWS
/// deployment ("seed profile").
///
/// How it is told apart: the seed streams through Amazon IVS, so its profile never names
/// an ingest of its own, while `cloumer serve --write-backend` always writes `rtmp_url`
/// and/or `rtmps_url`. An endpoint override alone (`cognito_endpoint`, `chat_endpoint`)
/// proves nothing: tests point a seed profile at moto or a fixture that way. Features the
/// seed deployment gets wrong (password reset makes a second channel, bug W4) are refused
/// unless the profile is self-hosted.
pub fn is_self_hosted(profile: &BackendProfile) -> bool {
    profile.rtmp_url.is_some() || profile.rtmps_url.is_some()
}
