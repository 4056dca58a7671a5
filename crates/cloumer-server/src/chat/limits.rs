//! The chat's rate limits: a room's messages a second (IVS's `maximumMessageRatePerSecond`,
//! for all its senders together) and each sender's share of it, so one flooder cannot
//! take the whole room. Both are GCRA limiters from `governor`.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use cloumer_protocol::chat::MAX_MESSAGES_PER_SECOND;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};

/// How long a kick (DisconnectUser) keeps the user out of the room by default.
pub const DEFAULT_KICK_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// Sender checks between two sweeps of idle senders out of a room's keyed limiter. A
/// sender is forgotten once its limiter is back to full (after about a second of quiet),
/// so the map holds at most the senders of the last second plus this many.
const SWEEP_EVERY: u32 = 1024;

/// The chat's limits (see [`crate::chat::ChatService::open_with_limits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatLimits {
    /// Messages a second a room accepts from all its senders, in bursts of as many.
    pub room_per_second: u32,
    /// Messages a second one sender (a token's user id, all its connections together)
    /// may send in one room, in bursts of as many. Below the room's rate, so a flooder
    /// always leaves room for everyone else.
    pub sender_per_second: u32,
    /// How long DisconnectUser keeps a user (who is not a moderator) out of the room.
    pub kick_timeout: Duration,
}

impl ChatLimits {
    /// A room accepting `room_per_second` messages a second; each sender gets half of it
    /// (rounded up): far above anyone typing, and a flooder leaves the other half free.
    pub fn for_room_rate(room_per_second: u32) -> Self {
        let room_per_second = room_per_second.max(1);
        Self {
            room_per_second,
            sender_per_second: room_per_second.div_ceil(2),
            kick_timeout: DEFAULT_KICK_TIMEOUT,
        }
    }
}

impl Default for ChatLimits {
    /// IVS's default room rate, 10 messages a second; 5 for each sender.
    fn default() -> Self {
        Self::for_room_rate(MAX_MESSAGES_PER_SECOND)
    }
}

/// Why a message was not let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Throttled {
    /// This sender used its share of the room.
    Sender,
    /// The room as a whole is at its rate.
    Room,
}

/// One room's limiters.
pub(crate) struct SendLimiter {
    room: DefaultDirectRateLimiter,
    senders: DefaultKeyedRateLimiter<Arc<str>>,
    checks: AtomicU32,
}

impl SendLimiter {
    pub fn new(limits: &ChatLimits) -> Self {
        Self {
            room: RateLimiter::direct(per_second(limits.room_per_second)),
            senders: RateLimiter::keyed(per_second(limits.sender_per_second)),
            checks: AtomicU32::new(0),
        }
    }

    /// Takes one message from `sender`'s share, then from the room's budget. The sender
    /// is asked first so that a flooder's refused messages cost the room nothing.
    pub fn try_send(&self, sender: &Arc<str>) -> Result<(), Throttled> {
        if self
            .checks
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(SWEEP_EVERY)
        {
            self.senders.retain_recent();
        }
        self.senders
            .check_key(sender)
            .map_err(|_| Throttled::Sender)?;
        self.room.check().map_err(|_| Throttled::Room)
    }
}

fn per_second(rate: u32) -> Quota {
    Quota::per_second(NonZeroU32::new(rate).unwrap_or(NonZeroU32::MIN))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sender_gets_half_the_room_and_the_room_caps_everyone() {
        let limiter = SendLimiter::new(&ChatLimits::default());
        let (flooder, owner, third): (Arc<str>, Arc<str>, Arc<str>) =
            ("flooder".into(), "owner".into(), "third".into());
        let passed = (0..50)
            .filter(|_| limiter.try_send(&flooder).is_ok())
            .count();
        assert_eq!(passed, 5);
        assert_eq!(limiter.try_send(&flooder), Err(Throttled::Sender));
        assert!((0..5).all(|_| limiter.try_send(&owner).is_ok()));
        assert_eq!(limiter.try_send(&third), Err(Throttled::Room));
    }

    #[test]
    fn shares_round_up_and_never_reach_zero() {
        assert_eq!(ChatLimits::for_room_rate(1).sender_per_second, 1);
        assert_eq!(ChatLimits::for_room_rate(0).room_per_second, 1);
        assert_eq!(ChatLimits::for_room_rate(1000).sender_per_second, 500);
    }
}
