use std::path::PathBuf;

use crate::failure::Failure;

#[derive(Debug, clap::Args)]
pub struct ChatArgs {}

pub async fn run(_args: ChatArgs, _backend: Option<PathBuf>) -> Result<(), Failure> {
    Err(Failure::other("`cloumer chat` is not built yet"))
}
