//! The one place that decides every URL `cloumer serve` hands out: the API base (REST,
//! Cognito endpoint and token issuer, avatars, HLS playback), the chat WebSocket and the
//! RTMP/RTMPS ingest.
//!
//! Without a public URL they come from the bound sockets (a laptop service). Behind a
//! reverse proxy, or on a host whose bound address is not what strangers dial (0.0.0.0, a
//! NAT), the operator names them: `--public-url https://live.example.com` (a path prefix
//! is kept: the proxy strips it) and `--public-rtmps-host live.example.com[:443]`. The
//! RTMP(S) ingest is never behind the HTTP proxy, so without `--public-rtmps-host` the
//! ingest URLs take the public URL's host with the bound ingest ports.

use std::net::SocketAddr;

use crate::{Error, Result};

/// What the operator configured (`None`: derive from the bound sockets).
#[derive(Debug, Clone, Default)]
pub struct PublicAddress {
    /// `http(s)://host[:port][/prefix]`.
    pub url: Option<String>,
    /// `host[:port]` of the RTMPS ingest as clients dial it.
    pub rtmps_host: Option<String>,
}

/// The bound sockets the URLs fall back to.
pub(crate) struct Bound {
    pub http: SocketAddr,
    /// The HTTP listener speaks TLS.
    pub https: bool,
    pub rtmp: SocketAddr,
    pub rtmps: SocketAddr,
}

/// Every public URL, made once at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PublicUrls {
    /// `http(s)://host[:port][/prefix]`, no trailing slash.
    pub api: String,
    /// `ws(s)://.../chat`.
    pub chat: String,
    /// `rtmp://host:port/app/`.
    pub rtmp: String,
    /// `rtmps://host:port/app/`.
    pub rtmps: String,
}

impl PublicUrls {
    pub fn new(configured: &PublicAddress, bound: &Bound) -> Result<Self> {
        let (api, host) = match &configured.url {
            Some(text) => {
                let url = parse_public_url(text)?;
                // IPv6 hosts come bracketed, ready for `host:port`.
                let host = url.host_str().unwrap_or_default().to_owned();
                (url.as_str().trim_end_matches('/').to_owned(), Some(host))
            }
            None => {
                let scheme = if bound.https { "https" } else { "http" };
                (format!("{scheme}://{}", bound.http), None)
            }
        };
        let chat = format!(
            "{}/chat",
            api.replacen("https://", "wss://", 1)
                .replacen("http://", "ws://", 1)
        );
        // Ingest hosts: an explicit RTMPS host, else the public host, else the socket.
        let ingest = |port: u16, socket: SocketAddr| match &host {
            Some(h) => format!("{h}:{port}"),
            None => socket.to_string(),
        };
        let rtmps_host = match &configured.rtmps_host {
            Some(h) => check_host_port(h)?,
            None => ingest(bound.rtmps.port(), bound.rtmps),
        };
        Ok(Self {
            chat,
            rtmp: format!("rtmp://{}/app/", ingest(bound.rtmp.port(), bound.rtmp)),
            rtmps: format!("rtmps://{rtmps_host}/app/"),
            api,
        })
    }

    /// The Cognito issuer (`iss` of every token) of a pool.
    pub fn issuer(&self, pool_id: &str) -> String {
        format!("{}/cognito/{pool_id}", self.api)
    }
}

fn config_err(what: &str, text: &str) -> Error {
    Error::Config(format!("{what} {text:?}"))
}

/// `http(s)://host[:port][/path]`, without credentials, query or fragment.
fn parse_public_url(text: &str) -> Result<url::Url> {
    let bad = |why: &str| config_err(&format!("--public-url must be {why}, not"), text);
    let url = url::Url::parse(text).map_err(|_| bad("an absolute URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("http:// or https://"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("a URL with a host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("a URL without credentials"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("a URL without query or fragment"));
    }
    Ok(url)
}

/// `host[:port]`: what a client puts between `rtmps://` and the path.
fn check_host_port(text: &str) -> Result<String> {
    let url = url::Url::parse(&format!("rtmps://{text}/"))
        .ok()
        .filter(|u| u.path() == "/" && u.username().is_empty() && u.host_str().is_some());
    match url {
        Some(_) => Ok(text.to_owned()),
        None => Err(config_err(
            "--public-rtmps-host must be HOST[:PORT], not",
            text,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound() -> Bound {
        Bound {
            http: "0.0.0.0:8787".parse().unwrap(),
            https: false,
            rtmp: "0.0.0.0:1935".parse().unwrap(),
            rtmps: "0.0.0.0:1936".parse().unwrap(),
        }
    }

    #[test]
    fn without_a_public_url_the_bound_sockets_are_used() {
        let mut b = bound();
        b.https = true;
        let urls = PublicUrls::new(&PublicAddress::default(), &b).unwrap();
        assert_eq!(urls.api, "https://0.0.0.0:8787");
        assert_eq!(urls.chat, "wss://0.0.0.0:8787/chat");
        assert_eq!(urls.rtmps, "rtmps://0.0.0.0:1936/app/");
    }

    #[test]
    fn a_public_url_decides_every_url() {
        let configured = PublicAddress {
            url: Some("https://live.example.com/tv/".into()),
            rtmps_host: None,
        };
        let urls = PublicUrls::new(&configured, &bound()).unwrap();
        assert_eq!(urls.api, "https://live.example.com/tv");
        assert_eq!(urls.chat, "wss://live.example.com/tv/chat");
        assert_eq!(urls.rtmp, "rtmp://live.example.com:1935/app/");
        assert_eq!(urls.rtmps, "rtmps://live.example.com:1936/app/");
        assert_eq!(
            urls.issuer("p_1"),
            "https://live.example.com/tv/cognito/p_1"
        );
        let configured = PublicAddress {
            url: Some("http://[::1]:80".into()),
            rtmps_host: Some("ingest.example.com:443".into()),
        };
        let urls = PublicUrls::new(&configured, &bound()).unwrap();
        assert_eq!(urls.api, "http://[::1]");
        assert_eq!(urls.rtmp, "rtmp://[::1]:1935/app/");
        assert_eq!(urls.rtmps, "rtmps://ingest.example.com:443/app/");
    }

    #[test]
    fn malformed_settings_are_refused() {
        for url in [
            "live.example.com",
            "ftp://x",
            "https://u:p@x",
            "https://x/?a=1",
        ] {
            let configured = PublicAddress {
                url: Some(url.into()),
                rtmps_host: None,
            };
            assert!(PublicUrls::new(&configured, &bound()).is_err(), "{url}");
        }
        let configured = PublicAddress {
            url: None,
            rtmps_host: Some("x/y".into()),
        };
        assert!(PublicUrls::new(&configured, &bound()).is_err());
    }
}
