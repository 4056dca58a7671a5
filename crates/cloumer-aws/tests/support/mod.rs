//! The local stand-in of the stack and the AWS home of the seed-contract checks.
#![allow(dead_code)]

pub mod cli;
pub mod emulator;
pub mod events;
pub mod gateway;
pub mod home;
pub mod stack;

/// The runtime of the tests of this directory: multi-thread, as the Lambdas run.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// The seed-contract checks `cloumer serve` passes (cloumer_testkit::seed_contract), run
/// against an AWS home; stream-key rotation goes through IVS: the old key deleted, a new
/// one made, the stream stopped.
pub async fn seed_contract_checks(home: &home::AwsHome<'_>) {
    use cloumer_testkit::seed_contract;
    seed_contract::public_routes(home).await;
    seed_contract::chat_tokens(home).await;
    seed_contract::titles(home).await;
    seed_contract::avatars(home).await;
    let (old_key, new_key) = seed_contract::stream_key_rotation_and_moderators(home).await;
    assert_ne!(old_key, new_key);
    for op in ["DeleteStreamKey", "CreateStreamKey", "StopStream"] {
        assert_eq!(home.stack.ivs_calls(op), 1, "{op}");
    }
}
