//! A local stand-in of the stack's front doors, for clients that speak HTTP (the `cloumer`
//! CLI): what API Gateway and Cognito do around the functions, on one loopback port.
//!
//! - `POST /` with `X-Amz-Target: AWSCognitoIdentityProviderService.*`: Cognito's JSON
//!   protocol, forwarded to moto's Cognito. After a successful `ConfirmSignUp` it invokes
//!   the post-confirmation function (through the emulator) before answering, as Cognito
//!   runs its PostConfirmation trigger; a failed trigger fails the call, as on Cognito.
//! - `/develop/*`: API Gateway's REST API, stage `develop`. `/develop/stream/*` needs an ID
//!   token in `Authorization` that the Cognito authorizer stand-in accepts (below); the
//!   request becomes a REST proxy event with the token's claims and goes to the API
//!   function through the emulator; its answer becomes the HTTP response.
//!
//! The authorizer stand-in checks what API Gateway's Cognito authorizer checks: an RS256
//! signature by a key of the pool's JWKS (moto's), issuer = the pool, an ID token
//! (`token_use`), audience = the app client, not expired.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::{Value, json};

use super::emulator::Emulator;
use super::events;

pub struct Gateway {
    pub port: u16,
    _task: tokio::task::JoinHandle<()>,
}

struct Ctx {
    emulator: Arc<Emulator>,
    moto: String,
    pool_id: String,
    client_id: String,
    cognito: aws_sdk_cognitoidentityprovider::Client,
    http: reqwest::Client,
}

impl Gateway {
    pub async fn start(
        emulator: Arc<Emulator>,
        moto: &str,
        pool_id: &str,
        client_id: &str,
        cognito: aws_sdk_cognitoidentityprovider::Client,
    ) -> anyhow::Result<Self> {
        let ctx = Arc::new(Ctx {
            emulator,
            moto: moto.trim_end_matches('/').to_owned(),
            pool_id: pool_id.to_owned(),
            client_id: client_id.to_owned(),
            cognito,
            http: reqwest::Client::new(),
        });
        let app = axum::Router::new().fallback(handle).with_state(ctx);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { port, _task: task })
    }
}

async fn handle(State(ctx): State<Arc<Ctx>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 16 << 20).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "body too large").into_response();
    };
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    if let Some(target) = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
    {
        return cognito(&ctx, target, &parts.headers, body).await;
    }
    match path_and_query.strip_prefix("/develop") {
        Some(rest) if rest.starts_with('/') => {
            api(&ctx, &parts.method, rest, &parts.headers, body).await
        }
        // API Gateway's answer for a path no resource matches.
        _ => (
            StatusCode::FORBIDDEN,
            axum::Json(json!({"message": "Missing Authentication Token"})),
        )
            .into_response(),
    }
}

async fn cognito(ctx: &Ctx, target: &str, headers: &HeaderMap, body: Bytes) -> Response {
    let mut forward = ctx.http.post(format!("{}/", ctx.moto)).body(body.clone());
    for name in ["x-amz-target", "content-type"] {
        if let Some(value) = headers.get(name) {
            forward = forward.header(name, value.as_bytes());
        }
    }
    let answer = match forward.send().await {
        Ok(a) => a,
        Err(e) => return (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    };
    let status = answer.status().as_u16();
    let bytes = answer.bytes().await.unwrap_or_default();
    if status == 200 && target.ends_with(".ConfirmSignUp") {
        if let Err(message) = post_confirmation(ctx, &body).await {
            return cognito_error(
                "UnexpectedLambdaException",
                &format!("PostConfirmation failed with error {message}."),
            );
        }
    }
    Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.1")
        .body(Body::from(bytes))
        .expect("response")
}

fn cognito_error(kind: &str, message: &str) -> Response {
    let body = json!({"__type": kind, "message": message}).to_string();
    Response::builder()
        .status(400)
        .header("content-type", "application/x-amz-json-1.1")
        .body(Body::from(body))
        .expect("response")
}

/// Cognito's PostConfirmation call: the event for the confirmed user, to the function.
async fn post_confirmation(ctx: &Ctx, confirm_request: &[u8]) -> Result<(), String> {
    let request: Value = serde_json::from_slice(confirm_request).map_err(|e| e.to_string())?;
    let username = request["Username"].as_str().ok_or("no Username")?;
    let user = ctx
        .cognito
        .admin_get_user()
        .user_pool_id(&ctx.pool_id)
        .username(username)
        .send()
        .await
        .map_err(|e| format!("AdminGetUser: {e:?}"))?;
    let attr = |name: &str| {
        user.user_attributes()
            .iter()
            .find(|a| a.name() == name)
            .and_then(|a| a.value())
            .unwrap_or_default()
            .to_owned()
    };
    let event = events::post_confirmation(
        false,
        &ctx.pool_id,
        user.username(),
        &attr("sub"),
        &attr("nickname"),
    );
    ctx.emulator
        .invoke("cloumer-post-confirmation-fn", &event)
        .map(drop)
}

async fn api(ctx: &Ctx, method: &Method, path: &str, headers: &HeaderMap, body: Bytes) -> Response {
    let claims = if path.starts_with("/stream/") {
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        match authorize(ctx, token).await {
            Ok(claims) => Some(claims),
            Err(why) => {
                tracing::info!(%why, "authorizer refused");
                return (
                    StatusCode::UNAUTHORIZED,
                    axum::Json(json!({"message": "Unauthorized"})),
                )
                    .into_response();
            }
        }
    } else {
        None
    };
    let forwarded: Vec<(String, String)> = headers
        .iter()
        .filter(|(name, _)| *name != "authorization")
        .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let forwarded: Vec<(&str, &str)> = forwarded
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let mut event = events::api_request(
        method.as_str(),
        path,
        &forwarded,
        (!body.is_empty()).then_some(&body[..]),
        None,
    );
    if let Some(claims) = claims {
        // API Gateway hands every claim of the verified token to the function as a string.
        event["requestContext"]["authorizer"] = json!({ "claims": claims });
    }
    let answer = match ctx.emulator.invoke("cloumer-api-fn", &event) {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(%e, "the API function failed");
            return (
                StatusCode::BAD_GATEWAY,
                axum::Json(json!({"message": "Internal server error"})),
            )
                .into_response();
        }
    };
    proxy_response(&answer)
}

