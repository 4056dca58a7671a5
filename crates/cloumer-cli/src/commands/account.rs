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
