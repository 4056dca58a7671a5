//! Sending one-time codes (to the outbox) and answering a code check, shared by sign-up,
//! password reset and e-mail verification.

use cloumer_protocol::cognito::CodeDeliveryDetails;

use super::CognitoError;
use crate::auth::guard::CodeSend;
use crate::auth::{codes, outbox};
use crate::error::now_secs;
use crate::state::SharedState;
use crate::store::{CodeCheck, CodePurpose};
use cloumer_protocol::cognito::ErrorKind;

/// Where a code went, masked as Cognito masks it: `a***@e***`.
pub(crate) fn delivery(email: &str) -> CodeDeliveryDetails {
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    CodeDeliveryDetails {
        destination: format!("{}***@{}***", first(local), first(domain)),
        delivery_medium: "EMAIL".into(),
        attribute_name: "email".into(),
    }
}

/// A plausible delivery for a user name that does not exist, stable per name: user
/// names are e-mail addresses here, so mask the name itself; otherwise letters derived
/// from it with the server secret.
pub(crate) fn decoy_delivery(state: &SharedState, username: &str) -> CodeDeliveryDetails {
    if username.contains('@') {
        return delivery(username);
    }
    let (salt, _) = crate::auth::srp::decoy(&state.pool.srp_secret, username);
    let letter = |b: u8| char::from(b'a' + b % 26);
    delivery(&format!("{}@{}", letter(salt[1]), letter(salt[2])))
}

/// A code `send` may go to `account` now (Cognito's per-account limit on code messages).
pub(crate) fn allow_send(
    state: &SharedState,
    send: CodeSend,
    account: &str,
) -> Result<(), CognitoError> {
    if state
        .auth_guard
        .code_sends
        .allow(&(send, account.to_owned()))
    {
        Ok(())
    } else {
        Err(CognitoError::limit_exceeded())
    }
}

/// Who a code goes to.
pub(crate) struct Recipient<'a> {
    pub sub: &'a str,
    pub username: &'a str,
    pub email: &'a str,
}

/// Makes a new code for `purpose` (replacing the previous one and its attempt count)
/// and delivers it.
pub(crate) async fn send(
    state: &SharedState,
    to: &Recipient<'_>,
    purpose: CodePurpose,
) -> Result<CodeDeliveryDetails, CognitoError> {
    let code = crate::ids::code();
    state
        .store
        .put_code(
            to.sub,
            purpose,
            &code,
            now_secs() + codes::lifetime(purpose),
        )
        .await?;
    let subject = match purpose {
        CodePurpose::ConfirmSignUp => "Your verification code",
        CodePurpose::ResetPassword => "Your password reset code",
        CodePurpose::VerifyEmail => "Verify your new e-mail address",
    };
    state.outbox.send(&outbox::Message {
        to: to.email,
        subject,
        code: &code,
        username: to.username,
        purpose: purpose.as_str(),
        at: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
    })?;
    Ok(delivery(to.email))
}

/// The Cognito answer to a code check.
pub(crate) fn answer(check: CodeCheck) -> Result<(), CognitoError> {
    match check {
        CodeCheck::Valid => Ok(()),
        CodeCheck::Mismatch => Err(CognitoError::code_mismatch()),
        CodeCheck::Expired => Err(CognitoError::new(
            ErrorKind::ExpiredCode,
            "Invalid code provided, please request a code again.",
        )),
        CodeCheck::Spent => Err(CognitoError::limit_exceeded()),
    }
}

/// Checks `code` for the user `sub` (counting a wrong guess).
pub(crate) async fn check(
    state: &SharedState,
    sub: &str,
    purpose: CodePurpose,
    code: &str,
) -> Result<(), CognitoError> {
    answer(state.store.take_code(sub, purpose, code.trim()).await?)
}
