//! The `cloumer` CLI against a local stand-in of the AWS stack: moto's Cognito behind the
//! Cognito / API Gateway stand-in (gateway.rs), the three function processes under the
//! Lambda runtime emulator (cargo-lambda), moto's DynamoDB and S3 and the IVS / IVS Chat
//! stand-in. Sign-up (the post-confirmation function runs on ConfirmSignUp), log-in,
//! profile (channel and stream key from IVS), title, avatar (S3), and the chat token the CLI
//! takes to IVS Chat, all through the real binaries.
//!
//! The `cloumer` binary is cargo's build of crates/cloumer-cli next to this test's
//! binaries (`cargo test --workspace` builds it; alone: `cargo build -p cloumer-cli` first).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use base64::Engine as _;
use serde_json::Value;

use super::emulator::Emulator;
use super::gateway::Gateway;
use super::stack::Stack;

const PASSWORD: &str = "Correct-Horse-9!";

/// target/<profile>/cloumer, beside the functions cargo built for this test.
pub fn cloumer_binary() -> anyhow::Result<PathBuf> {
    let dir = Path::new(env!("CARGO_BIN_EXE_cloumer-api-fn"))
        .parent()
        .ok_or_else(|| anyhow::anyhow!("no target dir"))?;
    let bin = dir.join("cloumer");
    anyhow::ensure!(
        bin.is_file(),
        "{} is not built (cargo build -p cloumer-cli)",
        bin.display()
    );
    Ok(bin)
}

fn cloumer(bin: &Path, home: &Path, args: &[&str]) -> Output {
    Command::new(bin)
        .args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("CLOUMER_PASSWORD", PASSWORD)
        .env_remove("CLOUMER_BACKEND")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("run cloumer")
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The stack's public app client, as the template declares it (no secret; SRP, password
/// and refresh flows).
async fn app_client(stack: &Stack) -> anyhow::Result<String> {
    use aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType as Flow;
    let out = stack
        .clients
        .cognito
        .create_user_pool_client()
        .user_pool_id(&stack.pool_id)
        .client_name("cloumer-public")
        .generate_secret(false)
        .explicit_auth_flows(Flow::AllowUserSrpAuth)
        .explicit_auth_flows(Flow::AllowUserPasswordAuth)
        .explicit_auth_flows(Flow::AllowRefreshTokenAuth)
        .send()
        .await?;
    out.user_pool_client()
        .and_then(|c| c.client_id())
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("no client id"))
}

/// IVS Chat's WebSocket endpoint as far as this test goes: it keeps the first handshake
/// request and answers every connection with 403.
struct ChatDoor {
    port: u16,
    seen: std::sync::Arc<std::sync::Mutex<String>>,
}

impl ChatDoor {
    fn start() -> Self {
        use std::io::{Read as _, Write as _};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let keep = seen.clone();
        std::thread::spawn(move || {
            for mut conn in listener.incoming().flatten() {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let mut first = keep.lock().expect("lock");
                if first.is_empty() {
                    *first = String::from_utf8_lossy(&head).into_owned();
                }
                let _ = conn.write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
            }
        });
        Self { port, seen }
    }

    fn handshake(&self) -> String {
        self.seen.lock().expect("lock").clone()
    }
}

/// An ID token of `email` from moto (USER_PASSWORD_AUTH).
async fn id_token(stack: &Stack, client_id: &str, email: &str) -> String {
    let out = stack
        .clients
        .cognito
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", email)
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .expect("InitiateAuth");
    out.authentication_result()
        .and_then(|r| r.id_token())
        .expect("an ID token")
        .to_owned()
}

