//! The built Lambda `bootstrap`s under a Lambda runtime emulator (cargo-lambda's: `cargo
//! lambda watch --only-lambda-apis` serves the Runtime API the functions poll and the
//! Invoke API `cargo lambda invoke` sends events to), against moto (DynamoDB, S3, Cognito)
//! and the testkit's IVS / IVS Chat stand-in. What runs in-process in tests/lambdas.rs runs
//! here through the real binaries and the Lambda Runtime API: the JSON each function
//! parses and answers, its start-up configuration from the environment, and a failed
//! invocation reported as Lambda reports it.
//!
//! The binaries: with `CLOUMER_SAM_BOOTSTRAPS=DIR` the `bootstrap`s `sam build` made for
//! provided.al2023 (`DIR/<binary>/bootstrap`; scripts/aws-test.sh keeps them in
//! target/sam-bootstraps and scripts/test.sh sets the variable: what CI runs, and must run
//! under `CI=true`); without it cargo's debug builds for the host (CARGO_BIN_EXE_*, built
//! with this test at no extra cost), a developer's `cargo test -p cloumer-aws --test
//! emulator`. The test says on stderr which ran.
//!
//! Then the `cloumer` CLI goes through sign-up, log-in, profile, title, avatar and chat
//! against the same stand-in of the stack (tests/support/cli.rs).
//!
//! One test: the stand-ins are configured through the process environment, which the
//! function processes inherit.

mod support;

use cloumer_testkit::seed_contract::Home as _;
use support::emulator::Emulator;
use support::home::AwsHome;
use support::stack::Stack;

#[test]
fn bootstraps_under_the_lambda_runtime_emulator() {
    // Before anything starts: bootstraps asked for but missing fail the test.
    let functions = support::emulator::function_binaries().unwrap_or_else(|why| panic!("{why}"));
    support::runtime().block_on(async {
        // SAFETY: the only test of this binary; nothing else has started yet.
        let stack = cloumer_testkit::skip_unless!(unsafe { Stack::start() }.await);
        let emulator = cloumer_testkit::skip_unless!(Emulator::start(&stack.env, &functions));
        let emulator = std::sync::Arc::new(emulator);
        let home = AwsHome::emulated(&stack, emulator.clone());
        // API Gateway REST proxy events (with the Cognito authorizer's claims on /stream/*)
        // to cloumer-api-fn, users made by ConfirmSignUp events to
        // cloumer-post-confirmation-fn, live status by IVS Stream State Change events to
        // cloumer-stream-state-fn.
        support::seed_contract_checks(&home).await;
        one_channel_per_user(&stack, &home).await;
        // The CLI through the same stack (a separate test binary would cost CI another
        // link and ~65 MB of disk).
        let cli = cloumer_testkit::skip_unless!(support::cli::cloumer_binary());
        support::cli::signup_to_chat(&cli, &stack, emulator).await;
    });
}

/// Both trigger sources and a retry after a failed invocation make one IVS channel.
async fn one_channel_per_user(stack: &Stack, home: &AwsHome<'_>) {
    let email = "sam@example.com";
    let sub = stack.cognito_user(email, "sam").await;
    let creates = stack.ivs_calls("CreateChannel");
    // A first invocation that fails (the user name is not in the pool, so Cognito refuses
    // the attribute update after IVS made the channel): Lambda reports the error, and
    // Cognito would retry.
    let wrong_user = support::events::post_confirmation(
        false,
        &stack.pool_id,
        "nobody@example.com",
        &sub,
        "sam",
    );
    let failed = home.invoke_function("cloumer-post-confirmation-fn", &wrong_user);
    assert!(failed.is_err(), "{failed:?}");
    home.confirm(false, email, &sub, "sam").await;
    home.confirm(true, email, &sub, "sam").await;
    home.confirm(false, email, &sub, "sam").await;
    assert_eq!(stack.ivs_calls("CreateChannel"), creates + 1);
    let channel = stack
        .chanel_name_attribute(email)
        .await
        .expect("custom:chanelName set by the trigger");
    let (status, listed) = home.get("/public/users", None).await;
    assert_eq!(status, 200);
    assert!(listed.to_string().contains(&channel), "{listed}");
}
