//! Shared by the `security_auth_*` tests: SRP sign-in by a real client library
//! (aws-cognito-srp, as cloumer-api), Cognito calls from a chosen source address,
//! latency figures, and the CI rule for skipped tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use aws_cognito_srp::{SrpClient, User};
use serde_json::{Value, json};

use crate::common::TestServer;

pub const PASSWORD: &str = "Passw0rd!";

/// A PASSWORD_VERIFIER challenge for `username`, with the client that asked for it.
pub struct Challenge {
    pub client: SrpClient<User>,
    pub params: BTreeMap<String, String>,
}

/// InitiateAuth USER_SRP_AUTH; `password` is what `answer` will prove.
pub async fn srp_start(t: &TestServer, username: &str, password: &str) -> Challenge {
    let pool_id = t.server.backend_profile().user_pool_id;
    let client = SrpClient::new(
        User::new(&pool_id, username, password),
        &t.client_id(),
        None,
    );
    let a = client.get_auth_parameters().a;
    let (s, b) = t
        .cognito(
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": t.client_id(),
                   "AuthParameters": {"USERNAME": username, "SRP_A": a}}),
        )
        .await;
    assert_eq!(
        (s, b["ChallengeName"].as_str()),
        (200, Some("PASSWORD_VERIFIER")),
        "{b}"
    );
    let params = serde_json::from_value(b["ChallengeParameters"].clone()).expect("parameters");
    Challenge { client, params }
}

impl Challenge {
    /// The RespondToAuthChallenge body proving the client's password.
    pub fn answer(&self, client_id: &str) -> Value {
        let p = |k: &str| self.params[k].as_str();
        let v = self
            .client
            .verify(
                p("SECRET_BLOCK"),
                p("USER_ID_FOR_SRP"),
                p("SALT"),
                p("SRP_B"),
            )
            .expect("SRP maths");
        json!({"ChallengeName": "PASSWORD_VERIFIER", "ClientId": client_id,
               "ChallengeResponses": {
                   "USERNAME": p("USER_ID_FOR_SRP"),
                   "PASSWORD_CLAIM_SECRET_BLOCK": v.password_claim_secret_block,
                   "PASSWORD_CLAIM_SIGNATURE": v.password_claim_signature,
                   "TIMESTAMP": v.timestamp}})
    }
}

/// A signed-up, confirmed user with [`PASSWORD`]; returns the AuthenticationResult.
pub async fn user(t: &TestServer, email: &str) -> Value {
    t.user(email, "nick").await
}

/// USER_PASSWORD_AUTH: (status, body).
pub async fn password_login(t: &TestServer, username: &str, password: &str) -> (u16, Value) {
    t.cognito(
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": t.client_id(),
               "AuthParameters": {"USERNAME": username, "PASSWORD": password}}),
    )
    .await
}

/// An HTTP client whose connections come from `source` (another loopback address is
/// another client as far as per-address throttles go); `None` when it cannot bind.
pub async fn client_from(t: &TestServer, source: IpAddr) -> Option<reqwest::Client> {
    let client = reqwest::Client::builder()
        .local_address(source)
        .build()
        .ok()?;
    client.get(t.url("/public/users")).send().await.ok()?;
    Some(client)
}

/// Latency percentiles of a series, in milliseconds.
pub struct Figures {
    pub p50: f64,
    pub p90: f64,
    pub max: f64,
    pub n: usize,
}

impl Figures {
    pub fn of(mut samples: Vec<Duration>) -> Self {
        samples.sort();
        let at = |q: f64| {
            let i = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
            samples[i].as_secs_f64() * 1000.0
        };
        Self {
            p50: at(0.5),
            p90: at(0.9),
            max: at(1.0),
            n: samples.len(),
        }
    }
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "n={} p50={:.1} ms p90={:.1} ms max={:.1} ms",
            self.n, self.p50, self.p90, self.max
        )
    }
}

/// Time of one async call.
pub async fn timed<T>(f: impl std::future::Future<Output = T>) -> (T, Duration) {
    let t = Instant::now();
    let out = f.await;
    (out, t.elapsed())
}

/// The payload of a JWT (no verification: the server's own token).
pub fn claims(jwt: &str) -> Value {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).expect("JWT payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}
