//! Rooms: one tokio broadcast channel each, carrying frames serialized once, so fan-out
//! to a thousand sockets is a clone of a reference-counted buffer per socket.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::broadcast;

use super::limits::{ChatLimits, SendLimiter, Throttled};

/// Frames a slow socket may fall behind before it skips ahead (and logs it).
const ROOM_BACKLOG: usize = 1024;

/// What a room sends to its sockets.
#[derive(Debug, Clone)]
pub(crate) enum RoomSignal {
    /// A serialized `ServerFrame`, written as is.
    Frame(Utf8Bytes),
    /// Every socket of this user closes (after the frames queued before it).
    Disconnect { user_id: Arc<str> },
}

pub(crate) struct Room {
    tx: broadcast::Sender<RoomSignal>,
    limiter: SendLimiter,
}

impl Room {
    fn new(limits: &ChatLimits) -> Self {
        let (tx, _) = broadcast::channel(ROOM_BACKLOG);
        Self {
            tx,
            limiter: SendLimiter::new(limits),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<RoomSignal> {
        self.tx.subscribe()
    }

    pub fn publish(&self, signal: RoomSignal) {
        // No receiver is fine: nobody is connected.
        let _ = self.tx.send(signal);
    }

    /// Takes one message from `sender`'s share and from the room's rate.
    pub fn try_send(&self, sender: &Arc<str>) -> Result<(), Throttled> {
        self.limiter.try_send(sender)
    }
}

/// All rooms, created on first use.
pub(crate) struct Rooms {
    rooms: Mutex<HashMap<String, Arc<Room>>>,
    limits: ChatLimits,
}

impl Rooms {
    pub fn new(limits: ChatLimits) -> Self {
        Self {
            rooms: Mutex::default(),
            limits,
        }
    }

    pub fn get(&self, name: &str) -> Arc<Room> {
        let mut rooms = match self.rooms.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        // Drop rooms nobody listens to any more, so the map does not grow forever.
        if rooms.len() > 256 {
            rooms.retain(|_, room| room.tx.receiver_count() > 0);
        }
        rooms
            .entry(name.to_owned())
            .or_insert_with(|| Arc::new(Room::new(&self.limits)))
            .clone()
    }
}
