//! The local stand-in of the stack and the AWS home of the seed-contract checks.
#![allow(dead_code)]

pub mod events;
pub mod home;
pub mod stack;
