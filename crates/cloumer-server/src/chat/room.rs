//! Rooms: one tokio broadcast channel each, carrying frames serialized once, so fan-out
//! to a thousand sockets is a clone of a reference-counted buffer per socket.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::broadcast;

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
    /// Send times of the messages accepted in the last second (room-wide limit).
    recent_sends: Mutex<VecDeque<Instant>>,
    per_second: usize,
}

impl Room {
    fn new(per_second: u32) -> Self {
        let (tx, _) = broadcast::channel(ROOM_BACKLOG);
        Self {
            tx,
            recent_sends: Mutex::new(VecDeque::new()),
            per_second: per_second as usize,
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<RoomSignal> {
        self.tx.subscribe()
    }

    pub fn publish(&self, signal: RoomSignal) {
        // No receiver is fine: nobody is connected.
        let _ = self.tx.send(signal);
    }

    /// Takes one slot of the room's per-second message budget; `false` when it is spent.
    pub fn try_take_send_slot(&self) -> bool {
        let now = Instant::now();
        let Ok(mut sends) = self.recent_sends.lock() else {
            return false;
        };
        while sends
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            sends.pop_front();
        }
        if sends.len() >= self.per_second {
            return false;
        }
        sends.push_back(now);
        true
    }
}

/// All rooms, created on first use.
pub(crate) struct Rooms {
    rooms: Mutex<HashMap<String, Arc<Room>>>,
    /// Messages a second each room accepts.
    per_second: u32,
}

impl Rooms {
    pub fn new(per_second: u32) -> Self {
        Self {
            rooms: Mutex::default(),
            per_second,
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
            .or_insert_with(|| Arc::new(Room::new(self.per_second)))
            .clone()
    }
}
