//! Where to go live. One trait, three kinds: a CLOUMER account (R6 `streamUrl` +
//! `streamKey`), the user's own AWS account (feature `aws`, see [`aws`]), and a custom
//! RTMP(S) URL + key. Each resolves to the one destination model, [`Ingest`].

pub use cloumer_protocol::destination::{Ingest, IngestUrl, IngestUrlError, StreamKey};

use crate::{Account, BackendProfile, Error, Result};

#[cfg(feature = "aws")]
pub mod aws;

/// A place to go live.
#[async_trait::async_trait]
pub trait Destination: Send + Sync {
    /// A human label ("CLOUMER account at ...", "AWS IVS channel x", "host:443"); never
    /// shows the key.
    fn label(&self) -> String;
    /// The ingest URL and key to use now.
    async fn ingest(&self) -> Result<Ingest>;
}

/// An ingest URL refused by the one check, as an input error on `field`.
pub fn ingest_url(url: &str, field: &str) -> Result<IngestUrl> {
    IngestUrl::parse(url).map_err(|e| Error::Invalid {
        field: Some(field.into()),
        message: e.message(),
    })
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
        Ok(self.ingest_and_channel_type().await?.0)
    }
}

impl AccountDestination<'_> {
    /// The ingest and the channel's IVS type (R6 `channelType`, `None` from a backend that
    /// does not tell it), from one R6 call: the type decides which settings the ingest takes.
    pub async fn ingest_and_channel_type(&self) -> Result<(Ingest, Option<String>)> {
        let p = self.account.my_page().await?;
        let ingest = account_ingest(self.account.profile(), &p.stream_url, p.stream_key.into())?;
        Ok((ingest, p.channel_type))
    }
}

/// The account's ingest (R6 `streamUrl`). A self-hosted backend's RTMPS ingest presents
/// its own certificate: the profile names it, and it is trusted for this stream in addition
/// to the system store (the seed's IVS ingest has a public one and its profile no such
/// key). Should the URL be RTMPS with no certificate named while the backend runs a plain
/// RTMP ingest on loopback (the studio's embedded server), that one is used: a self-signed
/// certificate nobody named would fail, and loopback traffic never leaves the machine.
fn account_ingest(profile: &BackendProfile, stream_url: &str, key: StreamKey) -> Result<Ingest> {
    let url = ingest_url(stream_url, "streamUrl")?;
    let certificate = profile.ingest_certificate.as_deref().map(Into::into);
    let loopback = profile
        .rtmp_url
        .as_deref()
        .and_then(|u| IngestUrl::parse(u).ok())
        .filter(is_loopback);
    let (url, trusted_certificate) = match (url.is_rtmps(), certificate, loopback) {
        (true, None, Some(plain)) => (plain, None),
        (true, certificate, _) => (url, certificate),
        (false, _, _) => (url, None),
    };
    Ok(Ingest {
        trusted_certificate,
        ..Ingest::new(url, key)
    })
}

fn is_loopback(url: &IngestUrl) -> bool {
    let host = url
        .authority()
        .rsplit_once(':')
        .filter(|_| !url.authority().ends_with(']'))
        .map_or(url.authority(), |(host, _)| host);
    matches!(host, "localhost" | "[::1]") || host.starts_with("127.")
}

/// A custom RTMP(S) URL and key.
pub struct CustomDestination {
    ingest: Ingest,
}

impl CustomDestination {
    /// Checks the URL (the one check: [`IngestUrl::parse`]) and that there is a key.
    pub fn new(url: &str, key: StreamKey) -> Result<Self> {
        let url = ingest_url(url, "url")?;
        if key.is_empty() {
            return Err(Error::Invalid {
                field: Some("streamKey".into()),
                message: "enter the stream key your server gave you".into(),
            });
        }
        Ok(Self {
            ingest: Ingest::new(url, key),
        })
    }
}

#[async_trait::async_trait]
impl Destination for CustomDestination {
    /// `host[:port]`: the URL's path may be all a user recognises it by, but the host is
    /// enough to tell servers apart and shows nothing secret.
    fn label(&self) -> String {
        self.ingest.url.authority().to_owned()
    }
    async fn ingest(&self) -> Result<Ingest> {
        Ok(self.ingest.clone())
    }
}

#[cfg(test)]
mod tests;
