//! What a live publish tells about itself: when it started and when media last arrived,
//! which GetStream's `startTime` and `health` report. An atomic, not a lock: every media
//! message of the publish touches it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// No media for this long and the stream is `STARVING`: an encoder sends a frame every
/// 17-67 ms, so a 2 s gap is a stall (a frozen capture or a choked uplink), not jitter.
pub const STARVING_AFTER: Duration = Duration::from_secs(2);

pub struct Activity {
    started: SystemTime,
    started_at: Instant,
    /// Milliseconds after `started_at` of the last media message.
    last_media_ms: AtomicU64,
}

impl Default for Activity {
    fn default() -> Self {
        Self {
            started: SystemTime::now(),
            started_at: Instant::now(),
            last_media_ms: AtomicU64::new(0),
        }
    }
}

impl Activity {
    /// A media message arrived.
    pub fn media(&self) {
        let ms = self.started_at.elapsed().as_millis() as u64;
        self.last_media_ms.store(ms, Ordering::Relaxed);
    }

    /// `HEALTHY` while media flows, `STARVING` after [`STARVING_AFTER`] without any.
    pub fn health(&self) -> &'static str {
        let last = Duration::from_millis(self.last_media_ms.load(Ordering::Relaxed));
        if self.started_at.elapsed().saturating_sub(last) > STARVING_AFTER {
            "STARVING"
        } else {
            "HEALTHY"
        }
    }

    /// When the publish began, in Unix milliseconds.
    pub fn started_unix_ms(&self) -> i64 {
        self.started
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn healthy_while_media_flows() {
        let a = Activity::default();
        a.media();
        assert_eq!(a.health(), "HEALTHY");
        assert!(a.started_unix_ms() > 1_700_000_000_000);
    }
}
