use crate::failure::Failure;

#[derive(Debug, clap::Args)]
pub struct DevicesArgs {
    /// One JSON object a line on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct EncodersArgs {
    /// One JSON object a line on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn devices(_args: DevicesArgs) -> Result<(), Failure> {
    Err(Failure::other("`cloumer devices` is not built yet"))
}

pub fn encoders(_args: EncodersArgs) -> Result<(), Failure> {
    Err(Failure::other("`cloumer encoders` is not built yet"))
}
