//! Issue 15 #12 and #18: SignUp bounds nicknames and e-mail addresses like
//! UpdateUserAttributes, and an e-mail change takes effect only with the code sent to
//! the new address (same attempt limit as every code); meanwhile tokens and GetUser keep
//! the verified address.

mod common;
mod security_auth_support;

use common::{assert_cognito_error, last_code};
use security_auth_support::{PASSWORD, claims, user};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn sign_up_refuses_huge_or_control_character_nicknames_and_addresses() {
    let t = common::start().await;
    let client_id = t.client_id();
    let sign_up = |email: String, nickname: String| {
        t.cognito(
            "SignUp",
            json!({"ClientId": client_id, "Username": email, "Password": PASSWORD,
                   "UserAttributes": [{"Name": "email", "Value": email},
                                      {"Name": "nickname", "Value": nickname}]}),
        )
    };
    let bad_nicknames = [
        "x".repeat(1 << 20),
        "x".repeat(65),
        "red\u{1b}[31m".to_owned(),
        "two\nlines".to_owned(),
    ];
    for (i, nickname) in bad_nicknames.into_iter().enumerate() {
        assert_cognito_error(
            sign_up(format!("n{i}@example.com"), nickname).await,
            "InvalidParameterException",
        );
    }
    for email in ["bell\u{7}@example.com", "a b@example.com", "x@y"] {
        assert_cognito_error(
            sign_up(email.to_owned(), "fine".into()).await,
            "InvalidParameterException",
        );
    }
    let edge = "한".repeat(64);
    assert_eq!(sign_up("edge@example.com".into(), edge).await.0, 200);
}

async fn get_user(t: &common::TestServer, access: &str) -> Value {
    let (s, b) = t.cognito("GetUser", json!({"AccessToken": access})).await;
    assert_eq!(s, 200, "{b}");
    b
}

fn email_of(get_user: &Value) -> String {
    get_user["UserAttributes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["Name"] == "email")
        .and_then(|a| a["Value"].as_str())
        .expect("an email attribute")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_email_change_waits_for_the_code_sent_to_the_new_address() {
    let t = common::start().await;
    let old = "owner@example.com";
    let new = "owner.new@example.net";
    let auth = user(&t, old).await;
    let access = auth["AccessToken"].as_str().unwrap().to_owned();
    let refresh = auth["RefreshToken"].as_str().unwrap().to_owned();

    let (s, b) = t
        .cognito(
            "UpdateUserAttributes",
            json!({"AccessToken": access,
                   "UserAttributes": [{"Name": "email", "Value": new}]}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["CodeDeliveryDetailsList"][0]["Destination"], "o***@e***");
    assert_eq!(b["CodeDeliveryDetailsList"][0]["AttributeName"], "email");

    // Not applied yet: GetUser and fresh tokens keep the verified address.
    assert_eq!(email_of(&get_user(&t, &access).await), old);
    let (_, b) = t.refresh(&refresh).await;
    let id = claims(b["AuthenticationResult"]["IdToken"].as_str().unwrap());
    assert_eq!(
        (id["email"].as_str(), id["email_verified"].as_bool()),
        (Some(old), Some(true))
    );

    // Guessing the code spends it.
    let real = last_code(t.dir.path(), new);
    let verify = |code: String| {
        t.cognito(
            "VerifyUserAttribute",
            json!({"AccessToken": access, "AttributeName": "email", "Code": code}),
        )
    };
    let wrong = (0..1_000_000)
        .map(|i| format!("{i:06}"))
        .filter(|g| *g != real);
    for guess in wrong.take(5) {
        assert_cognito_error(verify(guess).await, "CodeMismatchException");
    }
    assert_cognito_error(verify(real).await, "LimitExceededException");
    assert_eq!(email_of(&get_user(&t, &access).await), old);

    // A new code (GetUserAttributeVerificationCode) goes to the new address and applies it.
    let (s, b) = t
        .cognito(
            "GetUserAttributeVerificationCode",
            json!({"AccessToken": access, "AttributeName": "email"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["CodeDeliveryDetails"]["Destination"], "o***@e***");
    let (s, b) = verify(last_code(t.dir.path(), new)).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(email_of(&get_user(&t, &access).await), new);
    let (_, b) = t.refresh(&refresh).await;
    let id = claims(b["AuthenticationResult"]["IdToken"].as_str().unwrap());
    assert_eq!(id["email"], new);

    // Codes for other attributes do not exist.
    assert_cognito_error(
        t.cognito(
            "VerifyUserAttribute",
            json!({"AccessToken": access, "AttributeName": "nickname", "Code": "123456"}),
        )
        .await,
        "InvalidParameterException",
    );
}
