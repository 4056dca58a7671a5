//! Delays between reconnection attempts: backon's exponential back-off with jitter and a cap,
//! the retry policy the REST client and the chat reconnect use too, with ivssink's own
//! parameters: x1.5 per attempt (what OBS uses) from `reconnect-delay-initial-ms`, capped
//! at `reconnect-delay-max-ms`, at most `max-reconnect-attempts`, reset by a good connection.
//!
//! The supervisor takes the delays one by one from backon's iterator instead of running
//! backon's blocking `retry()`: its wait between attempts must end early (`reconnect-now`,
//! a state change, EOS) and keeps posting stats, which a sleeping `retry()` cannot do.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};

/// Growth factor between attempts.
const GROWTH: f32 = 1.5;

pub(crate) struct Backoff {
    policy: ExponentialBuilder,
    delays: ExponentialBackoff,
    max: Duration,
}

impl Backoff {
    /// `max_attempts` 0 = unlimited.
    pub(crate) fn new(initial: Duration, max: Duration, max_attempts: u32) -> Self {
        let policy = ExponentialBuilder::new()
            .with_factor(GROWTH)
            .with_min_delay(initial.min(max))
            .with_max_delay(max)
            // Many streams cut off by the same outage must not come back in lockstep.
            .with_jitter();
        let policy = match max_attempts {
            0 => policy.without_max_times(),
            n => policy.with_max_times(n as usize),
        };
        Backoff {
            policy,
            delays: policy.build(),
            max,
        }
    }

    /// The wait before the next attempt; `None` once the attempts are used up.
    ///
    /// backon's jitter adds up to one more delay on top; capping the sum keeps the promise
    /// of `reconnect-delay-max-ms` (how soon a stream is back after the ingest is). Streams
    /// at the cap still do not retry in lockstep: the jittered delays before it spread them.
    pub(crate) fn next_delay(&mut self) -> Option<Duration> {
        self.delays.next().map(|delay| delay.min(self.max))
    }

    /// After a good connection the next drop starts again from the initial delay.
    pub(crate) fn reset(&mut self) {
        self.delays = self.policy.build();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S1: Duration = Duration::from_secs(1);
    const S30: Duration = Duration::from_secs(30);

    #[test]
    fn grows_from_the_initial_delay_with_jitter_up_to_the_cap() {
        let mut backoff = Backoff::new(S1, S30, 0);
        let delays: Vec<Duration> = (0..20).map_while(|_| backoff.next_delay()).collect();
        assert_eq!(delays.len(), 20, "unlimited attempts");
        assert!((S1..S1 * 2).contains(&delays[0]), "{delays:?}");
        assert!(delays[3] >= Duration::from_secs_f64(3.375), "{delays:?}");
        assert!(delays.iter().all(|d| *d <= S30), "{delays:?}");
        assert_eq!(delays[19], S30, "{delays:?}");
        assert!(Backoff::new(Duration::from_secs(5), S1, 0).next_delay() == Some(S1));
    }

    #[test]
    fn stops_after_the_attempts_and_starts_over_after_a_reset() {
        let mut backoff = Backoff::new(S1, S30, 2);
        assert!(backoff.next_delay().is_some());
        assert!(backoff.next_delay().is_some());
        assert_eq!(backoff.next_delay(), None);
        backoff.reset();
        assert!((S1..S1 * 2).contains(&backoff.next_delay().expect("a delay after a reset")));
    }
}
