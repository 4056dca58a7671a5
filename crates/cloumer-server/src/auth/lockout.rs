//! Per-account sign-in lockout, Cognito's schedule: the first [`FREE_FAILURES`] wrong
//! passwords cost nothing more, then each failure locks the account for a time that
//! doubles from 1 s up to [`MAX_LOCKOUT`] (about 15 min); attempts while locked are
//! refused unchecked and not counted; 15 min without a failure forgets the count.
//!
//! Keyed by the user name as sent, known or not, so that a lockout tells nothing about
//! whether the account exists. In memory: a restart forgets lockouts, as it would forget
//! any short-lived throttle.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures before the first lockout.
pub const FREE_FAILURES: u32 = 5;
/// The longest lockout, and the quiet time after which failures are forgotten.
pub const MAX_LOCKOUT: Duration = Duration::from_secs(15 * 60);
/// Accounts tracked at once. Filling this takes that many failed sign-ins within 15 min,
/// which the per-address throttle makes slow for one client; when it is full of recent
/// failures, new names go untracked rather than evicting an account under attack.
const CAPACITY: usize = 100_000;

/// How long an account is locked after its `failures`-th consecutive failure.
pub fn lockout_after(failures: u32) -> Duration {
    match failures.checked_sub(FREE_FAILURES) {
        None => Duration::ZERO,
        // 1 s, 2 s, 4 s, ... capped (shifts past 10 are above the cap anyway).
        Some(extra) => Duration::from_secs(1 << extra.min(10)).min(MAX_LOCKOUT),
    }
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    locked_until: Instant,
}

#[derive(Default)]
pub struct Lockouts {
    accounts: Mutex<HashMap<String, Failures>>,
}

impl Lockouts {
    fn accounts(&self) -> std::sync::MutexGuard<'_, HashMap<String, Failures>> {
        // The map holds plain counters: a panic elsewhere cannot leave it inconsistent.
        self.accounts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether sign-in for `user` is refused right now (until when).
    pub fn locked(&self, user: &str, now: Instant) -> bool {
        self.accounts()
            .get(user)
            .is_some_and(|f| f.locked_until > now)
    }

    /// Counts a failed sign-in (ignored while the account is locked).
    pub fn failed(&self, user: &str, now: Instant) {
        let mut accounts = self.accounts();
        if !accounts.contains_key(user) && accounts.len() >= CAPACITY {
            accounts.retain(|_, f| now.duration_since(f.last) < MAX_LOCKOUT);
            if accounts.len() >= CAPACITY {
                return;
            }
        }
        let f = accounts.entry(user.to_owned()).or_insert(Failures {
            count: 0,
            last: now,
            locked_until: now,
        });
        if f.locked_until > now {
            return;
        }
        if now.duration_since(f.last) >= MAX_LOCKOUT {
            f.count = 0;
        }
        f.count += 1;
        f.last = now;
        f.locked_until = now + lockout_after(f.count);
    }

    /// A successful sign-in clears the count.
    pub fn succeeded(&self, user: &str) {
        self.accounts().remove(user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_is_free_then_doubles_up_to_fifteen_minutes() {
        let s = |n| lockout_after(n).as_secs();
        assert_eq!((s(0), s(1), s(4)), (0, 0, 0));
        assert_eq!((s(5), s(6), s(7), s(14)), (1, 2, 4, 512));
        assert_eq!((s(15), s(16), s(1000)), (900, 900, 900));
    }

    #[test]
    fn five_failures_lock_and_attempts_while_locked_do_not_count() {
        let l = Lockouts::default();
        let t0 = Instant::now();
        for _ in 0..4 {
            l.failed("a", t0);
        }
        assert!(!l.locked("a", t0));
        l.failed("a", t0);
        assert!(l.locked("a", t0));
        assert!(!l.locked("b", t0), "other accounts are not affected");
        // Hammering while locked neither counts nor extends the lockout.
        for _ in 0..100 {
            l.failed("a", t0 + Duration::from_millis(500));
        }
        let after = t0 + Duration::from_secs(1);
        assert!(!l.locked("a", after));
        l.failed("a", after);
        assert!(l.locked("a", after + Duration::from_millis(1999)));
        assert!(!l.locked("a", after + Duration::from_secs(2)));
    }

    #[test]
    fn success_or_a_quiet_quarter_hour_forgets_failures() {
        let l = Lockouts::default();
        let t0 = Instant::now();
        for _ in 0..4 {
            l.failed("a", t0);
        }
        l.succeeded("a");
        l.failed("a", t0);
        assert!(!l.locked("a", t0));
        for _ in 0..3 {
            l.failed("a", t0);
        }
        let later = t0 + MAX_LOCKOUT;
        l.failed("a", later);
        assert!(!l.locked("a", later), "the count restarted");
    }
}
