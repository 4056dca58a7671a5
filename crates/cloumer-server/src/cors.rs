//! Cross-origin access to the HTTP API: none unless configured (issue 15 #16).
//!
//! The studio calls its embedded backend from Rust (Tauri commands), never from its web view
//! (whose CSP allows `connect-src ipc:` only), so no origin needs access by default. With
//! every origin allowed, any web page open in the user's browser could drive the backend
//! on loopback. A web site served from another origin is allowed by name
//! (`ServerConfig::cors_origins`, `cloumer serve --cors-origin URL`).

use axum::http::{HeaderName, HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::{Error, Result};

/// The layer for `origins`, or `None` (no CORS headers at all) when there are none.
pub(crate) fn layer(origins: &[String]) -> Result<Option<CorsLayer>> {
    if origins.is_empty() {
        return Ok(None);
    }
    let origins = origins
        .iter()
        .map(|o| origin(o))
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            // What the seed's web client sends: the ID token, JSON/multipart bodies, and the
            // Cognito SDK's target header.
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                HeaderName::from_static("x-amz-target"),
                HeaderName::from_static("x-amz-user-agent"),
            ])
            .max_age(std::time::Duration::from_secs(600)),
    ))
}

/// An origin as browsers send it: `scheme://host[:port]`, no path (a trailing `/` is
/// dropped), no `*`.
fn origin(text: &str) -> Result<HeaderValue> {
    let trimmed = text.trim().trim_end_matches('/');
    let bad = |why: &str| Error::Config(format!("CORS origin {text:?}: {why}"));
    let (scheme, rest) = trimmed
        .split_once("://")
        .ok_or_else(|| bad("expected scheme://host[:port]"))?;
    if !matches!(scheme, "http" | "https") {
        return Err(bad("the scheme must be http or https"));
    }
    if rest.is_empty()
        || rest.contains(['/', '*', '?', '#', '@'])
        || rest.contains(char::is_whitespace)
    {
        return Err(bad(
            "expected scheme://host[:port] without a path or wildcard",
        ));
    }
    HeaderValue::from_str(trimmed).map_err(|_| bad("not a valid header value"))
}

#[cfg(test)]
mod tests {
    use super::origin;

    #[test]
    fn origins_are_scheme_host_port_only() {
        assert_eq!(
            origin("https://cloumer.example/").expect("valid"),
            "https://cloumer.example"
        );
        assert!(origin("http://127.0.0.1:5173").is_ok());
        for bad in [
            "*",
            "cloumer.example",
            "ftp://x",
            "https://x/path",
            "https://*.x",
            "https://",
        ] {
            assert!(origin(bad).is_err(), "{bad}");
        }
    }
}
