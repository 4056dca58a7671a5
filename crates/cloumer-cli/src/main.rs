//! The `cloumer` command line: the engine, the account client and the server, headless.
//!
//! Exit status contract (scripts and tests rely on it): 0 clean stop, 2 bad arguments or
//! config, 3 the ingest rejected the stream key, 4 TLS failure, 1 anything else; each
//! failure prints one clear line on stderr.

mod commands;
mod failure;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::failure::Failure;

#[derive(Debug, Parser)]
#[command(
    name = "cloumer",
    version,
    about = "Go live on Amazon IVS (or any RTMP(S) ingest) from the command line"
)]
struct Cli {
    /// Backend profile (TOML) to use; `login` remembers it for later commands.
    #[arg(long, global = true, env = "CLOUMER_BACKEND", value_name = "FILE")]
    backend: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Capture, encode and push to an RTMP(S) ingest and/or record to a file.
    Live(commands::live::LiveArgs),
    /// List capture devices (screens, cameras, microphones).
    Devices(commands::devices::DevicesArgs),
    /// List H.264 encoders and whether each is usable here.
    Encoders(commands::devices::EncodersArgs),
    /// Run the CLOUMER backend in this process.
    Serve(commands::serve::ServeArgs),
    /// Backend profiles: write one from a stack deployed on AWS (`backend from-stack`).
    Backend(commands::backend::BackendArgs),
    /// Create an account (user name = e-mail).
    Signup(commands::account::SignupArgs),
    /// Confirm an account with the code that was sent.
    Confirm(commands::account::ConfirmArgs),
    /// Send a new confirmation code.
    ResendCode(commands::account::ResendCodeArgs),
    /// Start a password reset (a code is sent); not offered against the seed deployment.
    ForgotPassword(commands::account::ForgotPasswordArgs),
    /// Finish a password reset with the code (new password from CLOUMER_PASSWORD or a prompt).
    ConfirmPassword(commands::account::ConfirmPasswordArgs),
    /// Log in and remember the session in the OS credential store.
    Login(commands::account::LoginArgs),
    /// Log out everywhere and forget the local session.
    Logout,
    /// Show the profile: title, live state, channel, stream URL and key, playback URL.
    Profile(commands::account::ProfileArgs),
    /// Set the broadcast title.
    Title(commands::account::TitleArgs),
    /// Upload an avatar (PNG, JPEG or WebP, at most 4 MiB).
    Avatar(commands::account::AvatarArgs),
    /// Read, send and moderate a channel's chat.
    Chat(commands::chat::ChatArgs),
    /// Show (masked) or rotate the stream key.
    Key(commands::account::KeyArgs),
    /// List, add or remove the moderators of my channel's chat.
    Moderators(commands::account::ModeratorsArgs),
}

fn main() -> ExitCode {
    init_tracing();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => return Failure::other(format!("cannot start the async runtime: {e}")).report(),
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let backend = cli.backend;
    match cli.command {
        Command::Live(args) => commands::live::run(args, backend).await,
        Command::Devices(args) => commands::devices::devices(args),
        Command::Encoders(args) => commands::devices::encoders(args),
        Command::Serve(args) => commands::serve::run(args).await,
        Command::Backend(args) => commands::backend::run(args).await,
        Command::Signup(args) => commands::account::signup(args, backend).await,
        Command::Confirm(args) => commands::account::confirm(args, backend).await,
        Command::ResendCode(args) => commands::account::resend_code(args, backend).await,
        Command::ForgotPassword(args) => commands::account::forgot_password(args, backend).await,
        Command::ConfirmPassword(args) => commands::account::confirm_password(args, backend).await,
        Command::Login(args) => commands::account::login(args, backend).await,
        Command::Logout => commands::account::logout(backend).await,
        Command::Profile(args) => commands::account::profile(args, backend).await,
        Command::Title(args) => commands::account::title(args, backend).await,
        Command::Avatar(args) => commands::account::avatar(args, backend).await,
        Command::Chat(args) => commands::chat::run(args, backend).await,
        Command::Key(args) => commands::account::key(args, backend).await,
        Command::Moderators(args) => commands::account::moderators(args, backend).await,
    }
}

/// Logs go to stderr, filtered by `RUST_LOG` (default: warnings only, so the human
/// status line and `--json` output stay readable); never at levels where dependencies
/// print secrets.
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let filter = cloumer_api::logging::without_secrets(filter);
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
