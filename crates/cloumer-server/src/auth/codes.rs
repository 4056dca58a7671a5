//! One-time codes (sign-up confirmation, password reset, e-mail verification): how long
//! each lives and how many wrong guesses it survives, as Cognito. A 6-digit code that
//! could be guessed without limit falls to a brute force in minutes (issue 15, #1): after
//! [`MAX_ATTEMPTS`] wrong guesses a code is spent and the user must ask for a new one.

use crate::store::{CodeCheck, CodePurpose, StoredCode};

/// Wrong guesses a code survives.
pub const MAX_ATTEMPTS: i64 = 5;

/// Seconds a code stays valid: Cognito's 24 h for sign-up and attribute verification,
/// 1 h for a password reset (the code that hands over the account).
pub fn lifetime(purpose: CodePurpose) -> i64 {
    match purpose {
        CodePurpose::ConfirmSignUp | CodePurpose::VerifyEmail => 24 * 3600,
        CodePurpose::ResetPassword => 3600,
    }
}

/// The verdict on `given` for a stored code at `now`. A spent code answers `Spent` even
/// to the right guess; a wrong guess is reported before expiry so that an expired code
/// tells nothing to someone who does not know it. The comparison takes the same time
/// wherever the first differing digit is.
pub fn judge(stored: &StoredCode, given: &str, now: i64) -> CodeCheck {
    if stored.attempts >= MAX_ATTEMPTS {
        return CodeCheck::Spent;
    }
    let same =
        aws_lc_rs::constant_time::verify_slices_are_equal(stored.code.as_bytes(), given.as_bytes())
            .is_ok();
    if !same {
        CodeCheck::Mismatch
    } else if stored.expires_at < now {
        CodeCheck::Expired
    } else {
        CodeCheck::Valid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(attempts: i64) -> StoredCode {
        StoredCode {
            code: "123456".into(),
            expires_at: 1000,
            attempts,
        }
    }

    #[test]
    fn right_code_in_time_is_valid() {
        assert_eq!(judge(&code(0), "123456", 999), CodeCheck::Valid);
        assert_eq!(judge(&code(4), "123456", 1000), CodeCheck::Valid);
    }

    #[test]
    fn wrong_code_is_a_mismatch_even_when_expired() {
        assert_eq!(judge(&code(0), "123457", 10), CodeCheck::Mismatch);
        assert_eq!(judge(&code(0), "12345", 10), CodeCheck::Mismatch);
        assert_eq!(judge(&code(0), "123457", 5000), CodeCheck::Mismatch);
    }

    #[test]
    fn right_code_too_late_is_expired() {
        assert_eq!(judge(&code(0), "123456", 1001), CodeCheck::Expired);
    }

    #[test]
    fn after_five_wrong_guesses_even_the_right_code_is_refused() {
        assert_eq!(judge(&code(MAX_ATTEMPTS), "123456", 10), CodeCheck::Spent);
        assert_eq!(
            judge(&code(MAX_ATTEMPTS + 3), "000000", 10),
            CodeCheck::Spent
        );
    }

    #[test]
    fn a_reset_code_lives_an_hour_a_sign_up_code_a_day() {
        assert_eq!(lifetime(CodePurpose::ResetPassword), 3600);
        assert_eq!(lifetime(CodePurpose::ConfirmSignUp), 86400);
        assert_eq!(lifetime(CodePurpose::VerifyEmail), 86400);
    }
}
