//! The functions' environment (set by deploy/aws/template.yaml) and the AWS clients, all
//! from `aws-config`'s defaults so `AWS_ENDPOINT_URL[_<SERVICE>]` can point them at
//! stand-ins.

use aws_config::BehaviorVersion;
use cloumer_server::ChannelType;

use crate::error::{Error, Result};

/// What the template sets.
#[derive(Debug, Clone)]
pub struct Env {
    /// `CLOUMER_TABLE`.
    pub table: String,
    /// `CLOUMER_AVATAR_BUCKET` (not needed by the stream-state function).
    pub avatar_bucket: Option<String>,
    /// `CLOUMER_AVATAR_BASE_URL`, without a trailing slash.
    pub avatar_base_url: Option<String>,
    /// `CLOUMER_CHANNEL_TYPE`, default STANDARD.
    pub channel_type: ChannelType,
    /// `CLOUMER_USER_POOL_ID`.
    pub user_pool_id: Option<String>,
}

impl Env {
    pub fn from_env() -> Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let table =
            var("CLOUMER_TABLE").ok_or_else(|| Error::Config("CLOUMER_TABLE is not set".into()))?;
        let channel_type = match var("CLOUMER_CHANNEL_TYPE") {
            Some(t) => t.parse().map_err(Error::Config)?,
            None => ChannelType::Standard,
        };
        Ok(Self {
            table,
            avatar_bucket: var("CLOUMER_AVATAR_BUCKET"),
            avatar_base_url: var("CLOUMER_AVATAR_BASE_URL")
                .map(|u| u.trim_end_matches('/').to_owned()),
            channel_type,
            user_pool_id: var("CLOUMER_USER_POOL_ID"),
        })
    }

    pub fn require<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str> {
        value
            .as_deref()
            .ok_or_else(|| Error::Config(format!("{name} is not set")))
    }
}

/// One client per service, from the same loaded configuration.
#[derive(Clone)]
pub struct Clients {
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub ivs: aws_sdk_ivs::Client,
    pub ivschat: aws_sdk_ivschat::Client,
    pub s3: aws_sdk_s3::Client,
    pub cognito: aws_sdk_cognitoidentityprovider::Client,
}

impl Clients {
    pub async fn from_env() -> Self {
        let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
        // moto and other stand-ins serve S3 on one host: path-style addressing there.
        let s3 = aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(
                std::env::var_os("AWS_ENDPOINT_URL_S3").is_some()
                    || std::env::var_os("AWS_ENDPOINT_URL").is_some(),
            )
            .build();
        Self {
            dynamodb: aws_sdk_dynamodb::Client::new(&config),
            ivs: aws_sdk_ivs::Client::new(&config),
            ivschat: aws_sdk_ivschat::Client::new(&config),
            s3: aws_sdk_s3::Client::from_conf(s3),
            cognito: aws_sdk_cognitoidentityprovider::Client::new(&config),
        }
    }
}
