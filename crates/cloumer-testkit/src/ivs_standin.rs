//! A stand-in for the IVS and IVS Chat APIs moto lacks (stream keys, StopStream, every IVS
//! Chat call), on one local HTTP port: point `AWS_ENDPOINT_URL_IVS` and
//! `AWS_ENDPOINT_URL_IVSCHAT` at [`IvsStandIn::endpoint`]. Both services speak restJson1
//! (`POST /<Operation>` with a JSON body) and their operation names do not collide, so one
//! router answers both. Hand-written because nothing packaged emulates these calls; it
//! keeps only what the calls need and records every call, so tests can assert what
//! reached "AWS" (`calls()`).

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

const REGION: &str = "us-east-1";
const ACCOUNT: &str = "123456789012";

#[derive(Default)]
struct World {
    next_id: u64,
    /// arn → channel JSON (restJson1 `Channel`).
    channels: BTreeMap<String, Value>,
    /// arn → stream key JSON (with `channelArn` and `value`).
    stream_keys: BTreeMap<String, Value>,
    /// arn → room JSON.
    rooms: BTreeMap<String, Value>,
    /// Every request: operation name and body.
    calls: Vec<(String, Value)>,
}

impl World {
    fn id(&mut self) -> String {
        self.next_id += 1;
        format!("{:012x}", self.next_id)
    }

    fn new_stream_key(&mut self, channel_arn: &str) -> Value {
        let id = self.id();
        let key = json!({
            "arn": format!("arn:aws:ivs:{REGION}:{ACCOUNT}:stream-key/{id}"),
            "channelArn": channel_arn,
            "value": format!("sk_{REGION}_standin{id}"),
            "tags": {},
        });
        self.stream_keys.insert(
            key["arn"].as_str().unwrap_or_default().to_owned(),
            key.clone(),
        );
        key
    }
}

type Shared = Arc<Mutex<World>>;

/// An AWS-style error: status, `x-amzn-ErrorType` and a JSON message.
fn error(status: StatusCode, kind: &str, message: &str) -> Response {
    (
        status,
        [("x-amzn-ErrorType", kind)],
        Json(json!({ "message": message })),
    )
        .into_response()
}

fn not_found(what: &str) -> Response {
    error(StatusCode::NOT_FOUND, "ResourceNotFoundException", what)
}

fn summary(channel: &Value) -> Value {
    json!({
        "arn": channel["arn"], "name": channel["name"], "type": channel["type"],
        "latencyMode": channel["latencyMode"], "authorized": false, "insecureIngest": false,
        "tags": {},
    })
}

