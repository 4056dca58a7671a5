//! The ingest location (`rtmp[s]://host[:port]/app/`) and the full publish URL. The check
//! is the one every Cloumer front end uses ([`IngestUrl`]), so a location the engine or
//! the studio accepted is never refused here, nor the reverse.

use cloumer_protocol::destination::IngestUrl;
pub(crate) use cloumer_protocol::destination::StreamKey;

use crate::error::Error;

/// Checks `location` and returns its canonical spelling (lower-case scheme, trailing `/`),
/// which is what the element connects to.
pub(crate) fn validate(location: &str) -> Result<String, Error> {
    IngestUrl::parse(location)
        .map(|url| url.to_string())
        .map_err(|e| Error::InvalidLocation(e.message()))
}

/// The URL rtmp2sink publishes to: the location with the key appended as the stream name.
pub(crate) fn publish_url(location: &str, key: &StreamKey) -> String {
    let mut url = location.trim_end_matches('/').to_owned();
    url.push('/');
    url.push_str(key.expose());
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cases themselves are in `cloumer_protocol::destination`'s table.
    #[test]
    fn locations_go_through_the_shared_check() {
        assert_eq!(
            validate("RTMPS://h:443/app").expect("valid"),
            "rtmps://h:443/app/"
        );
        let refused = validate("rtmps://h/app/sk_secret").unwrap_err().to_string();
        assert!(!refused.contains("sk_secret"), "{refused}");
    }

    #[test]
    fn key_is_appended_and_redacted() {
        let key = StreamKey::new("sk_secret");
        assert_eq!(publish_url("rtmp://h/app/", &key), "rtmp://h/app/sk_secret");
        assert_eq!(publish_url("rtmp://h/app", &key), "rtmp://h/app/sk_secret");
        assert!(!format!("{key:?}").contains("sk_secret"));
        assert_eq!(
            key.redact("rtmp://h/app/sk_secret failed"),
            "rtmp://h/app/*** failed"
        );
    }
}
