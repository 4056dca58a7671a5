//! The seed's REST API (R1–R8, paths and field names kept) with its bugs fixed, plus the
//! additive routes. Errors are JSON [`ApiError`]s, never empty 200s. The ids (R*, W*, B*)
//! here and across the crate are those of docs/seed-compatibility.md.

pub mod avatar;
mod caller;
mod moderators;
mod public;
pub mod restrictions;
pub mod state;
mod stream;

use axum::Json;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use cloumer_protocol::rest::{ApiError, limits, paths};

pub use state::{RestState, SharedRest};

/// A failed request: status and JSON body.
#[derive(Debug)]
pub struct ApiFailure {
    pub status: StatusCode,
    pub body: ApiError,
}

impl ApiFailure {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ApiError {
                message: message.into(),
                field: None,
            },
        }
    }
    pub fn field(status: StatusCode, field: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ApiError {
                message: message.into(),
                field: Some(field.into()),
            },
        }
    }
    /// API Gateway's authorizer answer, kept byte for byte: `{"message":"Unauthorized"}`.
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Unauthorized")
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, format!("{what} not found"))
    }
}

impl From<crate::Error> for ApiFailure {
    fn from(e: crate::Error) -> Self {
        tracing::error!(error = %e, "request failed");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "Server Error")
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiFailure>;

/// One query parameter, percent-decoded as API Gateway does (`%XX` decoded, `+` kept).
/// Missing → 400 naming the parameter.
pub fn query_param(uri: &Uri, name: &str) -> ApiResult<String> {
    let query = uri.query().unwrap_or_default();
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_encoding::percent_decode_str(key).decode_utf8_lossy();
        if key == name {
            return percent_encoding::percent_decode_str(value)
                .decode_utf8()
                .map(|v| v.into_owned())
                .map_err(|_| {
                    ApiFailure::field(
                        StatusCode::BAD_REQUEST,
                        name,
                        format!("`{name}` is not valid UTF-8"),
                    )
                });
        }
    }
    Err(ApiFailure::field(
        StatusCode::BAD_REQUEST,
        name,
        format!("missing query parameter `{name}`"),
    ))
}

async fn not_found() -> ApiFailure {
    ApiFailure::new(StatusCode::NOT_FOUND, "NOT FOUND")
}

/// The REST routes.
pub fn router() -> axum::Router<SharedRest> {
    axum::Router::new()
        .route(paths::USERS, get(public::users))
        .route(paths::BROADCAST_STATUS, get(public::broadcast_status))
        .route(paths::GET_CHANNEL, get(public::get_channel))
        .route(paths::GET_CHAT, get(public::get_chat))
        .route(paths::GET_CAHT, get(stream::get_caht))
        .route(paths::MYPAGE, get(stream::mypage))
        .route(
            paths::SAVE_MYPAGE,
            post(avatar::save_mypage)
                // Room for the multipart framing around a maximal image.
                .layer(DefaultBodyLimit::max(limits::AVATAR_MAX_BYTES + 64 * 1024)),
        )
        .route(
            paths::BROADCAST_INFO_EDIT,
            get(stream::broadcast_info_edit)
                .post(stream::broadcast_info_edit)
                .put(stream::broadcast_info_edit),
        )
        .route(paths::STREAM_KEY_ROTATE, post(stream::rotate_stream_key))
        .route(paths::STREAM, get(stream::stream_status))
        .route(paths::MODERATORS, get(moderators::list))
        .route(
            &format!("{}/{{channel}}", paths::MODERATORS),
            put(moderators::add).delete(moderators::remove),
        )
        .route(paths::MODERATED_CHANNELS, get(restrictions::moderated_channels))
        .route(
            &format!("{}/{{channel}}", paths::CHAT_RESTRICTIONS),
            get(restrictions::list),
        )
        .route(
            &format!("{}/{{channel}}/{{user}}", paths::CHAT_RESTRICTIONS),
            put(restrictions::put)
                .delete(restrictions::lift)
                .layer(DefaultBodyLimit::max(restrictions::BODY_MAX_BYTES)),
        )
        .route("/media/avatars/{file}", get(avatar::serve))
        .fallback(not_found)
}
