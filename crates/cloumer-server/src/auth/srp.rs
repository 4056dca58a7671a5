//! Cognito's SRP-6a variant (USER_SRP_AUTH + PASSWORD_VERIFIER), server side.
//!
//! Parameters as Cognito and its clients (amazon-cognito-identity-js, pycognito) use them:
//! N = the RFC 3526 3072-bit group, g = 2, k = H(0x00|N|0x02), `pad(x)` = big-endian bytes
//! with a leading 0x00 when the top bit is set, u = H(pad(A)|pad(B)),
//! x = H(pad(salt) | H(pool | user | ":" | password)), key = HKDF-SHA256(salt = pad(u),
//! ikm = pad(S), info = "Caldera Derived Key", 16 bytes), and the client's signature is
//! HMAC-SHA256(key, pool | user | secret_block | timestamp).
//!
//! Clients send no `Session` back, so the server state travels in `SECRET_BLOCK`:
//! `nonce | issued_at | A`, authenticated with an HMAC under a server secret. The private
//! `b` is never sent: it is re-derived as HMAC(secret, "srp-b" | nonce | user).

use hmac::{Hmac, Mac};
use num_bigint::BigUint;
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74",
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437",
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05",
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB",
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718",
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33",
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864",
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2",
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

/// How long a challenge stays answerable.
const CHALLENGE_SECONDS: i64 = 300;
const NONCE_LEN: usize = 32;
const TAG_LEN: usize = 32;

fn n() -> BigUint {
    // The constant is valid hex; parse_bytes cannot fail on it.
    BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap_or_default()
}

fn g() -> BigUint {
    BigUint::from(2u32)
}

/// Big-endian bytes with a leading zero byte when the top bit is set (Cognito's padHex).
pub fn pad(x: &BigUint) -> Vec<u8> {
    let mut b = x.to_bytes_be();
    if b[0] & 0x80 != 0 {
        b.insert(0, 0);
    }
    b
}

fn h(parts: &[&[u8]]) -> BigUint {
    let mut d = Sha256::new();
    for p in parts {
        d.update(p);
    }
    BigUint::from_bytes_be(&d.finalize())
}

fn k() -> BigUint {
    h(&[&pad(&n()), &pad(&g())])
}

/// A fresh salt whose first byte is in 0x10..=0x7f, so every client's hex handling
/// (string or big integer, padded or not) yields the same bytes.
pub fn new_salt() -> Vec<u8> {
    let mut s = crate::ids::bytes::<16>().to_vec();
    s[0] = 0x10 | (s[0] & 0x6f);
    s
}

fn x(pool: &str, user: &str, password: &str, salt: &[u8]) -> BigUint {
    let inner = Sha256::digest(format!("{pool}{user}:{password}").as_bytes());
    h(&[salt, &inner])
}

/// The verifier `g^x mod N` stored at sign-up and on password change.
pub fn verifier(pool: &str, user: &str, password: &str, salt: &[u8]) -> Vec<u8> {
    g().modpow(&x(pool, user, password, salt), &n())
        .to_bytes_be()
}

fn mac(secret: &[u8], parts: &[&[u8]]) -> HmacSha256 {
    // HMAC accepts keys of any length; new_from_slice cannot fail for it.
    let mut m = <HmacSha256 as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    for p in parts {
        m.update(p);
    }
    m
}

fn private_b(secret: &[u8], nonce: &[u8], user: &str) -> BigUint {
    BigUint::from_bytes_be(
        &mac(secret, &[b"srp-b", nonce, user.as_bytes()])
            .finalize()
            .into_bytes(),
    )
}

fn public_b(b: &BigUint, v: &BigUint) -> BigUint {
    let n = n();
    (k() * v + g().modpow(b, &n)) % &n
}

