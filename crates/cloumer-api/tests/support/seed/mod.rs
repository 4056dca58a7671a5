//! A fixture of the seed's AWS deployment (docs/seed-compatibility.md), served by axum on
//! loopback: the REST API under a stage path (`/develop`), a minimal Cognito JSON endpoint and an
//! IVS-Chat-like WebSocket. Bodies are the seed's bytes, quirks included (Python
//! `json.dumps` spacing and `\u` escapes, string booleans, bare JSON strings, 200 with an
//! empty body, `{}` without a token, misspelt routes and fields). Everything received is
//! recorded so tests can assert what the client sent.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

mod chat;
mod cognito;

use axum::Router;
use axum::extract::{Multipart, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use base64::Engine as _;
use tokio::sync::watch;

/// The seed's stage path: `api_url` carries it and routes are appended to it.
pub const STAGE: &str = "/develop";
pub const CHANNEL: &str = "Ab3_x9-QzK";
pub const STREAM_KEY: &str = "sk_fixture_not_a_real_key_0123";
pub const NICKNAME: &str = "스트리머";

/// One HTTP request as the fixture received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// The raw query string, exactly as sent (still percent-encoded).
    pub raw_query: Option<String>,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    /// `X-Amz-Target` of Cognito calls.
    pub target: Option<String>,
}

/// One multipart upload: the part names in order, and the bytes of each part.
#[derive(Debug, Clone)]
pub struct Upload {
    pub parts: Vec<(String, Vec<u8>)>,
}

/// How R6 answers (the seed's failure shapes, section 4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MyPageMode {
    Normal,
    /// 200 with an empty body (an exception swallowed by the handler).
    EmptyOk,
    /// 500 `"Server Error"`.
    ServerError,
}

#[derive(Debug)]
pub struct FixtureState {
    pub requests: Mutex<Vec<Recorded>>,
    pub uploads: Mutex<Vec<Upload>>,
    /// Raw text frames received on the chat WebSocket, in order.
    pub chat_frames: Mutex<Vec<String>>,
    /// The sub-protocol (chat token) of each chat connection, in order.
    pub chat_connections: Mutex<Vec<String>>,
    pub title: Mutex<String>,
    pub mypage_mode: Mutex<MyPageMode>,
    /// `ExpiresIn` of issued tokens, seconds.
    pub expires_in: AtomicU64,
    /// The next N signed-in REST calls answer 401 whatever the token.
    pub force_unauthorized: AtomicU32,
    /// The next N chat connection attempts are refused (HTTP 401 on the handshake).
    pub refuse_chat: AtomicU32,
    /// The ID tokens currently valid (login and refreshes add, never remove).
    pub valid_id_tokens: Mutex<Vec<String>>,
    /// `AuthFlow` of every InitiateAuth, in order.
    pub auth_flows: Mutex<Vec<String>>,
    /// Every Cognito call as (operation, JSON body), in order.
    pub cognito_calls: Mutex<Vec<(String, serde_json::Value)>>,
    /// The next N SEND_MESSAGE frames are refused with IVS's 429 (rate exceeded).
    pub rate_limit_sends: AtomicU32,
    id_serial: AtomicU32,
    chat_serial: AtomicU32,
    message_serial: AtomicU32,
    /// Bumped to make the chat server drop every open socket.
    drop_chat: watch::Sender<u32>,
}

