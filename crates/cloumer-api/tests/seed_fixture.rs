//! The client against a fixture that answers like the seed's AWS deployment, byte for
//! byte (support/seed.rs), and records what it received: the bare ID token, percent-
//! encoded query values, routes appended to an `api_url` with a stage path, the
//! multipart part name, the seed's quirky answers mapped to typed errors, refresh before
//! expiry and once after a 401, the SRP refusal falling back to USER_PASSWORD_AUTH, and
//! sign-up with the e-mail and nickname attributes only.
//! The fallback needs the user's consent (`allow_password_auth` in the profile).

mod support;

use std::sync::atomic::Ordering;

use cloumer_api::{Account, Error};
use secrecy::SecretString;
use support::seed::{self, MyPageMode, SeedFixture};

const PASSWORD: &str = "Correct-Horse-9!";
const TITLE: &str = "안녕 🎥 a&b=c?d#e + f";
/// TITLE percent-encoded as API Gateway wants it: UTF-8 `%XX`, space `%20`, `+` `%2B`.
const TITLE_ENCODED: &str = "%EC%95%88%EB%85%95%20%F0%9F%8E%A5%20a%26b%3Dc%3Fd%23e%20%2B%20f";

/// A logged-in account on a fresh fixture. Logs out on drop of the returned guard.
async fn logged_in(fixture: &SeedFixture) -> Account {
    let account = Account::open(fixture.profile()).expect("open the account");
    account
        .session()
        .log_in("alice@example.com", &SecretString::from(PASSWORD))
        .await
        .expect("log in");
    account
}

#[tokio::test]
async fn sign_up_sends_email_and_nickname_only_and_confirm_checks_the_code() {
    let fixture = SeedFixture::start().await;
    let account = Account::open(fixture.profile()).expect("open the account");
    let cognito = account.session().cognito();
    let outcome = cognito
        .sign_up("bob@example.com", &SecretString::from(PASSWORD), "밥 🎮")
        .await
        .expect("SignUp");
    assert!(!outcome.confirmed);
    assert_eq!(outcome.code_destination.as_deref(), Some("a***@e***"));

    let calls = fixture.state.cognito_calls.lock().unwrap().clone();
    let (op, body) = &calls[0];
    assert_eq!(op, "SignUp");
    assert_eq!(body["Username"], "bob@example.com", "user name = e-mail");
    assert_eq!(body["ClientId"], fixture.profile().client_id);
    let attributes: Vec<(&str, &str)> = body["UserAttributes"]
        .as_array()
        .expect("UserAttributes")
        .iter()
        .map(|a| (a["Name"].as_str().unwrap(), a["Value"].as_str().unwrap()))
        .collect();
    assert_eq!(
        attributes,
        [("email", "bob@example.com"), ("nickname", "밥 🎮")],
        "never custom:chanelName: the backend assigns the channel"
    );

    let wrong = cognito.confirm_sign_up("bob@example.com", "000000").await;
    assert!(
        matches!(
            wrong,
            Err(Error::Auth {
                kind: cloumer_api::AuthErrorKind::CodeMismatch,
                ..
            })
        ),
        "{wrong:?}"
    );
    cognito
        .confirm_sign_up("bob@example.com", " 123456\n")
        .await
        .expect("a pasted code with spaces around it confirms");
    cognito
        .resend_code("bob@example.com")
        .await
        .expect("ResendConfirmationCode");
    let ops: Vec<String> = fixture
        .state
        .cognito_calls
        .lock()
        .unwrap()
        .iter()
        .map(|(op, _)| op.clone())
        .collect();
    assert_eq!(
        ops,
        [
            "SignUp",
            "ConfirmSignUp",
            "ConfirmSignUp",
            "ResendConfirmationCode"
        ]
    );
}

