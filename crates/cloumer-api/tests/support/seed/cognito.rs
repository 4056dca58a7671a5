//! The fixture's Cognito: the few unsigned calls a public client makes.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::FixtureState;

pub(super) async fn cognito(
    State(state): State<Arc<FixtureState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let op = target.rsplit('.').next().unwrap_or_default();
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    state
        .cognito_calls
        .lock()
        .unwrap()
        .push((op.to_owned(), body.clone()));
    if let Some(flow) = body["AuthFlow"].as_str() {
        state.auth_flows.lock().unwrap().push(flow.to_owned());
    }
    let error = |kind: &str, message: &str| {
        (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "application/x-amz-json-1.1")],
            serde_json::json!({"__type": kind, "message": message}).to_string(),
        )
            .into_response()
    };
    let tokens = |with_refresh: bool| {
        let mut result = serde_json::json!({
            "AccessToken": format!("access-{}", state.id_serial.load(Ordering::SeqCst) + 1),
            "IdToken": state.issue_id_token(),
            "ExpiresIn": state.expires_in.load(Ordering::SeqCst),
            "TokenType": "Bearer",
        });
        if with_refresh {
            result["RefreshToken"] = "refresh-fixture".into();
        }
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/x-amz-json-1.1")],
            serde_json::json!({"AuthenticationResult": result, "ChallengeParameters": {}})
                .to_string(),
        )
            .into_response()
    };
    match (op, body["AuthFlow"].as_str()) {
        // The seed's app client lists the legacy flags only (section 3.2); this fixture
        // plays a pool that refuses SRP, to exercise the password fallback.
        ("InitiateAuth", Some("USER_SRP_AUTH")) => error(
            "InvalidParameterException",
            "USER_SRP_AUTH is not enabled for the client.",
        ),
        ("InitiateAuth", Some("USER_PASSWORD_AUTH")) => {
            if body["AuthParameters"]["PASSWORD"] == "Correct-Horse-9!" {
                tokens(true)
            } else {
                error("NotAuthorizedException", "Incorrect username or password.")
            }
        }
        ("InitiateAuth", Some("REFRESH_TOKEN_AUTH")) => {
            if body["AuthParameters"]["REFRESH_TOKEN"] == "refresh-fixture" {
                tokens(false)
            } else {
                error("NotAuthorizedException", "Invalid Refresh Token")
            }
        }
        ("GlobalSignOut", _) => (StatusCode::OK, "{}").into_response(),
        ("SignUp", _) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/x-amz-json-1.1")],
            serde_json::json!({
                "UserConfirmed": false,
                "UserSub": "5f0c6f5e-0000-4000-8000-000000000001",
                "CodeDeliveryDetails": {
                    "AttributeName": "email", "DeliveryMedium": "EMAIL", "Destination": "a***@e***",
                },
            })
            .to_string(),
        )
            .into_response(),
        ("ConfirmSignUp", _) if body["ConfirmationCode"] == "123456" => {
            (StatusCode::OK, "{}").into_response()
        }
        ("ResendConfirmationCode", _) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/x-amz-json-1.1")],
            serde_json::json!({"CodeDeliveryDetails": {
                "AttributeName": "email", "DeliveryMedium": "EMAIL", "Destination": "a***@e***",
            }})
            .to_string(),
        )
            .into_response(),
        ("ConfirmSignUp", _) => error(
            "CodeMismatchException",
            "Invalid verification code provided, please try again.",
        ),
        _ => error("InvalidParameterException", "unsupported by the fixture"),
    }
}
