//! `cloumer chat CHANNEL`: listen, send, delete a message, or kick a user; timeouts and
//! bans are REST calls ([`restrictions`]).
//!
//! `--send`, `--delete` and `--kick` wait for the server's answer and succeed only on a
//! positive one: our own message echoed back, or the room event `aws:DELETE_MESSAGE` /
//! `aws:DISCONNECT_USER` that the action causes (IVS sends it to every connection of the
//! room, ours included, with our RequestId). A refusal is an ERROR frame with our
//! RequestId (IVS answers within about two seconds); silence is a failure too, since
//! nothing proves the action happened.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use cloumer_api::chat::{
    AccountTokens, ChatClient, ChatEvent, ChatOptions, ConnectionState, check_content,
};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Instant;

use crate::commands::account::{failure, open_account};
use crate::failure::Failure;

mod restrictions;

/// How long to wait for the answer to --send / --delete / --kick (an answer usually
/// arrives in milliseconds; this only bounds a silent server on a loaded machine).
const ANSWER_WAIT: Duration = Duration::from_secs(10);
const CONNECT_WAIT: Duration = Duration::from_secs(20);

#[derive(Debug, clap::Args)]
pub struct ChatArgs {
    /// The channel whose chat room to join.
    #[arg(value_name = "CHANNEL")]
    channel: String,
    /// Send this message (as typed).
    #[arg(long, value_name = "TEXT", conflicts_with_all = ["delete", "kick"])]
    send: Option<String>,
    /// Print events for this many seconds (default: until Ctrl-C, unless an action is given).
    #[arg(long, value_name = "SECS")]
    listen: Option<u64>,
    /// One JSON object per line on stdout, nothing else.
    #[arg(long)]
    json: bool,
    /// Delete the message with this Id (moderators and the channel owner).
    #[arg(long, value_name = "MESSAGE_ID", conflicts_with = "kick")]
    delete: Option<String>,
    /// Disconnect this user from the room (moderators and the channel owner).
    #[arg(long, value_name = "USER_ID")]
    kick: Option<String>,
    /// Keep this user out of the room for --seconds and disconnect them (moderators and
    /// the channel owner).
    #[arg(long, value_name = "USER_ID", conflicts_with_all = ["send", "delete", "kick", "ban", "lift", "restrictions"])]
    timeout: Option<String>,
    /// How long --timeout lasts: 1 to 2592000 (30 days).
    #[arg(long, value_name = "SECS", default_value_t = 600, requires = "timeout")]
    seconds: u64,
    /// Keep this user out of the room until lifted, and disconnect them.
    #[arg(long, value_name = "USER_ID", conflicts_with_all = ["send", "delete", "kick", "lift", "restrictions"])]
    ban: Option<String>,
    /// Why (--timeout / --ban), at most 256 characters.
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
    /// Lift this user's timeout or ban.
    #[arg(long, value_name = "USER_ID", conflicts_with_all = ["send", "delete", "kick", "restrictions"])]
    lift: Option<String>,
    /// List the room's timeouts and bans.
    #[arg(long, conflicts_with_all = ["send", "delete", "kick"])]
    restrictions: bool,
}

struct Printer {
    json: bool,
}

