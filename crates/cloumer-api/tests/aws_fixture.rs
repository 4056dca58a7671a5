//! The own-AWS destination for the calls moto does not implement: stream keys
//! (ListStreamKeys + GetStreamKey), stream health (GetStream, polled at most once per
//! 5 s, "not broadcasting" as no health) and chat tokens with moderator capabilities
//! (ivschat CreateChatToken). A small fixture answers in the services' REST-JSON shapes
//! on the SDK's endpoint override and records what it was asked.
#![cfg(feature = "aws")]
// Test code: a poisoned lock or a failed bind should panic the test.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cloumer_api::destination::Destination;
use cloumer_api::destination::aws::{AwsAccount, AwsChannelDestination, StreamHealth};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

const CHANNEL_ARN: &str = "arn:aws:ivs:us-west-2:123456789012:channel/abcdEFGH1234";
const KEY_ARN: &str = "arn:aws:ivs:us-west-2:123456789012:stream-key/ijklMNOP5678";
const KEY_VALUE: &str = "sk_us-west-2_fixture-stream-key-value";

#[derive(Default)]
struct Recorded {
    /// (operation, JSON body) of every call, in order.
    calls: Mutex<Vec<(String, Value)>>,
    /// GetStream answers "not broadcasting" while false.
    live: Mutex<bool>,
}

async fn operation(
    State(state): State<Arc<Recorded>>,
    Path(op): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    state.calls.lock().unwrap().push((op.clone(), body.clone()));
    let channel = json!({"arn": CHANNEL_ARN, "name": "mine", "ingestEndpoint": "abc123.global-contribute.live-video.net", "type": "STANDARD"});
    match op.as_str() {
        "GetChannel" => Json(json!({"channel": channel})).into_response(),
        "ListStreamKeys" => {
            Json(json!({"streamKeys": [{"arn": KEY_ARN, "channelArn": CHANNEL_ARN}]}))
                .into_response()
        }
        "GetStreamKey" => Json(
            json!({"streamKey": {"arn": KEY_ARN, "channelArn": CHANNEL_ARN, "value": KEY_VALUE}}),
        )
        .into_response(),
        "GetStream" if *state.live.lock().unwrap() => Json(json!({"stream": {
            "channelArn": CHANNEL_ARN, "state": "LIVE", "health": "HEALTHY", "viewerCount": 42,
            "streamId": "st-1", "playbackUrl": "https://x.m3u8",
        }}))
        .into_response(),
        "GetStream" => (
            StatusCode::NOT_FOUND,
            [("x-amzn-ErrorType", "ChannelNotBroadcasting")],
            Json(json!({"exceptionMessage": "Channel is not broadcasting"})),
        )
            .into_response(),
        "CreateChatToken" => Json(json!({"token": "AQICAHchat-fixture"})).into_response(),
        _ => (
            StatusCode::BAD_REQUEST,
            [("x-amzn-ErrorType", "ValidationException")],
            Json(json!({"message": format!("the fixture has no {op}")})),
        )
            .into_response(),
    }
}

async fn start() -> (AwsAccount, Arc<Recorded>) {
    let state = Arc::new(Recorded::default());
    let app = axum::Router::new()
        .route("/{op}", axum::routing::post(operation))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-west-2"))
        .endpoint_url(&endpoint)
        .credentials_provider(aws_sdk_ivs::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .load()
        .await;
    (AwsAccount::from_config(&config), state)
}

fn operations(state: &Recorded) -> Vec<String> {
    state
        .calls
        .lock()
        .unwrap()
        .iter()
        .map(|(op, _)| op.clone())
        .collect()
}

#[tokio::test]
async fn own_channel_ingest_has_the_key_and_health_is_polled_at_most_every_5_s() {
    let (aws, state) = start().await;
    let destination = AwsChannelDestination::new(aws.clone(), CHANNEL_ARN);

    let ingest = destination.ingest().await.expect("ingest");
    assert_eq!(
        ingest.url,
        "rtmps://abc123.global-contribute.live-video.net:443/app/"
    );
    assert_eq!(ingest.key.expose(), KEY_VALUE);
    assert_eq!(
        operations(&state),
        ["GetChannel", "ListStreamKeys", "GetStreamKey"]
    );
    let calls = state.calls.lock().unwrap().clone();
    assert_eq!(calls[1].1["channelArn"], CHANNEL_ARN);
    assert_eq!(
        calls[2].1["arn"], KEY_ARN,
        "the key listed is the key fetched"
    );

    // Not broadcasting: no health, and no second request within the poll interval.
    state.calls.lock().unwrap().clear();
    assert_eq!(destination.health().await.expect("GetStream"), None);
    *state.live.lock().unwrap() = true;
    assert_eq!(destination.health().await.expect("cached"), None);
    assert_eq!(operations(&state), ["GetStream"], "one request per 5 s");

    // A fresh destination (or the next 5 s) sees the live stream.
    let live = AwsChannelDestination::new(aws, CHANNEL_ARN)
        .health()
        .await
        .expect("GetStream");
    assert_eq!(
        live,
        Some(StreamHealth {
            state: "LIVE".into(),
            health: "HEALTHY".into(),
            viewer_count: 42,
        })
    );
    // "My own IVS channel" mode reads the channel type (its limits) with GetChannel.
    assert_eq!(destination.channel_type().await.expect("GetChannel"), "STANDARD");
}

#[tokio::test]
async fn chat_tokens_carry_moderator_capabilities_only_when_asked() {
    let (aws, state) = start().await;
    let room = "arn:aws:ivschat:us-west-2:123456789012:room/qrstUVWX9012";
    let token = aws
        .chat_token(room, "moderator-1", true)
        .await
        .expect("CreateChatToken");
    assert_eq!(token.expose_secret(), "AQICAHchat-fixture");
    aws.chat_token(room, "viewer-1", false)
        .await
        .expect("CreateChatToken");

    let calls = state.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    let (op, moderator) = &calls[0];
    assert_eq!(op, "CreateChatToken");
    assert_eq!(moderator["roomIdentifier"], room);
    assert_eq!(moderator["userId"], "moderator-1");
    assert_eq!(
        moderator["capabilities"],
        json!(["SEND_MESSAGE", "DELETE_MESSAGE", "DISCONNECT_USER"])
    );
    assert_eq!(calls[1].1["capabilities"], json!(["SEND_MESSAGE"]));
}
