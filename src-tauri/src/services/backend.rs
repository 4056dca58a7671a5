//! Choosing where to go live: the embedded server ("Try it locally"), a CLOUMER backend,
//! the user's own IVS channel or a custom RTMP(S) server.

use std::sync::Arc;

use cloumer_api::BackendProfile;
use cloumer_api::destination::Destination as _;
use cloumer_api::destination::aws::AwsChannelDestination;
use cloumer_engine::StreamKey;
use cloumer_server::RunningServer;
use secrecy::ExposeSecret;

use super::engine_map::Destination;
use super::{Services, api_map};
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
    /// The user's own IVS channel (credentials from the default AWS chain).
    ivs: Option<Arc<AwsChannelDestination>>,
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
            ivs: None,
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
            ivs: None,
        })
        .await?;
        Ok(info)
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
        let info = BackendInfo {
            kind: BackendKind::Ivs,
            label: arn.rsplit('/').next().unwrap_or(&arn).to_owned(),
            has_accounts: false,
        };
        let ivs = Some(Arc::new(AwsChannelDestination::new(aws, arn)));
        self.set_backend(ActiveBackend {
            info: info.clone(),
            profile: None,
            server: None,
            rtmp: None,
            ivs,
        })
        .await?;
        Ok(info)
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
            ivs: None,
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
                    trusted_certificate: None,
                });
            }
            if let Some(ivs) = active.ivs.clone() {
                drop(backend);
                let ingest = ivs.ingest().await.map_err(api_map::api_error)?;
                return Ok(Destination {
                    url: ingest.url,
                    key: StreamKey::new(ingest.stream_key.expose_secret()),
                    trusted_certificate: None,
                });
            }
            (active.info.kind, active.profile.clone())
        };
        let api = self.signed_in().await?;
        let page = super::account::off_thread(move || async move { api.my_page().await }).await?;
        Ok(account_destination(
            kind,
            profile.as_ref(),
            page.stream_url.clone(),
            StreamKey::new(page.stream_key.expose_secret()),
        ))
    }
}

/// The account's ingest (R6 `streamUrl`). A self-hosted backend's RTMPS ingest presents
/// its own certificate: the profile names it, and the engine trusts it for this stream in
/// addition to the system store. The embedded server's certificate is always known; should
/// its R6 URL be RTMPS without one, its loopback plain-RTMP ingest is used instead.
fn account_destination(
    kind: BackendKind,
    profile: Option<&BackendProfile>,
    stream_url: String,
    key: StreamKey,
) -> Destination {
    let certificate = profile
        .and_then(|p| p.ingest_certificate.as_deref())
        .map(std::path::PathBuf::from);
    let rtmps = stream_url.to_ascii_lowercase().starts_with("rtmps://");
    if rtmps
        && certificate.is_none()
        && kind == BackendKind::Local
        && let Some(plain) = profile.and_then(|p| p.rtmp_url.clone())
    {
        return Destination {
            url: plain,
            key,
            trusted_certificate: None,
        };
    }
    Destination {
        url: stream_url,
        key,
        trusted_certificate: certificate.filter(|_| rtmps),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(extra: &str) -> BackendProfile {
        BackendProfile::from_toml(&format!(
            "region = \"us-east-1\"\nuser_pool_id = \"us-east-1_abc\"\nclient_id = \"client\"\napi_url = \"http://127.0.0.1:9/\"\nrtmp_url = \"rtmp://127.0.0.1:1935/app/\"\n{extra}"
        ))
        .expect("profile")
    }

    #[test]
    fn rtmps_ingest_trusts_the_profiles_certificate() {
        let p = profile("ingest_certificate = \"/data/tls/ingest-cert.pem\"\n");
        let d = account_destination(
            BackendKind::Local,
            Some(&p),
            "rtmps://127.0.0.1:1936/app/".into(),
            StreamKey::new("sk_x"),
        );
        assert_eq!(d.url, "rtmps://127.0.0.1:1936/app/");
        assert_eq!(
            d.trusted_certificate.as_deref(),
            Some(std::path::Path::new("/data/tls/ingest-cert.pem"))
        );
    }

    #[test]
    fn plain_rtmp_needs_no_certificate() {
        let p = profile("ingest_certificate = \"/data/tls/ingest-cert.pem\"\n");
        let d = account_destination(
            BackendKind::Local,
            Some(&p),
            "rtmp://127.0.0.1:1935/app/".into(),
            StreamKey::new("sk_x"),
        );
        assert!(d.trusted_certificate.is_none());
    }

    #[test]
    fn local_rtmps_without_a_certificate_falls_back_to_the_loopback_rtmp_ingest() {
        let p = profile("");
        let d = account_destination(
            BackendKind::Local,
            Some(&p),
            "rtmps://127.0.0.1:1936/app/".into(),
            StreamKey::new("sk_x"),
        );
        assert_eq!(d.url, "rtmp://127.0.0.1:1935/app/");
        // A remote backend keeps RTMPS (system trust store only).
        let d = account_destination(
            BackendKind::Cloumer,
            Some(&p),
            "rtmps://ingest.example.com:443/app/".into(),
            StreamKey::new("sk_x"),
        );
        assert_eq!(d.url, "rtmps://ingest.example.com:443/app/");
        assert!(d.trusted_certificate.is_none());
    }
}
