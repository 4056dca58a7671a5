//! Account commands: signup, confirm, login, logout, profile, title, avatar; and the
//! account destination `cloumer live` uses without `--to`. Recovery commands live in
//! [`password`], stream key and moderators in [`channel`].

mod channel;
mod output;
mod password;

pub use channel::{KeyArgs, ModeratorsArgs, key, moderators};
pub use password::{
    ConfirmPasswordArgs, ForgotPasswordArgs, ResendCodeArgs, confirm_password, forgot_password,
    resend_code,
};

use std::path::{Path, PathBuf};

use cloumer_api::{Account, Error};
use secrecy::SecretString;

use crate::failure::Failure;

/// Env var holding the password (otherwise a prompt without echo).
const PASSWORD_ENV: &str = "CLOUMER_PASSWORD";

#[derive(Debug, clap::Args)]
pub struct SignupArgs {
    /// E-mail address (also the user name).
    #[arg(long, value_name = "EMAIL")]
    username: String,
    /// Display name in chat and channel lists.
    #[arg(long, value_name = "NAME")]
    nickname: String,
}

#[derive(Debug, clap::Args)]
pub struct ConfirmArgs {
    #[arg(long, value_name = "EMAIL")]
    username: String,
    /// The code that was sent by e-mail.
    #[arg(long, value_name = "CODE")]
    code: String,
}

#[derive(Debug, clap::Args)]
pub struct LoginArgs {
    #[arg(long, value_name = "EMAIL")]
    username: String,
}

#[derive(Debug, clap::Args)]
pub struct ProfileArgs {
    /// One JSON object on stdout (booleans as JSON booleans).
    #[arg(long)]
    json: bool,
    /// Show the stream key in full (masked otherwise).
    #[arg(long)]
    show_key: bool,
}

#[derive(Debug, clap::Args)]
pub struct TitleArgs {
    /// The new broadcast title.
    #[arg(value_name = "TEXT")]
    title: String,
}

#[derive(Debug, clap::Args)]
pub struct AvatarArgs {
    /// A PNG, JPEG or WebP image of at most 4 MiB.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

/// Maps a client error to the CLI's exit status and one line.
pub(crate) fn failure(e: Error) -> Failure {
    if e.is_usage() {
        Failure::usage(e)
    } else {
        Failure::other(e)
    }
}

pub(crate) fn open_account(backend: Option<&Path>) -> Result<Account, Failure> {
    Account::resolve(backend).map_err(failure)
}

pub(crate) fn password(prompt: &str) -> Result<SecretString, Failure> {
    if let Ok(p) = std::env::var(PASSWORD_ENV)
        && !p.is_empty()
    {
        return Ok(SecretString::from(p));
    }
    rpassword::prompt_password(prompt)
        .map(SecretString::from)
        .map_err(|e| {
            Failure::usage(format!(
                "no password: set {PASSWORD_ENV} or run in a terminal ({e})"
            ))
        })
}

pub async fn signup(a: SignupArgs, backend: Option<PathBuf>) -> Result<(), Failure> {
    let account = open_account(backend.as_deref())?;
    let pw = password("Password: ")?;
    let outcome = account
        .session()
        .cognito()
        .sign_up(&a.username, &pw, &a.nickname)
        .await
        .map_err(failure)?;
    if outcome.confirmed {
        println!(
            "Account {} created and confirmed; log in with `cloumer login --username {}`.",
            a.username, a.username
        );
    } else {
        let to = outcome
            .code_destination
            .unwrap_or_else(|| a.username.clone());
        println!(
            "Account {} created. A confirmation code was sent to {to}; run `cloumer confirm --username {} --code CODE`.",
            a.username, a.username
        );
    }
    Ok(())
}

pub async fn confirm(a: ConfirmArgs, backend: Option<PathBuf>) -> Result<(), Failure> {
    let account = open_account(backend.as_deref())?;
    account
        .session()
        .cognito()
        .confirm_sign_up(&a.username, &a.code)
        .await
        .map_err(failure)?;
    println!(
        "Account {} confirmed; log in with `cloumer login --username {}`.",
        a.username, a.username
    );
    Ok(())
}

pub async fn login(a: LoginArgs, backend: Option<PathBuf>) -> Result<(), Failure> {
    let account = open_account(backend.as_deref())?;
    let pw = password("Password: ")?;
    match account.session().log_in(&a.username, &pw).await {
        Ok(()) => {}
        Err(Error::NewPasswordRequired { session, username }) => {
            eprintln!("This account needs a new password.");
            let new = rpassword::prompt_password("New password: ")
                .map(SecretString::from)
                .map_err(|e| {
                    Failure::usage(format!(
                        "a new password is required; run in a terminal ({e})"
                    ))
                })?;
            account
                .session()
                .set_new_password(&username, &session, &new)
                .await
                .map_err(failure)?;
        }
        Err(e) => return Err(failure(e)),
    }
    account.remember_backend().map_err(failure)?;
    let who = account
        .session()
        .claims()
        .await
        .and_then(|c| c.nickname)
        .unwrap_or(a.username);
    println!("Logged in as {who}.");
    Ok(())
}

pub async fn logout(backend: Option<PathBuf>) -> Result<(), Failure> {
    let account = open_account(backend.as_deref())?;
    account.session().log_out().await.map_err(failure)?;
    println!("Logged out.");
    Ok(())
}

pub async fn profile(a: ProfileArgs, backend: Option<PathBuf>) -> Result<(), Failure> {
    let account = open_account(backend.as_deref())?;
    let profile = account.my_page().await.map_err(failure)?;
    if a.json {
        println!("{}", output::profile_json(&profile, a.show_key));
    } else {
        print!("{}", output::profile_text(&profile, a.show_key));
    }
    Ok(())
}

pub async fn title(a: TitleArgs, backend: Option<PathBuf>) -> Result<(), Failure> {
    let account = open_account(backend.as_deref())?;
    account.set_title(&a.title).await.map_err(failure)?;
    println!("Title set.");
    Ok(())
}

pub async fn avatar(a: AvatarArgs, backend: Option<PathBuf>) -> Result<(), Failure> {
    let account = open_account(backend.as_deref())?;
    account.upload_avatar_file(&a.file).await.map_err(failure)?;
    match account.my_page().await {
        Ok(p) => println!("Avatar uploaded: {}", p.avatar_url),
        Err(_) => println!("Avatar uploaded."),
    }
    Ok(())
}

/// Where `cloumer live` without `--to` goes: the logged-in account's ingest and key (R6
/// `streamUrl` + `streamKey`; log in first with `cloumer login`). Owned by the account
/// commands; used by `live`.
///
/// Also the channel's IVS type when the backend tells it (R6 `channelType`), so the
/// settings are checked against its limits before connecting.
pub async fn account_destination(
    backend: Option<PathBuf>,
) -> Result<(cloumer_api::destination::Ingest, Option<String>), Failure> {
    use cloumer_api::destination::AccountDestination as Api;
    let account = Account::resolve(backend.as_deref()).map_err(|e| match e {
        Error::NoBackend => Failure::usage(
            "no destination: pass --to URL, or log in with `cloumer login --backend FILE`",
        ),
        e => failure(e),
    })?;
    let (ingest, channel_type) = Api { account: &account }
        .ingest_and_channel_type()
        .await
        .map_err(|e| match e {
            Error::NotLoggedIn => {
                Failure::usage("no destination: pass --to URL, or log in with `cloumer login`")
            }
            e => failure(e),
        })?;
    if ingest.key.is_empty() {
        return Err(Failure::other("the account has no stream key"));
    }
    Ok((ingest, channel_type))
}
