//! The client against moto standing in for AWS: Cognito sign-up, login (USER_SRP_AUTH
//! with the USER_PASSWORD_AUTH fallback), refresh, NEW_PASSWORD_REQUIRED for an
//! admin-created user, sign-out; and the own-AWS destination's IVS channel calls with an
//! endpoint override. Skips (printing why) when moto_server is not installed.

mod support;

use cloumer_api::{Account, BackendProfile, Error};
use cloumer_testkit::skip_unless;
use secrecy::{ExposeSecret, SecretString};
use support::moto::Moto;

const PASSWORD: &str = "Correct-Horse-9!";

fn profile(moto: &Moto, pool_id: &str, client_id: &str) -> BackendProfile {
    BackendProfile::from_toml(&format!(
        "region = \"ap-northeast-2\"\nuser_pool_id = \"{pool_id}\"\nclient_id = \"{client_id}\"\n\
         api_url = \"{0}/develop\"\ncognito_endpoint = \"{0}/\"\n\
         allow_password_auth = true\n",
        moto.endpoint
    ))
    .expect("profile")
}

/// Parses an unverified JWT payload (moto signs with its own key).
fn jwt_claims(token: &SecretString) -> serde_json::Value {
    use base64::Engine as _;
    let payload = token.expose_secret().split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cognito_sign_up_login_refresh_new_password_and_sign_out_against_moto() {
    let moto = skip_unless!(Moto::start());
    let setup = skip_unless!(moto.setup(&["setup"]));
    let ids: serde_json::Value = serde_json::from_str(&setup).expect("setup output");
    let (pool, client) = (
        ids["pool_id"].as_str().unwrap(),
        ids["client_id"].as_str().unwrap(),
    );
    let account = Account::open(profile(&moto, pool, client)).expect("open");
    let cognito = account.session().cognito();

    // Sign-up with user name = e-mail, then an admin confirms (moto sends no e-mail).
    let email = "alice@example.com";
    let outcome = cognito
        .sign_up(email, &SecretString::from(PASSWORD), "앨리스")
        .await
        .expect("SignUp");
    assert!(!outcome.confirmed);
    let unconfirmed = account
        .session()
        .log_in(email, &SecretString::from(PASSWORD))
        .await;
    assert!(
        matches!(
            &unconfirmed,
            Err(Error::Auth {
                kind: cloumer_api::AuthErrorKind::UserNotConfirmed,
                ..
            })
        ),
        "{unconfirmed:?}"
    );
    moto.setup(&["confirm", pool, email])
        .expect("AdminConfirmSignUp");

    // moto answers USER_SRP_AUTH with a PASSWORD_VERIFIER challenge but cannot finish it
    // (it looks USER_ID_FOR_SRP up as a user name, and never checks the proof): the
    // client falls back to USER_PASSWORD_AUTH, which checks the password. SRP itself is
    // proven against `cloumer serve` (crates/cloumer-cli/tests/recovery_serve.rs).
    let wrong = account
        .session()
        .log_in(email, &SecretString::from("Wrong-Pass-1!"))
        .await;
    assert!(
        matches!(
            &wrong,
            Err(Error::Auth {
                kind: cloumer_api::AuthErrorKind::NotAuthorized,
                ..
            })
        ),
        "{wrong:?}"
    );
    account
        .session()
        .log_in(email, &SecretString::from(PASSWORD))
        .await
        .expect("login");
    let first = account.session().id_token().await.expect("ID token");
    let claims = jwt_claims(&first);
    assert_eq!(claims["token_use"], "id");
    assert_eq!(claims["nickname"], "앨리스");

    // REFRESH_TOKEN_AUTH: a new ID token, the refresh token kept.
    let refreshed = account.session().refresh_now().await.expect("refresh");
    assert_eq!(jwt_claims(&refreshed)["token_use"], "id");
    assert!(
        account.session().refresh_now().await.is_ok(),
        "refresh token kept"
    );

    // Sign-out: GlobalSignOut, the local session wiped, and a reopened session is empty.
    account.session().log_out().await.expect("log out");
    assert!(!account.session().is_logged_in().await);
    let reopened = Account::open(profile(&moto, pool, client)).unwrap();
    assert!(!reopened.session().is_logged_in().await);

    // An admin-created user must choose a new password at first login.
    let admin_made = "admin-made@example.com";
    let session = match reopened
        .session()
        .log_in(admin_made, &SecretString::from("Temp-Pass-123!"))
        .await
    {
        Err(Error::NewPasswordRequired { session, username }) => {
            assert_eq!(username, admin_made);
            session
        }
        other => panic!("expected NEW_PASSWORD_REQUIRED, got {other:?}"),
    };
    reopened
        .session()
        .set_new_password(
            admin_made,
            &session,
            &SecretString::from("Brand-New-Pass-7!"),
        )
        .await
        .expect("RespondToAuthChallenge NEW_PASSWORD_REQUIRED");
    assert!(reopened.session().is_logged_in().await);
    reopened.session().log_out().await.unwrap();
    // The new password now works with the plain password flow.
    cognito
        .log_in_password(admin_made, &SecretString::from("Brand-New-Pass-7!"))
        .await
        .expect("login with the new password");
}

#[cfg(feature = "aws")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn own_aws_destination_lists_channels_and_gets_the_ingest_from_moto() {
    use cloumer_api::destination::Destination;
    use cloumer_api::destination::aws::{AwsAccount, AwsChannelDestination};

    let moto = skip_unless!(Moto::start());
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("ap-northeast-2"))
        .endpoint_url(&moto.endpoint)
        .credentials_provider(aws_sdk_ivs::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .load()
        .await;
    let aws = AwsAccount::from_config(&config);

    let (channel, key) = aws
        .create_channel("Ab3_x9-QzK")
        .await
        .expect("CreateChannel");
    assert!(
        channel.arn.starts_with("arn:aws:ivs:ap-northeast-2:"),
        "{}",
        channel.arn
    );
    assert!(
        !key.expose_secret().is_empty(),
        "CreateChannel returns the stream key"
    );
    let channels = aws.list_channels().await.expect("ListChannels");
    assert!(channels.contains(&channel), "{channels:?}");
    let url = aws.ingest_url(&channel.arn).await.expect("GetChannel");
    assert!(
        url.starts_with("rtmps://") && url.ends_with(":443/app/"),
        "{url}"
    );

    // moto implements no stream-key calls (ListStreamKeys/GetStreamKey): the destination
    // reports the failing operation by name instead of a key.
    let destination = AwsChannelDestination::new(aws, channel.arn.clone());
    match destination.ingest().await {
        Ok(ingest) => {
            assert_eq!(ingest.url, url);
            assert!(ingest.trusted_certificate.is_none());
        }
        Err(Error::Aws { operation, .. }) => {
            eprintln!("note: moto has no {operation}; the stream key came from CreateChannel");
            assert_eq!(operation, "ListStreamKeys");
        }
        Err(other) => panic!("{other:?}"),
    }
}
