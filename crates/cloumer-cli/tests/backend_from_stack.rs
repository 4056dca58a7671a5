//! `cloumer backend from-stack` against moto's CloudFormation: a stack with the outputs of
//! deploy/aws/template.yaml is created in moto, the real `cloumer` binary reads it through
//! `AWS_ENDPOINT_URL`, and the file it writes is loaded the way `login --backend` loads it.

use std::path::Path;
use std::process::{Command, Output};

use aws_sdk_cloudformation::config::{BehaviorVersion, Credentials, Region};
use cloumer_api::backend::{BackendProfile, load_file};
use cloumer_testkit::{MotoServer, skip_unless};

const REGION: &str = "eu-west-1";

/// A stack with the given outputs (and one no-op resource: CloudFormation needs one).
async fn create_stack(moto: &MotoServer, name: &str, outputs: &[(&str, &str)]) {
    let config = aws_sdk_cloudformation::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .endpoint_url(&moto.endpoint)
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .build();
    let outputs: serde_json::Map<String, serde_json::Value> = outputs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), serde_json::json!({ "Value": v })))
        .collect();
    let template = serde_json::json!({
        "Resources": { "Placeholder": { "Type": "AWS::CloudFormation::WaitConditionHandle" } },
        "Outputs": outputs,
    });
    aws_sdk_cloudformation::Client::from_conf(config)
        .create_stack()
        .stack_name(name)
        .template_body(template.to_string())
        .send()
        .await
        .expect("create the stack in moto");
}

/// How the command is run: which AWS settings it finds.
#[derive(Clone, Copy, PartialEq)]
enum Aws {
    /// Credentials in the environment, `--region` on the command line.
    Configured,
    /// Credentials and `AWS_REGION` in the environment, no `--region`.
    RegionFromEnv,
    /// No credentials anywhere.
    NoCredentials,
}

/// Runs `cloumer backend from-stack --stack STACK [--region R] --write FILE` with AWS
/// settings that reach moto and nothing else (no user AWS config, no instance metadata).
fn from_stack(moto: &MotoServer, home: &Path, aws: Aws, stack: &str, file: &Path) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cloumer"));
    command
        .args(["backend", "from-stack", "--stack", stack, "--write"])
        .arg(file)
        .env_clear()
        .env("HOME", home)
        .env("AWS_CONFIG_FILE", home.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.join("no-aws-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", &moto.endpoint);
    match aws {
        Aws::RegionFromEnv => command.env("AWS_REGION", REGION),
        Aws::Configured | Aws::NoCredentials => command.args(["--region", REGION]),
    };
    if aws != Aws::NoCredentials {
        command
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing");
    }
    command.output().expect("run cloumer")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A refusal the user can fix: exit status 2, the reason on stderr, no file written.
fn assert_refused(out: &Output, reason: &str, file: &Path) {
    assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
    assert!(stderr(out).contains(reason), "{}", stderr(out));
    assert!(!file.exists());
}

const FULL_OUTPUTS: [(&str, &str); 5] = [
    ("Region", REGION),
    ("UserPoolId", "eu-west-1_AbCdEf123"),
    ("UserPoolClientId", "1example23456789"),
    (
        "ApiUrl",
        "https://abc123.execute-api.eu-west-1.amazonaws.com/develop",
    ),
    ("AvatarBaseUrl", "https://d111111abcdef8.cloudfront.net"),
];

#[tokio::test]
async fn writes_the_profile_the_clients_load() {
    let moto = skip_unless!(MotoServer::start());
    create_stack(&moto, "cloumer", &FULL_OUTPUTS).await;
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("profiles/aws.toml");

    let out = from_stack(&moto, home.path(), Aws::Configured, "cloumer", &file);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("cloumer login --backend"),
        "says what to run next"
    );

    let profile: BackendProfile = load_file(&file).expect("the CLI loads the written file");
    assert_eq!(profile.region, REGION);
    assert_eq!(profile.user_pool_id, "eu-west-1_AbCdEf123");
    assert_eq!(profile.client_id, "1example23456789");
    assert_eq!(
        profile.api_url,
        "https://abc123.execute-api.eu-west-1.amazonaws.com/develop"
    );
    // A deployed stack uses AWS's own Cognito and IVS Chat endpoints and IVS's ingest.
    assert_eq!(
        profile.cognito_endpoint(),
        "https://cognito-idp.eu-west-1.amazonaws.com/"
    );
    assert_eq!(
        profile.chat_endpoint(),
        "wss://edge.ivschat.eu-west-1.amazonaws.com"
    );
    assert_eq!(profile.rtmps_url, None);
    assert!(!profile.allow_password_auth, "SRP unless the user consents");
}

#[tokio::test]
async fn region_comes_from_the_environment_without_the_flag() {
    let moto = skip_unless!(MotoServer::start());
    create_stack(&moto, "cloumer", &FULL_OUTPUTS).await;
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("aws.toml");
    let out = from_stack(&moto, home.path(), Aws::RegionFromEnv, "cloumer", &file);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(load_file(&file).unwrap().region, REGION);
}

#[tokio::test]
async fn a_missing_stack_is_a_usage_error_and_writes_nothing() {
    let moto = skip_unless!(MotoServer::start());
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("aws.toml");
    let out = from_stack(&moto, home.path(), Aws::Configured, "nope", &file);
    assert_refused(&out, "no CloudFormation stack named nope", &file);
}

#[tokio::test]
async fn a_stack_without_the_outputs_names_the_missing_ones() {
    let moto = skip_unless!(MotoServer::start());
    let outputs = [("Region", REGION), ("ApiUrl", "https://x/develop")];
    create_stack(&moto, "other", &outputs).await;
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("aws.toml");
    let out = from_stack(&moto, home.path(), Aws::Configured, "other", &file);
    assert_refused(
        &out,
        "lacks the output(s) UserPoolId, UserPoolClientId",
        &file,
    );
}

#[tokio::test]
async fn no_credentials_is_a_usage_error() {
    let moto = skip_unless!(MotoServer::start());
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("aws.toml");
    let out = from_stack(&moto, home.path(), Aws::NoCredentials, "cloumer", &file);
    assert_refused(&out, "no AWS credentials", &file);
}
