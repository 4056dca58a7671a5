//! Identity: signing keys and JWTs, password hashing, SRP, the outbox (a file, or mail),
//! and the defences against guessing and flooding (codes, lockout, throttles, replay,
//! the CPU pool).

pub mod codes;
pub mod guard;
pub mod jwt;
pub mod lockout;
pub mod mail;
pub mod outbox;
pub mod password;
pub mod replay;
pub mod srp;
pub mod throttle;
pub mod tokens;
pub mod work;
