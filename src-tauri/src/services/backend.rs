//! Choosing where to go live: the embedded server ("Try it locally"), a CLOUMER backend,
//! the user's own IVS channel or a custom RTMP(S) server.

use cloumer_engine::StreamKey;

use super::Services;
use super::engine_map::Destination;
use crate::error::{AppError, Result};
use crate::types::{BackendInfo, BackendKind, ProfileSource};

/// The backend the studio is using now.
pub struct ActiveBackend {
    pub info: BackendInfo,
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
        Err(AppError::unavailable(
            "the embedded CLOUMER server is not part of this build yet: use a custom RTMP(S) server",
        ))
    }

    pub async fn connect_cloumer(&self, _source: ProfileSource) -> Result<BackendInfo> {
        Err(AppError::unavailable(
            "logging in to a CLOUMER backend is not part of this build yet",
        ))
    }

    pub async fn use_ivs_channel(
        &self,
        _region: String,
        _channel_arn: String,
    ) -> Result<BackendInfo> {
        Err(AppError::unavailable(
            "own IVS channels are not part of this build yet",
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
        let active = ActiveBackend {
            info: info.clone(),
            rtmp: Some((url, StreamKey::new(stream_key))),
        };
        self.set_backend(active).await?;
        Ok(info)
    }

    async fn set_backend(&self, active: ActiveBackend) -> Result<()> {
        let kind = active.info.kind;
        *self.backend.lock().await = Some(active);
        *self.account.lock().await = None;
        self.settings.update(|s| s.last_backend = Some(kind))?;
        Ok(())
    }

    /// Where "Go live" sends the stream for the chosen backend.
    pub(super) async fn destination(&self) -> Result<Destination> {
        let backend = self.backend.lock().await;
        let active = backend.as_ref().ok_or_else(AppError::no_backend)?;
        match &active.rtmp {
            Some((url, key)) => Ok(Destination {
                url: url.clone(),
                key: key.clone(),
            }),
            None => Err(AppError::unavailable(
                "this backend's ingest is not available in this build yet",
            )),
        }
    }
}
