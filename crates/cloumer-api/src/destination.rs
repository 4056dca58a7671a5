//! Where to go live. One trait, three kinds: a CLOUMER account (R6 `streamUrl` +
//! `streamKey`), the user's own AWS account (feature `aws`, see [`aws`]), and a custom
//! RTMP(S) URL + key.

use secrecy::SecretString;

use crate::{Account, Error, Result};

#[cfg(feature = "aws")]
pub mod aws;

/// An ingest to push to. `Debug` hides the key.
#[derive(Debug, Clone)]
pub struct Ingest {
    /// `rtmp[s]://host[:port]/app/`: the key is appended to it.
    pub url: String,
    pub stream_key: SecretString,
    /// A CA or self-signed certificate (PEM) to trust for this ingest's RTMPS, on top of
    /// the system store: self-hosted backends with their own certificate. `None` = the
    /// system trust store only.
    pub trusted_certificate: Option<std::path::PathBuf>,
}

/// A place to go live.
#[async_trait::async_trait]
pub trait Destination: Send + Sync {
    /// A human label ("CLOUMER account alice", "AWS channel x", "rtmps://host/app/").
    fn label(&self) -> String;
    /// The ingest URL and key to use now.
    async fn ingest(&self) -> Result<Ingest>;
}

/// The logged-in CLOUMER account.
pub struct AccountDestination<'a> {
    pub account: &'a Account,
}

#[async_trait::async_trait]
impl Destination for AccountDestination<'_> {
    fn label(&self) -> String {
        format!("CLOUMER account at {}", self.account.profile().api_url)
    }
    async fn ingest(&self) -> Result<Ingest> {
        let p = self.account.my_page().await?;
        Ok(Ingest {
            url: p.stream_url,
            stream_key: p.stream_key,
            // A self-hosted backend's own RTMPS certificate (the seed's IVS ingest has
            // a public one and its profile no such key).
            trusted_certificate: self
                .account
                .profile()
                .ingest_certificate
                .as_ref()
                .map(std::path::PathBuf::from),
        })
    }
}

/// A custom RTMP(S) URL and key.
pub struct CustomDestination {
    url: String,
    stream_key: SecretString,
}

impl CustomDestination {
    /// Checks the scheme; a URL is normalised to end with `/`.
    pub fn new(url: &str, stream_key: SecretString) -> Result<Self> {
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("rtmp://") || lower.starts_with("rtmps://")) {
            return Err(Error::Invalid {
                field: Some("url".into()),
                message: "must start with rtmp:// or rtmps://".into(),
            });
        }
        let url = if url.ends_with('/') {
            url.to_owned()
        } else {
            format!("{url}/")
        };
        Ok(Self { url, stream_key })
    }
}

#[async_trait::async_trait]
impl Destination for CustomDestination {
    fn label(&self) -> String {
        self.url.clone()
    }
    async fn ingest(&self) -> Result<Ingest> {
        Ok(Ingest {
            url: self.url.clone(),
            stream_key: self.stream_key.clone(),
            trusted_certificate: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[tokio::test]
    async fn a_custom_destination_is_the_url_and_key_as_given() {
        let custom =
            CustomDestination::new("rtmps://live.example.net:443/app", "k-1".into()).unwrap();
        let ingest = custom.ingest().await.unwrap();
        assert_eq!(ingest.url, "rtmps://live.example.net:443/app/");
        assert_eq!(ingest.stream_key.expose_secret(), "k-1");
        assert!(
            !custom.label().contains("k-1"),
            "the label never shows the key"
        );
    }

    #[test]
    fn a_custom_destination_must_be_rtmp_or_rtmps() {
        for url in [
            "http://example.net/app/",
            "srt://example.net:9000",
            "example.net",
        ] {
            assert!(
                matches!(
                    CustomDestination::new(url, "k".into()),
                    Err(Error::Invalid { .. })
                ),
                "{url}"
            );
        }
        assert!(CustomDestination::new("RTMP://example.net/live/", "k".into()).is_ok());
    }
}
