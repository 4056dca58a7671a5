//! Choosing where to go live: the embedded server ("Try it locally"), a CLOUMER backend,
//! the user's own IVS channel or a custom RTMP(S) server.

use cloumer_api::BackendProfile;
use cloumer_engine::StreamKey;
use cloumer_server::RunningServer;
use secrecy::ExposeSecret;

use super::Services;
use super::engine_map::Destination;
use crate::error::{AppError, Result};
use crate::types::{BackendInfo, BackendKind, ProfileSource};

/// The backend the studio is using now.
pub struct ActiveBackend {
    pub info: BackendInfo,
    /// CLOUMER backends (local or remote): where accounts live.
    pub profile: Option<BackendProfile>,
    /// Local mode: the embedded server, stopped when the backend changes or the app quits.
    pub server: Option<RunningServer>,
    /// Custom RTMP(S): the ingest and key the user typed (kept in memory only).
    rtmp: Option<(String, StreamKey)>,
}

impl Services {
    /// Starts `cloumer serve` in this process on loopback (ports chosen by the OS) with a
    /// data dir under the XDG data dir, so everything works offline.
    pub async fn start_local_backend(&self) -> Result<BackendInfo> {
        if let Some(info) = self
            .backend_info()
            .await
            .filter(|b| b.kind == BackendKind::Local)
        {
            return Ok(info);
        }
        let server = super::local::start(&self.paths.local_server_dir()).await?;
        let info = BackendInfo {
            kind: BackendKind::Local,
            label: "This computer".into(),
            has_accounts: true,
        };
        let profile = Some(server.backend_profile());
        self.set_backend(ActiveBackend {
            info: info.clone(),
            profile,
            server: Some(server),
            rtmp: None,
        })
        .await?;
        Ok(info)
    }

    pub async fn connect_cloumer(&self, source: ProfileSource) -> Result<BackendInfo> {
        let profile = match source {
            ProfileSource::Toml { text } => {
                BackendProfile::from_toml(&text).map_err(|e| AppError::Validation {
                    message: e.to_string(),
                    field: Some("profile".into()),
                })?
            }
            ProfileSource::Fields {
                region,
                user_pool_id,
                client_id,
                api_url,
            } => {
                let text = BackendProfile {
                    region,
                    user_pool_id,
                    client_id,
                    api_url,
                    cognito_endpoint: None,
                    chat_endpoint: None,
                    rtmp_url: None,
                    rtmps_url: None,
                }
                .to_toml();
                // Round-trip through the parser so the fields get the same validation.
                BackendProfile::from_toml(&text).map_err(|e| AppError::Validation {
                    message: e.to_string(),
                    field: None,
                })?
            }
        };
        let label = profile
            .api_url
            .split("//")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .unwrap_or("CLOUMER")
            .to_owned();
        let info = BackendInfo {
            kind: BackendKind::Cloumer,
            label,
            has_accounts: true,
        };
        self.set_backend(ActiveBackend {
            info: info.clone(),
            profile: Some(profile),
            server: None,
            rtmp: None,
        })
        .await?;
        Ok(info)
    }

    pub async fn use_ivs_channel(
        &self,
        _region: String,
        _channel_arn: String,
    ) -> Result<BackendInfo> {
        Err(AppError::unavailable(
            "own IVS channels are not wired into the studio yet: use `cloumer live` or a custom RTMP(S) server with the channel's ingest and key",
        ))
    }

    pub async fn use_custom_rtmp(&self, url: String, stream_key: String) -> Result<BackendInfo> {
        let host = url
            .strip_prefix("rtmps://")
            .or_else(|| url.strip_prefix("rtmp://"))
            .and_then(|rest| rest.split('/').next())
            .filter(|host| !host.is_empty())
            .ok_or_else(|| {
                AppError::validation("url", "the ingest URL must look like rtmps://host:443/app/")
            })?
            .to_owned();
        if stream_key.trim().is_empty() {
            return Err(AppError::validation(
                "streamKey",
                "enter the stream key your server gave you",
            ));
        }
        let info = BackendInfo {
            kind: BackendKind::Rtmp,
            label: host,
            has_accounts: false,
        };
        let rtmp = Some((url, StreamKey::new(stream_key)));
        self.set_backend(ActiveBackend {
            info: info.clone(),
            profile: None,
            server: None,
            rtmp,
        })
        .await?;
        Ok(info)
    }

    async fn set_backend(&self, active: ActiveBackend) -> Result<()> {
        let kind = active.info.kind;
        let old = self.backend.lock().await.replace(active);
        *self.account.lock().await = None;
        if let Some(server) = old.and_then(|b| b.server) {
            server.shutdown().await;
        }
        self.settings.update(|s| s.last_backend = Some(kind))?;
        Ok(())
    }

    pub(super) async fn backend_profile(&self) -> Result<(BackendKind, BackendProfile)> {
        let backend = self.backend.lock().await;
        let active = backend.as_ref().ok_or_else(AppError::no_backend)?;
        let profile = active
            .profile
            .clone()
            .ok_or_else(|| AppError::unavailable("this destination has no accounts"))?;
        Ok((active.info.kind, profile))
    }

    /// Where "Go live" sends the stream for the chosen backend.
    pub(super) async fn destination(&self) -> Result<Destination> {
        let (kind, profile) = {
            let backend = self.backend.lock().await;
            let active = backend.as_ref().ok_or_else(AppError::no_backend)?;
            if let Some((url, key)) = &active.rtmp {
                return Ok(Destination {
                    url: url.clone(),
                    key: key.clone(),
                });
            }
            (active.info.kind, active.profile.clone())
        };
        let api = self.signed_in().await?;
        let page = super::account::off_thread(move || async move { api.my_page().await }).await?;
        // On loopback the embedded ingest's plain RTMP port avoids trusting its self-signed
        // certificate; remote backends always get the RTMPS URL from the profile page.
        let url = match (kind, profile.and_then(|p| p.rtmp_url)) {
            (BackendKind::Local, Some(rtmp)) => rtmp,
            _ => page.stream_url.clone(),
        };
        Ok(Destination {
            url,
            key: StreamKey::new(page.stream_key.expose_secret()),
        })
    }
}
