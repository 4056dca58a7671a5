//! Keyed rate limits (governor's GCRA) with bounded memory: the per-address throttle on
//! the unauthenticated Cognito operations and the per-account limit on sending codes.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use governor::{DefaultKeyedRateLimiter, Quota};

/// Checks between two sweeps of idle keys.
const SWEEP_EVERY: u64 = 1024;

pub struct Throttle<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
    checks: AtomicU64,
}

impl<K: Hash + Eq + Clone> Throttle<K> {
    /// `burst` requests at once, then `per_minute` a minute.
    pub fn new(burst: NonZeroU32, per_minute: NonZeroU32) -> Self {
        let quota = Quota::per_minute(per_minute).allow_burst(burst);
        Self {
            limiter: DefaultKeyedRateLimiter::keyed(quota),
            checks: AtomicU64::new(0),
        }
    }

    /// Whether `key` may go on now (and counts it). Every [`SWEEP_EVERY`] checks, keys
    /// whose allowance is full again are dropped: the map holds only keys seen recently,
    /// at most that many more than are being throttled.
    pub fn allow(&self, key: &K) -> bool {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        self.limiter.check_key(key).is_ok()
    }

    /// Keys held (for the memory tests).
    pub fn len(&self) -> usize {
        self.limiter.len()
    }

    pub fn is_empty(&self) -> bool {
        self.limiter.is_empty()
    }
}

/// The key of a client address: IPv4 as is, IPv6 by its /64 (one host usually owns a
/// whole /64, so keying by the full address would let it rotate past the limit).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nz(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).unwrap()
    }

    #[test]
    fn burst_then_refused_per_key() {
        let t = Throttle::new(nz(3), nz(1));
        assert!((0..3).all(|_| t.allow(&"a")));
        assert!(!t.allow(&"a"));
        assert!(t.allow(&"b"), "keys are independent");
    }

    #[test]
    fn idle_keys_are_swept() {
        let t = Throttle::new(nz(1000), nz(60_000));
        for i in 0..(3 * SWEEP_EVERY) {
            t.allow(&i);
        }
        assert!(t.len() < 2 * SWEEP_EVERY as usize, "{} keys held", t.len());
    }

    #[test]
    fn ipv6_hosts_share_their_slash_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(c));
        let mapped: IpAddr = "::ffff:127.0.0.1".parse().unwrap();
        assert_eq!(client_key(mapped), "127.0.0.1".parse::<IpAddr>().unwrap());
    }
}