/// Finding 8 of the hardening issue: a server that answers "no SRP" must not be handed
/// the password unless the user said so in the profile.
#[tokio::test]
async fn without_the_users_consent_a_refusal_of_srp_never_gets_the_password() {
    let fixture = SeedFixture::start().await;
    let account = Account::open(fixture.profile_srp_only()).unwrap();
    let refused = account
        .session()
        .log_in("alice@example.com", &SecretString::from(PASSWORD))
        .await;
    match &refused {
        Err(Error::Refused(message)) => assert!(
            message.contains("allow_password_auth = true"),
            "the error says what to do: {message}"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(
        *fixture.state.auth_flows.lock().unwrap(),
        ["USER_SRP_AUTH"],
        "no USER_PASSWORD_AUTH was sent"
    );
    let calls = fixture.state.cognito_calls.lock().unwrap().clone();
    assert!(
        calls
            .iter()
            .all(|(_, body)| !body.to_string().contains(PASSWORD)),
        "the password never left the machine"
    );
}

#[tokio::test]
async fn login_falls_back_to_password_auth_when_the_pool_refuses_srp() {
    let fixture = SeedFixture::start().await;
    let account = logged_in(&fixture).await;
    assert_eq!(
        *fixture.state.auth_flows.lock().unwrap(),
        ["USER_SRP_AUTH", "USER_PASSWORD_AUTH"],
        "SRP first, then the password flow the seed's client allows"
    );
    let claims = account
        .session()
        .claims()
        .await
        .expect("claims of the ID token");
    assert_eq!(claims.chanel_name.as_deref(), Some(seed::CHANNEL));

    let wrong = Account::open(fixture.profile()).unwrap();
    let refused = wrong
        .session()
        .log_in("alice@example.com", &SecretString::from("wrong"))
        .await;
    assert!(
        matches!(
            refused,
            Err(Error::Auth {
                kind: cloumer_api::AuthErrorKind::NotAuthorized,
                ..
            })
        ),
        "{refused:?}"
    );
    account.session().log_out().await.unwrap();
}

#[tokio::test]
async fn rest_calls_send_what_the_seed_expects_and_a_title_round_trips() {
    let fixture = SeedFixture::start().await;
    let account = logged_in(&fixture).await;

    let profile = account.my_page().await.expect("R6");
    assert_eq!(profile.channel, seed::CHANNEL);
    assert!(!profile.live, "the string \"false\" is a boolean false");
    assert_eq!(profile.title, "Input Title");
    assert_eq!(
        secrecy::ExposeSecret::expose_secret(&profile.stream_key),
        seed::STREAM_KEY
    );

    account
        .set_title(TITLE)
        .await
        .expect("R8 answers the bare string \"OK\"");
    let edit = fixture.state.calls_to("/stream/broadcase_info_edit");
    assert_eq!(edit.len(), 1);
    assert_eq!(edit[0].method, "GET");
    assert_eq!(
        edit[0].raw_query.as_deref(),
        Some(&*format!("title={TITLE_ENCODED}"))
    );
    // The fixture answers the title `\u`-escaped; the client decodes it back.
    assert_eq!(*fixture.state.title.lock().unwrap(), TITLE);
    assert_eq!(account.my_page().await.unwrap().title, TITLE);
    let cards = account.rest().broadcasts().await.expect("R2");
    assert_eq!(cards[0].title, TITLE);
    assert_eq!(cards[0].nickname, seed::NICKNAME);

    // Every signed-in call carried the bare ID token; every route hung under the stage.
    let valid = fixture.state.valid_id_tokens.lock().unwrap().clone();
    for call in fixture.state.calls_to("") {
        if call.target.is_some() {
            continue; // Cognito
        }
        assert!(
            call.path.starts_with("/develop/"),
            "route not under the stage: {}",
            call.path
        );
        if call.path.contains("/stream/") {
            let auth = call.authorization.expect("Authorization on /stream/*");
            assert!(!auth.starts_with("Bearer"), "the ID token goes bare");
            assert!(valid.contains(&auth), "an ID token (not the access token)");
        }
    }

    // Public routes decode `\u` escapes and the seed's field names.
    let channels = account.rest().channels().await.expect("R1");
    assert_eq!(channels[0].nickname, seed::NICKNAME);
    assert_eq!(channels[0].channel, seed::CHANNEL);
    let avatar = account
        .rest()
        .avatar_url(seed::CHANNEL)
        .await
        .expect("R1 single");
    assert!(avatar.ends_with("default_profile.png"));
    let playback = account
        .rest()
        .playback_url(seed::CHANNEL)
        .await
        .expect("R3");
    assert!(playback.ends_with(".m3u8"));
    assert_eq!(
        fixture.state.calls_to("/public/get_channel")[0]
            .raw_query
            .as_deref(),
        Some("code=Ab3_x9-QzK")
    );
    account.session().log_out().await.unwrap();
}

#[tokio::test]
async fn avatar_goes_as_one_multipart_part_named_file_after_local_checks() {
    let fixture = SeedFixture::start().await;
    let account = logged_in(&fixture).await;
    let dir = tempfile::tempdir().unwrap();

    let gif = dir.path().join("a.gif");
    std::fs::write(&gif, b"GIF89a not accepted").unwrap();
    let refused = account.upload_avatar_file(&gif).await;
    assert!(
        matches!(&refused, Err(Error::Invalid { field: Some(f), .. }) if f == "file"),
        "{refused:?}"
    );
    let big = dir.path().join("big.png");
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.resize(4 * 1024 * 1024 + 1, 0);
    std::fs::write(&big, &bytes).unwrap();
    assert!(matches!(
        account.upload_avatar_file(&big).await,
        Err(Error::Invalid { .. })
    ));
    assert!(
        fixture.state.calls_to("/stream/save_mypage").is_empty(),
        "nothing is uploaded when the local checks fail"
    );

    let png = dir.path().join("a.png");
    let png_bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR fixture".to_vec();
    std::fs::write(&png, &png_bytes).unwrap();
    account
        .upload_avatar_file(&png)
        .await
        .expect("R7 answers a \\u-escaped bare string");
    let calls = fixture.state.calls_to("/stream/save_mypage");
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].method, "POST");
    assert!(
        calls[0]
            .content_type
            .as_deref()
            .is_some_and(|c| c.starts_with("multipart/form-data; boundary=")),
        "{:?}",
        calls[0].content_type
    );
    let uploads = fixture.state.uploads.lock().unwrap().clone();
    assert_eq!(uploads.len(), 1);
    let names: Vec<&str> = uploads[0].parts.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["file"], "exactly one part, named `file`");
    assert_eq!(uploads[0].parts[0].1, png_bytes);
    account.session().log_out().await.unwrap();
}