impl FixtureState {
    pub fn recorded(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// Requests whose path ends with `suffix`.
    pub fn calls_to(&self, suffix: &str) -> Vec<Recorded> {
        self.recorded()
            .into_iter()
            .filter(|r| r.path.ends_with(suffix))
            .collect()
    }

    /// Cognito calls whose `X-Amz-Target` ends with `op`.
    pub fn cognito_ops(&self) -> Vec<String> {
        self.recorded()
            .into_iter()
            .filter_map(|r| r.target)
            .map(|t| t.rsplit('.').next().unwrap_or_default().to_owned())
            .collect()
    }

    /// Closes every open chat socket (the server drops the connection).
    pub fn drop_chat_connections(&self) {
        self.drop_chat.send_modify(|n| *n += 1);
    }

    fn issue_id_token(&self) -> String {
        let serial = self.id_serial.fetch_add(1, Ordering::SeqCst) + 1;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let claims = serde_json::json!({
            "sub": "0b5c2f1e-fixture", "email": "alice@example.com", "nickname": NICKNAME,
            "custom:chanelName": CHANNEL, "cognito:username": "alice@example.com",
            "token_use": "id", "iss": "fixture", "aud": "fixture-client",
            "exp": now + self.expires_in.load(Ordering::SeqCst) as i64, "iat": now,
            "serial": serial,
        });
        let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        let token = format!(
            "{}.{}.{}",
            b64(br#"{"alg":"RS256","kid":"fixture"}"#),
            b64(claims.to_string().as_bytes()),
            b64(format!("sig-{serial}").as_bytes())
        );
        self.valid_id_tokens.lock().unwrap().push(token.clone());
        token
    }
}

/// A running fixture; the server stops with the test's runtime.
pub struct SeedFixture {
    /// `http://127.0.0.1:<port>`
    pub origin: String,
    pub state: Arc<FixtureState>,
}

impl SeedFixture {
    pub async fn start() -> Self {
        let (drop_chat, _) = watch::channel(0);
        let state = Arc::new(FixtureState {
            requests: Mutex::default(),
            uploads: Mutex::default(),
            chat_frames: Mutex::default(),
            chat_connections: Mutex::default(),
            title: Mutex::new("Input Title".into()),
            mypage_mode: Mutex::new(MyPageMode::Normal),
            expires_in: AtomicU64::new(3600),
            force_unauthorized: AtomicU32::new(0),
            refuse_chat: AtomicU32::new(0),
            valid_id_tokens: Mutex::default(),
            auth_flows: Mutex::default(),
            cognito_calls: Mutex::default(),
            rate_limit_sends: AtomicU32::new(0),
            id_serial: AtomicU32::new(0),
            chat_serial: AtomicU32::new(0),
            message_serial: AtomicU32::new(0),
            drop_chat,
        });
        let stage = Router::new()
            .route("/public/users", get(users))
            .route("/public/broadcast_status", get(broadcast_status))
            .route("/public/get_channel", get(get_channel))
            // Not in the deployed zip (section 4.4): the live API answers 400.
            .route("/public/get_chat", any(invalid_request))
            .route("/public/{*rest}", any(invalid_request))
            .route("/stream/get_caht", get(get_caht))
            .route("/stream/mypage", get(mypage))
            .route("/stream/save_mypage", post(save_mypage))
            .route("/stream/broadcase_info_edit", get(broadcase_info_edit))
            .route("/stream/{*rest}", any(not_found));
        let app = Router::new()
            .nest(STAGE, stage)
            .route("/cognito/", post(cognito::cognito))
            .route("/chat", get(chat::chat))
            // API Gateway's answer outside /public and /stream.
            .fallback(|| async {
                (
                    StatusCode::FORBIDDEN,
                    r#"{"message":"Missing Authentication Token"}"#,
                )
            })
            .layer(middleware::from_fn_with_state(state.clone(), record))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { origin, state }
    }

    /// `https://<api-id>.execute-api.<region>.amazonaws.com/develop`, here.
    pub fn api_url(&self) -> String {
        format!("{}{STAGE}", self.origin)
    }

    /// A seed-like backend profile pointing at this fixture. The pool id is unique per
    /// call so parallel tests never share a session in the credential store. The fixture
    /// refuses SRP, so the profile carries the user's consent to password sign-in.
    pub fn profile(&self) -> cloumer_api::BackendProfile {
        self.profile_with("allow_password_auth = true\n")
    }

    /// The profile without any option: SRP only.
    pub fn profile_srp_only(&self) -> cloumer_api::BackendProfile {
        self.profile_with("")
    }

    /// A profile with `extra` TOML lines appended.
    pub fn profile_with(&self, extra: &str) -> cloumer_api::BackendProfile {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let text = format!(
            "region = \"ap-northeast-2\"\nuser_pool_id = \"ap-northeast-2_fx{}n{n}\"\n\
             client_id = \"fixture-client\"\napi_url = \"{}\"\n\
             cognito_endpoint = \"{}/cognito/\"\nchat_endpoint = \"{}/chat\"\n{extra}",
            std::process::id(),
            self.api_url(),
            self.origin,
            self.origin.replace("http://", "ws://"),
        );
        cloumer_api::BackendProfile::from_toml(&text).unwrap()
    }
}

/// Python's `json.dumps` of one string (ensure_ascii): non-ASCII as lowercase `\uXXXX`
/// UTF-16 units, as the seed's Lambdas answer.
pub fn py_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// ---- recording --------------------------------------------------------------------

async fn record(State(state): State<Arc<FixtureState>>, request: Request, next: Next) -> Response {
    let recorded = describe(&request);
    state.requests.lock().unwrap().push(recorded);
    next.run(request).await
}

fn describe(request: &Request) -> Recorded {
    let h = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    Recorded {
        method: request.method().to_string(),
        path: request.uri().path().to_owned(),
        raw_query: request.uri().query().map(str::to_owned),
        authorization: h("authorization"),
        content_type: h("content-type"),
        target: h("x-amz-target"),
    }
}

/// Query parameters as API Gateway hands them to the Lambda: `%XX` decoded, `+` kept.
fn query_params(query: Option<&str>) -> Option<HashMap<String, String>> {
    let query = query?;
    Some(
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| {
                let d = |s: &str| {
                    percent_encoding::percent_decode_str(s)
                        .decode_utf8_lossy()
                        .into_owned()
                };
                (d(k), d(v))
            })
            .collect(),
    )
}

// ---- responses ----------------------------------------------------------------------

fn json(status: StatusCode, body: impl Into<String>) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        body.into(),
    )
        .into_response()
}

