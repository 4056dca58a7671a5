//! Local checks of an avatar before anything is uploaded: a PNG, JPEG or WebP by its
//! content (magic bytes, not the file name) and at most 4 MiB.

use cloumer_protocol::rest::limits::AVATAR_MAX_BYTES;

use crate::{Error, Result};

/// An image format the backends accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
    Webp,
}

impl ImageKind {
    pub fn mime(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Webp => "image/webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Webp => "webp",
        }
    }

    /// Recognises the format by its first bytes.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else {
            None
        }
    }
}

/// Checks an avatar's bytes; the error names the field `file`.
pub fn validate(bytes: &[u8]) -> Result<ImageKind> {
    if bytes.len() > AVATAR_MAX_BYTES {
        return Err(Error::Invalid {
            field: Some("file".into()),
            message: format!(
                "the image is {:.1} MiB; the limit is {} MiB",
                bytes.len() as f64 / (1024.0 * 1024.0),
                AVATAR_MAX_BYTES / (1024 * 1024)
            ),
        });
    }
    ImageKind::sniff(bytes).ok_or_else(|| Error::Invalid {
        field: Some("file".into()),
        message: "not a PNG, JPEG or WebP image".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(
            ImageKind::sniff(b"\x89PNG\r\n\x1a\n...."),
            Some(ImageKind::Png)
        );
        assert_eq!(
            ImageKind::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(ImageKind::Jpeg)
        );
        assert_eq!(
            ImageKind::sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(ImageKind::Webp)
        );
        assert_eq!(ImageKind::sniff(b"GIF89a"), None);
    }

    #[test]
    fn refuses_big_files() {
        let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
        big.resize(AVATAR_MAX_BYTES + 1, 0);
        assert!(matches!(validate(&big), Err(Error::Invalid { .. })));
        big.truncate(AVATAR_MAX_BYTES);
        assert_eq!(validate(&big).unwrap(), ImageKind::Png);
    }
}
