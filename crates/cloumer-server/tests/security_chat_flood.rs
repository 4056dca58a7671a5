//! Issue 15, finding 9 (first half): a flooder cannot take a room's whole message rate.
//! With IVS's default 10 messages/s room, one user floods as fast as it can over three
//! connections while the channel owner chats at a normal pace: every one of the owner's
//! 20 messages gets through, and the flooder gets no more than its share (half the room).

mod chat_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use chat_support::{Chat, Ws, expect_frame, send, send_message};
use cloumer_protocol::chat::{Capability, ServerFrame};
use futures::{SinkExt, StreamExt};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

/// Frames a flooding connection sends at most: bounds the attack's size.
const FLOOD_FRAMES_PER_CONNECTION: u64 = 200_000;
const OWNER_MESSAGES: usize = 20;
/// A brisk human pace: one message every 300 ms.
const OWNER_PACE: Duration = Duration::from_millis(300);

#[derive(Default)]
struct FloodCount {
    sent: AtomicU64,
    delivered: AtomicU64,
    refused: AtomicU64,
}

/// One flooding connection (number `n`): sends as fast as the socket takes frames until
/// `stop`, and counts the answers to its own frames (the room's echo, or a 429); every
/// connection of the room hears each echo, so only those with its RequestIds count.
fn flood(n: usize, ws: Ws, stop: Arc<AtomicBool>, count: Arc<FloodCount>) -> [JoinHandle<()>; 2] {
    let (mut sink, mut stream) = ws.split();
    let counts = count.clone();
    let prefix = format!("flood{n}-");
    let ours = move |id: &Option<String>| id.as_deref().is_some_and(|id| id.starts_with(&prefix));
    let reader = tokio::spawn(async move {
        while let Some(Ok(message)) = stream.next().await {
            let Message::Text(text) = message else {
                continue;
            };
            match serde_json::from_str(&text) {
                Ok(ServerFrame::Message(m)) if ours(&m.request_id) => {
                    counts.delivered.fetch_add(1, Ordering::Relaxed);
                }
                Ok(ServerFrame::Error(e)) if e.error_code == 429 => {
                    counts.refused.fetch_add(1, Ordering::Relaxed);
                }
                _ => {}
            }
        }
    });
    let writer = tokio::spawn(async move {
        for i in 0..FLOOD_FRAMES_PER_CONNECTION {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let frame = send_message(&format!("flood{n}-{i}"), "BUY CHEAP FOLLOWERS");
            let text = serde_json::to_string(&frame).unwrap_or_default();
            if sink.send(Message::text(text)).await.is_err() {
                break;
            }
            count.sent.fetch_add(1, Ordering::Relaxed);
        }
    });
    [reader, writer]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_flooder_cannot_starve_the_owner() -> Result<()> {
    let dir = tempfile::tempdir()?;
    // IVS's default room: 10 messages a second for everyone together.
    let chat = Chat::start(dir.path()).await?;
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(FloodCount::default());
    let mut tasks = Vec::new();
    for n in 0..3 {
        let ws = chat
            .connect("owner", "flooder", &[Capability::SendMessage])
            .await;
        tasks.extend(flood(n, ws, stop.clone(), count.clone()));
    }
    let mut owner = chat
        .connect(
            "owner",
            "owner",
            &[
                Capability::SendMessage,
                Capability::DeleteMessage,
                Capability::DisconnectUser,
            ],
        )
        .await;
    // The flood is on before the owner speaks.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = Instant::now();
    let (mut delivered, mut refused) = (0, Vec::new());
    let mut tick = tokio::time::interval(OWNER_PACE);
    for i in 0..OWNER_MESSAGES {
        tick.tick().await;
        let request_id = format!("owner-{i}");
        send(
            &mut owner,
            &send_message(&request_id, &format!("hello {i}")),
        )
        .await?;
        // Skip the flood's messages until the answer to this one.
        loop {
            match expect_frame(&mut owner).await? {
                ServerFrame::Message(m) if m.request_id.as_deref() == Some(&request_id) => {
                    delivered += 1;
                    break;
                }
                ServerFrame::Message(_) => {}
                ServerFrame::Error(e) if e.request_id.as_deref() == Some(&request_id) => {
                    refused.push(e.error_message);
                    break;
                }
                other => bail!("unexpected {other:?}"),
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64() + 0.5;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.abort();
    }
    let (sent, flood_delivered, flood_refused) = (
        count.sent.load(Ordering::Relaxed),
        count.delivered.load(Ordering::Relaxed),
        count.refused.load(Ordering::Relaxed),
    );
    println!(
        "owner: {delivered}/{OWNER_MESSAGES} delivered; flooder over {elapsed:.1} s on 3 \
         connections: {sent} sent, {flood_delivered} delivered ({:.1}/s), {flood_refused} refused",
        flood_delivered as f64 / elapsed
    );
    assert!(refused.is_empty(), "the owner was refused: {refused:?}");
    assert_eq!(delivered, OWNER_MESSAGES);
    assert!(sent > 1000, "the flood was no flood ({sent} frames)");
    // Half the room (5/s, in bursts of 5) across all the flooder's connections.
    let share = 5.0 * elapsed + 5.0 + 2.0;
    assert!(
        (flood_delivered as f64) <= share,
        "the flooder got {flood_delivered} messages through (share {share:.0})"
    );
    Ok(())
}
