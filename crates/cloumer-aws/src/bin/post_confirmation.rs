//! `cloumer-post-confirmation-fn`: the Cognito PostConfirmation trigger.

use aws_lambda_events::event::cognito::CognitoEventUserPoolsPostConfirmation;
use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cloumer_aws::init_logging();
    let env = cloumer_aws::Env::from_env()?;
    let clients = cloumer_aws::Clients::from_env().await;
    let provisioner = cloumer_aws::provisioner(&env, &clients);
    let (provisioner, env) = (&provisioner, &env);
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<CognitoEventUserPoolsPostConfirmation>| async move {
            cloumer_aws::post_confirmation(provisioner, env, event.payload)
                .await
                .map_err(lambda_runtime::Error::from)
        },
    ))
    .await
}
