//! `cloumer-api-fn`: the shared REST router behind API Gateway (REST API proxy events).
//! Set `AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH=true` so `/develop` is not part of the path.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cloumer_aws::init_logging();
    let env = cloumer_aws::Env::from_env()?;
    let clients = cloumer_aws::Clients::from_env().await;
    let router = cloumer_aws::api_router(&env, &clients)?;
    lambda_http::run(router).await
}
