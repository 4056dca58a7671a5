//! The Cognito JSON protocol: arbitrary bytes as the body of each operation the server
//! answers, and the SRP values a client controls (SRP_A, the secret block) through the
//! server's SRP code.
#![no_main]

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use cloumer_protocol::cognito as wire;
use cloumer_server::auth::srp;
use libfuzzer_sys::fuzz_target;

const SECRET: [u8; 32] = [7; 32];

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Option<T> {
    serde_json::from_slice(body).ok()
}

fuzz_target!(|data: &[u8]| {
    let Some((&op, body)) = data.split_first() else {
        return;
    };
    match op % 8 {
        0 => drop(parse::<wire::SignUpRequest>(body)),
        1 => drop(parse::<wire::ConfirmSignUpRequest>(body)),
        2 => drop(parse::<wire::UsernameRequest>(body)),
        3 => drop(parse::<wire::ConfirmForgotPasswordRequest>(body)),
        4 => drop(parse::<wire::AccessTokenRequest>(body)),
        5 => drop(parse::<wire::UpdateUserAttributesRequest>(body)),
        6 => {
            let Some(req) = parse::<wire::InitiateAuthRequest>(body) else {
                return;
            };
            if let Some(a) = req.auth_parameters.get("SRP_A") {
                let salt = srp::new_salt();
                let verifier = srp::verifier("pool", "user", "password", &salt);
                let _ = srp::challenge(&SECRET, "user", &salt, &verifier, a, 1_000);
            }
        }
        _ => {
            let Some(req) = parse::<wire::RespondToAuthChallengeRequest>(body) else {
                return;
            };
            let r = &req.challenge_responses;
            let field = |name: &str| r.get(name).map(String::as_str).unwrap_or_default();
            let block = B64
                .decode(field("PASSWORD_CLAIM_SECRET_BLOCK"))
                .unwrap_or_default();
            let signature = B64
                .decode(field("PASSWORD_CLAIM_SIGNATURE"))
                .unwrap_or_default();
            let timestamp = field("TIMESTAMP");
            let _ = srp::timestamp_looks_valid(timestamp);
            let proof = srp::Proof {
                pool: "pool",
                user: field("USERNAME"),
                secret_block: &block,
                timestamp,
                signature: &signature,
            };
            let _ = srp::verify(&SECRET, &[2; 384], &proof, 1_000);
        }
    }
});
