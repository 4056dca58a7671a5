//! `cloumer backend from-stack`: the backend profile of a CLOUMER stack deployed on AWS
//! (deploy/aws/template.yaml), read from the stack's outputs with CloudFormation
//! DescribeStacks. The client comes from aws-config's defaults, so the region, the
//! credential chain and `AWS_ENDPOINT_URL` (an emulator in the tests) work as in the AWS CLI.
//!
//! Exit status: 0 written; 2 the stack does not exist, lacks an output, no region or no
//! credentials (all fixed by the user's arguments or AWS configuration); 1 anything else
//! (network, throttling, an unwritable file).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use aws_config::{BehaviorVersion, Region};
use aws_sdk_cloudformation::config::ProvideCredentials;
use aws_sdk_cloudformation::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use clap::{Args, Subcommand};
use cloumer_api::backend::BackendProfile;

use crate::failure::Failure;

#[derive(Debug, Args)]
pub struct BackendArgs {
    #[command(subcommand)]
    command: BackendCommand,
}

#[derive(Debug, Subcommand)]
enum BackendCommand {
    /// Write the backend profile of a deployed stack (`make aws-deploy`) from its outputs.
    FromStack(FromStackArgs),
}

#[derive(Debug, Args)]
pub struct FromStackArgs {
    /// CloudFormation stack name (the one `sam deploy` created).
    #[arg(long, value_name = "NAME")]
    stack: String,
    /// AWS region of the stack (default: AWS_REGION or the AWS profile's region).
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// Where to write the profile (then `cloumer login --backend FILE`, or the studio's
    /// "Log in to a CLOUMER backend").
    #[arg(long, value_name = "FILE")]
    write: PathBuf,
}

/// The stack outputs a profile is made of, in the template's names.
const REQUIRED_OUTPUTS: [&str; 4] = ["Region", "UserPoolId", "UserPoolClientId", "ApiUrl"];

pub async fn run(args: BackendArgs) -> Result<(), Failure> {
    match args.command {
        BackendCommand::FromStack(args) => from_stack(args).await,
    }
}

async fn from_stack(args: FromStackArgs) -> Result<(), Failure> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(region) = &args.region {
        loader = loader.region(Region::new(region.clone()));
    }
    let config = loader.load().await;
    if config.region().is_none() {
        return Err(Failure::usage(
            "no AWS region: pass --region or set AWS_REGION (or a region in the AWS profile)",
        ));
    }
    // Asked up front so the user reads "no credentials", not a signing error.
    let problem = match config.credentials_provider() {
        Some(provider) => provider
            .provide_credentials()
            .await
            .err()
            // The first line says why; the rest lists every provider of the chain.
            .map(|e| {
                e.to_string()
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .trim_end_matches(" Attempted:")
                    .to_owned()
            }),
        None => Some("no credentials provider".to_owned()),
    };
    if let Some(e) = problem {
        return Err(Failure::usage(format!(
            "no AWS credentials ({e}): configure them as for the AWS CLI \
             (aws configure, AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)"
        )));
    }
    let client = aws_sdk_cloudformation::Client::new(&config);
    let outputs = stack_outputs(&client, &args.stack).await?;
    let profile = profile_from_outputs(&args.stack, &outputs)?;
    write_profile(&args.write, &profile)?;
    println!(
        "wrote the backend profile of stack {} ({}) to {}",
        args.stack,
        profile.region,
        args.write.display()
    );
    println!("next: cloumer login --backend {}", args.write.display());
    Ok(())
}

/// The stack's outputs by key.
async fn stack_outputs(
    client: &aws_sdk_cloudformation::Client,
    stack: &str,
) -> Result<HashMap<String, String>, Failure> {
    let answer = client
        .describe_stacks()
        .stack_name(stack)
        .send()
        .await
        .map_err(|e| describe_failure(stack, e))?;
    let Some(found) = answer.stacks().first() else {
        return Err(stack_missing(stack));
    };
    Ok(found
        .outputs()
        .iter()
        .filter_map(|o| Some((o.output_key()?.to_owned(), o.output_value()?.to_owned())))
        .collect())
}

