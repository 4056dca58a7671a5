//! The HTTP surface of one process: REST (over this process's seams), the Cognito
//! endpoint and its JWKS.

use axum::routing::{get, post};

use crate::state::SharedState;

pub fn router(state: SharedState, rest: crate::rest::SharedRest) -> axum::Router {
    axum::Router::new()
        .route("/cognito", post(crate::cognito::handle))
        .route("/cognito/", post(crate::cognito::handle))
        .route("/", post(crate::cognito::handle))
        .route(
            "/cognito/{pool}/.well-known/jwks.json",
            get(crate::cognito::jwks),
        )
        .with_state(state)
        .merge(crate::rest::router().with_state(rest))
}
