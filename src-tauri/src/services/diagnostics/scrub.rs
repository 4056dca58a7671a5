//! Removes secrets from text that leaves the machine in a diagnostics export. Logs are
//! written without secrets in the first place (`cloumer_api::logging::without_secrets`);
//! this is the second line, for what a dependency or an old version may have written.

use std::sync::LazyLock;

use regex::{Captures, Regex};

pub const REDACTED: &str = "[redacted]";

/// IVS and `cloumer serve` stream keys: `sk_<region>_<random>`.
static STREAM_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bsk_[a-z0-9-]+_[A-Za-z0-9]{8,}").expect("stream key pattern"));

/// JWTs (Cognito id/access tokens, IVS chat tokens issued as JWTs): three base64url parts.
static JWT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*").expect("jwt pattern")
});

/// `Bearer <token>` in headers.
static BEARER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bbearer\s+[^\s,;]+").expect("bearer pattern"));

/// The key part of an RTMP(S) URL: `rtmps://host:443/app/<key>`.
static RTMP_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(rtmps?://[^\s/]+/[^\s/]+/)[^\s/?#]+").expect("rtmp pattern"));

/// A secret-looking name with its value: `"password": "..."`, `token=...`, `streamKey: ...`.
static NAMED: LazyLock<Regex> = LazyLock::new(|| {
    let names = r"[A-Za-z_-]*(?:password|passwd|secret|token|stream_?key|streamkey|authorization|cookie|credential)[A-Za-z_-]*";
    Regex::new(&format!(
        r#"(?i)("?\b{names}"?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|[^\s,;&}}"]+)"#
    ))
    .expect("named secret pattern")
});

/// `text` with every stream key, token, password and other named secret replaced.
pub fn scrub(text: &str) -> String {
    let text = NAMED.replace_all(text, |c: &Captures| {
        let quoted = c[2].starts_with('"');
        if quoted {
            format!("{}\"{REDACTED}\"", &c[1])
        } else {
            format!("{}{REDACTED}", &c[1])
        }
    });
    let text = RTMP_KEY.replace_all(&text, |c: &Captures| format!("{}{REDACTED}", &c[1]));
    let text = BEARER.replace_all(&text, format!("Bearer {REDACTED}").as_str());
    let text = JWT.replace_all(&text, REDACTED);
    STREAM_KEY.replace_all(&text, REDACTED).into_owned()
}

/// A stream key of the real shape, made at run time so that no key-like literal sits in
/// the source (secret scanners would rightly flag one).
#[cfg(test)]
pub(crate) fn fake_stream_key(region: &str) -> String {
    format!("sk_{region}_{}", "NotARealKey0".repeat(3))
}

#[cfg(test)]
mod tests {
    use super::*;
    const JWT_TOKEN: &str =
        "eyJraWQiOiJhYmMiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NSIsImV4cCI6MX0.c2lnbmF0dXJlLXBhcnQ";

    #[test]
    fn secrets_are_replaced_wherever_they_appear() {
        let key = fake_stream_key("us-west-2");
        let cases = [
            format!("ingest key {key} accepted"),
            format!("url=rtmps://a1b2.global-contribute.live-video.net:443/app/{key}"),
            format!("{{\"streamKey\":\"{key}\",\"ok\":true}}"),
            format!("Authorization: Bearer {JWT_TOKEN}"),
            format!("id token {JWT_TOKEN} refreshed"),
            "{\"password\": \"Corr3ct-Horse-Battery\"}".to_owned(),
            "login password=Corr3ct-Horse-Battery next".to_owned(),
            "refresh_token=opaque-refresh-value&client=1".to_owned(),
            "chat_token: AQICAHh-opaque-chat-token".to_owned(),
        ];
        for case in cases {
            let out = scrub(&case);
            for secret in [
                key.as_str(),
                JWT_TOKEN,
                "Corr3ct-Horse-Battery",
                "opaque-refresh-value",
                "AQICAHh-opaque-chat-token",
            ] {
                assert!(
                    !out.contains(secret),
                    "{secret} left in {out:?} (from {case:?})"
                );
            }
            assert!(out.contains(REDACTED), "{out:?}");
        }
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        for text in [
            "2026-12-07T02:00:00Z INFO video bitrate from=3500 to=1090 reason=congestion",
            "rtmps://127.0.0.1:1935/app/ connecting",
            "Korean title: 오늘의 방송",
            "tokens issued: 3",
        ] {
            assert_eq!(scrub(text), text);
        }
    }
}
