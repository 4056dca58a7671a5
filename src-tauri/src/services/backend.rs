//! Choosing where to go live: the embedded server ("Try it locally"), a CLOUMER backend,
//! the user's own IVS channel or a custom RTMP(S) server.

use std::sync::Arc;

use cloumer_api::BackendProfile;
use cloumer_api::destination::aws::AwsChannelDestination;
use cloumer_api::destination::{
    AccountDestination, CustomDestination, Destination, Ingest, StreamKey,
};
use cloumer_server::RunningServer;

use super::{Services, api_map};
use crate::error::{AppError, Result};
use crate::types::{BackendInfo, BackendKind, ProfileSource};

/// The backend the studio is using now: one of the four ways to go live, each with
/// exactly what it needs.
pub enum ActiveBackend {
    /// "Try it locally": the embedded server, stopped when the backend changes or the app
    /// quits, and the profile that reaches it.
    Local {
        // Boxed: a running server is many times the size of the other modes.
        server: Box<RunningServer>,
        profile: BackendProfile,
    },
    /// A CLOUMER backend (profile); `label` is its API host.
    Cloumer {
        profile: BackendProfile,
        label: String,
    },
    /// The user's own IVS channel (credentials from the default AWS chain).
    Ivs {
        channel: Arc<AwsChannelDestination>,
        label: String,
    },
    /// Custom RTMP(S): the ingest and key the user typed (kept in memory only).
    Rtmp(Arc<CustomDestination>),
}

impl ActiveBackend {
    pub fn info(&self) -> BackendInfo {
        let (kind, label) = match self {
            Self::Local { .. } => (BackendKind::Local, "This computer".to_owned()),
            Self::Cloumer { label, .. } => (BackendKind::Cloumer, label.clone()),
            Self::Ivs { label, .. } => (BackendKind::Ivs, label.clone()),
            Self::Rtmp(custom) => (BackendKind::Rtmp, custom.label()),
        };
        BackendInfo {
            kind,
            label,
            has_accounts: self.profile().is_some(),
        }
    }

    /// Where accounts live (local and CLOUMER backends).
    fn profile(&self) -> Option<&BackendProfile> {
        match self {
            Self::Local { profile, .. } | Self::Cloumer { profile, .. } => Some(profile),
            Self::Ivs { .. } | Self::Rtmp(_) => None,
        }
    }

    /// The embedded server, to stop.
    pub fn into_server(self) -> Option<RunningServer> {
        match self {
            Self::Local { server, .. } => Some(*server),
            _ => None,
        }
    }
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
        let profile = server.backend_profile();
        self.set_backend(ActiveBackend::Local {
            server: Box::new(server),
            profile,
        })
        .await
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
                // Through serde (not a struct literal) so optional keys keep their defaults,
                // then through the TOML parser so the fields get the file's validation.
                let fields = serde_json::json!({
                    "region": region,
                    "user_pool_id": user_pool_id,
                    "client_id": client_id,
                    "api_url": api_url,
                });
                let profile: BackendProfile =
                    serde_json::from_value(fields).map_err(|e| AppError::Validation {
                        message: e.to_string(),
                        field: None,
                    })?;
                BackendProfile::from_toml(&profile.to_toml()).map_err(|e| AppError::Validation {
                    message: e.to_string(),
                    field: None,
                })?
            }
        };
        self.remember_profile(&profile.to_toml())?;
        let label = profile
            .api_url
            .split("//")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .unwrap_or("CLOUMER")
            .to_owned();
        self.set_backend(ActiveBackend::Cloumer { profile, label })
            .await
    }

    /// The user's own IVS channel: credentials from the default AWS chain (environment,
    /// profile, SSO, ...); the channel is looked up once so a wrong ARN, region or missing
    /// credentials show now rather than at "Go live".
    pub async fn use_ivs_channel(
        &self,
        region: String,
        channel_arn: String,
    ) -> Result<BackendInfo> {
        let (region, arn) = (region.trim().to_owned(), channel_arn.trim().to_owned());
        if region.is_empty() {
            return Err(AppError::validation(
                "region",
                "enter the channel's AWS region, e.g. us-west-2",
            ));
        }
        if !arn.starts_with("arn:aws") || !arn.contains(":channel/") {
            return Err(AppError::validation(
                "channelArn",
                "the channel ARN looks like arn:aws:ivs:us-west-2:123456789012:channel/AbCdEf",
            ));
        }
        // AWS_ENDPOINT_URL (read by the SDK itself) points this at a stand-in in tests.
        let aws = cloumer_api::destination::aws::AwsAccount::connect(&region, None).await;
        aws.ingest_url(&arn).await.map_err(api_map::api_error)?;
        let label = arn.rsplit('/').next().unwrap_or(&arn).to_owned();
        let channel = Arc::new(AwsChannelDestination::new(aws, arn));
        self.set_backend(ActiveBackend::Ivs { channel, label })
            .await
    }

    pub async fn use_custom_rtmp(&self, url: String, stream_key: String) -> Result<BackendInfo> {
        let key = StreamKey::new(stream_key);
        let custom = CustomDestination::new(&url, key).map_err(api_map::api_error)?;
        self.set_backend(ActiveBackend::Rtmp(Arc::new(custom)))
            .await
    }

    /// Makes `active` the backend (stopping the embedded server of the one before) and
    /// answers what the UI shows of it.
    async fn set_backend(&self, active: ActiveBackend) -> Result<BackendInfo> {
        let info = active.info();
        let old = self.backend.lock().await.replace(active);
        *self.account.lock().await = None;
        if let Some(server) = old.and_then(ActiveBackend::into_server) {
            server.shutdown().await;
        }
        self.settings.update(|s| s.last_backend = Some(info.kind))?;
        Ok(info)
    }

    pub(super) async fn backend_profile(&self) -> Result<(BackendKind, BackendProfile)> {
        let backend = self.backend.lock().await;
        let active = backend.as_ref().ok_or_else(AppError::no_backend)?;
        let profile = active
            .profile()
            .cloned()
            .ok_or_else(|| AppError::unavailable("this destination has no accounts"))?;
        Ok((active.info().kind, profile))
    }

    /// Where "Go live" sends the stream for the chosen backend.
    pub(super) async fn destination(&self) -> Result<Ingest> {
        // Decided under the lock, resolved after it (resolving may go over the network).
        let direct: Option<Arc<dyn Destination>> = match self.backend.lock().await.as_ref() {
            None => return Err(AppError::no_backend()),
            Some(ActiveBackend::Ivs { channel, .. }) => Some(channel.clone()),
            Some(ActiveBackend::Rtmp(custom)) => Some(custom.clone()),
            Some(ActiveBackend::Local { .. } | ActiveBackend::Cloumer { .. }) => None,
        };
        if let Some(destination) = direct {
            return destination.ingest().await.map_err(api_map::api_error);
        }
        let api = self.signed_in().await?;
        super::account::off_thread(move || async move {
            AccountDestination { account: &api }.ingest().await
        })
        .await
    }
}