fn describe_failure<R: std::fmt::Debug>(
    stack: &str,
    e: SdkError<aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksError, R>,
) -> Failure {
    // CloudFormation answers a missing stack with a ValidationError "Stack with id X does
    // not exist"; other validation errors (a malformed name) are the user's too.
    if let Some(service) = e.as_service_error() {
        let message = service.message().unwrap_or_default();
        if message.contains("does not exist") {
            return stack_missing(stack);
        }
        if service.code() == Some("ValidationError") {
            return Failure::usage(format!("stack {stack}: {message}"));
        }
        if matches!(
            service.code(),
            Some("InvalidClientTokenId" | "UnrecognizedClientException" | "ExpiredToken")
        ) {
            return Failure::usage(format!("the AWS credentials were refused: {message}"));
        }
    }
    let detail = DisplayErrorContext(&e);
    Failure::other(format!("CloudFormation DescribeStacks failed: {detail}"))
}

fn stack_missing(stack: &str) -> Failure {
    Failure::usage(format!(
        "no CloudFormation stack named {stack} in this region (check --stack and --region)"
    ))
}

/// The profile from the outputs; names every missing output at once.
fn profile_from_outputs(
    stack: &str,
    outputs: &HashMap<String, String>,
) -> Result<BackendProfile, Failure> {
    let missing: Vec<&str> = REQUIRED_OUTPUTS
        .into_iter()
        .filter(|key| outputs.get(*key).is_none_or(|v| v.trim().is_empty()))
        .collect();
    if !missing.is_empty() {
        return Err(Failure::usage(format!(
            "stack {stack} lacks the output(s) {}: is it a CLOUMER stack (deploy/aws/template.yaml)?",
            missing.join(", ")
        )));
    }
    let output = |key: &str| outputs.get(key).cloned().unwrap_or_default();
    let profile = BackendProfile {
        region: output("Region"),
        user_pool_id: output("UserPoolId"),
        client_id: output("UserPoolClientId"),
        api_url: output("ApiUrl"),
        // AWS's own Cognito and IVS Chat endpoints follow from the region; IVS ingest
        // comes from the API (R6), with certificates from public CAs.
        cognito_endpoint: None,
        chat_endpoint: None,
        rtmp_url: None,
        rtmps_url: None,
        ingest_certificate: None,
        allow_password_auth: false,
    };
    // The same checks a client applies when it loads the file.
    BackendProfile::from_toml(&profile.to_toml()).map_err(|e| {
        Failure::usage(format!(
            "stack {stack}: its outputs make no valid profile: {e}"
        ))
    })
}

fn write_profile(path: &Path, profile: &BackendProfile) -> Result<(), Failure> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| Failure::other(format!("cannot create {}: {e}", dir.display())))?;
    }
    std::fs::write(path, profile.to_toml())
        .map_err(|e| Failure::other(format!("cannot write {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outputs(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn every_missing_output_is_named() {
        let failure = profile_from_outputs("s", &outputs(&[("Region", "eu-west-1")])).unwrap_err();
        assert_eq!(failure.code, 2);
        assert!(
            failure
                .message
                .contains("UserPoolId, UserPoolClientId, ApiUrl"),
            "{}",
            failure.message
        );
    }

    #[test]
    fn a_pool_id_without_region_prefix_is_refused() {
        let failure = profile_from_outputs(
            "s",
            &outputs(&[
                ("Region", "eu-west-1"),
                ("UserPoolId", "nounderscore"),
                ("UserPoolClientId", "abc"),
                ("ApiUrl", "https://x/develop"),
            ]),
        )
        .unwrap_err();
        assert_eq!(failure.code, 2);
        assert!(
            failure.message.contains("user_pool_id"),
            "{}",
            failure.message
        );
    }
}
