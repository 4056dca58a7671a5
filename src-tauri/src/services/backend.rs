//! Choosing where to go live: the embedded server ("Try it locally"), a CLOUMER backend,
//! the user's own IVS channel or a custom RTMP(S) server.

use super::Services;
use crate::error::{AppError, Result};
use crate::types::{BackendInfo, BackendKind, ProfileSource};

/// The backend the studio is using now.
pub struct ActiveBackend {
    pub info: BackendInfo,
}

impl Services {
    /// Starts `cloumer serve` in this process on loopback (ports chosen by the OS) with a
    /// data dir under the XDG data dir, so everything works offline.
    pub async fn start_local_backend(&self) -> Result<BackendInfo> {
        if let Some(info) = self.backend_info().await.filter(|b| b.kind == BackendKind::Local) {
            return Ok(info);
        }
        Err(AppError::unavailable("the embedded CLOUMER server is not part of this build yet"))
    }

    pub async fn connect_cloumer(&self, _source: ProfileSource) -> Result<BackendInfo> {
        Err(AppError::unavailable("logging in to a CLOUMER backend is not part of this build yet"))
    }

    pub async fn use_ivs_channel(&self, _region: String, _channel_arn: String) -> Result<BackendInfo> {
        Err(AppError::unavailable("own IVS channels are not part of this build yet"))
    }

    pub async fn use_custom_rtmp(&self, url: String, _stream_key: String) -> Result<BackendInfo> {
        if !(url.starts_with("rtmp://") || url.starts_with("rtmps://")) {
            return Err(AppError::validation("url", "the ingest URL must start with rtmp:// or rtmps://"));
        }
        Err(AppError::unavailable("custom RTMP servers are not part of this build yet"))
    }
}