async fn operation(
    State(world): State<Shared>,
    Path(op): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    let body = body.map(|Json(v)| v).unwrap_or(Value::Null);
    let mut w = match world.lock() {
        Ok(w) => w,
        Err(poisoned) => poisoned.into_inner(),
    };
    w.calls.push((op.clone(), body.clone()));
    let text = |k: &str| body[k].as_str().unwrap_or_default().to_owned();
    match op.as_str() {
        "CreateChannel" => {
            let id = w.id();
            let arn = format!("arn:aws:ivs:{REGION}:{ACCOUNT}:channel/{id}");
            let channel = json!({
                "arn": arn, "name": text("name"),
                "type": body["type"].as_str().unwrap_or("STANDARD"),
                "latencyMode": "LOW", "authorized": false, "insecureIngest": false,
                "ingestEndpoint": format!("{id}.global-contribute.live-video.net"),
                "playbackUrl": format!(
                    "https://{id}.{REGION}.playback.live-video.net/api/video/v1/{REGION}.{ACCOUNT}.channel.{id}.m3u8"
                ),
                "recordingConfigurationArn": "", "tags": {},
            });
            w.channels.insert(arn.clone(), channel.clone());
            let key = w.new_stream_key(&arn);
            Json(json!({ "channel": channel, "streamKey": key })).into_response()
        }
        "GetChannel" => match w.channels.get(&text("arn")) {
            Some(c) => Json(json!({ "channel": c })).into_response(),
            None => not_found("channel"),
        },
        "ListChannels" => {
            let name = text("filterByName");
            let list: Vec<Value> = w
                .channels
                .values()
                .filter(|c| name.is_empty() || c["name"] == name.as_str())
                .map(summary)
                .collect();
            Json(json!({ "channels": list })).into_response()
        }
        "DeleteChannel" => {
            let arn = text("arn");
            w.stream_keys.retain(|_, k| k["channelArn"] != arn.as_str());
            match w.channels.remove(&arn) {
                Some(_) => StatusCode::NO_CONTENT.into_response(),
                None => not_found("channel"),
            }
        }
        "ListStreamKeys" => {
            let arn = text("channelArn");
            let list: Vec<Value> = w
                .stream_keys
                .values()
                .filter(|k| k["channelArn"] == arn.as_str())
                .map(|k| json!({ "arn": k["arn"], "channelArn": k["channelArn"], "tags": {} }))
                .collect();
            Json(json!({ "streamKeys": list })).into_response()
        }
        "GetStreamKey" => match w.stream_keys.get(&text("arn")) {
            Some(k) => Json(json!({ "streamKey": k })).into_response(),
            None => not_found("stream key"),
        },
        "CreateStreamKey" => {
            let arn = text("channelArn");
            if !w.channels.contains_key(&arn) {
                return not_found("channel");
            }
            // IVS's default quota: one stream key per channel.
            if w.stream_keys
                .values()
                .any(|k| k["channelArn"] == arn.as_str())
            {
                return error(
                    StatusCode::PAYMENT_REQUIRED,
                    "ServiceQuotaExceededException",
                    "the channel already has a stream key",
                );
            }
            let key = w.new_stream_key(&arn);
            Json(json!({ "streamKey": key })).into_response()
        }
        "DeleteStreamKey" => match w.stream_keys.remove(&text("arn")) {
            Some(_) => StatusCode::NO_CONTENT.into_response(),
            None => not_found("stream key"),
        },
        // Nothing publishes to the stand-in: every channel is off the air.
        "StopStream" | "GetStream" => error(
            StatusCode::NOT_FOUND,
            "ChannelNotBroadcasting",
            "the channel is not broadcasting",
        ),
        "CreateRoom" => {
            let id = w.id();
            let arn = format!("arn:aws:ivschat:{REGION}:{ACCOUNT}:room/{id}");
            let room = json!({
                "arn": arn, "id": id, "name": text("name"),
                "maximumMessageLength": 500, "maximumMessageRatePerSecond": 10,
                "tags": {}, "loggingConfigurationIdentifiers": [],
            });
            w.rooms.insert(arn, room.clone());
            Json(room).into_response()
        }
        "ListRooms" => {
            let name = text("name");
            let list: Vec<Value> = w
                .rooms
                .values()
                .filter(|r| name.is_empty() || r["name"] == name.as_str())
                .cloned()
                .collect();
            Json(json!({ "rooms": list })).into_response()
        }
        "DeleteRoom" => match w.rooms.remove(&text("identifier")) {
            Some(_) => StatusCode::NO_CONTENT.into_response(),
            None => not_found("room"),
        },
        "CreateChatToken" => {
            if !w.rooms.contains_key(&text("roomIdentifier")) {
                return not_found("room");
            }
            let minutes = body["sessionDurationInMinutes"].as_i64().unwrap_or(60);
            // IVS Chat answers ISO 8601 date-times.
            let at = |from_now: time::Duration| {
                (time::OffsetDateTime::now_utc() + from_now)
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default()
            };
            let id = w.id();
            Json(json!({
                "token": format!("standin-chat-token-{id}"),
                "tokenExpirationTime": at(time::Duration::hours(1)),
                "sessionExpirationTime": at(time::Duration::minutes(minutes.max(1))),
            }))
            .into_response()
        }
        // Nobody is connected to the stand-in's rooms: the call is recorded and answered.
        "DisconnectUser" => {
            if !w.rooms.contains_key(&text("roomIdentifier")) {
                return not_found("room");
            }
            Json(json!({})).into_response()
        }
        _ => error(
            StatusCode::BAD_REQUEST,
            "UnknownOperationException",
            &format!("the stand-in does not implement {op}"),
        ),
    }
}

/// The running stand-in; stops when dropped.
pub struct IvsStandIn {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    world: Shared,
    /// Taken on drop (`shutdown_background` may run inside another runtime).
    runtime: Option<tokio::runtime::Runtime>,
}

impl IvsStandIn {
    pub fn start() -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").context("binding the IVS stand-in")?;
        listener.set_nonblocking(true)?;
        let endpoint = format!("http://{}", listener.local_addr()?);
        let world = Shared::default();
        let app = axum::Router::new()
            .route("/{op}", axum::routing::post(operation))
            .with_state(world.clone());
        // Its own runtime, so synchronous and async tests alike can use it.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        runtime.spawn(async move {
            if let Ok(listener) = tokio::net::TcpListener::from_std(listener) {
                let _ = axum::serve(listener, app).await;
            }
        });
        Ok(Self {
            endpoint,
            world,
            runtime: Some(runtime),
        })
    }

    /// Every call so far: (operation, request body).
    pub fn calls(&self) -> Vec<(String, Value)> {
        match self.world.lock() {
            Ok(w) => w.calls.clone(),
            Err(poisoned) => poisoned.into_inner().calls.clone(),
        }
    }
}

impl Drop for IvsStandIn {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
