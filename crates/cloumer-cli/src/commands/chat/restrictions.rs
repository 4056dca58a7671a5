//! `cloumer chat CHANNEL --timeout USER [--seconds N] | --ban USER | --lift USER |
//! --restrictions`: timeouts and bans through the REST routes (no chat connection). The
//! user is disconnected by the server; their chat tokens are refused until it ends.

use std::path::Path;

use cloumer_api::rest::ChatRestriction;
use cloumer_api::rest::Restriction;

use super::{ChatArgs, printable};
use crate::commands::account::{failure, open_account};
use crate::failure::Failure;

/// Whether `args` asks for one of these (then [`run`] handles the whole command).
pub fn wanted(args: &ChatArgs) -> bool {
    args.timeout.is_some() || args.ban.is_some() || args.lift.is_some() || args.restrictions
}

fn print(r: &ChatRestriction, json: bool) {
    if json {
        println!("{}", serde_json::to_string(r).unwrap_or_default());
        return;
    }
    let until = r
        .until
        .as_deref()
        .map_or("banned until lifted".to_owned(), |u| {
            format!("until {}", printable(u))
        });
    println!(
        "{}  {until}  {}",
        printable(&r.user_id),
        printable(&r.reason)
    );
}

pub async fn run(args: &ChatArgs, backend: Option<&Path>) -> Result<(), Failure> {
    let account = open_account(backend)?;
    let channel = &args.channel;
    let reason = args.reason.as_deref().unwrap_or_default();
    if let Some(user) = &args.timeout {
        let r = account
            .restrict_chat_user(channel, user, Restriction::Timeout(args.seconds), reason)
            .await
            .map_err(failure)?;
        print(&r, args.json);
    } else if let Some(user) = &args.ban {
        let r = account
            .restrict_chat_user(channel, user, Restriction::Ban, reason)
            .await
            .map_err(failure)?;
        print(&r, args.json);
    } else if let Some(user) = &args.lift {
        account
            .lift_chat_restriction(channel, user)
            .await
            .map_err(failure)?;
    } else {
        for r in account.chat_restrictions(channel).await.map_err(failure)? {
            print(&r, args.json);
        }
    }
    Ok(())
}
