//! `cloumer chat CHANNEL`: listen, send, delete a message, or kick a user.
//!
//! `--delete` and `--kick` wait for the server's answer: IVS Chat answers a refused action
//! with an ERROR frame within about two seconds and says nothing on success (except the
//! room event), so no error within the wait counts as success.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use cloumer_api::chat::{AccountTokens, ChatClient, ChatEvent, ChatOptions, ConnectionState};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Instant;

use crate::commands::account::{failure, open_account};
use crate::failure::Failure;

/// How long to wait for a refusal of --delete / --kick / --send.
const ANSWER_WAIT: Duration = Duration::from_millis(2500);
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
}

struct Printer {
    json: bool,
}

impl Printer {
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
                println!("[{}] {who}: {}  (id {})", m.send_time, m.content, m.id);
            }
            ChatEvent::Deleted { message_id, .. } => println!("* message {message_id} deleted"),
            ChatEvent::UserDisconnected { user_id, .. } => {
                println!("* user {user_id} disconnected")
            }
            ChatEvent::Event(e) => println!("* event {}", e.event_name),
            ChatEvent::Error { code, message, .. } => eprintln!("chat error {code}: {message}"),
            ChatEvent::ConnectionState(s) => match s {
                ConnectionState::Connecting => {}
                ConnectionState::Connected => eprintln!("connected"),
                ConnectionState::Reconnecting {
                    retry_in_ms,
                    reason,
                    ..
                } => {
                    eprintln!("connection lost ({reason}); reconnecting in {retry_in_ms} ms")
                }
                ConnectionState::Closed { reason } => eprintln!("chat closed: {reason}"),
            },
        }
    }
}

pub async fn run(args: ChatArgs, backend: Option<PathBuf>) -> Result<(), Failure> {
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
        Some(client.send(text).map_err(failure)?)
    } else if let Some(id) = &args.delete {
        Some(client.delete(id, None).map_err(failure)?)
    } else if let Some(user) = &args.kick {
        Some(client.disconnect_user(user, None).map_err(failure)?)
    } else {
        None
    };

    if let Some(request_id) = request {
        await_answer(&mut events, &printer, &request_id).await?;
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
            return Err(Failure::other(format!("chat closed: {reason}")));
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
                return Err(Failure::other(format!("cannot join the chat: {reason}")));
            }
            ChatEvent::ConnectionState(ConnectionState::Reconnecting { .. }) => {
                printer.print(&event)
            }
            _ => {}
        }
    }
}

/// Waits for the answer to our request: an ERROR with its RequestId fails; our own
/// message or the room event succeeds at once; silence for 2.5 s counts as success.
async fn await_answer(
    events: &mut UnboundedReceiver<ChatEvent>,
    printer: &Printer,
    request_id: &str,
) -> Result<(), Failure> {
    let deadline = Instant::now() + ANSWER_WAIT;
    loop {
        let Ok(next) = tokio::time::timeout_at(deadline, events.recv()).await else {
            return Ok(());
        };
        let Some(event) = next else {
            return Err(Failure::other(
                "the chat connection ended before the server answered",
            ));
        };
        let ours = event.request_id() == Some(request_id);
        if !matches!(
            event,
            ChatEvent::ConnectionState(ConnectionState::Connecting)
        ) {
            printer.print(&event);
        }
        match event {
            ChatEvent::Error { code, message, .. } if ours => {
                return Err(Failure::other(format!(
                    "refused by the chat server ({code}): {message}"
                )));
            }
            _ if ours => return Ok(()),
            ChatEvent::ConnectionState(ConnectionState::Closed { reason }) => {
                return Err(Failure::other(format!("chat closed: {reason}")));
            }
            _ => {}
        }
    }
}
