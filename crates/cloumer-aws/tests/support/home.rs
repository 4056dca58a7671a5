//! The AWS home of the handlers as a client reaches it through API Gateway: requests become
//! REST proxy events run through `cloumer-api-fn`'s router by lambda_http (what the Lambda
//! runtime does), users are made by the post-confirmation trigger, live state by IVS
//! events through the stream-state function. The Cognito authorizer is API Gateway's, not
//! ours: here a `/stream/*` request carries a user's `sub` as its token, and an unknown one
//! gets the authorizer's 401.
//!
//! With an [`Emulator`], every event goes to the built function processes through the
//! Lambda runtime emulator instead of the in-process handlers.

use std::collections::HashMap;
use std::sync::Mutex;

use aws_lambda_events::event::cognito::CognitoEventUserPoolsPostConfirmation;
use cloumer_testkit::seed_contract::Home;
use lambda_http::request::LambdaRequest;
use lambda_http::tower::ServiceExt;
use serde_json::{Value, json};

use std::sync::Arc;

use super::emulator::Emulator;
use super::events;
use super::stack::Stack;

pub struct AwsHome<'a> {
    pub stack: &'a Stack,
    pub router: axum::Router,
    pub provisioner: cloumer_aws::provision::Provisioner,
    /// sub → nickname of the users made so far.
    users: Mutex<HashMap<String, String>>,
    /// Seconds added to the event times, so each IVS event is newer than the last.
    clock: Mutex<i64>,
    /// Where events go: the function processes under the emulator, or (None) in-process.
    emulator: Option<Arc<Emulator>>,
}

impl<'a> AwsHome<'a> {
    pub fn new(stack: &'a Stack) -> Self {
        Self {
            router: cloumer_aws::api_router(&stack.env, &stack.clients).expect("router"),
            provisioner: cloumer_aws::provisioner(&stack.env, &stack.clients),
            stack,
            users: Mutex::default(),
            clock: Mutex::new(0),
            emulator: None,
        }
    }

    /// The same home with every event sent to the function processes under `emulator`.
    pub fn emulated(stack: &'a Stack, emulator: Arc<Emulator>) -> Self {
        Self {
            emulator: Some(emulator),
            ..Self::new(stack)
        }
    }

    /// Sends `event` to the function process `name` (an emulated home only).
    pub fn invoke_function(&self, name: &str, event: &Value) -> Result<Value, String> {
        self.emulator
            .as_ref()
            .expect("an emulated home")
            .invoke(name, event)
    }

    /// The API function's answer to one event (the JSON API Gateway reads back).
    async fn api_answer(&self, event: Value) -> Value {
        if let Some(emulator) = &self.emulator {
            return emulator
                .invoke("cloumer-api-fn", &event)
                .unwrap_or_else(|e| panic!("the API function failed: {e}"));
        }
        let request: LambdaRequest = serde_json::from_value(event).expect("a REST proxy event");
        let adapter = lambda_http::Adapter::from(self.router.clone());
        let response = adapter
            .oneshot(lambda_http::LambdaEvent::new(request, Default::default()))
            .await
            .expect("the API function answers");
        serde_json::to_value(&response).expect("response JSON")
    }

    /// Runs one API Gateway event through the API function; (status, body bytes).
    pub async fn invoke(&self, event: Value) -> (u16, Vec<u8>) {
        // What API Gateway reads back: statusCode, body, isBase64Encoded.
        let response = self.api_answer(event).await;
        let status = response["statusCode"].as_u64().expect("statusCode") as u16;
        let body = response["body"].as_str().unwrap_or_default();
        let body = if response["isBase64Encoded"] == true {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(body)
                .expect("base64 body")
        } else {
            body.as_bytes().to_vec()
        };
        (status, body)
    }

    async fn request(
        &self,
        method: &str,
        path: &str,
        auth: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> (u16, Value) {
        let claims = match auth {
            Some(sub) => self
                .users
                .lock()
                .expect("users")
                .get(sub)
                .map(|nick| (sub.to_owned(), nick.clone())),
            None => None,
        };
        if path.starts_with("/stream/") && claims.is_none() {
            // API Gateway's Cognito authorizer refuses before the Lambda runs.
            return (401, json!({"message": "Unauthorized"}));
        }
        let event = events::api_request(
            method,
            path,
            headers,
            body,
            claims.as_ref().map(|(s, n)| (s.as_str(), n.as_str())),
        );
        let (status, bytes) = self.invoke(event).await;
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.is_empty(), "empty body for {path} ({status})");
        let value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
        (status, value)
    }

    /// A signed-in request with a JSON body: (status, JSON answer or `null`).
    pub async fn send_json(
        &self,
        method: &str,
        path: &str,
        auth: &str,
        body: &Value,
    ) -> (u16, Value) {
        let bytes = body.to_string().into_bytes();
        self.request(
            method,
            path,
            Some(auth),
            &[("content-type", "application/json")],
            Some(&bytes),
        )
        .await
    }

