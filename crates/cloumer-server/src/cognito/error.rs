//! The error every Cognito operation answers with: a typed `__type` and Cognito's message.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cloumer_protocol::cognito::{ErrorBody, ErrorKind};

use super::amz_json;

/// A Cognito error: its `__type` and message.
#[derive(Debug)]
pub struct CognitoError {
    pub kind: ErrorKind,
    pub message: String,
}

impl CognitoError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
    pub fn not_authorized(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotAuthorized, message)
    }
    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidParameter, message)
    }
    pub fn bad_credentials() -> Self {
        Self::not_authorized("Incorrect username or password.")
    }
    pub fn code_mismatch() -> Self {
        Self::new(
            ErrorKind::CodeMismatch,
            "Invalid verification code provided, please try again.",
        )
    }
    /// Too many attempts at a code, or too many codes asked for (Cognito's wording).
    pub fn limit_exceeded() -> Self {
        Self::new(
            ErrorKind::LimitExceeded,
            "Attempt limit exceeded, please try after some time.",
        )
    }
    pub fn too_many_requests() -> Self {
        Self::new(ErrorKind::TooManyRequests, "Rate exceeded")
    }
}

impl From<crate::auth::work::Refused> for CognitoError {
    fn from(e: crate::auth::work::Refused) -> Self {
        match e {
            crate::auth::work::Refused::Busy => Self::too_many_requests(),
            crate::auth::work::Refused::Failed(_) => {
                tracing::error!(error = %e, "cognito operation failed");
                Self::new(ErrorKind::InternalError, "internal error")
            }
        }
    }
}

impl From<crate::Error> for CognitoError {
    fn from(e: crate::Error) -> Self {
        tracing::error!(error = %e, "cognito operation failed");
        Self::new(ErrorKind::InternalError, "internal error")
    }
}

impl IntoResponse for CognitoError {
    fn into_response(self) -> Response {
        let status = if self.kind == ErrorKind::InternalError {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::BAD_REQUEST
        };
        let body = ErrorBody {
            kind: self.kind,
            message: self.message,
        };
        amz_json(status, &body)
    }
}
