#![allow(clippy::unwrap_used)]
//! Every REST route's shape and errors, avatars, titles, live listing (the seed-contract
//! checks shared with the AWS home, `cloumer_testkit::seed_contract`), and token forgery.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use serde_json::{Value, json};

use cloumer_testkit::seed_contract::{self, Home};

/// `cloumer serve` as a home of the shared seed-contract checks.
impl Home for common::TestServer {
    async fn user(&self, email: &str, nickname: &str) -> String {
        let tokens = common::TestServer::user(self, email, nickname).await;
        tokens["IdToken"].as_str().unwrap().to_owned()
    }

    async fn get(&self, path: &str, auth: Option<&str>) -> (u16, Value) {
        common::TestServer::get(self, path, auth).await
    }

    async fn send(&self, method: &str, path: &str, auth: &str) -> (u16, Value) {
        let res = self
            .http
            .request(method.parse().unwrap(), self.url(path))
            .header("Authorization", auth)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn upload_avatar(
        &self,
        auth: &str,
        bytes: Vec<u8>,
        file_name: &str,
        content_type: &str,
    ) -> (u16, Value) {
        common::TestServer::upload_avatar(self, auth, bytes, file_name, content_type).await
    }

    async fn set_live(&self, channel: &str, live: bool) {
        let hooks = self.server.live_events();
        if live {
            hooks.stream_started(channel, "session-1").await.unwrap();
        } else {
            hooks.stream_ended(channel, "session-1").await.unwrap();
        }
    }

    async fn fetch(&self, url: &str) -> (u16, String, Vec<u8>) {
        let res = self.http.get(url).send().await.unwrap();
        let status = res.status().as_u16();
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (status, content_type, res.bytes().await.unwrap().to_vec())
    }
}

#[tokio::test]
async fn public_routes_shapes_and_errors() {
    seed_contract::public_routes(&common::start().await).await;
}

#[tokio::test]
async fn chat_tokens_anonymous_and_signed_in() {
    seed_contract::chat_tokens(&common::start().await).await;
}

#[tokio::test]
async fn titles_are_decoded_and_validated() {
    seed_contract::titles(&common::start().await).await;
}

#[tokio::test]
async fn avatar_round_trip_with_true_type() {
    seed_contract::avatars(&common::start().await).await;
}

/// The shared checks, then what only this home can see: the ingest refuses the old key.
#[tokio::test]
async fn stream_key_rotation_and_moderators() {
    let t = common::start().await;
    let (before, after) = seed_contract::stream_key_rotation_and_moderators(&t).await;
    let hooks = t.server.live_events();
    assert!(hooks.authorize(&before).await.unwrap().is_none());
    assert!(hooks.authorize(&after).await.unwrap().is_some());
}

/// Signs `claims` with the server's own key, read from its database.
fn sign_with_server_key(dir: &std::path::Path, claims: &Value) -> String {
    use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
    let conn = rusqlite::Connection::open(dir.join("cloumer.sqlite3")).unwrap();
    let der: Vec<u8> = conn
        .query_row("SELECT value FROM meta WHERE key = 'rsa_pkcs8'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let key = RsaKeyPair::from_pkcs8(&der).unwrap();
    let mut input = format!(
        "{}.{}",
        B64URL.encode(br#"{"alg":"RS256","typ":"JWT"}"#),
        B64URL.encode(claims.to_string())
    );
    let mut sig = vec![0; key.public_modulus_len()];
    key.sign(
        &RSA_PKCS1_SHA256,
        &aws_lc_rs::rand::SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .unwrap();
    input.push('.');
    input.push_str(&B64URL.encode(sig));
    input
}

#[tokio::test]
async fn forged_tokens_are_unauthorized() {
    let t = common::start().await;
    let a = t.user("jack@example.com", "jack").await;
    let id = a["IdToken"].as_str().unwrap();
    let payload: Value =
        serde_json::from_slice(&B64URL.decode(id.split('.').nth(1).unwrap()).unwrap()).unwrap();

    // The control: our own key with the real claims works.
    let (s, _) = t
        .get(
            "/stream/mypage",
            Some(&sign_with_server_key(t.dir.path(), &payload)),
        )
        .await;
    assert_eq!(s, 200);

    let none = format!(
        "{}.{}.",
        B64URL.encode(br#"{"alg":"none","typ":"JWT"}"#),
        B64URL.encode(payload.to_string())
    );
    let mut expired = payload.clone();
    expired["exp"] = json!(1_000_000);
    expired["iat"] = json!(999_000);
    let expired = sign_with_server_key(t.dir.path(), &expired);
    let mut tampered_claims = payload.clone();
    tampered_claims["sub"] = json!("someone-else");
    let parts: Vec<&str> = id.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        B64URL.encode(tampered_claims.to_string()),
        parts[2]
    );
    // A token from another server: a foreign key.
    let other = common::start().await;
    let foreign = other.user("jack@example.com", "jack").await;
    let access = a["AccessToken"].as_str().unwrap().to_owned();

    for (what, token) in [
        ("alg none", none),
        ("expired", expired),
        ("tampered", tampered),
        (
            "foreign key",
            foreign["IdToken"].as_str().unwrap().to_owned(),
        ),
        ("access token", access),
        ("garbage", "abc".into()),
    ] {
        let (s, body) = t.get("/stream/mypage", Some(&token)).await;
        assert_eq!(
            (s, &body),
            (401, &json!({"message": "Unauthorized"})),
            "{what}"
        );
    }
    let res = t.http.get(t.url("/stream/mypage")).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

/// Issue 21: chat timeouts and bans (the routes of `/stream/v1/chat-restrictions`).
#[path = "api_rest_support/chat_restrictions.rs"]
mod chat_restrictions;
