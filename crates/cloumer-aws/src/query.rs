//! API Gateway (REST) hands the Lambda its query already decoded (`%XX` decoded, `+` kept),
//! and lambda_http rebuilds the URI's query from those values with form encoding, which
//! writes a space as `+`. The shared handlers decode the query as API Gateway does (a `+`
//! stays a plus), so a title "a b" would arrive as "a+b". This layer rebuilds the query
//! from the decoded values with plain percent-encoding before the router sees it.

use axum::extract::Request;
use lambda_http::RequestExt;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

pub fn percent_encoded_query(request: Request) -> Request {
    let params = request.query_string_parameters_ref().cloned();
    let Some(params) = params else {
        return request;
    };
    let query = params
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, NON_ALPHANUMERIC),
                utf8_percent_encode(v, NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    let (mut parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let rebuilt = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    if let Ok(uri) = rebuilt.parse() {
        parts.uri = uri;
    }
    Request::from_parts(parts, body)
}