impl Printer {
    /// Prints `event`. Every string in it comes from other users or the server, so the
    /// human-readable form shows it through [`printable`]; JSON escapes on its own.
    fn print(&self, event: &ChatEvent) {
        if self.json {
            println!("{}", event.to_json());
            return;
        }
        match event {
            ChatEvent::Message(m) => {
                let who = m
                    .sender
                    .attributes
                    .get("username")
                    .unwrap_or(&m.sender.user_id);
                println!(
                    "[{}] {}: {}  (id {})",
                    printable(&m.send_time),
                    printable(who),
                    printable(&m.content),
                    printable(&m.id)
                );
            }
            ChatEvent::Deleted { message_id, .. } => {
                println!("* message {} deleted", printable(message_id))
            }
            ChatEvent::UserDisconnected { user_id, .. } => {
                println!("* user {} disconnected", printable(user_id))
            }
            ChatEvent::Event(e) => println!("* event {}", printable(&e.event_name)),
            ChatEvent::Error { code, message, .. } => {
                eprintln!("chat error {code}: {}", printable(message))
            }
            ChatEvent::ConnectionState(s) => match s {
                ConnectionState::Connecting => {}
                ConnectionState::Connected => eprintln!("connected"),
                ConnectionState::Reconnecting {
                    retry_in_ms,
                    reason,
                    ..
                } => eprintln!(
                    "connection lost ({}); reconnecting in {retry_in_ms} ms",
                    printable(reason)
                ),
                ConnectionState::Closed { reason } => {
                    eprintln!("chat closed: {}", printable(reason))
                }
            },
        }
    }
}

