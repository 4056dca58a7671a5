//! `key` (show or rotate the stream key) and `moderators` (who may moderate my chat).

use std::path::PathBuf;

use secrecy::ExposeSecret;

use crate::failure::Failure;

use super::{failure, open_account, output};

#[derive(Debug, clap::Args)]
pub struct KeyArgs {
    /// Replace the stream key with a new one (the old key stops working).
    #[arg(long)]
    rotate: bool,
    /// Show the key in full (masked otherwise).
    #[arg(long)]
    show_key: bool,
}

#[derive(Debug, clap::Args)]
pub struct ModeratorsArgs {
    #[command(subcommand)]
    action: Option<ModeratorAction>,
    /// One JSON line per moderator (with `list`).
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Debug, clap::Subcommand)]
enum ModeratorAction {
    /// List the moderators of my channel (the default).
    List,
    /// Let the owner of CHANNEL delete messages and kick users in my chat.
    Add {
        #[arg(value_name = "CHANNEL")]
        channel: String,
    },
    /// Take moderation away from the owner of CHANNEL.
    Remove {
        #[arg(value_name = "CHANNEL")]
        channel: String,
    },
}

pub async fn key(a: KeyArgs, backend: Option<PathBuf>) -> Result<(), Failure> {
    let account = open_account(backend.as_deref())?;
    let key = if a.rotate {
        let key = account.rotate_stream_key().await.map_err(failure)?;
        eprintln!("Stream key rotated; the old key no longer works.");
        key
    } else {
        account.my_page().await.map_err(failure)?.stream_key
    };
    let key = key.expose_secret();
    if a.show_key {
        println!("{key}");
    } else {
        println!("{}", output::mask_key(key));
    }
    Ok(())
}

pub async fn moderators(a: ModeratorsArgs, backend: Option<PathBuf>) -> Result<(), Failure> {
    let account = open_account(backend.as_deref())?;
    match a.action.unwrap_or(ModeratorAction::List) {
        ModeratorAction::List => {
            let list = account.moderators().await.map_err(failure)?;
            for m in &list {
                if a.json {
                    println!(
                        "{}",
                        serde_json::json!({"channel": m.chanel_name, "nickname": m.nickname})
                    );
                } else {
                    println!("{}\t{}", m.chanel_name, m.nickname);
                }
            }
            if list.is_empty() && !a.json {
                eprintln!("No moderators.");
            }
        }
        ModeratorAction::Add { channel } => {
            account.add_moderator(&channel).await.map_err(failure)?;
            println!("{channel} now moderates your chat.");
        }
        ModeratorAction::Remove { channel } => {
            account.remove_moderator(&channel).await.map_err(failure)?;
            println!("{channel} no longer moderates your chat.");
        }
    }
    Ok(())
}
