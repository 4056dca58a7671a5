//! Password hashing (argon2id, the argon2 crate's defaults) for USER_PASSWORD_AUTH.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::{Error, Result};

pub fn hash(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Crypto(format!("argon2: {e}")))
}

pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Cognito's default policy, minus the character classes: at least 8 characters.
pub fn acceptable(password: &str) -> bool {
    password.chars().count() >= 8 && password.len() <= 256
}

/// A hash of a random password, to verify against when the user does not exist: an
/// unknown user then costs what a wrong password costs and cannot be told apart by
/// timing (issue 15, #7). Computed once, on first use (on a blocking thread: callers run
/// it in the CPU pool).
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        hash(&hex::encode(crate::ids::bytes::<16>())).unwrap_or_default()
    });
    &DECOY
}
