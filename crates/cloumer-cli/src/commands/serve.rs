use crate::failure::Failure;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {}

pub async fn run(_args: ServeArgs) -> Result<(), Failure> {
    Err(Failure::other("`cloumer serve` is not built yet"))
}