/// The challenge parameters the server hands out.
pub struct Challenge {
    pub srp_b_hex: String,
    pub salt_hex: String,
    pub secret_block: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum SrpError {
    #[error("SRP_A is not a valid value")]
    BadA,
    #[error("the secret block is invalid or expired")]
    BadBlock,
    #[error("incorrect username or password")]
    BadProof,
}

/// Starts a login: `a_hex` is the client's SRP_A.
pub fn challenge(
    secret: &[u8],
    user: &str,
    salt: &[u8],
    verifier: &[u8],
    a_hex: &str,
    now: i64,
) -> Result<Challenge, SrpError> {
    let a = BigUint::parse_bytes(a_hex.as_bytes(), 16).ok_or(SrpError::BadA)?;
    if (&a % n()) == BigUint::default() {
        return Err(SrpError::BadA);
    }
    let nonce = crate::ids::bytes::<NONCE_LEN>();
    let b = private_b(secret, &nonce, user);
    let big_b = public_b(&b, &BigUint::from_bytes_be(verifier));
    let a_bytes = a.to_bytes_be();
    let issued = now.to_be_bytes();
    let tag = mac(
        secret,
        &[b"srp-block", &nonce, &issued, user.as_bytes(), &a_bytes],
    )
    .finalize();
    let mut block = Vec::with_capacity(NONCE_LEN + 8 + TAG_LEN + a_bytes.len());
    block.extend_from_slice(&nonce);
    block.extend_from_slice(&issued);
    block.extend_from_slice(&tag.into_bytes());
    block.extend_from_slice(&a_bytes);
    Ok(Challenge {
        srp_b_hex: big_b.to_str_radix(16),
        salt_hex: hex::encode(salt),
        secret_block: block,
    })
}

/// What the client answered to PASSWORD_VERIFIER.
pub struct Proof<'a> {
    pub pool: &'a str,
    pub user: &'a str,
    pub secret_block: &'a [u8],
    pub timestamp: &'a str,
    pub signature: &'a [u8],
}

/// A SECRET_BLOCK this server issued for that user, not yet expired.
pub struct OpenBlock<'a> {
    /// Identifies the challenge (for single use).
    pub nonce: &'a [u8],
    /// Until when it may be answered (Unix seconds).
    pub expires_at: i64,
    a_bytes: &'a [u8],
}

/// Checks the block's MAC (it names `user`) and age.
pub fn open_block<'a>(
    secret: &[u8],
    user: &str,
    block: &'a [u8],
    now: i64,
) -> Result<OpenBlock<'a>, SrpError> {
    if block.len() <= NONCE_LEN + 8 + TAG_LEN {
        return Err(SrpError::BadBlock);
    }
    let (nonce, rest) = block.split_at(NONCE_LEN);
    let (issued, rest) = rest.split_at(8);
    let (tag, a_bytes) = rest.split_at(TAG_LEN);
    mac(
        secret,
        &[b"srp-block", nonce, issued, user.as_bytes(), a_bytes],
    )
    .verify_slice(tag)
    .map_err(|_| SrpError::BadBlock)?;
    let issued = i64::from_be_bytes(issued.try_into().map_err(|_| SrpError::BadBlock)?);
    if now - issued > CHALLENGE_SECONDS || issued - now > 5 {
        return Err(SrpError::BadBlock);
    }
    Ok(OpenBlock {
        nonce,
        expires_at: issued + CHALLENGE_SECONDS,
        a_bytes,
    })
}

/// Checks the client's password claim against the stored verifier.
pub fn verify(secret: &[u8], verifier: &[u8], p: &Proof<'_>, now: i64) -> Result<(), SrpError> {
    let block = p.secret_block;
    let OpenBlock { nonce, a_bytes, .. } = open_block(secret, p.user, block, now)?;
    let n = n();
    let v = BigUint::from_bytes_be(verifier);
    let a = BigUint::from_bytes_be(a_bytes);
    let b = private_b(secret, nonce, p.user);
    let big_b = public_b(&b, &v);
    let u = h(&[&pad(&a), &pad(&big_b)]);
    if u == BigUint::default() {
        return Err(SrpError::BadProof);
    }
    let s = (a * v.modpow(&u, &n)).modpow(&b, &n);
    let hk = hkdf::Hkdf::<Sha256>::new(Some(&pad(&u)), &pad(&s));
    let mut key = [0u8; 16];
    hk.expand(b"Caldera Derived Key", &mut key)
        .map_err(|_| SrpError::BadProof)?;
    mac(
        &key,
        &[
            p.pool.as_bytes(),
            p.user.as_bytes(),
            block,
            p.timestamp.as_bytes(),
        ],
    )
    .verify_slice(p.signature)
    .map_err(|_| SrpError::BadProof)
}

