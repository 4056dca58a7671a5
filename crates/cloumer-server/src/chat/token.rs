//! Chat tokens: a compact JSON grant signed with HMAC-SHA256 under a secret kept in the
//! data directory. Stateless, so a restart keeps every issued token valid, and opaque to
//! clients (they only pass it back as the WebSocket sub-protocol).
//!
//! Format: `base64url(payload) "." base64url(mac)`; both parts use only RFC 7230 token
//! characters, as a `Sec-WebSocket-Protocol` value must.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cloumer_protocol::chat::{Attributes, Capability};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::{Error, Result};

type HmacSha256 = Hmac<Sha256>;

const SECRET_FILE: &str = "chat.secret";
const SECRET_LEN: usize = 32;

/// The signed grant. Short field names keep the sub-protocol header small.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Grant {
    /// Room (channel name).
    #[serde(rename = "r")]
    pub room: String,
    #[serde(rename = "u")]
    pub user_id: String,
    #[serde(rename = "c", default)]
    pub capabilities: Vec<Capability>,
    #[serde(rename = "a", default)]
    pub attributes: Attributes,
    /// Unix seconds by which the WebSocket must be opened.
    #[serde(rename = "t")]
    pub token_expires: i64,
    /// Unix seconds at which an open session is closed.
    #[serde(rename = "s")]
    pub session_expires: i64,
}

impl Grant {
    pub fn can(&self, capability: Capability) -> bool {
        self.capabilities.contains(&capability)
    }
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenRejection {
    /// Not ours, altered or unreadable.
    Invalid,
    Expired,
}

/// Signs and verifies grants. `Debug` never shows the secret.
pub(crate) struct TokenSigner {
    secret: [u8; SECRET_LEN],
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSigner(..)")
    }
}

impl TokenSigner {
    /// Loads the secret from `<data_dir>/chat.secret`, creating it (mode 0600) if absent.
    pub fn open(data_dir: &Path) -> Result<Self> {
        let path = data_dir.join(SECRET_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let secret: [u8; SECRET_LEN] = bytes
                    .as_slice()
                    .try_into()
                    .map_err(|_| Error::Chat(format!("{} has the wrong length", path.display())))?;
                Ok(Self { secret })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut secret = [0u8; SECRET_LEN];
                rand::rng().fill_bytes(&mut secret);
                crate::private_file::write(&path, &secret, false)?;
                Ok(Self { secret })
            }
            Err(e) => Err(e.into()),
        }
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC accepts keys of any length; this cannot fail for a 32-byte key.
        #[allow(clippy::expect_used)]
        HmacSha256::new_from_slice(&self.secret).expect("HMAC takes any key length")
    }

    pub fn sign(&self, grant: &Grant) -> Result<String> {
        let payload = serde_json::to_vec(grant)?;
        let mut mac = self.mac();
        mac.update(&payload);
        let tag = mac.finalize().into_bytes();
        Ok(format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(tag)
        ))
    }

    /// Checks the signature and that the token may still open a session at `now`.
    pub fn verify(&self, token: &str, now: i64) -> Result<Grant, TokenRejection> {
        let (payload_b64, tag_b64) = token.split_once('.').ok_or(TokenRejection::Invalid)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload_b64)
            .map_err(|_| TokenRejection::Invalid)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag_b64)
            .map_err(|_| TokenRejection::Invalid)?;
        let mut mac = self.mac();
        mac.update(&payload);
        mac.verify_slice(&tag)
            .map_err(|_| TokenRejection::Invalid)?;
        let grant: Grant = serde_json::from_slice(&payload).map_err(|_| TokenRejection::Invalid)?;
        if now > grant.token_expires || now >= grant.session_expires {
            return Err(TokenRejection::Expired);
        }
        Ok(grant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(t: i64, s: i64) -> Grant {
        Grant {
            room: "alice".into(),
            user_id: "u1".into(),
            capabilities: vec![Capability::SendMessage],
            attributes: Attributes::new(),
            token_expires: t,
            session_expires: s,
        }
    }

    #[test]
    fn signs_verifies_and_rejects_tampering_and_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let signer = TokenSigner::open(dir.path()).unwrap();
        let token = signer.sign(&grant(100, 200)).unwrap();
        assert_eq!(signer.verify(&token, 50).unwrap().room, "alice");
        assert_eq!(
            signer.verify(&token, 101).unwrap_err(),
            TokenRejection::Expired
        );
        let mut forged = token.clone();
        forged.insert(3, 'x');
        assert_eq!(
            signer.verify(&forged, 50).unwrap_err(),
            TokenRejection::Invalid
        );
        // Same secret after a restart; the file is private.
        let again = TokenSigner::open(dir.path()).unwrap();
        assert!(again.verify(&token, 50).is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(SECRET_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