#[tokio::test]
async fn the_seeds_quirky_answers_become_typed_errors() {
    let fixture = SeedFixture::start().await;
    let account = logged_in(&fixture).await;
    let token = account.session().id_token().await.unwrap();

    // R5 for an unknown channel: 200 `{}` (no token).
    let unknown = account.rest().chat_token(&token, "nobody-here").await;
    assert!(
        matches!(unknown, Err(Error::NotFound { .. })),
        "{unknown:?}"
    );
    // R4 is missing from the deployed zip: 400 "Invalid request" (a bare JSON string).
    match account.rest().viewer_chat_token(seed::CHANNEL).await {
        Err(Error::Invalid { message, .. }) => assert_eq!(message, "Invalid request"),
        other => panic!("{other:?}"),
    }
    // R1 single mode for an unknown channel: 502 from API Gateway.
    assert!(matches!(
        account.rest().avatar_url("nobody-here").await,
        Err(Error::Server { status: 502, .. })
    ));
    // R6 swallowing an exception: 200 with an empty body.
    *fixture.state.mypage_mode.lock().unwrap() = MyPageMode::EmptyOk;
    assert!(matches!(
        account.my_page().await,
        Err(Error::Server { status: 200, .. })
    ));
    // R6 failing: 500 "Server Error"; a GET, so retried (three tries in all).
    *fixture.state.mypage_mode.lock().unwrap() = MyPageMode::ServerError;
    let before = fixture.state.calls_to("/stream/mypage").len();
    match account.my_page().await {
        Err(Error::Server {
            status: 500,
            message,
            ..
        }) => assert_eq!(message, "Server Error"),
        other => panic!("{other:?}"),
    }
    assert_eq!(fixture.state.calls_to("/stream/mypage").len() - before, 3);
    // Without a valid token: the authorizer's 401.
    let bogus = SecretString::from("not-a-token");
    assert!(matches!(
        account.rest().my_page(&bogus).await,
        Err(Error::Unauthorized)
    ));
    // A valid token with a `Bearer ` prefix is refused by the seed's authorizer too.
    let bearer = SecretString::from(format!(
        "Bearer {}",
        secrecy::ExposeSecret::expose_secret(&token)
    ));
    *fixture.state.mypage_mode.lock().unwrap() = MyPageMode::Normal;
    assert!(matches!(
        account.rest().my_page(&bearer).await,
        Err(Error::Unauthorized)
    ));
    account.session().log_out().await.unwrap();
}

