//! `cloumer-stream-state-fn`: EventBridge `aws.ivs` "IVS Stream State Change" → live flag.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cloumer_aws::init_logging();
    let env = cloumer_aws::Env::from_env()?;
    let clients = cloumer_aws::Clients::from_env().await;
    let table = cloumer_aws::table(&env, &clients);
    let table = &table;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<EventBridgeEvent<serde_json::Value>>| async move {
            let outcome = cloumer_aws::stream_state::apply(table, event.payload).await?;
            tracing::info!(?outcome, "stream state change");
            Ok::<_, lambda_runtime::Error>(())
        },
    ))
    .await
}
