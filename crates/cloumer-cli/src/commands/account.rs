use std::path::PathBuf;

use crate::failure::Failure;

#[derive(Debug, clap::Args)]
pub struct SignupArgs {}
#[derive(Debug, clap::Args)]
pub struct ConfirmArgs {}
#[derive(Debug, clap::Args)]
pub struct LoginArgs {}
#[derive(Debug, clap::Args)]
pub struct ProfileArgs {}
#[derive(Debug, clap::Args)]
pub struct TitleArgs {}
#[derive(Debug, clap::Args)]
pub struct AvatarArgs {}

fn not_yet() -> Result<(), Failure> {
    Err(Failure::other("account commands are not built yet"))
}

pub async fn signup(_a: SignupArgs, _b: Option<PathBuf>) -> Result<(), Failure> { not_yet() }
pub async fn confirm(_a: ConfirmArgs, _b: Option<PathBuf>) -> Result<(), Failure> { not_yet() }
pub async fn login(_a: LoginArgs, _b: Option<PathBuf>) -> Result<(), Failure> { not_yet() }
pub async fn logout(_b: Option<PathBuf>) -> Result<(), Failure> { not_yet() }
pub async fn profile(_a: ProfileArgs, _b: Option<PathBuf>) -> Result<(), Failure> { not_yet() }
pub async fn title(_a: TitleArgs, _b: Option<PathBuf>) -> Result<(), Failure> { not_yet() }
pub async fn avatar(_a: AvatarArgs, _b: Option<PathBuf>) -> Result<(), Failure> { not_yet() }

/// Where `cloumer live` without `--to` goes: the logged-in account's ingest and key
/// (R6 `streamUrl` + `streamKey`). Owned by the account commands; used by `live`.
pub struct AccountDestination {
    /// `rtmp[s]://host[:port]/app/`; the key is appended to it.
    pub url: String,
    pub stream_key: secrecy::SecretString,
}

/// Resolves the logged-in account's destination (log in first with `cloumer login`).
pub async fn account_destination(_backend: Option<PathBuf>) -> Result<AccountDestination, Failure> {
    Err(Failure::usage("no destination: pass --to URL (account destinations are not built yet)"))
}
