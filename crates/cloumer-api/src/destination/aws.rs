//! Going live on the user's own AWS account: IVS channels (aws-sdk-ivs) and chat tokens
//! with moderator capabilities (aws-sdk-ivschat). Credentials come from the usual AWS
//! chain (env, profile, SSO); `endpoint_url` points the SDK at a test server (moto).

use std::sync::Mutex;
use std::time::Duration;

use aws_config::{BehaviorVersion, Region};
use aws_sdk_ivschat::types::ChatTokenCapability;
use secrecy::SecretString;
use tokio::time::Instant;

use super::{Destination, Ingest, IngestUrl, ingest_url};
use crate::{Error, Result};

/// IVS allows 5 TPS per account on channel APIs: poll stream health at most every 5 s.
pub const HEALTH_POLL_INTERVAL: Duration = Duration::from_secs(5);

fn aws_err(operation: &'static str, e: impl std::fmt::Display) -> Error {
    Error::Aws {
        operation,
        message: e.to_string(),
    }
}

/// One channel of the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsChannel {
    pub arn: String,
    pub name: String,
}

/// A live stream's health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamHealth {
    /// `LIVE` / `OFFLINE`.
    pub state: String,
    /// `HEALTHY` / `STARVING` / `UNKNOWN`.
    pub health: String,
    /// -1 when IVS could not count.
    pub viewer_count: i64,
}

/// Clients for the user's AWS account in one region.
#[derive(Debug, Clone)]
pub struct AwsAccount {
    ivs: aws_sdk_ivs::Client,
    chat: aws_sdk_ivschat::Client,
}

impl AwsAccount {
    /// Loads credentials from the default chain; `endpoint_url` overrides AWS (tests).
    pub async fn connect(region: &str, endpoint_url: Option<&str>) -> Self {
        let mut loader =
            aws_config::defaults(BehaviorVersion::latest()).region(Region::new(region.to_owned()));
        if let Some(url) = endpoint_url {
            loader = loader.endpoint_url(url);
        }
        Self::from_config(&loader.load().await)
    }

    /// Clients from a ready SDK configuration (credentials, region, endpoint chosen by
    /// the caller).
    pub fn from_config(config: &aws_config::SdkConfig) -> Self {
        Self {
            ivs: aws_sdk_ivs::Client::new(config),
            chat: aws_sdk_ivschat::Client::new(config),
        }
    }

    /// CreateChannel (STANDARD, low latency, like the seed's): the new channel and its
    /// stream key, which IVS returns only here and through GetStreamKey.
    pub async fn create_channel(&self, name: &str) -> Result<(AwsChannel, SecretString)> {
        let out = self
            .ivs
            .create_channel()
            .name(name)
            .r#type(aws_sdk_ivs::types::ChannelType::StandardChannelType)
            .send()
            .await
            .map_err(|e| aws_err("CreateChannel", e))?;
        let channel = out
            .channel()
            .ok_or_else(|| aws_err("CreateChannel", "no channel in the answer"))?;
        let key = out
            .stream_key()
            .and_then(|k| k.value())
            .ok_or_else(|| aws_err("CreateChannel", "no stream key in the answer"))?;
        Ok((
            AwsChannel {
                arn: channel.arn().unwrap_or_default().to_owned(),
                name: channel.name().unwrap_or_default().to_owned(),
            },
            SecretString::from(key.to_owned()),
        ))
    }

    pub async fn list_channels(&self) -> Result<Vec<AwsChannel>> {
        let out = self
            .ivs
            .list_channels()
            .send()
            .await
            .map_err(|e| aws_err("ListChannels", e))?;
        Ok(out
            .channels()
            .iter()
            .map(|c| AwsChannel {
                arn: c.arn().unwrap_or_default().to_owned(),
                name: c.name().unwrap_or_default().to_owned(),
            })
            .collect())
    }

    /// GetChannel.
    async fn channel(&self, channel_arn: &str) -> Result<aws_sdk_ivs::types::Channel> {
        let out = self
            .ivs
            .get_channel()
            .arn(channel_arn)
            .send()
            .await
            .map_err(|e| aws_err("GetChannel", e))?;
        out.channel
            .ok_or_else(|| aws_err("GetChannel", "no channel in the answer"))
    }

    /// `rtmps://<ingestEndpoint>:443/app/` of a channel.
    pub async fn ingest_url(&self, channel_arn: &str) -> Result<IngestUrl> {
        let channel = self.channel(channel_arn).await?;
        let endpoint = channel
            .ingest_endpoint()
            .ok_or_else(|| aws_err("GetChannel", "the channel has no ingest endpoint"))?;
        ingest_url(&format!("rtmps://{endpoint}:443/app/"), "ingestEndpoint")
    }

