//! The viewers' web site (`web/`, built into `web/dist`) at `/`, its pages' paths (the
//! single-page app's routes all answer with `index.html`), its hashed assets, and
//! `/config.json`: the backend URLs the site reads at start, so the same build works
//! against this server and against AWS (where the file sits in the site's bucket).
//!
//! The bundle is read from disk in debug builds and embedded in release builds
//! (`rust-embed`). A fresh clone without `web/dist` still builds; the site's paths then
//! answer 503 with the command that builds it.
//!
//! Only the listed paths are the site's: anything else keeps the REST 404, so the site
//! adds no catch-all in front of the API.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use cloumer_protocol::backend::BackendProfile;
use rust_embed::Embed;

use crate::{Error, Result};

#[derive(Embed)]
#[folder = "../../web/dist/"]
#[allow_missing = true]
struct Bundle;

/// The single-page app's routes (web/src/lib/router.svelte.ts): each answers `index.html`.
const PAGES: &[&str] = &["/", "/login", "/signup", "/forgot", "/mypage"];

/// Hashed file names never change content: cache them for a year.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// The page and the config must be revalidated so a new build is picked up at once.
const REVALIDATE: &str = "no-cache";

const NOT_BUILT: &str = "The Cloumer web site is not built. Run `npm --prefix web ci && \
npm --prefix web run build` (release builds embed it: rebuild `cloumer` afterwards).\n";

/// The site's routes for a server reachable through `profile`'s URLs; `studio_download`
/// is the link "my page" offers to download the studio (refused unless `http(s)://`: the
/// page puts it in an `href`, where `javascript:` would run).
pub(crate) fn router(profile: &BackendProfile, studio_download: Option<&str>) -> Result<Router> {
    if let Some(url) = studio_download {
        let ok = url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        if !ok {
            return Err(Error::Config(format!(
                "--studio-download-url must be an http:// or https:// URL, not {url:?}"
            )));
        }
    }
    let config = config_json(profile, studio_download);
    let csp = content_security_policy(profile);
    let page = {
        let csp = csp.clone();
        move || {
            let csp = csp.clone();
            async move { index(&csp) }
        }
    };
    let mut router = Router::new();
    for path in PAGES {
        router = router.route(path, get(page.clone()));
    }
    Ok(router
        .route(
            "/channel/{name}",
            get(move |Path(_name): Path<String>| {
                let csp = csp.clone();
                async move { index(&csp) }
            }),
        )
        .route("/assets/{file}", get(asset))
        .route(
            "/config.json",
            get(move || {
                let config = config.clone();
                async move {
                    (
                        [
                            (header::CONTENT_TYPE, "application/json"),
                            (header::CACHE_CONTROL, REVALIDATE),
                        ],
                        config,
                    )
                }
            }),
        ))
}

/// `index.html` with the security headers; 503 with the build command when unbuilt.
fn index(csp: &str) -> Response {
    let Some(file) = Bundle::get("index.html") else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            NOT_BUILT,
        )
            .into_response();
    };
    let mut headers = security_headers();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
    if let Ok(value) = HeaderValue::from_str(csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    (headers, file.data.into_owned()).into_response()
}

/// One file of `web/dist/assets/` (flat: Vite writes no sub-directories there).
async fn asset(Path(file): Path<String>) -> Response {
    // A name only: no traversal out of assets/, whatever the embed does with the path.
    if file.is_empty() || file.starts_with('.') || file.contains(['/', '\\']) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let Some(found) = Bundle::get(&format!("assets/{file}")) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut headers = security_headers();
    if let Ok(mime) = HeaderValue::from_str(found.metadata.mimetype()) {
        headers.insert(header::CONTENT_TYPE, mime);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    (headers, found.data.into_owned()).into_response()
}

fn security_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers
}

/// The site's runtime configuration (web/src/lib/config.ts reads these names).
/// `sameOrigin`: the API is on the origin that served the page, so the site may use the
/// browser's own origin where this server's URLs name another host for the same listener
/// (a LAN address, `localhost` vs `127.0.0.1`).
fn config_json(profile: &BackendProfile, studio_download: Option<&str>) -> String {
    serde_json::json!({
        "sameOrigin": true,
        "region": profile.region,
        "userPoolId": profile.user_pool_id,
        "clientId": profile.client_id,
        "apiUrl": profile.api_url,
        "cognitoEndpoint": profile.cognito_endpoint,
        "chatEndpoint": profile.chat_endpoint,
        "studioDownloadUrl": studio_download,
    })
    .to_string()
}

/// Scripts and styles from this origin only (no inline script, no eval); network access
/// to this origin and the backend's own endpoints; media from blob: (hls.js feeds
/// MediaSource); images also from https: (avatars on a bucket in the AWS deployment).
/// Inline styles stay allowed: Svelte sets `style` attributes (layout only, no script).
fn content_security_policy(profile: &BackendProfile) -> String {
    let mut connect = vec!["'self'".to_owned()];
    for url in [
        Some(&profile.api_url),
        profile.cognito_endpoint.as_ref(),
        profile.chat_endpoint.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        if let Some(origin) = origin_of(url) {
            if !connect.contains(&origin) {
                connect.push(origin);
            }
        }
    }
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob: https:; media-src 'self' blob:; worker-src 'self' blob:; \
         connect-src {}; font-src 'self'; manifest-src 'self'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'; object-src 'none'",
        connect.join(" ")
    )
}

/// `scheme://host[:port]` of an absolute URL.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty() && !host.contains(char::is_whitespace)).then(|| format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::origin_of;

    #[test]
    fn origins_drop_the_path() {
        assert_eq!(
            origin_of("ws://127.0.0.1:8787/chat").as_deref(),
            Some("ws://127.0.0.1:8787")
        );
        assert_eq!(
            origin_of("https://a.example/develop").as_deref(),
            Some("https://a.example")
        );
        assert_eq!(origin_of("nonsense"), None);
    }
}
