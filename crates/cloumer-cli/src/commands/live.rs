use std::path::PathBuf;

use crate::failure::Failure;

#[derive(Debug, clap::Args)]
pub struct LiveArgs {}

pub async fn run(_args: LiveArgs, _backend: Option<PathBuf>) -> Result<(), Failure> {
    Err(Failure::other("`cloumer live` is not built yet"))
}
