//! Shared fixtures of the cloumer-api integration tests.
// Test code: a poisoned lock or a failed bind should panic the test.
#![allow(dead_code, clippy::unwrap_used)]

pub mod moto;
pub mod seed;
