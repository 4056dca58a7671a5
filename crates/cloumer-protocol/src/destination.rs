//! Where a stream goes: an RTMP(S) ingest URL, the stream key appended to it, and the
//! certificate a self-hosted RTMPS ingest presents. One type and one URL check shared by
//! the elements, the engine, the account client, the CLI and the studio, so that a URL one
//! of them accepts is never refused by the next.

use std::fmt;
use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// The ingest to push to: [`IngestUrl`] + key + an extra certificate to trust.
/// `Debug` and serialization never show the key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ingest {
    pub url: IngestUrl,
    /// Read from a stored config (e.g. handed over by a front end) but never written.
    #[serde(skip_serializing)]
    pub key: StreamKey,
    /// A PEM certificate (e.g. a self-hosted ingest's self-signed one) trusted for RTMPS
    /// *in addition to* the system trust store; validation is never switched off.
    /// `None` = the system trust store only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_certificate: Option<PathBuf>,
}

impl Ingest {
    /// An ingest trusting only the system trust store.
    pub fn new(url: IngestUrl, key: StreamKey) -> Self {
        Self {
            url,
            key,
            trusted_certificate: None,
        }
    }

    /// The URL an RTMP client publishes to (the key as the stream name). Hand it only to
    /// the element that connects: it carries the key.
    pub fn publish_url(&self) -> String {
        self.url.publish_url(self.key.expose())
    }
}

/// A checked `rtmp[s]://host[:port]/app/`, kept in its canonical spelling: lower-case
/// scheme (users paste `RTMPS://` from OBS guides; RTMP clients want it lower-case) and a
/// trailing `/`. Make one with [`IngestUrl::parse`] (or `str::parse`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IngestUrl {
    canonical: String,
    /// Byte length of `scheme://host[:port]` in `canonical`.
    authority_end: usize,
    rtmps: bool,
    port: Option<u16>,
}

/// Why a string is not an ingest URL. The messages never repeat the URL: a key pasted
/// into it would end up on screen and in logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IngestUrlError {
    #[error("does not start with rtmp:// or rtmps://")]
    Scheme,
    #[error("has no host")]
    NoHost,
    #[error("has an invalid port (use 1 to 65535)")]
    Port,
    #[error("carries a user name or password (the stream key is given separately)")]
    Credentials,
    #[error("has no application name (e.g. /app/)")]
    NoApp,
    #[error("has more than one path segment (is the stream key in it?)")]
    ExtraSegment,
    #[error("carries a query or fragment (the stream key is given separately)")]
    QueryOrFragment,
    #[error("contains spaces")]
    Whitespace,
}

impl IngestUrlError {
    /// The whole sentence a user sees.
    pub fn message(self) -> String {
        format!(
            "the ingest URL {self}: use rtmps://host[:port]/app/ (the stream key is given separately)"
        )
    }
}

