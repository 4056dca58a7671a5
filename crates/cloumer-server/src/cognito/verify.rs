//! VerifyUserAttribute and GetUserAttributeVerificationCode: an e-mail change takes
//! effect only with the code sent to the new address (issue 15, #18), with the same
//! attempt limit as every code. Only `email` is verifiable here.

use serde::Deserialize;
use serde_json::json;

use super::codes::{self, Recipient};
use super::{CognitoError, OpResult, account::caller, parse};
use crate::auth::guard::CodeSend;
use crate::state::SharedState;
use crate::store::{CodePurpose, User};

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VerifyRequest {
    access_token: String,
    attribute_name: String,
    code: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CodeRequest {
    access_token: String,
    attribute_name: String,
}

fn only_email(attribute: &str) -> Result<(), CognitoError> {
    if attribute == "email" {
        Ok(())
    } else {
        Err(CognitoError::invalid_parameter(format!(
            "Attribute {attribute} cannot be verified"
        )))
    }
}

/// Sends a verification code for `email` (the pending address) to that address.
pub(crate) async fn send_email_code(
    state: &SharedState,
    user: &User,
    email: &str,
) -> Result<cloumer_protocol::cognito::CodeDeliveryDetails, CognitoError> {
    let to = Recipient {
        sub: &user.sub,
        username: &user.username,
        email,
    };
    codes::send(state, &to, CodePurpose::VerifyEmail).await
}

pub async fn verify_attribute(state: &SharedState, body: &[u8]) -> OpResult {
    let req: VerifyRequest = parse(body)?;
    let (_, user) = caller(state, &req.access_token).await?;
    only_email(&req.attribute_name)?;
    codes::check(state, &user.sub, CodePurpose::VerifyEmail, &req.code).await?;
    state.store.apply_pending_email(&user.sub).await?;
    tracing::info!(sub = %user.sub, "e-mail address verified");
    Ok(json!({}))
}

pub async fn attribute_verification_code(state: &SharedState, body: &[u8]) -> OpResult {
    let req: CodeRequest = parse(body)?;
    let (_, user) = caller(state, &req.access_token).await?;
    only_email(&req.attribute_name)?;
    codes::allow_send(state, CodeSend::VerifyAttribute, &user.sub)?;
    // The pending address if there is one; otherwise the current one (verified already,
    // and verifying it again changes nothing).
    let email = user
        .pending_email
        .clone()
        .unwrap_or_else(|| user.email.clone());
    let delivery = send_email_code(state, &user, &email).await?;
    Ok(json!({ "CodeDeliveryDetails": delivery }))
}
