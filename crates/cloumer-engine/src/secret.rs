//! The stream key: whoever holds it can broadcast on the channel, so it never appears in
//! Debug/Display output, logs or serialized configs.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// An ingest stream key. `Debug` and `Display` print `[redacted]`; read it only with
/// [`StreamKey::expose`] at the one place that hands it to the ingest element.
#[derive(Clone)]
pub struct StreamKey(SecretString);

impl StreamKey {
    pub fn new(key: impl Into<String>) -> Self {
        Self(SecretString::from(key.into()))
    }

    /// The key itself. Call only where it is handed to the output element.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    pub fn is_empty(&self) -> bool {
        self.0.expose_secret().trim().is_empty()
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

/// Keys may be read from a config (e.g. handed over by a front end) but are never written:
/// [`crate::StreamOutput`] skips the key when serializing.
impl<'de> serde::Deserialize<'de> for StreamKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(StreamKey::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_redacted_in_debug_and_display() {
        let key = StreamKey::new("sk_us-west-2_abcdef");
        assert_eq!(format!("{key:?}"), "StreamKey([redacted])");
        assert_eq!(key.to_string(), "[redacted]");
        assert_eq!(key.expose(), "sk_us-west-2_abcdef");
    }
}