/// `text` made safe for a terminal: control characters (C0 except tab, DEL, C1) and the
/// bidirectional controls are shown escaped (`\u{1b}`, `\n`, `\u{202e}`), so a message
/// cannot recolour or retitle the terminal, move its cursor, forge further lines, or
/// reverse how the rest of the line reads.
fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if needs_escape(c) {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(
            c,
            // ALM, LRM, RLM; embeddings and overrides; isolates.
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

pub async fn run(args: ChatArgs, backend: Option<PathBuf>) -> Result<(), Failure> {
    if restrictions::wanted(&args) {
        return restrictions::run(&args, backend.as_deref()).await;
    }
    if let Some(text) = &args.send {
        // Refused before connecting: nothing is sent.
        check_content(text).map_err(failure)?;
    }
    let account = Arc::new(open_account(backend.as_deref())?);
    let endpoint = account.profile().chat_endpoint();
    let tokens = Arc::new(AccountTokens::new(account.clone(), args.channel.clone()));
    let options = ChatOptions {
        max_attempts: Some(5),
        ..ChatOptions::default()
    };
    let (client, mut events) = ChatClient::connect(endpoint, tokens, options);
    let printer = Printer { json: args.json };

    wait_connected(&mut events, &printer).await?;

    let request = if let Some(text) = &args.send {
        Some((client.send(text).map_err(failure)?, Expected::Echo))
    } else if let Some(id) = &args.delete {
        let request = client.delete(id, None).map_err(failure)?;
        Some((request, Expected::Deleted(id.clone())))
    } else if let Some(user) = &args.kick {
        let request = client.disconnect_user(user, None).map_err(failure)?;
        Some((request, Expected::Disconnected(user.clone())))
    } else {
        None
    };

    if let Some((request_id, expected)) = request {
        await_answer(&mut events, &printer, &request_id, &expected).await?;
        if args.listen.is_none() {
            return Ok(());
        }
    }
    let deadline = args.listen.map(|s| Instant::now() + Duration::from_secs(s));
    loop {
        let next = match deadline {
            Some(d) => match tokio::time::timeout_at(d, events.recv()).await {
                Ok(e) => e,
                Err(_) => return Ok(()),
            },
            None => tokio::select! {
                e = events.recv() => e,
                _ = tokio::signal::ctrl_c() => return Ok(()),
            },
        };
        let Some(event) = next else { return Ok(()) };
        printer.print(&event);
        if let ChatEvent::ConnectionState(ConnectionState::Closed { reason }) = event {
            return Err(Failure::other(format!(
                "chat closed: {}",
                printable(&reason)
            )));
        }
    }
}

async fn wait_connected(
    events: &mut UnboundedReceiver<ChatEvent>,
    printer: &Printer,
) -> Result<(), Failure> {
    let deadline = Instant::now() + CONNECT_WAIT;
    loop {
        let event = tokio::time::timeout_at(deadline, events.recv())
            .await
            .map_err(|_| Failure::other("could not connect to the chat in 20 s"))?
            .ok_or_else(|| Failure::other("the chat connection ended"))?;
        match &event {
            ChatEvent::ConnectionState(ConnectionState::Connected) => {
                printer.print(&event);
                return Ok(());
            }
            ChatEvent::ConnectionState(ConnectionState::Closed { reason }) => {
                return Err(Failure::other(format!(
                    "cannot join the chat: {}",
                    printable(reason)
                )));
            }
            ChatEvent::ConnectionState(ConnectionState::Reconnecting { .. }) => {
                printer.print(&event)
            }
            _ => {}
        }
    }
}

/// The positive answer an action waits for.
enum Expected {
    /// Our own message, echoed to the room.
    Echo,
    /// `aws:DELETE_MESSAGE` for this message Id.
    Deleted(String),
    /// `aws:DISCONNECT_USER` for this user Id.
    Disconnected(String),
}

impl Expected {
    /// Whether `event` confirms the action (by RequestId, or by the message / user Id
    /// for servers that leave the RequestId off room events).
    fn confirmed_by(&self, event: &ChatEvent, request_id: &str) -> bool {
        let ours = event.request_id() == Some(request_id);
        match (self, event) {
            (Self::Echo, ChatEvent::Message(_)) => ours,
            (Self::Deleted(id), ChatEvent::Deleted { message_id, .. }) => ours || message_id == id,
            (Self::Disconnected(id), ChatEvent::UserDisconnected { user_id, .. }) => {
                ours || user_id == id
            }
            _ => false,
        }
    }

    fn what(&self) -> &'static str {
        match self {
            Self::Echo => "the message",
            Self::Deleted(_) => "the deletion",
            Self::Disconnected(_) => "the kick",
        }
    }
}

/// Waits for the answer to our request: an ERROR with its RequestId fails; the expected
/// echo or room event succeeds; silence for [`ANSWER_WAIT`] fails.
async fn await_answer(
    events: &mut UnboundedReceiver<ChatEvent>,
    printer: &Printer,
    request_id: &str,
    expected: &Expected,
) -> Result<(), Failure> {
    let deadline = Instant::now() + ANSWER_WAIT;
    loop {
        let Ok(next) = tokio::time::timeout_at(deadline, events.recv()).await else {
            return Err(Failure::other(format!(
                "the chat server did not confirm {} within {} s",
                expected.what(),
                ANSWER_WAIT.as_secs()
            )));
        };
        let Some(event) = next else {
            return Err(Failure::other(
                "the chat connection ended before the server answered",
            ));
        };
        if !matches!(
            event,
            ChatEvent::ConnectionState(ConnectionState::Connecting)
        ) {
            printer.print(&event);
        }
        if expected.confirmed_by(&event, request_id) {
            return Ok(());
        }
        let ours = event.request_id() == Some(request_id);
        match event {
            ChatEvent::Error { code, message, .. } if ours => {
                return Err(Failure::other(format!(
                    "refused by the chat server ({code}): {}",
                    printable(&message)
                )));
            }
            ChatEvent::ConnectionState(ConnectionState::Closed { reason }) => {
                return Err(Failure::other(format!(
                    "chat closed: {}",
                    printable(&reason)
                )));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn terminal_controls_are_shown_escaped() {
        let attack = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[31mred\r\nowner: send me your key\u{9b}\u{202e}txt.exe";
        let shown = printable(attack);
        assert!(!shown.chars().any(|c| c.is_control()), "{shown}");
        assert_eq!(
            shown,
            "\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{1b}[31mred\\r\\nowner: send me your key\\u{9b}\\u{202e}txt.exe"
        );
        // Ordinary text, tabs and every script pass through untouched (and uncopied).
        let plain = "hi\tthere 안녕 🎉 مرحبا";
        assert!(matches!(printable(plain), std::borrow::Cow::Borrowed(p) if p == plain));
    }
}