fn unauthorized() -> Response {
    // The authorizer's answer: no CORS headers.
    (
        StatusCode::UNAUTHORIZED,
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"message":"Unauthorized"}"#,
    )
        .into_response()
}

/// The Cognito authorizer: a bare, currently valid ID token (a `Bearer ` prefix fails).
fn authorized(state: &FixtureState, headers: &HeaderMap) -> bool {
    if state
        .force_unauthorized
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        return false;
    }
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    state
        .valid_id_tokens
        .lock()
        .unwrap()
        .iter()
        .any(|t| t == token)
}

fn avatar_url(name: &str) -> String {
    format!("https://app-bucket.s3.amazonaws.com/profile_images/{name}")
}

async fn users(request: Request) -> Response {
    match query_params(request.uri().query()) {
        None => json(
            StatusCode::OK,
            format!(
                "[{{\"nickname\": {}, \"chanelName\": \"{CHANNEL}\", \"profile\": \"{}\"}}]",
                py_str(NICKNAME),
                avatar_url("default_profile.png")
            ),
        ),
        Some(q) => match q.get("getProfile") {
            Some(c) if c == CHANNEL => json(
                StatusCode::OK,
                format!("{{\"profile\": \"{}\"}}", avatar_url("default_profile.png")),
            ),
            _ => json(
                StatusCode::BAD_GATEWAY,
                r#"{"message": "Internal server error"}"#,
            ),
        },
    }
}

async fn broadcast_status(State(state): State<Arc<FixtureState>>) -> Response {
    let title = state.title.lock().unwrap().clone();
    json(
        StatusCode::OK,
        format!(
            "[{{\"nick_name\": {}, \"title\": {}, \"sub_key\": \"{CHANNEL}\", \"thumbnail\": \"{}\", \"profile\": \"{}\"}}]",
            py_str(NICKNAME),
            py_str(&title),
            avatar_url("default_img.png"),
            avatar_url("default_profile.png")
        ),
    )
}

