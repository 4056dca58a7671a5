//! The AWS home of CLOUMER's REST handlers (issue 17): `cloumer-server`'s router and seams
//! (built without its `self-hosted` feature) over DynamoDB ([`table`], [`store`]), IVS
//! ([`media`]), IVS Chat ([`chat`]), S3 ([`avatars`]) and the Cognito authorizer's claims
//! ([`identity`]); the post-confirmation trigger ([`provision`]) and the live-status rule
//! ([`stream_state`]). The binaries in `src/bin` are thin Lambda entry points over these.
//! The contract with the deployment (env vars, table layout, IAM) is in README.md.

pub mod avatars;
mod bans;
pub mod chat;
pub mod config;
mod error;
pub mod identity;
pub mod media;
pub mod provision;
mod query;
pub mod store;
pub mod stream_state;
pub mod table;

use std::sync::Arc;

use aws_lambda_events::event::cognito::CognitoEventUserPoolsPostConfirmation;
use cloumer_server::rest::RestState;

pub use config::{Clients, Env};
pub use error::{Error, Result};
use table::Table;

/// The table handle every seam shares.
pub fn table(env: &Env, clients: &Clients) -> Table {
    Table {
        client: clients.dynamodb.clone(),
        name: env.table.clone(),
    }
}

/// The shared REST router over the AWS seams (what `cloumer-api-fn` serves).
pub fn api_router(env: &Env, clients: &Clients) -> Result<axum::Router> {
    let table = table(env, clients);
    let bucket = Env::require(&env.avatar_bucket, "CLOUMER_AVATAR_BUCKET")?;
    let base = Env::require(&env.avatar_base_url, "CLOUMER_AVATAR_BASE_URL")?;
    let media = Arc::new(media::IvsMedia {
        ivs: clients.ivs.clone(),
        table: table.clone(),
    });
    let state = Arc::new(RestState {
        channels: Arc::new(table.clone()),
        moderators: Arc::new(table.clone()),
        avatars: Arc::new(avatars::S3Avatars {
            s3: clients.s3.clone(),
            bucket: bucket.to_owned(),
            table: table.clone(),
        }),
        chat: Arc::new(chat::IvsChat {
            ivschat: clients.ivschat.clone(),
            table,
        }),
        media: media.clone(),
        stream_keys: media,
        identity: Arc::new(identity::AuthorizerClaims),
        avatar_base_url: format!("{base}/avatars"),
    });
    Ok(cloumer_server::rest::router()
        .with_state(state)
        .layer(axum::middleware::map_request(
            |request: axum::extract::Request| async move { query::percent_encoded_query(request) },
        )))
}

/// The post-confirmation trigger over the AWS clients.
pub fn provisioner(env: &Env, clients: &Clients) -> provision::Provisioner {
    provision::Provisioner {
        table: table(env, clients),
        ivs: clients.ivs.clone(),
        ivschat: clients.ivschat.clone(),
        cognito: clients.cognito.clone(),
        s3: clients.s3.clone(),
        channel_type: env.channel_type,
        avatar_bucket: env.avatar_bucket.clone(),
    }
}

/// Handles one post-confirmation event, for either trigger source: the same idempotent
/// provisioning (a ConfirmForgotPassword finds the user ready and changes nothing, or
/// finishes a user an earlier failure left half-made). Returns the event unchanged, as
/// Cognito expects.
pub async fn post_confirmation(
    provisioner: &provision::Provisioner,
    env: &Env,
    event: CognitoEventUserPoolsPostConfirmation,
) -> Result<CognitoEventUserPoolsPostConfirmation> {
    let header = &event.cognito_event_user_pools_header;
    let attrs = &event.request.user_attributes;
    let missing = |what: &str| Error::Config(format!("the event has no {what}"));
    let user = provision::NewUser {
        sub: attrs.get("sub").cloned().ok_or_else(|| missing("sub"))?,
        user_name: header
            .user_name
            .clone()
            .ok_or_else(|| missing("userName"))?,
        user_pool_id: env
            .user_pool_id
            .clone()
            .or_else(|| header.user_pool_id.clone())
            .ok_or_else(|| missing("userPoolId"))?,
        nickname: attrs.get("nickname").cloned().unwrap_or_default(),
        email: attrs.get("email").cloned().unwrap_or_default(),
    };
    tracing::info!(sub = %user.sub, trigger = ?header.trigger_source, "post-confirmation");
    provisioner.provision(&user).await?;
    Ok(event)
}

/// JSON logs on stderr, filtered by `RUST_LOG` (default info), as Lambda collects them.
pub fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .without_time()
        .try_init();
}
