//! The ingest location (`rtmp[s]://host[:port]/app/`) and the full publish URL.

use crate::error::Error;

/// A stream key. Debug output is redacted so it cannot leak through `{:?}`.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct StreamKey(String);

impl StreamKey {
    pub(crate) fn new(key: String) -> Self {
        StreamKey(key)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Replaces the key in `text` (e.g. an error message from a child) with `***`.
    pub(crate) fn redact(&self, text: &str) -> String {
        if self.0.is_empty() {
            text.to_owned()
        } else {
            text.replace(&self.0, "***")
        }
    }
}

impl std::fmt::Debug for StreamKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() { "<unset>" } else { "***" })
    }
}

/// Checks `rtmp[s]://host[:port]/app/`: scheme rtmp or rtmps, a host, an application path.
pub(crate) fn validate(location: &str) -> Result<(), Error> {
    let url = url::Url::parse(location)
        .map_err(|e| Error::InvalidLocation(format!("{location:?} is not a URL ({e})")))?;
    if !matches!(url.scheme(), "rtmp" | "rtmps") {
        return Err(Error::InvalidLocation(format!(
            "scheme {:?} is not rtmp or rtmps",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::InvalidLocation(format!("{location:?} has no host")));
    }
    if url.path().trim_matches('/').is_empty() {
        return Err(Error::InvalidLocation(format!(
            "{location:?} has no application path (expected rtmp[s]://host[:port]/app/)"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::InvalidLocation(format!(
            "{location:?} must not carry a query or fragment (the stream key goes in stream-key)"
        )));
    }
    Ok(())
}

/// The URL rtmp2sink publishes to: the location with the key appended as the stream name.
pub(crate) fn publish_url(location: &str, key: &StreamKey) -> String {
    let mut url = location.trim_end_matches('/').to_owned();
    url.push('/');
    url.push_str(&key.0);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ingest_urls() {
        for ok in [
            "rtmps://abc.global-contribute.live-video.net:443/app/",
            "rtmp://127.0.0.1:1935/live/",
            "rtmp://host/app",
        ] {
            assert!(validate(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_other_urls() {
        for bad in [
            "",
            "http://host/app/",
            "srt://host:9000/app/",
            "rtmp:///app/",
            "rtmp://host/",
            "rtmp://host/app/?key=1",
            "not a url",
        ] {
            assert!(validate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn key_is_appended_and_redacted() {
        let key = StreamKey::new("sk_secret".into());
        assert_eq!(publish_url("rtmp://h/app/", &key), "rtmp://h/app/sk_secret");
        assert_eq!(publish_url("rtmp://h/app", &key), "rtmp://h/app/sk_secret");
        assert_eq!(format!("{key:?}"), "***");
        assert_eq!(
            key.redact("rtmp://h/app/sk_secret failed"),
            "rtmp://h/app/*** failed"
        );
    }
}
