//! The HTTP surface of one process: REST, the Cognito endpoint and its JWKS.

use axum::routing::{get, post};

use crate::state::SharedState;

pub fn router(state: SharedState) -> axum::Router {
    axum::Router::new()
        .route("/cognito", post(crate::cognito::handle))
        .route("/cognito/", post(crate::cognito::handle))
        .route("/", post(crate::cognito::handle))
        .route(
            "/cognito/{pool}/.well-known/jwks.json",
            get(crate::cognito::jwks),
        )
        .merge(crate::rest::router())
        .with_state(state)
}
