//! The auth defences of one server, in one place for the handlers (`AppState::auth_guard`).

use std::net::IpAddr;
use std::num::NonZeroU32;

use super::lockout::Lockouts;
use super::replay::SpentChallenges;
use super::throttle::Throttle;
use super::work::CpuPool;

/// Operations that send a code to an account, limited per account (and per kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeSend {
    Resend,
    Forgot,
    VerifyAttribute,
}

const fn nz(n: u32) -> NonZeroU32 {
    match NonZeroU32::new(n) {
        Some(n) => n,
        None => panic!("zero quota"),
    }
}

/// Unauthenticated Cognito calls one client address may make: a burst of 300, then 30 a
/// second. Generous enough for the test suites' rapid sign-ups from 127.0.0.1 (each its
/// own server); what stops guessing is the per-code and per-account limits, this only
/// keeps one client from monopolising the endpoint.
const ADDRESS_BURST: NonZeroU32 = nz(300);
const ADDRESS_PER_MINUTE: NonZeroU32 = nz(30 * 60);
/// Codes sent to one account by one operation: 5 at once, then one a minute.
const CODE_SEND_BURST: NonZeroU32 = nz(5);
const CODE_SEND_PER_MINUTE: NonZeroU32 = nz(1);

pub struct AuthGuard {
    pub addresses: Throttle<IpAddr>,
    pub code_sends: Throttle<(CodeSend, String)>,
    pub lockouts: Lockouts,
    pub challenges: SpentChallenges,
    pub work: CpuPool,
}

impl Default for AuthGuard {
    fn default() -> Self {
        Self {
            addresses: Throttle::new(ADDRESS_BURST, ADDRESS_PER_MINUTE),
            code_sends: Throttle::new(CODE_SEND_BURST, CODE_SEND_PER_MINUTE),
            lockouts: Lockouts::default(),
            challenges: SpentChallenges::default(),
            work: CpuPool::default(),
        }
    }
}