#[tokio::test]
async fn refreshes_before_expiry_and_once_after_a_401() {
    let fixture = SeedFixture::start().await;
    // Tokens that expire within the refresh margin: every call refreshes first.
    fixture.state.expires_in.store(60, Ordering::SeqCst);
    let account = logged_in(&fixture).await;
    account.my_page().await.expect("R6 after a refresh");
    assert_eq!(
        *fixture.state.auth_flows.lock().unwrap(),
        ["USER_SRP_AUTH", "USER_PASSWORD_AUTH", "REFRESH_TOKEN_AUTH"]
    );
    let valid = fixture.state.valid_id_tokens.lock().unwrap().clone();
    assert_eq!(
        fixture.state.calls_to("/stream/mypage")[0]
            .authorization
            .as_ref(),
        Some(&valid[1]),
        "R6 used the refreshed ID token"
    );
    account.session().log_out().await.unwrap();

    // Long-lived tokens: no refresh until the API says 401, then exactly one.
    let fixture = SeedFixture::start().await;
    let account = logged_in(&fixture).await;
    account.my_page().await.unwrap();
    assert_eq!(
        fixture.state.auth_flows.lock().unwrap().len(),
        2,
        "no refresh needed"
    );
    fixture.state.force_unauthorized.store(1, Ordering::SeqCst);
    account
        .my_page()
        .await
        .expect("refreshed once after the 401");
    let calls = fixture.state.calls_to("/stream/mypage");
    assert_eq!(calls.len(), 3);
    assert_ne!(
        calls[1].authorization, calls[2].authorization,
        "retried with the new token"
    );
    assert_eq!(
        fixture.state.auth_flows.lock().unwrap().last().unwrap(),
        "REFRESH_TOKEN_AUTH"
    );

    // Two 401s in a row: one refresh, then the error (no loop).
    fixture.state.force_unauthorized.store(2, Ordering::SeqCst);
    assert!(matches!(account.my_page().await, Err(Error::Unauthorized)));
    let refreshes = fixture
        .state
        .auth_flows
        .lock()
        .unwrap()
        .iter()
        .filter(|f| *f == "REFRESH_TOKEN_AUTH")
        .count();
    assert_eq!(refreshes, 2);
    account.session().log_out().await.unwrap();
    assert!(
        fixture
            .state
            .cognito_ops()
            .contains(&"GlobalSignOut".to_owned())
    );
}

#[tokio::test]
async fn password_reset_is_refused_politely_against_a_seed_profile() {
    let fixture = SeedFixture::start().await;
    let account = Account::open(fixture.profile()).unwrap();
    let cognito = account.session().cognito();
    let forgot = cognito.forgot_password("alice@example.com").await;
    assert!(
        matches!(&forgot, Err(Error::Refused(m)) if m.contains("second channel")),
        "{forgot:?}"
    );
    let confirm = cognito
        .confirm_forgot_password(
            "alice@example.com",
            "123456",
            &SecretString::from("New-Pass-123!"),
        )
        .await;
    assert!(matches!(confirm, Err(Error::Refused(_))));
    assert!(
        fixture.state.cognito_ops().is_empty(),
        "nothing reached the backend: {:?}",
        fixture.state.cognito_ops()
    );
}

#[tokio::test]
async fn account_destination_is_the_profiles_ingest_and_trusts_its_certificate() {
    use cloumer_api::destination::{AccountDestination, Destination};
    let fixture = SeedFixture::start().await;

    // The seed: IVS ingest with a public certificate, nothing extra to trust.
    let account = logged_in(&fixture).await;
    let ingest = AccountDestination { account: &account }
        .ingest()
        .await
        .expect("R6");
    assert_eq!(
        ingest.url,
        "rtmps://ingest-host.global-contribute.live-video.net:443/app/"
    );
    assert_eq!(ingest.key.expose(), seed::STREAM_KEY);
    assert!(ingest.trusted_certificate.is_none());
    account.session().log_out().await.unwrap();

    // A self-hosted profile naming its ingest certificate: the destination carries it.
    let profile = fixture.profile_with(
        "allow_password_auth = true\nrtmps_url = \"rtmps://127.0.0.1:1936/app/\"\n\
         ingest_certificate = \"/var/lib/cloumer/tls/ingest-cert.pem\"\n",
    );
    let account = Account::open(profile).unwrap();
    account
        .session()
        .log_in("alice@example.com", &SecretString::from(PASSWORD))
        .await
        .unwrap();
    let ingest = AccountDestination { account: &account }
        .ingest()
        .await
        .expect("R6");
    assert_eq!(
        ingest.trusted_certificate.as_deref(),
        Some(std::path::Path::new("/var/lib/cloumer/tls/ingest-cert.pem"))
    );
    account.session().log_out().await.unwrap();
}
