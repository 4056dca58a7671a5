//! Caps on open connections: one for the listener and one per client address.
//!
//! IPv6 clients are counted per /64, the block one subscriber usually gets, as rate limiters
//! and firewalls do; otherwise one host could take any number of "addresses".

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

/// Counts connections; a [`ConnPermit`] is one of them until dropped.
#[derive(Debug)]
pub(crate) struct ConnLimiter {
    total_cap: usize,
    per_address_cap: usize,
    counts: Mutex<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// Why a connection was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    Total,
    PerAddress,
}

impl Refusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::Total => "connection cap reached",
            Refusal::PerAddress => "per-address connection cap reached",
        }
    }
}

/// One admitted connection; dropping it frees its place.
#[derive(Debug)]
pub(crate) struct ConnPermit {
    limiter: Arc<ConnLimiter>,
    address: IpAddr,
}

impl ConnLimiter {
    pub fn new(total_cap: usize, per_address_cap: usize) -> Arc<Self> {
        Arc::new(Self {
            total_cap,
            per_address_cap,
            counts: Mutex::default(),
        })
    }

    pub fn try_acquire(self: &Arc<Self>, peer: IpAddr) -> Result<ConnPermit, Refusal> {
        let address = group(peer);
        // The counts stay consistent under a panic elsewhere: no code panics while holding it.
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        if counts.total >= self.total_cap {
            return Err(Refusal::Total);
        }
        let mine = counts.by_address.entry(address).or_default();
        if *mine >= self.per_address_cap {
            return Err(Refusal::PerAddress);
        }
        *mine += 1;
        counts.total += 1;
        Ok(ConnPermit {
            limiter: self.clone(),
            address,
        })
    }

    /// Connections admitted and not yet dropped.
    #[cfg(test)]
    pub fn open(&self) -> usize {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .total
    }
}

impl Drop for ConnPermit {
    fn drop(&mut self) {
        let mut counts = self
            .limiter
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        counts.total = counts.total.saturating_sub(1);
        if let Some(n) = counts.by_address.get_mut(&self.address) {
            *n -= 1;
            if *n == 0 {
                counts.by_address.remove(&self.address);
            }
        }
    }
}

/// The key a peer is counted under: its IPv4 address, or its IPv6 /64.
fn group(peer: IpAddr) -> IpAddr {
    match peer {
        IpAddr::V4(_) => peer,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(segments.into())
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("address")
    }

    #[test]
    fn caps_per_address_and_in_total_and_frees_on_drop() {
        let limiter = ConnLimiter::new(3, 2);
        let a1 = limiter.try_acquire(ip("127.0.0.2")).expect("first");
        let _a2 = limiter.try_acquire(ip("127.0.0.2")).expect("second");
        assert_eq!(
            limiter.try_acquire(ip("127.0.0.2")).err(),
            Some(Refusal::PerAddress)
        );
        let _b = limiter.try_acquire(ip("127.0.0.3")).expect("other address");
        assert_eq!(
            limiter.try_acquire(ip("127.0.0.4")).err(),
            Some(Refusal::Total)
        );
        drop(a1);
        assert_eq!(limiter.open(), 2);
        limiter.try_acquire(ip("127.0.0.2")).expect("freed");
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        let limiter = ConnLimiter::new(10, 1);
        let _a = limiter.try_acquire(ip("2001:db8:1:2::1")).expect("first");
        assert!(limiter.try_acquire(ip("2001:db8:1:2:ffff::9")).is_err());
        assert!(limiter.try_acquire(ip("2001:db8:1:3::1")).is_ok());
        let _v4 = limiter.try_acquire(ip("10.0.0.1")).expect("v4");
        assert!(limiter.try_acquire(ip("::ffff:10.0.0.1")).is_err());
    }
}