/// Sign-up to chat with the `cloumer` binary `bin` against `stack` and the functions
/// under `emulator`.
pub async fn signup_to_chat(bin: &Path, stack: &Stack, emulator: Arc<Emulator>) {
    let bin = bin.to_owned();
    let client_id = app_client(stack).await.expect("app client");
    let gateway = Gateway::start(
        emulator,
        &stack.moto.endpoint,
        &stack.pool_id,
        &client_id,
        stack.clients.cognito.clone(),
    )
    .await
    .expect("gateway stand-in");

    let chat = ChatDoor::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    // allow_password_auth: moto's SRP challenge is not Cognito's (its SECRET_BLOCK is
    // not base64), so the CLI logs in with USER_PASSWORD_AUTH, which it allows towards
    // this machine only. The stack's real pool gets SRP.
    let backend = dir.path().join("backend.toml");
    std::fs::write(
        &backend,
        format!(
            "region = \"us-east-1\"\nuser_pool_id = \"{}\"\nclient_id = \"{client_id}\"\n\
             api_url = \"http://127.0.0.1:{port}/develop\"\n\
             cognito_endpoint = \"http://127.0.0.1:{port}/\"\nallow_password_auth = true\n\
             chat_endpoint = \"ws://127.0.0.1:{chat_port}\"\n",
            stack.pool_id,
            port = gateway.port,
            chat_port = chat.port
        ),
    )
    .expect("backend profile");
    let backend = backend.to_str().expect("UTF-8 path");
    let email = "cli-streamer@example.com";
    let run = |args: &[&str]| {
        let bin = bin.clone();
        let home = home.clone();
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        // The CLI calls the gateway stand-in, which runs on this runtime.
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            cloumer(&bin, &home, &args)
        })
    };

    ok(run(&[
        "--backend",
        backend,
        "signup",
        "--username",
        email,
        "--nickname",
        "스트리머",
    ])
    .await
    .expect("signup"));
    // moto accepts any code; the trigger runs inside ConfirmSignUp.
    ok(run(&[
        "--backend",
        backend,
        "confirm",
        "--username",
        email,
        "--code",
        "123456",
    ])
    .await
    .expect("confirm"));
    let channel = stack
        .chanel_name_attribute(email)
        .await
        .expect("custom:chanelName set by the post-confirmation function");
    ok(run(&["--backend", backend, "login", "--username", email])
        .await
        .expect("login"));

    let profile: Value = serde_json::from_str(
        ok(run(&["profile", "--json", "--show-key"])
            .await
            .expect("profile"))
        .trim(),
    )
    .expect("profile JSON");
    assert_eq!(profile["channel"], channel.as_str(), "{profile}");
    assert_eq!(profile["live"], false, "{profile}");
    let key = profile["stream_key"].as_str().expect("stream key");
    assert!(key.starts_with("sk_"), "an IVS stream key: {profile}");

    let title = "안녕 🎥 a&b=c?d#e + f";
    ok(run(&["title", title]).await.expect("title"));
    let png = dir.path().join("a.png");
    std::fs::write(&png, cloumer_testkit::seed_contract::png(64)).expect("png");
    ok(run(&["avatar", png.to_str().expect("path")])
        .await
        .expect("avatar"));
    let after: Value =
        serde_json::from_str(ok(run(&["profile", "--json"]).await.expect("profile")).trim())
            .expect("profile JSON");
    assert_eq!(after["title"], title, "{after}");
    let avatar = after["avatar_url"].as_str().expect("avatar URL");
    assert_ne!(Some(avatar), profile["avatar_url"].as_str(), "{after}");
    let base = stack.env.avatar_base_url.as_deref().expect("base URL");
    let key = avatar
        .strip_prefix(&format!("{base}/"))
        .unwrap_or_else(|| panic!("{avatar} is not under {base}"));
    let object = stack
        .clients
        .s3
        .get_object()
        .bucket(stack.env.avatar_bucket.as_deref().expect("bucket"))
        .key(key)
        .send()
        .await
        .expect("the avatar is in the bucket");
    assert_eq!(object.content_type(), Some("image/png"));

    // Chat: the CLI asks the API function for a token (R5: IVS CreateChatToken on the
    // channel's room, with the owner's capabilities) and presents it to IVS Chat's
    // WebSocket endpoint. Nothing emulates IVS Chat messaging: the door records the
    // handshake and refuses it, so the command fails after that.
    let _ = run(&["chat", &channel, "--send", "안녕"])
        .await
        .expect("chat");
    let handshake = chat.handshake().to_ascii_lowercase();
    let (_, request) = stack
        .ivs
        .calls()
        .into_iter()
        .rfind(|(op, _)| op == "CreateChatToken")
        .expect("a CreateChatToken call");
    assert_eq!(request["userId"], channel.as_str(), "{request}");
    for capability in ["SEND_MESSAGE", "DELETE_MESSAGE", "DISCONNECT_USER"] {
        assert!(
            request["capabilities"].to_string().contains(capability),
            "{request}"
        );
    }
    assert!(
        handshake.contains("sec-websocket-protocol: standin-chat-token-"),
        "the stand-in's token in the handshake: {handshake}"
    );

    // The authorizer stand-in refuses what API Gateway's refuses: no token, and an ID
    // token whose claims were changed (here: another `sub`) after Cognito signed it.
    let url = format!("http://127.0.0.1:{}/develop/stream/mypage", gateway.port);
    let http = reqwest::Client::new();
    let status = |r: reqwest::Response| r.status().as_u16();
    assert_eq!(status(http.get(&url).send().await.expect("GET")), 401);
    let token = id_token(stack, &client_id, email).await;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&b64.decode(parts[1]).expect("b64")).expect("claims");
    assert_eq!(
        status(
            http.get(&url)
                .header("Authorization", &token)
                .send()
                .await
                .expect("GET")
        ),
        200
    );
    claims["sub"] = Value::from("00000000-0000-0000-0000-000000000000");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        b64.encode(claims.to_string()),
        parts[2]
    );
    assert_eq!(
        status(
            http.get(&url)
                .header("Authorization", forged)
                .send()
                .await
                .expect("GET")
        ),
        401
    );
    drop(gateway);
}
