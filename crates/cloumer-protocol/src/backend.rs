//! The backend profile: a small TOML file that tells a client where a CLOUMER backend
//! lives. `cloumer serve --write-backend FILE` writes one; a profile for the seed's AWS
//! deployment has only the first four keys.
//!
//! ```toml
//! region = "ap-northeast-2"
//! user_pool_id = "ap-northeast-2_AbCdEf123"
//! client_id = "1example23456789"
//! api_url = "https://abc123.execute-api.ap-northeast-2.amazonaws.com/develop"
//! # optional overrides (written by `cloumer serve`)
//! cognito_endpoint = "http://127.0.0.1:8787/cognito/"
//! chat_endpoint = "ws://127.0.0.1:8787/chat"
//! rtmp_url = "rtmp://127.0.0.1:1935/app/"
//! rtmps_url = "rtmps://127.0.0.1:1936/app/"
//! ingest_certificate = "/home/me/.local/share/cloumer/server/tls/ingest-cert.pem"
//! ```
//!
//! `ingest_certificate` is the PEM certificate the self-hosted RTMPS ingest presents
//! (self-signed unless the operator configured one). Clients trust it for that ingest in
//! addition to the system trust store; AWS profiles never have it (IVS ingest certificates
//! chain to public CAs).

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackendProfile {
    /// AWS region, e.g. `ap-northeast-2`.
    pub region: String,
    /// Cognito user pool id, `<region>_<id>` (SRP hashes the part after `_`).
    pub user_pool_id: String,
    /// Cognito app client id (public client, no secret).
    pub client_id: String,
    /// REST base URL; may carry a path (`.../develop`): routes are appended, not joined.
    pub api_url: String,
    /// Overrides `https://cognito-idp.<region>.amazonaws.com/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cognito_endpoint: Option<String>,
    /// Overrides `wss://edge.ivschat.<region>.amazonaws.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat_endpoint: Option<String>,
    /// Plain RTMP ingest URL ending in `/app/` (self-hosted backends only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtmp_url: Option<String>,
    /// RTMPS ingest URL ending in `/app/` (self-hosted backends only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtmps_url: Option<String>,
    /// Path of the PEM certificate the self-hosted RTMPS ingest presents; clients trust
    /// it for that ingest in addition to the system trust store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingest_certificate: Option<String>,
    /// The user's consent to send the password itself (USER_PASSWORD_AUTH) when the pool
    /// refuses SRP. Off by default: with it off, a refusal of SRP is an error, so a server
    /// that merely *claims* not to support SRP never receives a password.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_password_auth: bool,
}

impl BackendProfile {
    /// Parses a profile, naming the key at fault in the error.
    pub fn from_toml(text: &str) -> Result<Self> {
        let profile: Self = toml::from_str(text).map_err(|e| Error::BackendProfile {
            key: key_of_toml_error(&e, text),
            message: e.message().to_owned(),
        })?;
        profile.validate()?;
        Ok(profile)
    }

    pub fn to_toml(&self) -> String {
        // Serializing plain strings and options cannot fail.
        toml::to_string(self).unwrap_or_default()
    }

    fn validate(&self) -> Result<()> {
        let missing = |key: &str| Error::BackendProfile {
            key: Some(key.to_owned()),
            message: format!("`{key}` must not be empty"),
        };
        for (key, value) in [
            ("region", &self.region),
            ("user_pool_id", &self.user_pool_id),
            ("client_id", &self.client_id),
            ("api_url", &self.api_url),
        ] {
            if value.trim().is_empty() {
                return Err(missing(key));
            }
        }
        if !self.user_pool_id.contains('_') {
            return Err(Error::BackendProfile {
                key: Some("user_pool_id".into()),
                message: "`user_pool_id` must look like `<region>_<id>`".into(),
            });
        }
        Ok(())
    }

    /// The Cognito IdP endpoint: the override, or AWS's regional one.
    pub fn cognito_endpoint(&self) -> String {
        self.cognito_endpoint
            .clone()
            .unwrap_or_else(|| format!("https://cognito-idp.{}.amazonaws.com/", self.region))
    }

    /// The IVS Chat messaging endpoint: the override, or AWS's regional one.
    pub fn chat_endpoint(&self) -> String {
        self.chat_endpoint
            .clone()
            .unwrap_or_else(|| format!("wss://edge.ivschat.{}.amazonaws.com", self.region))
    }

    /// The pool name part SRP hashes: what follows `_` in `user_pool_id`.
    pub fn pool_name(&self) -> &str {
        self.user_pool_id
            .split_once('_')
            .map_or(self.user_pool_id.as_str(), |(_, name)| name)
    }
}

fn key_of_toml_error(e: &toml::de::Error, text: &str) -> Option<String> {
    // toml's messages name a missing or unknown field: "missing field `api_url`".
    let msg = e.message();
    if msg.starts_with("missing field") || msg.starts_with("unknown field") {
        let start = msg.find('`')? + 1;
        let end = start + msg[start..].find('`')?;
        return Some(msg[start..end].to_owned());
    }
    // A bad value ("invalid type: integer `3`, expected a string") is named by where it
    // is: the key of the `key = value` line the error points at.
    let at = e.span()?.start.min(text.len());
    let line_start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let line = text.get(line_start..)?.lines().next()?;
    let (key, _) = line.split_once('=')?;
    Some(key.trim().trim_matches('"').to_owned()).filter(|k| !k.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = r#"
region = "ap-northeast-2"
user_pool_id = "ap-northeast-2_AbCdEf123"
client_id = "abc"
api_url = "https://x.execute-api.ap-northeast-2.amazonaws.com/develop"
"#;

    #[test]
    fn seed_profile_has_aws_endpoints() {
        let p = BackendProfile::from_toml(SEED).unwrap();
        assert_eq!(
            p.cognito_endpoint(),
            "https://cognito-idp.ap-northeast-2.amazonaws.com/"
        );
        assert_eq!(
            p.chat_endpoint(),
            "wss://edge.ivschat.ap-northeast-2.amazonaws.com"
        );
        assert_eq!(p.pool_name(), "AbCdEf123");
    }

    #[test]
    fn round_trips() {
        let mut p = BackendProfile::from_toml(SEED).unwrap();
        p.chat_endpoint = Some("ws://127.0.0.1:1/chat".into());
        assert_eq!(BackendProfile::from_toml(&p.to_toml()).unwrap(), p);
    }

    #[test]
    fn missing_key_is_named() {
        let text = SEED.replace("api_url", "#");
        match BackendProfile::from_toml(&text) {
            Err(Error::BackendProfile { key, .. }) => assert_eq!(key.as_deref(), Some("api_url")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_key_is_named() {
        let text = format!("{SEED}\nchat_url = \"x\"\n");
        match BackendProfile::from_toml(&text) {
            Err(Error::BackendProfile { key, .. }) => assert_eq!(key.as_deref(), Some("chat_url")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_value_of_the_wrong_type_names_its_key() {
        let text = SEED.replace("client_id = \"abc\"", "client_id = 3");
        match BackendProfile::from_toml(&text) {
            Err(Error::BackendProfile { key, message }) => {
                assert_eq!(key.as_deref(), Some("client_id"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
}
