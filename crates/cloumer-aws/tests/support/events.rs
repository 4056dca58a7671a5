//! Real event payloads (tests/fixtures, shapes from AWS's documentation) with the fields a
//! test varies filled in.

use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A Cognito PostConfirmation event for either trigger source.
pub fn post_confirmation(
    forgot_password: bool,
    pool_id: &str,
    user_name: &str,
    sub: &str,
    nickname: &str,
) -> Value {
    let mut event = fixture(if forgot_password {
        "post_confirmation_confirm_forgot_password.json"
    } else {
        "post_confirmation_confirm_sign_up.json"
    });
    event["userPoolId"] = json!(pool_id);
    event["userName"] = json!(user_name);
    let attrs = &mut event["request"]["userAttributes"];
    attrs["sub"] = json!(sub);
    attrs["email"] = json!(user_name);
    attrs["cognito:email_alias"] = json!(user_name);
    attrs["nickname"] = json!(nickname);
    event
}

/// An EventBridge "IVS Stream State Change" event.
pub fn stream_state(event_name: &str, channel: &str, channel_arn: &str, time: &str) -> Value {
    let mut event = fixture("ivs_stream_state_change.json");
    event["time"] = json!(time);
    event["resources"] = json!([channel_arn]);
    event["detail"]["event_name"] = json!(event_name);
    event["detail"]["channel_name"] = json!(channel);
    event
}

/// Splits a query as API Gateway (REST) does for `queryStringParameters`: `%XX` decoded,
/// `+` kept.
fn gateway_query(query: &str) -> Option<(Value, Value)> {
    if query.is_empty() {
        return None;
    }
    let (mut single, mut multi) = (serde_json::Map::new(), serde_json::Map::new());
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        let (k, v) = (decode(k), decode(v));
        single.insert(k.clone(), json!(v));
        multi
            .entry(k)
            .or_insert_with(|| json!([]))
            .as_array_mut()
            .expect("array")
            .push(json!(v));
    }
    Some((Value::Object(single), Value::Object(multi)))
}

/// An API Gateway REST proxy event for `method path_and_query`, through the `develop`
/// stage, with the Cognito authorizer's claims for `claims` (a `/stream/*` request the
/// authorizer let through).
pub fn api_request(
    method: &str,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
    claims: Option<(&str, &str)>,
) -> Value {
    let mut event = fixture("apigw_rest_proxy_event.json");
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    event["httpMethod"] = json!(method);
    event["path"] = json!(path);
    event["pathParameters"] = json!({ "proxy": path.trim_start_matches('/') });
    event["requestContext"]["httpMethod"] = json!(method);
    event["requestContext"]["path"] = json!(format!("/develop{path}"));
    if let Some((single, multi)) = gateway_query(query) {
        event["queryStringParameters"] = single;
        event["multiValueQueryStringParameters"] = multi;
    }
    for (name, value) in headers {
        event["headers"][*name] = json!(value);
        event["multiValueHeaders"][*name] = json!([value]);
    }
    if let Some(body) = body {
        use base64::Engine as _;
        event["body"] = json!(base64::engine::general_purpose::STANDARD.encode(body));
        event["isBase64Encoded"] = json!(true);
    }
    if let Some((sub, nickname)) = claims {
        let mut c = fixture("cognito_authorizer_claims.json");
        c["sub"] = json!(sub);
        c["nickname"] = json!(nickname);
        event["requestContext"]["authorizer"] = json!({ "claims": c });
    }
    event
}