    /// Runs the post-confirmation trigger for a Cognito user.
    pub async fn confirm(&self, forgot_password: bool, email: &str, sub: &str, nickname: &str) {
        let event =
            events::post_confirmation(forgot_password, &self.stack.pool_id, email, sub, nickname);
        if let Some(emulator) = &self.emulator {
            let answer = emulator
                .invoke("cloumer-post-confirmation-fn", &event)
                .unwrap_or_else(|e| panic!("the post-confirmation function failed: {e}"));
            // Cognito expects its event back.
            assert_eq!(answer["userName"], event["userName"]);
            return;
        }
        let parsed: CognitoEventUserPoolsPostConfirmation =
            serde_json::from_value(event.clone()).expect("a PostConfirmation event");
        let answer = cloumer_aws::post_confirmation(&self.provisioner, &self.stack.env, parsed)
            .await
            .expect("post-confirmation");
        // Cognito expects its event back.
        assert_eq!(
            serde_json::to_value(answer).expect("event JSON")["userName"],
            event["userName"]
        );
    }

    /// Sends an IVS state-change event `seconds` after the last one (negative: older).
    pub async fn ivs_event(
        &self,
        event_name: &str,
        channel: &str,
        channel_arn: &str,
        seconds: i64,
    ) -> cloumer_aws::stream_state::Outcome {
        let time = self.next_event_time(seconds);
        let event = events::stream_state(event_name, channel, channel_arn, &time);
        let event = serde_json::from_value(event).expect("an EventBridge event");
        cloumer_aws::stream_state::apply(
            &cloumer_aws::table(&self.stack.env, &self.stack.clients),
            event,
        )
        .await
        .expect("stream-state function")
    }

    /// An event time `seconds` after the last one (RFC 3339, as EventBridge writes it).
    fn next_event_time(&self, seconds: i64) -> String {
        let at = {
            let mut clock = self.clock.lock().expect("clock");
            *clock += seconds;
            *clock
        };
        time::OffsetDateTime::from_unix_timestamp(1_800_000_000 + at)
            .expect("time")
            .format(&time::format_description::well_known::Rfc3339)
            .expect("RFC 3339")
    }

    /// The IVS channel ARN recorded for a channel.
    pub async fn channel_arn(&self, channel: &str) -> String {
        cloumer_aws::table(&self.stack.env, &self.stack.clients)
            .channel_row(channel)
            .await
            .expect("table")
            .and_then(|r| r.channel_arn)
            .expect("a channel ARN")
    }
}

impl Home for AwsHome<'_> {
    async fn user(&self, email: &str, nickname: &str) -> String {
        let sub = self.stack.cognito_user(email, nickname).await;
        self.confirm(false, email, &sub, nickname).await;
        self.users
            .lock()
            .expect("users")
            .insert(sub.clone(), nickname.to_owned());
        sub
    }

    async fn get(&self, path: &str, auth: Option<&str>) -> (u16, Value) {
        self.request("GET", path, auth, &[], None).await
    }

    async fn send(&self, method: &str, path: &str, auth: &str) -> (u16, Value) {
        self.request(method, path, Some(auth), &[], None).await
    }

    async fn upload_avatar(
        &self,
        auth: &str,
        bytes: Vec<u8>,
        file_name: &str,
        content_type: &str,
    ) -> (u16, Value) {
        const BOUNDARY: &str = "cloumer-test-boundary";
        let mut body = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; \
             filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
        )
        .into_bytes();
        body.extend(bytes);
        body.extend(format!("\r\n--{BOUNDARY}--\r\n").into_bytes());
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        self.request(
            "POST",
            "/stream/save_mypage",
            Some(auth),
            &[("Content-Type", &content_type)],
            Some(&body),
        )
        .await
    }

    async fn set_live(&self, channel: &str, live: bool) {
        let arn = self.channel_arn(channel).await;
        let name = if live { "Stream Start" } else { "Stream End" };
        if let Some(emulator) = &self.emulator {
            // The function answers nothing: the seed-contract checks read the result back
            // through the API.
            let event = events::stream_state(name, channel, &arn, &self.next_event_time(1));
            emulator
                .invoke("cloumer-stream-state-fn", &event)
                .unwrap_or_else(|e| panic!("the stream-state function failed: {e}"));
            return;
        }
        let outcome = self.ivs_event(name, channel, &arn, 1).await;
        assert_eq!(
            outcome,
            cloumer_aws::stream_state::Outcome::Applied { live }
        );
    }

    /// Avatar URLs are CloudFront's, which reads the private bucket with its origin access
    /// control (signed S3 GetObject): that is what this does for URLs under the base.
    async fn fetch(&self, url: &str) -> (u16, String, Vec<u8>) {
        let base = self.stack.env.avatar_base_url.as_deref().expect("base URL");
        let key = url
            .strip_prefix(base)
            .and_then(|k| k.strip_prefix('/'))
            .unwrap_or_else(|| panic!("{url} is not under {base}"));
        let bucket = self.stack.env.avatar_bucket.as_deref().expect("bucket");
        let out = self
            .stack
            .clients
            .s3
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await;
        match out {
            Ok(out) => {
                let content_type = out.content_type().unwrap_or_default().to_owned();
                let bytes = out
                    .body
                    .collect()
                    .await
                    .expect("body")
                    .into_bytes()
                    .to_vec();
                (200, content_type, bytes)
            }
            Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_key()) => {
                (404, String::new(), Vec::new())
            }
            Err(e) => panic!("GetObject {key}: {e:?}"),
        }
    }
}