async fn get_channel(request: Request) -> Response {
    match query_params(request.uri().query()).and_then(|q| q.get("code").cloned()) {
        Some(c) if c == CHANNEL => json(
            StatusCode::OK,
            "{\"play_back\": \"https://fixture.playback.live-video.net/api/video/v1/ap-northeast-2.000000000000.channel.Ab3x9QzK.m3u8\"}",
        ),
        _ => json(
            StatusCode::BAD_GATEWAY,
            r#"{"message": "Internal server error"}"#,
        ),
    }
}

async fn invalid_request() -> Response {
    (StatusCode::BAD_REQUEST, "\"Invalid request\"").into_response()
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "\"NOT FOUND\"").into_response()
}

async fn get_caht(State(state): State<Arc<FixtureState>>, request: Request) -> Response {
    if !authorized(&state, request.headers()) {
        return unauthorized();
    }
    let Some(q) = query_params(request.uri().query()) else {
        return json(StatusCode::OK, ""); // queryStringParameters null: 200-empty
    };
    match q.get("targetChanel") {
        None => json(StatusCode::BAD_REQUEST, "\"Invalid request\""),
        Some(c) if c != CHANNEL => json(StatusCode::OK, "{}"),
        Some(_) => {
            let n = state.chat_serial.fetch_add(1, Ordering::SeqCst) + 1;
            json(
                StatusCode::OK,
                format!(
                    "{{\"sessionExpirationTime\": \"2030-12-09T13:40:00+00:00\", \"tokenExpirationTime\": \"2030-12-09T12:01:00.123456+00:00\", \"token\": \"AQICAHfixture{n}\"}}"
                ),
            )
        }
    }
}

async fn mypage(State(state): State<Arc<FixtureState>>, headers: HeaderMap) -> Response {
    if !authorized(&state, &headers) {
        return unauthorized();
    }
    let mode = *state.mypage_mode.lock().unwrap();
    match mode {
        MyPageMode::EmptyOk => json(StatusCode::OK, ""),
        MyPageMode::ServerError => json(StatusCode::INTERNAL_SERVER_ERROR, "\"Server Error\""),
        MyPageMode::Normal => {
            let title = state.title.lock().unwrap().clone();
            json(
                StatusCode::OK,
                format!(
                    "{{\"boradCastTitle\": {}, \"isLive\": \"false\", \"chanelName\": \"{CHANNEL}\", \"streamKey\": \"{STREAM_KEY}\", \"streamUrl\": \"rtmps://ingest-host.global-contribute.live-video.net:443/app/\", \"playbackUrl\": \"https://fixture.playback.live-video.net/x.m3u8\", \"profile\": \"{}\"}}",
                    py_str(&title),
                    avatar_url("default_profile.png")
                ),
            )
        }
    }
}

async fn save_mypage(
    State(state): State<Arc<FixtureState>>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    if !authorized(&state, &headers) {
        return unauthorized();
    }
    // Any failure before the multipart loop: 200 with an empty body (bug B3).
    let Ok(mut multipart) = multipart else {
        return json(StatusCode::OK, "");
    };
    let mut parts = Vec::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        parts.push((name, bytes));
    }
    if parts.is_empty() {
        return json(StatusCode::OK, "");
    }
    state.uploads.lock().unwrap().push(Upload { parts });
    json(StatusCode::OK, py_str("이미지 업로드 성공"))
}

async fn broadcase_info_edit(State(state): State<Arc<FixtureState>>, request: Request) -> Response {
    if !authorized(&state, request.headers()) {
        return unauthorized();
    }
    let Some(q) = query_params(request.uri().query()) else {
        return json(StatusCode::OK, "");
    };
    match q.get("title") {
        None => json(StatusCode::BAD_REQUEST, "\"Invalid request\""),
        Some(t) => {
            *state.title.lock().unwrap() = t.clone();
            json(StatusCode::OK, "\"OK\"")
        }
    }
}
