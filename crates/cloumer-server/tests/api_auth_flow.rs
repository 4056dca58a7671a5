#![allow(clippy::unwrap_used)]
//! Cognito endpoint through raw JSON: sign-up, confirm from the outbox, password login,
//! refresh, GetUser, UpdateUserAttributes (W1), sign-out, forgot password (W4), restart.

mod common;

use serde_json::json;

#[tokio::test]
async fn sign_up_confirm_login_refresh_sign_out() {
    let t = common::start().await;
    let tokens = t.user("alice@example.com", "앨리스").await;
    let id = tokens["IdToken"].as_str().unwrap();
    let access = tokens["AccessToken"].as_str().unwrap();
    let refresh = tokens["RefreshToken"].as_str().unwrap();
    let cid = t.client_id();

    // Wrong password → NotAuthorizedException.
    common::assert_cognito_error(
        t.cognito(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": cid,
            "AuthParameters": {"USERNAME": "alice@example.com", "PASSWORD": "nope-nope"}}),
        )
        .await,
        "NotAuthorizedException",
    );

    let (s, b) = t.cognito("GetUser", json!({"AccessToken": access})).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["Username"], "alice@example.com");

    // The mypage channel is the one in the token.
    let (s, page) = t.get("/stream/mypage", Some(id)).await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(page["isLive"], "false");
    assert!(page["streamUrl"].as_str().unwrap().ends_with("/app/"));
    assert!(page["streamKey"].as_str().unwrap().starts_with("sk_"));
    assert_eq!(page["chanelName"].as_str().unwrap().len(), 10);

    let (s, b) = t.refresh(refresh).await;
    assert_eq!(s, 200, "{b}");
    assert!(b["AuthenticationResult"]["IdToken"].is_string());

    let (s, _) = t
        .cognito("GlobalSignOut", json!({"AccessToken": access}))
        .await;
    assert_eq!(s, 200);
    common::assert_cognito_error(t.refresh(refresh).await, "NotAuthorizedException");
    let (s, _) = t.get("/stream/mypage", Some(id)).await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn w1_writing_own_channel_claim_is_refused() {
    let t = common::start().await;
    let victim = t.user("victim@example.com", "victim").await;
    let victim_page = t.mypage(victim["IdToken"].as_str().unwrap()).await;
    let attacker = t.user("attacker@example.com", "attacker").await;
    common::assert_cognito_error(
        t.cognito("UpdateUserAttributes", json!({
            "AccessToken": attacker["AccessToken"],
            "UserAttributes": [{"Name": "custom:chanelName", "Value": victim_page["chanelName"]}],
        }))
        .await,
        "NotAuthorizedException",
    );
    let again = t.login("attacker@example.com", "Passw0rd!").await;
    let page = t.mypage(again["IdToken"].as_str().unwrap()).await;
    assert_ne!(page["chanelName"], victim_page["chanelName"]);
    assert_ne!(page["streamKey"], victim_page["streamKey"]);
}

#[tokio::test]
async fn w4_password_reset_keeps_the_one_channel_and_restart_keeps_everything() {
    let t = common::start().await;
    let tokens = t.user("bob@example.com", "bob").await;
    let id = tokens["IdToken"].as_str().unwrap();
    let (s, _) = t
        .get(
            "/stream/broadcase_info_edit?title=%EC%95%88%EB%85%95%20%F0%9F%8E%AE%20%26%3D%3F%23",
            Some(id),
        )
        .await;
    assert_eq!(s, 200);
    let before = t.mypage(id).await;
    assert_eq!(before["boradCastTitle"], "안녕 🎮 &=?#");

    let cid = t.client_id();
    let (s, _) = t
        .cognito(
            "ForgotPassword",
            json!({"ClientId": cid, "Username": "bob@example.com"}),
        )
        .await;
    assert_eq!(s, 200);
    let code = common::last_code(t.dir.path(), "bob@example.com");
    let (s, b) = t
        .cognito(
            "ConfirmForgotPassword",
            json!({"ClientId": cid, "Username": "bob@example.com",
            "ConfirmationCode": code, "Password": "N3wPassword!"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (_, users) = t.get("/public/users", None).await;
    assert_eq!(
        users.as_array().unwrap().len(),
        1,
        "one channel after reset: {users}"
    );

    // Restart on the same data dir: same pool, keys, user, channel and title.
    let profile = t.server.backend_profile();
    let t = t.restart().await;
    assert_eq!(
        t.server.backend_profile().user_pool_id,
        profile.user_pool_id
    );
    let tokens = t.login("bob@example.com", "N3wPassword!").await;
    let after = t.mypage(tokens["IdToken"].as_str().unwrap()).await;
    assert_eq!(after["chanelName"], before["chanelName"]);
    assert_eq!(after["boradCastTitle"], before["boradCastTitle"]);
}

/// "Try it locally": the studio confirms its owner's sign-up in-process, without a code;
/// the account then logs in and has its channel. The Cognito route still wants a code.
#[tokio::test]
async fn the_embedded_servers_owner_is_confirmed_without_a_code() {
    let t = common::start().await;
    let cid = t.client_id();
    let (s, b) = t
        .cognito("SignUp", json!({
            "ClientId": cid, "Username": "me@localhost", "Password": "Passw0rd!",
            "UserAttributes": [{"Name": "email", "Value": "me@localhost"}, {"Name": "nickname", "Value": "me"}],
        }))
        .await;
    assert_eq!(s, 200, "{b}");
    // Unconfirmed: the log-in says so.
    common::assert_cognito_error(
        t.cognito(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": cid,
            "AuthParameters": {"USERNAME": "me@localhost", "PASSWORD": "Passw0rd!"}}),
        )
        .await,
        "UserNotConfirmedException",
    );
    // Over the network a code is still needed.
    common::assert_cognito_error(
        t.cognito(
            "ConfirmSignUp",
            json!({"ClientId": cid, "Username": "me@localhost", "ConfirmationCode": "000000"}),
        )
        .await,
        "CodeMismatchException",
    );
    assert!(t.server.confirm_user_locally("me@localhost").await.unwrap());
    assert!(
        !t.server
            .confirm_user_locally("nobody@localhost")
            .await
            .unwrap()
    );
    // Idempotent: a second call neither fails nor makes a second channel.
    assert!(t.server.confirm_user_locally("me@localhost").await.unwrap());
    let tokens = t.login("me@localhost", "Passw0rd!").await;
    let page = t.mypage(tokens["IdToken"].as_str().unwrap()).await;
    assert_eq!(page["chanelName"].as_str().unwrap().len(), 10);
}