impl IngestUrl {
    /// The one RTMP(S) URL check. Surrounding white space is ignored (pasted URLs often
    /// end in a newline); the scheme is case-insensitive; the path is exactly one segment,
    /// the application, because RTMP clients take the last segment as the stream name and
    /// a second one almost always is a key pasted into the URL.
    pub fn parse(url: &str) -> Result<Self, IngestUrlError> {
        use IngestUrlError as E;
        let url = url.trim();
        let (scheme, rest) = url.split_once("://").ok_or(E::Scheme)?;
        let rtmps = match scheme.to_ascii_lowercase().as_str() {
            "rtmp" => false,
            "rtmps" => true,
            _ => return Err(E::Scheme),
        };
        if rest.chars().any(char::is_whitespace) {
            return Err(E::Whitespace);
        }
        if rest.contains(['?', '#']) {
            return Err(E::QueryOrFragment);
        }
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        if authority.contains('@') {
            return Err(E::Credentials);
        }
        let port = split_port(authority)?;
        let app = path.trim_end_matches('/');
        if app.is_empty() {
            return Err(E::NoApp);
        }
        if app.contains('/') {
            return Err(E::ExtraSegment);
        }
        let scheme = if rtmps { "rtmps" } else { "rtmp" };
        Ok(Self {
            canonical: format!("{scheme}://{authority}/{app}/"),
            authority_end: scheme.len() + 3 + authority.len(),
            rtmps,
            port,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.canonical
    }

    pub fn is_rtmps(&self) -> bool {
        self.rtmps
    }

    /// `host[:port]` as given (IPv6 hosts in brackets): a label that shows no secret.
    pub fn authority(&self) -> &str {
        let start = if self.rtmps { 8 } else { 7 };
        &self.canonical[start..self.authority_end]
    }

    /// The port to connect to: the one given, or the scheme's default (1935 / 443).
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(if self.rtmps { 443 } else { 1935 })
    }

    /// This URL with `key` appended as the stream name.
    pub fn publish_url(&self, key: &str) -> String {
        format!("{}{key}", self.canonical)
    }
}

/// Checks `host[:port]` and returns the explicit port.
fn split_port(authority: &str) -> Result<Option<u16>, IngestUrlError> {
    use IngestUrlError as E;
    let (host, port) = match authority.strip_prefix('[') {
        // An IPv6 literal: its colons are not the port's.
        Some(v6) => {
            let (inner, after) = v6.split_once(']').ok_or(E::NoHost)?;
            let port = match after {
                "" => None,
                p => Some(p.strip_prefix(':').ok_or(E::Port)?),
            };
            (inner, port)
        }
        None => match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if host.is_empty() {
        return Err(E::NoHost);
    }
    port.map(|p| p.parse::<u16>().ok().filter(|&p| p != 0).ok_or(E::Port))
        .transpose()
}

impl std::str::FromStr for IngestUrl {
    type Err = IngestUrlError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl std::ops::Deref for IngestUrl {
    type Target = str;
    fn deref(&self) -> &str {
        &self.canonical
    }
}

impl AsRef<str> for IngestUrl {
    fn as_ref(&self) -> &str {
        &self.canonical
    }
}

impl fmt::Display for IngestUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical)
    }
}

impl fmt::Debug for IngestUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IngestUrl({:?})", self.canonical)
    }
}

impl PartialEq<str> for IngestUrl {
    fn eq(&self, other: &str) -> bool {
        self.canonical == other
    }
}

impl PartialEq<&str> for IngestUrl {
    fn eq(&self, other: &&str) -> bool {
        self.canonical == *other
    }
}

impl Serialize for IngestUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.canonical)
    }
}

/// A stored URL goes through the same check as a typed one.
impl<'de> Deserialize<'de> for IngestUrl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(|e| serde::de::Error::custom(e.message()))
    }
}

/// An ingest stream key: whoever holds it can broadcast on the channel. `Debug` and
/// `Display` print `[redacted]`; read it only with [`StreamKey::expose`] where it is
/// handed to the element that connects.
#[derive(Clone)]
pub struct StreamKey(SecretString);

/// No key: what an element holds until one is set.
impl Default for StreamKey {
    fn default() -> Self {
        Self::new("")
    }
}

impl StreamKey {
    pub fn new(key: impl Into<String>) -> Self {
        Self(SecretString::from(key.into()))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    pub fn is_empty(&self) -> bool {
        self.expose().trim().is_empty()
    }

    /// `text` (e.g. an error message from a library) with the key replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        match self.expose() {
            "" => text.to_owned(),
            key => text.replace(key, "***"),
        }
    }
}

impl From<SecretString> for StreamKey {
    fn from(s: SecretString) -> Self {
        Self(s)
    }
}

impl fmt::Debug for StreamKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StreamKey([redacted])")
    }
}

impl fmt::Display for StreamKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<'de> Deserialize<'de> for StreamKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(StreamKey::new)
    }
}

#[cfg(test)]
mod tests;
