//! Translation of `cloumer-api` results into the studio's DTOs and errors.

use secrecy::ExposeSecret;

use crate::error::{AppError, AuthReason};
use crate::types::Profile;

pub fn api_error(error: cloumer_api::Error) -> AppError {
    use cloumer_api::Error as E;
    let message = error.to_string();
    match error {
        E::NoBackend => AppError::no_backend(),
        E::NotLoggedIn | E::Unauthorized => AppError::NotSignedIn { message },
        E::Auth { ref kind, .. } => AppError::Auth {
            reason: auth_reason(kind),
            message,
        },
        E::NewPasswordRequired { .. } => AppError::Auth {
            message,
            reason: Some(AuthReason::NewPasswordRequired),
        },
        E::Invalid { field, message } => AppError::Validation { message, field },
        E::Profile { key, message, .. } => AppError::Validation {
            message,
            field: key,
        },
        E::Transport { .. } => AppError::Network { message },
        E::CredentialStore(_) => AppError::Credentials { message },
        E::Io { .. } => AppError::Storage { message },
        E::Chat { .. } | E::ChatConnection(_) => AppError::Chat { message },
        _ => AppError::Backend { message },
    }
}

fn auth_reason(kind: &cloumer_api::AuthErrorKind) -> Option<AuthReason> {
    use cloumer_api::AuthErrorKind as K;
    Some(match kind {
        K::NotAuthorized => AuthReason::WrongPassword,
        K::UserNotFound => AuthReason::UnknownAccount,
        K::UserNotConfirmed => AuthReason::NotConfirmed,
        K::UsernameExists => AuthReason::AccountExists,
        K::CodeMismatch => AuthReason::WrongCode,
        K::ExpiredCode => AuthReason::ExpiredCode,
        K::InvalidPassword => AuthReason::WeakPassword,
        K::LimitExceeded | K::TooManyRequests => AuthReason::TooManyAttempts,
        K::PasswordResetRequired => AuthReason::ResetRequired,
        _ => return None,
    })
}

/// The profile for the UI: the stream key shrinks to its last four characters.
pub fn profile(p: &cloumer_api::Profile, nickname: &str) -> Profile {
    let key = p.stream_key.expose_secret();
    let last4: String = key
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    Profile {
        title: p.title.clone(),
        is_live: p.live,
        channel: p.channel.clone(),
        nickname: nickname.to_owned(),
        stream_key_last4: last4,
        stream_url: p.stream_url.clone(),
        playback_url: p.playback_url.clone(),
        avatar_url: p.avatar_url.clone(),
        channel_type: p.channel_type.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_shows_only_the_last_four_key_characters() {
        let p = cloumer_api::Profile {
            title: "t".into(),
            live: false,
            channel: "c".into(),
            stream_url: "rtmps://h/app/".into(),
            stream_key: "test-key-ABCDEFGH1234".to_owned().into(),
            playback_url: String::new(),
            avatar_url: String::new(),
            channel_type: None,
        };
        let shown = profile(&p, "n");
        assert_eq!(shown.stream_key_last4, "1234");
        assert!(
            !serde_json::to_string(&shown)
                .unwrap_or_default()
                .contains("ABCDEFGH")
        );
    }

    #[test]
    fn auth_failures_keep_their_kind() {
        let e = api_error(cloumer_api::Error::Invalid {
            field: Some("title".into()),
            message: "too long".into(),
        });
        assert!(matches!(e, AppError::Validation { field: Some(ref f), .. } if f == "title"));
        assert!(matches!(
            api_error(cloumer_api::Error::Unauthorized),
            AppError::NotSignedIn { .. }
        ));
    }
}
