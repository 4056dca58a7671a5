//! The three Lambdas against a local stand-in of the stack (moto_server for DynamoDB, S3
//! and Cognito; the testkit's IVS / IVS Chat stand-in), driven by real event payloads:
//! the seed-contract checks `cloumer serve` passes (cloumer_testkit::seed_contract),
//! post-confirmation idempotency (both trigger sources, a retry after a failure), live
//! status from IVS events (out of order, foreign channels) and chat-token capabilities.
//!
//! One test: the stand-ins are configured through the process environment, as the Lambdas
//! are, which must be set before any other thread runs.

mod support;

use aws_sdk_dynamodb::types::AttributeValue;
use cloumer_aws::stream_state::Outcome;
use cloumer_testkit::seed_contract::{self, Home};
use serde_json::{Value, json};
use support::home::AwsHome;
use support::stack::Stack;

#[test]
fn lambdas_against_moto_and_the_ivs_stand_in() {
    support::runtime().block_on(async {
        // SAFETY: the only test of this binary; nothing else has started yet.
        let stack = cloumer_testkit::skip_unless!(unsafe { Stack::start() }.await);
        let home = AwsHome::new(&stack);
        support::seed_contract_checks(&home).await;
        post_confirmation_makes_one_channel(&stack, &home).await;
        live_status_from_ivs_events(&home).await;
        let people = chat_capabilities(&stack, &home).await;
        chat_restrictions(&stack, &home, people).await;
        caller_is_the_sub_not_the_channel_claim(&home).await;
    });
}

async fn channel_of(stack: &Stack, sub: &str) -> (String, String) {
    let row = cloumer_aws::table(&stack.env, &stack.clients)
        .get(
            cloumer_aws::table::user_pk(sub),
            cloumer_aws::table::SK_USER,
        )
        .await
        .expect("table")
        .expect("a user row");
    let text = |k: &str| row[k].as_s().expect(k).clone();
    (text("channel"), text("state"))
}

/// W4: neither ConfirmForgotPassword nor a retry makes a second channel; a retry after a
/// failure (here: Cognito refusing the attribute update, after IVS had made the channel
/// and room, and the ARNs lost as if the function had died before recording them)
/// finishes the user with the resources the first attempt made.
async fn post_confirmation_makes_one_channel(stack: &Stack, home: &AwsHome<'_>) {
    let email = "pat@example.com";
    let sub = stack.cognito_user(email, "pat").await;
    let creates = stack.ivs_calls("CreateChannel");
    home.confirm(false, email, &sub, "pat").await;
    let (channel, state) = channel_of(stack, &sub).await;
    assert_eq!(state, "ready");
    assert_eq!(
        stack.chanel_name_attribute(email).await.as_deref(),
        Some(channel.as_str())
    );
    home.confirm(true, email, &sub, "pat").await;
    home.confirm(false, email, &sub, "pat").await;
    assert_eq!(stack.ivs_calls("CreateChannel"), creates + 1);
    assert_eq!(channel_of(stack, &sub).await.0, channel);

    // A failure half-way: the user name is not in the pool, so AdminUpdateUserAttributes
    // fails after the IVS channel and the chat room exist.
    let email = "quinn@example.com";
    let sub = stack.cognito_user(email, "quinn").await;
    let (creates, rooms) = (
        stack.ivs_calls("CreateChannel"),
        stack.ivs_calls("CreateRoom"),
    );
    let event = support::events::post_confirmation(
        false,
        &stack.pool_id,
        "nobody@example.com",
        &sub,
        "quinn",
    );
    let failed = cloumer_aws::post_confirmation(
        &home.provisioner,
        &stack.env,
        serde_json::from_value(event).expect("event"),
    )
    .await;
    assert!(failed.is_err(), "{failed:?}");
    let (channel, state) = channel_of(stack, &sub).await;
    assert_eq!(state, "claimed");
    let (_, listed) = home.get("/public/users", None).await;
    assert!(
        !listed.to_string().contains(&channel),
        "a half-made channel is listed"
    );
    // As if the function had died between CreateChannel/CreateRoom and recording them.
    stack
        .clients
        .dynamodb
        .update_item()
        .table_name(&stack.env.table)
        .key("pk", AttributeValue::S(format!("CHANNEL#{channel}")))
        .key("sk", AttributeValue::S("CHANNEL".into()))
        .update_expression("REMOVE channel_arn, room_arn, playback_url, ingest_endpoint")
        .send()
        .await
        .expect("UpdateItem");
    home.confirm(false, email, &sub, "quinn").await;
    assert_eq!(
        channel_of(stack, &sub).await,
        (channel.clone(), "ready".into())
    );
    assert_eq!(stack.ivs_calls("CreateChannel"), creates + 1);
    assert_eq!(stack.ivs_calls("CreateRoom"), rooms + 1);
    assert_eq!(
        stack.chanel_name_attribute(email).await.as_deref(),
        Some(channel.as_str())
    );
    let (_, listed) = home.get("/public/users", None).await;
    assert!(listed.to_string().contains(&channel), "{listed}");
}

