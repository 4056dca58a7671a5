//! Delay before each reconnection attempt: first retry fast, then x1.5 with jitter, capped.

use std::time::Duration;

/// Growth factor between attempts (what OBS uses).
const GROWTH: f64 = 1.5;
/// +-15% so that many clients cut off together do not come back in lockstep.
const JITTER: f64 = 0.15;

/// Delay before retry number `attempt` (1-based). The first retry waits exactly `initial`
/// (capped at `max`) so that it lands quickly once the ingest is back.
pub(crate) fn delay(attempt: u32, initial: Duration, max: Duration, jitter01: f64) -> Duration {
    let initial = initial.min(max);
    if attempt <= 1 {
        return initial;
    }
    let exp = i32::try_from(attempt - 1).unwrap_or(i32::MAX).min(64);
    let base = initial.as_secs_f64() * GROWTH.powi(exp);
    let jittered = base * (1.0 + JITTER * (2.0 * jitter01.clamp(0.0, 1.0) - 1.0));
    Duration::from_secs_f64(jittered.min(max.as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const S1: Duration = Duration::from_secs(1);
    const S30: Duration = Duration::from_secs(30);

    #[test]
    fn first_retry_is_the_initial_delay() {
        assert_eq!(delay(1, S1, S30, 0.0), S1);
        assert_eq!(delay(1, S1, S30, 1.0), S1);
        assert_eq!(delay(1, Duration::from_secs(5), S1, 0.5), S1, "capped");
    }

    #[test]
    fn grows_by_one_and_a_half_with_jitter_and_cap() {
        assert_eq!(delay(2, S1, S30, 0.5), Duration::from_millis(1500));
        assert_eq!(delay(3, S1, S30, 0.5), Duration::from_millis(2250));
        let low = delay(3, S1, S30, 0.0).as_secs_f64();
        let high = delay(3, S1, S30, 1.0).as_secs_f64();
        assert!((low - 2.25 * 0.85).abs() < 1e-6 && (high - 2.25 * 1.15).abs() < 1e-6);
        assert_eq!(delay(20, S1, S30, 1.0), S30);
        assert_eq!(delay(u32::MAX, S1, S30, 0.5), S30);
    }
}