/// A REST proxy integration answer as API Gateway turns it into HTTP.
fn proxy_response(answer: &Value) -> Response {
    let status = answer["statusCode"].as_u64().unwrap_or(502) as u16;
    let mut response = Response::builder().status(status);
    if let Some(headers) = answer["multiValueHeaders"].as_object() {
        for (name, values) in headers {
            for value in values.as_array().into_iter().flatten() {
                if let Some(value) = value.as_str() {
                    response = response.header(name, value);
                }
            }
        }
    }
    if let Some(headers) = answer["headers"].as_object() {
        for (name, value) in headers {
            if let Some(value) = value.as_str() {
                response = response.header(name, value);
            }
        }
    }
    let body = answer["body"].as_str().unwrap_or_default();
    let body = if answer["isBase64Encoded"] == true {
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap_or_default()
    } else {
        body.as_bytes().to_vec()
    };
    response.body(Body::from(body)).expect("response")
}

/// The Cognito authorizer: the claims of a valid ID token of this pool and client.
async fn authorize(ctx: &Ctx, token: &str) -> Result<serde_json::Map<String, Value>, String> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut parts = token.split('.');
    let (Some(head), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a JWT".into());
    };
    let decode_json = |part: &str| -> Result<Value, String> {
        let bytes = b64.decode(part).map_err(|e| e.to_string())?;
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())
    };
    let header = decode_json(head)?;
    if header["alg"] != "RS256" {
        return Err(format!("alg {}", header["alg"]));
    }
    let jwks: Value = ctx
        .http
        .get(format!(
            "{}/{}/.well-known/jwks.json",
            ctx.moto, ctx.pool_id
        ))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let key = jwks["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|k| k["kid"] == header["kid"])
        .ok_or("unknown kid")?;
    let component = |name: &str| {
        b64.decode(key[name].as_str().unwrap_or_default())
            .map_err(|e| e.to_string())
    };
    let public = aws_lc_rs::signature::RsaPublicKeyComponents {
        n: component("n")?,
        e: component("e")?,
    };
    let signature = b64.decode(signature).map_err(|e| e.to_string())?;
    public
        .verify(
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            format!("{head}.{payload}").as_bytes(),
            &signature,
        )
        .map_err(|_| "bad signature".to_owned())?;
    let claims = decode_json(payload)?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let checks = [
        (claims["token_use"] == "id", "not an ID token"),
        (claims["aud"] == ctx.client_id.as_str(), "another client"),
        (
            claims["iss"]
                .as_str()
                .is_some_and(|iss| iss.ends_with(&format!("/{}", ctx.pool_id))),
            "another pool",
        ),
        (
            claims["exp"].as_i64().is_some_and(|exp| exp > now),
            "expired",
        ),
    ];
    if let Some((_, why)) = checks.iter().find(|(ok, _)| !ok) {
        return Err((*why).to_owned());
    }
    Ok(claims
        .as_object()
        .ok_or("claims")?
        .iter()
        .map(|(k, v)| {
            let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            (k.clone(), Value::String(text))
        })
        .collect())
}
