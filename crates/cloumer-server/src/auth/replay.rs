//! Single-use SRP challenges. The challenge state travels in the signed SECRET_BLOCK
//! (see `srp.rs`), so without a record a captured PASSWORD_VERIFIER answer could be
//! replayed for new sessions until the block expires (issue 15, #13). Each block's nonce
//! is recorded when first answered, right or wrong, and kept until the block expires.

use std::collections::HashMap;
use std::sync::Mutex;

/// Challenges answered within one block lifetime that are remembered. Each needs a
/// fresh InitiateAuth, which the per-address throttle paces; when the table is full of
/// unexpired entries, answers are refused (fail closed) until some expire.
const CAPACITY: usize = 200_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spend {
    /// First answer to this challenge.
    Fresh,
    /// Answered before: a replay.
    Replayed,
    /// Too many live challenges remembered: try later.
    Full,
}

#[derive(Default)]
pub struct SpentChallenges {
    /// nonce → when its block expires (Unix seconds).
    spent: Mutex<HashMap<Vec<u8>, i64>>,
}

impl SpentChallenges {
    /// Marks the challenge `nonce` (valid until `expires_at`) as answered.
    pub fn spend(&self, nonce: &[u8], expires_at: i64, now: i64) -> Spend {
        self.spend_within(nonce, expires_at, now, CAPACITY)
    }

    fn spend_within(&self, nonce: &[u8], expires_at: i64, now: i64, capacity: usize) -> Spend {
        let mut spent = self.spent.lock().unwrap_or_else(|p| p.into_inner());
        if spent.contains_key(nonce) {
            return Spend::Replayed;
        }
        if spent.len() >= capacity {
            // Expired blocks are refused by their MAC check anyway: forget them.
            spent.retain(|_, exp| *exp >= now);
            if spent.len() >= capacity {
                return Spend::Full;
            }
        }
        spent.insert(nonce.to_vec(), expires_at);
        Spend::Fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_answer_is_a_replay() {
        let s = SpentChallenges::default();
        assert_eq!(s.spend(b"n1", 100, 0), Spend::Fresh);
        assert_eq!(s.spend(b"n1", 100, 50), Spend::Replayed);
        assert_eq!(s.spend(b"n2", 100, 50), Spend::Fresh);
    }

    #[test]
    fn full_table_forgets_expired_and_fails_closed_otherwise() {
        let s = SpentChallenges::default();
        assert_eq!(s.spend_within(b"a", 10, 0, 2), Spend::Fresh);
        assert_eq!(s.spend_within(b"b", 100, 0, 2), Spend::Fresh);
        assert_eq!(s.spend_within(b"c", 100, 5, 2), Spend::Full);
        // At 11, "a" has expired: room again; "b" is still remembered.
        assert_eq!(s.spend_within(b"c", 100, 11, 2), Spend::Fresh);
        assert_eq!(s.spend_within(b"b", 100, 11, 2), Spend::Replayed);
    }
}