/// B6 and the seed's account-wide rule: late events do not undo newer ones, events of
/// channels that are not ours change nothing, Session Created is not "off the air".
async fn live_status_from_ivs_events(home: &AwsHome<'_>) {
    let me = home.user("lee@example.com", "lee").await;
    let page = seed_contract::mypage(home, &me).await;
    let ch = page["chanelName"].as_str().expect("channel").to_owned();
    let arn = home.channel_arn(&ch).await;
    let live = |page: Value| page["isLive"].clone();
    // Issue 20 #4, #6: R6 tells the channel's type; the owner's stream comes from GetStream
    // (the stand-in's channel is not broadcasting: OFFLINE, not an error).
    assert_eq!(page["channelType"], "STANDARD", "{page}");
    let (status, stream) = home.get("/stream/v1/stream", Some(&me)).await;
    assert_eq!((status, &stream["state"]), (200, &Value::from("OFFLINE")), "{stream}");
    assert!(
        home.stack.ivs.calls().iter().any(|(op, _)| op == "GetStream"),
        "not asked of IVS"
    );

    assert_eq!(
        home.ivs_event("Stream Start", &ch, &arn, 10).await,
        Outcome::Applied { live: true }
    );
    assert_eq!(
        home.ivs_event("Stream End", &ch, &arn, -5).await,
        Outcome::Stale
    );
    assert_eq!(
        home.ivs_event("Session Created", &ch, &arn, 6).await,
        Outcome::Ignored
    );
    assert_eq!(live(seed_contract::mypage(home, &me).await), "true");
    assert_eq!(
        home.ivs_event("Stream End", &ch, &arn, 1).await,
        Outcome::Applied { live: false }
    );
    // A Stream Start stamped with the same second as the End it follows stays stale.
    assert_eq!(
        home.ivs_event("Stream Start", &ch, &arn, 0).await,
        Outcome::Stale
    );
    assert_eq!(live(seed_contract::mypage(home, &me).await), "false");

    let foreign = "arn:aws:ivs:us-east-1:123456789012:channel/not-ours";
    assert_eq!(
        home.ivs_event("Stream Start", &ch, foreign, 5).await,
        Outcome::Foreign
    );
    assert_eq!(
        home.ivs_event("Stream Start", "NotOurs123", foreign, 1)
            .await,
        Outcome::Foreign
    );
    assert_eq!(live(seed_contract::mypage(home, &me).await), "false");
    let (_, listed) = home.get("/public/broadcast_status", None).await;
    assert!(!listed.to_string().contains("NotOurs123"), "{listed}");
}

/// The capabilities CreateChatToken is asked for: none for an anonymous viewer, SEND_MESSAGE
/// for a signed-in one, and DELETE_MESSAGE + DISCONNECT_USER too for the owner and their
/// moderators.
/// Returns the owner's, moderator's and viewer's subs (for [`chat_restrictions`]).
async fn chat_capabilities(stack: &Stack, home: &AwsHome<'_>) -> [String; 3] {
    let owner = home.user("olga@example.com", "olga").await;
    let moderator = home.user("mona@example.com", "mona").await;
    let viewer = home.user("vic@example.com", "vic").await;
    let ch = seed_contract::mypage(home, &owner).await["chanelName"]
        .as_str()
        .expect("channel")
        .to_owned();
    let mod_ch = seed_contract::mypage(home, &moderator).await["chanelName"]
        .as_str()
        .expect("channel")
        .to_owned();
    assert_eq!(
        home.send("PUT", &format!("/stream/v1/moderators/{mod_ch}"), &owner)
            .await
            .0,
        200
    );

    let last_grant = || {
        stack
            .ivs
            .calls()
            .into_iter()
            .rev()
            .find(|(op, _)| op == "CreateChatToken")
            .map(|(_, body)| body)
            .expect("a CreateChatToken call")
    };
    let all = json!(["SEND_MESSAGE", "DELETE_MESSAGE", "DISCONNECT_USER"]);
    let (s, _) = home
        .get(&format!("/public/get_chat?targetChanel={ch}"), None)
        .await;
    assert_eq!(s, 200);
    let grant = last_grant();
    assert!(
        grant["capabilities"].as_array().is_none_or(Vec::is_empty),
        "{grant}"
    );
    assert!(
        grant["userId"]
            .as_str()
            .is_some_and(|u| u.starts_with("anonymous-"))
    );
    for (who, expected) in [
        (&viewer, json!(["SEND_MESSAGE"])),
        (&owner, all.clone()),
        (&moderator, all),
    ] {
        let (s, _) = home
            .get(&format!("/stream/get_caht?targetChanel={ch}"), Some(who))
            .await;
        assert_eq!(s, 200);
        let grant = last_grant();
        assert_eq!(grant["capabilities"], expected, "{grant}");
        assert!(
            grant["roomIdentifier"]
                .as_str()
                .is_some_and(|r| r.starts_with("arn:aws:ivschat:"))
        );
    }
    [owner, moderator, viewer]
}

