//! Attribute values a client may set (SignUp and UpdateUserAttributes alike). A nickname
//! ends up in every ID token and in the public user list, so it is bounded: a 1 MB one
//! made the owner's tokens exceed header limits (issue 15, #12).

use super::CognitoError;

pub const NICKNAME_MAX_CHARS: usize = 64;
const EMAIL_MIN_BYTES: usize = 6;
const EMAIL_MAX_BYTES: usize = 256;

fn invalid(name: &str) -> CognitoError {
    CognitoError::invalid_parameter(format!("Invalid value for {name}"))
}

/// 1-64 characters (after trimming), no control characters.
pub fn nickname(value: &str) -> Result<&str, CognitoError> {
    let v = value.trim();
    let n = v.chars().count();
    if n == 0 || n > NICKNAME_MAX_CHARS || v.chars().any(char::is_control) {
        return Err(invalid("nickname"));
    }
    Ok(v)
}

/// `local@domain`, 6-256 bytes (after trimming), no control characters or spaces.
pub fn email(value: &str) -> Result<&str, CognitoError> {
    let v = value.trim();
    let shaped = v
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty());
    if !shaped
        || !(EMAIL_MIN_BYTES..=EMAIL_MAX_BYTES).contains(&v.len())
        || v.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(invalid("email"));
    }
    Ok(v)
}

/// The nickname of a user who gave none (the seed broke on those, B8): the e-mail's
/// local part, cut to the nickname bound.
pub fn default_nickname(email: &str) -> String {
    let local = email.split('@').next().unwrap_or_default();
    local.chars().take(NICKNAME_MAX_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nicknames() {
        assert_eq!(nickname("  밥 🎮 ").unwrap(), "밥 🎮");
        assert!(nickname(&"x".repeat(64)).is_ok());
        assert!(nickname(&"x".repeat(65)).is_err());
        assert!(nickname(&"한".repeat(64)).is_ok(), "characters, not bytes");
        for bad in ["", "   ", "a\u{1b}[31mb", "a\nb", "a\u{0}"] {
            assert!(nickname(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn emails() {
        assert_eq!(email(" a@b.cd ").unwrap(), "a@b.cd");
        for bad in [
            "a@b",
            "@b.com",
            "a@",
            "ab.com",
            "a b@c.de",
            "a@c\r\n.de",
            "a\u{7}@c.de",
        ] {
            assert!(email(bad).is_err(), "{bad:?}");
        }
        assert!(email(&format!("{}@example.com", "a".repeat(300))).is_err());
    }

    #[test]
    fn default_nickname_is_bounded() {
        assert_eq!(default_nickname("bob@example.com"), "bob");
        assert_eq!(
            default_nickname(&format!("{}@e.com", "a".repeat(200))).len(),
            64
        );
    }
}
