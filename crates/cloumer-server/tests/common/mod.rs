//! Test helpers: an in-process server on free ports with a temp data dir, a raw Cognito
//! JSON client, the outbox reader, and ffmpeg/ffprobe helpers ([`media`]).
#![allow(dead_code)]

pub mod media;

use std::path::Path;
use std::time::Instant;

use cloumer_server::{RunningServer, Server, ServerConfig};
use serde_json::{Value, json};

pub struct TestServer {
    pub server: RunningServer,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
}

/// Whether `python3 -c <imports>` works; prints why the calling test skips when not.
pub fn python_can(imports: &str, install: &str) -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", imports])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        cloumer_testkit::skip(format!("python3 cannot `{imports}` ({install})"));
    }
    ok
}

pub async fn start() -> TestServer {
    start_with(|config| config).await
}

/// A server on free ports whose configuration `adjust` changes (channel type, ...).
pub async fn start_with(adjust: impl FnOnce(ServerConfig) -> ServerConfig) -> TestServer {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = start_configured(adjust(ServerConfig::ephemeral(dir.path()))).await;
    TestServer {
        server,
        dir,
        http: reqwest::Client::new(),
    }
}

pub async fn start_in(dir: &Path) -> RunningServer {
    start_configured(ServerConfig::ephemeral(dir)).await
}

async fn start_configured(config: ServerConfig) -> RunningServer {
    let t = Instant::now();
    let server = Server::start(config).await.expect("server starts");
    eprintln!("server start-up took {} ms", t.elapsed().as_millis());
    server
}

/// `(status, body)` is the Cognito error `kind`.
pub fn assert_cognito_error((status, body): (u16, Value), kind: &str) {
    assert_eq!(
        (status, body["__type"].as_str()),
        (400, Some(kind)),
        "{body}"
    );
}

impl TestServer {
    /// Stops the server and starts a new one on the same data dir (new free ports).
    pub async fn restart(self) -> TestServer {
        let TestServer { server, dir, http } = self;
        server.shutdown().await;
        let server = start_in(dir.path()).await;
        TestServer { server, dir, http }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.api_url())
    }

    pub fn client_id(&self) -> String {
        self.server.backend_profile().client_id
    }

    /// One Cognito operation: (HTTP status, JSON body).
    pub async fn cognito(&self, op: &str, body: Value) -> (u16, Value) {
        cognito_at(&self.http, &self.server, op, body).await
    }

    /// Signs up, confirms from the outbox and logs in with USER_PASSWORD_AUTH:
    /// returns the AuthenticationResult.
    pub async fn user(&self, email: &str, nickname: &str) -> Value {
        let client_id = self.client_id();
        let (s, b) = self
            .cognito("SignUp", json!({
                "ClientId": client_id, "Username": email, "Password": "Passw0rd!",
                "UserAttributes": [{"Name": "email", "Value": email}, {"Name": "nickname", "Value": nickname}],
            }))
            .await;
        assert_eq!(s, 200, "{b}");
        let code = last_code(self.dir.path(), email);
        let (s, b) = self
            .cognito(
                "ConfirmSignUp",
                json!({"ClientId": client_id, "Username": email, "ConfirmationCode": code}),
            )
            .await;
        assert_eq!(s, 200, "{b}");
        self.login(email, "Passw0rd!").await
    }

    pub async fn login(&self, email: &str, password: &str) -> Value {
        let (s, b) = self
            .cognito(
                "InitiateAuth",
                json!({
                    "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": self.client_id(),
                    "AuthParameters": {"USERNAME": email, "PASSWORD": password},
                }),
            )
            .await;
        assert_eq!(s, 200, "{b}");
        b["AuthenticationResult"].clone()
    }

    /// InitiateAuth with REFRESH_TOKEN_AUTH.
    pub async fn refresh(&self, refresh_token: &str) -> (u16, Value) {
        self.cognito(
            "InitiateAuth",
            json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": self.client_id(),
            "AuthParameters": {"REFRESH_TOKEN": refresh_token}}),
        )
        .await
    }

    /// R6 `/stream/mypage` of the signed-in user (must answer 200).
    pub async fn mypage(&self, id_token: &str) -> Value {
        let (status, page) = self.get("/stream/mypage", Some(id_token)).await;
        assert_eq!(status, 200, "{page}");
        page
    }

    /// A signed-in request without a body; returns the status.
    pub async fn send(&self, method: reqwest::Method, path: &str, id_token: &str) -> u16 {
        self.http
            .request(method, self.url(path))
            .header("Authorization", id_token)
            .send()
            .await
            .expect("request")
            .status()
            .as_u16()
    }

    /// R7: uploads `bytes` as the multipart part `file`; (status, JSON body).
    pub async fn upload_avatar(
        &self,
        id_token: &str,
        bytes: Vec<u8>,
        name: &str,
        mime: &str,
    ) -> (u16, Value) {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str(mime)
            .expect("mime type");
        let form = reqwest::multipart::Form::new().part("file", part);
        let res = self
            .http
            .post(self.url("/stream/save_mypage"))
            .header("Authorization", id_token)
            .multipart(form)
            .send()
            .await
            .expect("upload");
        let status = res.status().as_u16();
        (status, res.json().await.expect("JSON body"))
    }

    pub async fn get(&self, path: &str, id_token: Option<&str>) -> (u16, Value) {
        let mut req = self.http.get(self.url(path));
        if let Some(t) = id_token {
            req = req.header("Authorization", t);
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let text = res.text().await.expect("body");
        assert!(!text.is_empty(), "empty body for {path} ({status})");
        (
            status,
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}")),
        )
    }
}

pub async fn cognito_at(
    http: &reqwest::Client,
    server: &RunningServer,
    op: &str,
    body: Value,
) -> (u16, Value) {
    cognito_post(http, &server.backend_profile().cognito_endpoint(), op, body).await
}

/// One Cognito JSON call to `endpoint` (the server's own or its public URL's).
pub async fn cognito_post(
    http: &reqwest::Client,
    endpoint: &str,
    op: &str,
    body: Value,
) -> (u16, Value) {
    let res = http
        .post(endpoint)
        .header(
            "X-Amz-Target",
            format!("AWSCognitoIdentityProviderService.{op}"),
        )
        .header("Content-Type", "application/x-amz-json-1.1")
        .body(body.to_string())
        .send()
        .await
        .expect("cognito request");
    let status = res.status().as_u16();
    (status, res.json().await.expect("cognito JSON"))
}

/// A `kB` field of `/proc/self/status` (`VmRSS`, `VmHWM`) in MiB; `None` off Linux.
pub fn proc_status_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status
        .lines()
        .find(|l| l.starts_with(&format!("{field}:")))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The newest code the outbox holds for `to`.
pub fn last_code(dir: &Path, to: &str) -> String {
    let text = std::fs::read_to_string(dir.join("outbox.jsonl")).expect("outbox.jsonl");
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|m| m["to"] == to)
        .filter_map(|m| m["code"].as_str().map(str::to_owned))
        .next_back()
        .expect("a code for the user")
}