    /// The channel's IVS type (`BASIC`, `STANDARD`, ...), read with GetChannel: it decides
    /// the input limits the broadcast must keep to.
    pub async fn channel_type(&self, channel_arn: &str) -> Result<String> {
        let channel = self.channel(channel_arn).await?;
        channel
            .r#type()
            .map(|t| t.as_str().to_owned())
            .ok_or_else(|| aws_err("GetChannel", "the channel has no type"))
    }

    /// The channel's stream key (ListStreamKeys hides values; GetStreamKey shows one).
    pub async fn stream_key(&self, channel_arn: &str) -> Result<SecretString> {
        let keys = self
            .ivs
            .list_stream_keys()
            .channel_arn(channel_arn)
            .send()
            .await
            .map_err(|e| aws_err("ListStreamKeys", e))?;
        let key_arn = keys
            .stream_keys()
            .first()
            .and_then(|k| k.arn())
            .ok_or_else(|| aws_err("ListStreamKeys", "the channel has no stream key"))?;
        let key = self
            .ivs
            .get_stream_key()
            .arn(key_arn)
            .send()
            .await
            .map_err(|e| aws_err("GetStreamKey", e))?;
        let value = key
            .stream_key()
            .and_then(|k| k.value())
            .ok_or_else(|| aws_err("GetStreamKey", "no key value"))?;
        Ok(SecretString::from(value.to_owned()))
    }

    /// A chat token; `moderator` adds DELETE_MESSAGE and DISCONNECT_USER.
    pub async fn chat_token(
        &self,
        room: &str,
        user_id: &str,
        moderator: bool,
    ) -> Result<SecretString> {
        let mut request = self
            .chat
            .create_chat_token()
            .room_identifier(room)
            .user_id(user_id)
            .session_duration_in_minutes(100)
            .capabilities(ChatTokenCapability::SendMessage);
        if moderator {
            request = request
                .capabilities(ChatTokenCapability::DeleteMessage)
                .capabilities(ChatTokenCapability::DisconnectUser);
        }
        let out = request
            .send()
            .await
            .map_err(|e| aws_err("CreateChatToken", e))?;
        Ok(SecretString::from(
            out.token().unwrap_or_default().to_owned(),
        ))
    }

    /// GetStream; `None` when the channel is not broadcasting.
    pub async fn stream_health(&self, channel_arn: &str) -> Result<Option<StreamHealth>> {
        match self.ivs.get_stream().channel_arn(channel_arn).send().await {
            Ok(out) => Ok(out.stream().map(|s| StreamHealth {
                state: s.state().map(|x| x.as_str().to_owned()).unwrap_or_default(),
                health: s
                    .health()
                    .map(|x| x.as_str().to_owned())
                    .unwrap_or_default(),
                viewer_count: s.viewer_count(),
            })),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_channel_not_broadcasting()) =>
            {
                Ok(None)
            }
            Err(e) => Err(aws_err("GetStream", e)),
        }
    }
}

/// One channel of the user's AWS account as a destination, with a throttled health poll.
pub struct AwsChannelDestination {
    account: AwsAccount,
    channel_arn: String,
    last_poll: Mutex<Option<(Instant, Option<StreamHealth>)>>,
}

impl AwsChannelDestination {
    pub fn new(account: AwsAccount, channel_arn: impl Into<String>) -> Self {
        Self {
            account,
            channel_arn: channel_arn.into(),
            last_poll: Mutex::new(None),
        }
    }

    /// The channel's IVS type (GetChannel).
    pub async fn channel_type(&self) -> Result<String> {
        self.account.channel_type(&self.channel_arn).await
    }

    /// Stream health, asking IVS at most once per [`HEALTH_POLL_INTERVAL`] (the cached
    /// answer is returned in between).
    pub async fn health(&self) -> Result<Option<StreamHealth>> {
        if let Ok(guard) = self.last_poll.lock()
            && let Some((at, cached)) = guard.as_ref()
            && at.elapsed() < HEALTH_POLL_INTERVAL
        {
            return Ok(cached.clone());
        }
        let fresh = self.account.stream_health(&self.channel_arn).await?;
        if let Ok(mut guard) = self.last_poll.lock() {
            *guard = Some((Instant::now(), fresh.clone()));
        }
        Ok(fresh)
    }
}

#[async_trait::async_trait]
impl Destination for AwsChannelDestination {
    fn label(&self) -> String {
        format!("AWS IVS channel {}", self.channel_arn)
    }
    async fn ingest(&self) -> Result<Ingest> {
        // IVS ingest certificates chain to public roots: nothing extra to trust.
        Ok(Ingest::new(
            self.account.ingest_url(&self.channel_arn).await?,
            self.account.stream_key(&self.channel_arn).await?.into(),
        ))
    }
}
