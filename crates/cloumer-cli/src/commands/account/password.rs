//! `resend-code`, `forgot-password`, `confirm-password`: the account-recovery commands.
//! Password reset is refused against a seed profile (see `cloumer_api::backend::
//! is_self_hosted`): the seed deployment would give the account a second channel.

use std::path::PathBuf;

use crate::failure::Failure;

use super::{failure, open_account, password};

#[derive(Debug, clap::Args)]
pub struct ResendCodeArgs {
    #[arg(long, value_name = "EMAIL")]
    username: String,
}

#[derive(Debug, clap::Args)]
pub struct ForgotPasswordArgs {
    #[arg(long, value_name = "EMAIL")]
    username: String,
}

#[derive(Debug, clap::Args)]
pub struct ConfirmPasswordArgs {
    #[arg(long, value_name = "EMAIL")]
    username: String,
    /// The code that `forgot-password` had sent.
    #[arg(long, value_name = "CODE")]
    code: String,
}

pub async fn resend_code(a: ResendCodeArgs, backend: Option<PathBuf>) -> Result<(), Failure> {
    let account = open_account(backend.as_deref())?;
    account
        .session()
        .cognito()
        .resend_code(&a.username)
        .await
        .map_err(failure)?;
    println!(
        "A new confirmation code was sent for {}; run `cloumer confirm --username {} --code CODE`.",
        a.username, a.username
    );
    Ok(())
}

pub async fn forgot_password(
    a: ForgotPasswordArgs,
    backend: Option<PathBuf>,
) -> Result<(), Failure> {
    let account = open_account(backend.as_deref())?;
    account
        .session()
        .cognito()
        .forgot_password(&a.username)
        .await
        .map_err(failure)?;
    println!(
        "A reset code was sent for {}; run `cloumer confirm-password --username {} --code CODE`.",
        a.username, a.username
    );
    Ok(())
}

pub async fn confirm_password(
    a: ConfirmPasswordArgs,
    backend: Option<PathBuf>,
) -> Result<(), Failure> {
    let account = open_account(backend.as_deref())?;
    // Checked before asking for the password, so a seed profile fails at once.
    account
        .session()
        .cognito()
        .check_password_reset()
        .map_err(failure)?;
    let new = password("New password: ")?;
    account
        .session()
        .cognito()
        .confirm_forgot_password(&a.username, &a.code, &new)
        .await
        .map_err(failure)?;
    println!(
        "Password changed; log in with `cloumer login --username {}`.",
        a.username
    );
    Ok(())
}