/// Issue 21: timeouts and bans on the AWS home (BAN# rows, IVS Chat DisconnectUser), by the
/// accounts of [`chat_capabilities`]: mona moderates olga's channel, vic is a viewer.
async fn chat_restrictions(stack: &Stack, home: &AwsHome<'_>, people: [String; 3]) {
    let [owner, moderator, viewer] = people;
    let channel_of = async |who: &str| {
        seed_contract::mypage(home, who).await["chanelName"]
            .as_str()
            .expect("channel")
            .to_owned()
    };
    let ch = channel_of(&owner).await;
    let vic = channel_of(&viewer).await;
    let path = format!("/stream/v1/chat-restrictions/{ch}/{vic}");
    let token = format!("/stream/get_caht?targetChanel={ch}");

    let (s, listed) = home
        .get("/stream/v1/moderated-channels", Some(&moderator))
        .await;
    assert_eq!(
        (s, listed[0]["chanelName"].as_str()),
        (200, Some(ch.as_str())),
        "{listed}"
    );
    // A viewer may not; a bad duration is refused.
    let timeout = json!({"durationSeconds": 300, "reason": "spam"});
    assert_eq!(home.send_json("PUT", &path, &viewer, &timeout).await.0, 403);
    let (s, b) = home
        .send_json("PUT", &path, &moderator, &json!({"durationSeconds": 0}))
        .await;
    assert_eq!(
        (s, b["field"].as_str()),
        (400, Some("durationSeconds")),
        "{b}"
    );

    let disconnects = stack.ivs_calls("DisconnectUser");
    let (s, b) = home.send_json("PUT", &path, &moderator, &timeout).await;
    assert_eq!(s, 200, "{b}");
    assert!(b["until"].as_str().is_some(), "{b}");
    assert_eq!(
        stack.ivs_calls("DisconnectUser"),
        disconnects + 1,
        "IVS disconnects the user"
    );
    let (s, b) = home.get(&token, Some(&viewer)).await;
    assert_eq!(s, 403, "{b}");
    assert!(
        b["message"]
            .as_str()
            .unwrap_or_default()
            .contains("timed out"),
        "{b}"
    );

    let (s, b) = home.send_json("PUT", &path, &owner, &json!({})).await;
    assert_eq!((s, b.get("until")), (200, None), "{b}");
    let (s, b) = home.get(&token, Some(&viewer)).await;
    assert!(
        s == 403 && b["message"].as_str().unwrap_or_default().contains("banned"),
        "{b}"
    );
    let (s, listed) = home
        .get(
            &format!("/stream/v1/chat-restrictions/{ch}"),
            Some(&moderator),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(listed, json!([{"userId": vic, "reason": ""}]));

    let (s, left) = home
        .send_json("DELETE", &path, &moderator, &json!(null))
        .await;
    assert_eq!((s, left), (200, json!([])));
    assert_eq!(home.get(&token, Some(&viewer)).await.0, 200);
}

/// W1: the channel comes from the table by `sub`; a user without a row has none, whatever
/// the token's `custom:chanelName` says (the fixture's claims carry one).
async fn caller_is_the_sub_not_the_channel_claim(home: &AwsHome<'_>) {
    let event = support::events::api_request(
        "GET",
        "/stream/mypage",
        &[],
        None,
        Some(("no-such-sub", "mallory")),
    );
    let (status, body) = home.invoke(event).await;
    assert_eq!(status, 403, "{}", String::from_utf8_lossy(&body));
}
