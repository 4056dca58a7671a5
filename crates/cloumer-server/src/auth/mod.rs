//! Identity: signing keys and JWTs, password hashing, SRP, and the outbox that replaces mail.

pub mod jwt;
pub mod outbox;
pub mod password;
pub mod srp;
pub mod tokens;