/// A stable stand-in salt and verifier for a user name that does not exist, derived from
/// the server secret: USER_SRP_AUTH then answers an unknown user with a challenge that
/// looks like a real one, is the same on every try (a changing salt would give the
/// unknown user away) and fails only at the password check, like a wrong password.
/// The verifier is a pseudo-random number below N: `B = k*v + g^b` hides it either way.
pub fn decoy(secret: &[u8], user: &str) -> (Vec<u8>, Vec<u8>) {
    let hk = hkdf::Hkdf::<Sha256>::new(Some(b"srp-decoy"), secret);
    let mut salt = vec![0u8; 16];
    let mut v = vec![0u8; N_HEX.len() / 2];
    // 16 and 384 bytes are far below HKDF-SHA256's 8160-byte limit: expand cannot fail.
    let _ = hk.expand_multi_info(&[b"salt", user.as_bytes()], &mut salt);
    let _ = hk.expand_multi_info(&[b"verifier", user.as_bytes()], &mut v);
    salt[0] = 0x10 | (salt[0] & 0x6f);
    let v = BigUint::from_bytes_be(&v) % n();
    (salt, v.to_bytes_be())
}

/// Cognito's timestamp shape: `Tue Nov 25 4:36:09 UTC 2026` (6 fields, `UTC`).
pub fn timestamp_looks_valid(ts: &str) -> bool {
    let f: Vec<&str> = ts.split_whitespace().collect();
    f.len() == 6 && f[4] == "UTC" && f[3].split(':').count() == 3
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client computed from the published formulas, to check the server round trip.
    fn client_signature(
        pool: &str,
        user: &str,
        pw: &str,
        a: &BigUint,
        c: &Challenge,
        ts: &str,
    ) -> Vec<u8> {
        let n = n();
        let big_a = g().modpow(a, &n);
        let big_b = BigUint::parse_bytes(c.srp_b_hex.as_bytes(), 16).unwrap();
        let salt = hex::decode(&c.salt_hex).unwrap();
        let u = h(&[&pad(&big_a), &pad(&big_b)]);
        let x = x(pool, user, pw, &salt);
        let gx = g().modpow(&x, &n);
        let base = (&big_b + &n * k() - (k() * gx) % &n) % &n;
        let s = base.modpow(&(a + &u * &x), &n);
        let hk = hkdf::Hkdf::<Sha256>::new(Some(&pad(&u)), &pad(&s));
        let mut key = [0u8; 16];
        hk.expand(b"Caldera Derived Key", &mut key).unwrap();
        mac(
            &key,
            &[
                pool.as_bytes(),
                user.as_bytes(),
                &c.secret_block,
                ts.as_bytes(),
            ],
        )
        .finalize()
        .into_bytes()
        .to_vec()
    }

    #[test]
    fn round_trip_and_wrong_password() {
        let secret = [7u8; 32];
        let salt = new_salt();
        let v = verifier("Pool1", "alice@example.com", "Secret#123", &salt);
        let a = BigUint::from_bytes_be(&[9u8; 32]);
        let big_a = g().modpow(&a, &n());
        let c = challenge(
            &secret,
            "alice@example.com",
            &salt,
            &v,
            &big_a.to_str_radix(16),
            1000,
        )
        .unwrap();
        let ts = "Tue Nov 25 4:36:09 UTC 2026";
        for (pw, ok) in [("Secret#123", true), ("wrong", false)] {
            let sig = client_signature("Pool1", "alice@example.com", pw, &a, &c, ts);
            let proof = Proof {
                pool: "Pool1",
                user: "alice@example.com",
                secret_block: &c.secret_block,
                timestamp: ts,
                signature: &sig,
            };
            assert_eq!(verify(&secret, &v, &proof, 1001).is_ok(), ok);
        }
    }
}
