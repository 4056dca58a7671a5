#![allow(clippy::unwrap_used)]
//! The Cognito endpoint against independent clients: boto3's cognito-idp client and
//! pycognito's AWSSRP (tests/cognito_clients.py). Needs `pip install boto3 pycognito`;
//! skips with a printed reason when they are missing.

mod common;

#[tokio::test]
async fn boto3_and_pycognito_sign_up_srp_refresh_sign_out() {
    if !common::python_can("import boto3, pycognito", "pip install boto3 pycognito") {
        return;
    }
    let t = common::start().await;
    let profile = t.server.backend_profile();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cognito_clients.py");
    let outbox = t.dir.path().join("outbox.jsonl");
    let out = tokio::process::Command::new("python3")
        .arg(script)
        .arg(profile.cognito_endpoint())
        .arg(&profile.user_pool_id)
        .arg(&profile.client_id)
        .arg(&outbox)
        .output()
        .await
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("OK"),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
}
