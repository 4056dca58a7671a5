//! The one retry policy of this crate (and of the engine's ingest reconnect, which uses the
//! same crate): exponential delays, doubling from a first delay up to a cap, with jitter so
//! that many clients dropped at once (a server restart) do not come back in lock step.
//! Callers pick the first delay, the cap and how many tries; a caller that reconnects
//! builds a fresh schedule after each success, which resets the delay.

use std::time::Duration;

use backon::ExponentialBuilder;

/// Delays `first`, `2 × first`, ... capped at `cap`; backon's jitter adds up to the delay
/// again. Unlimited until the caller sets `with_max_times`.
pub(crate) fn exponential(first: Duration, cap: Duration) -> ExponentialBuilder {
    ExponentialBuilder::default()
        .with_min_delay(first)
        .with_max_delay(cap)
        .with_factor(2.0)
        .with_jitter()
        .without_max_times()
}
