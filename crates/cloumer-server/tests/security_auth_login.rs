//! Issue 15 #6 (no lockout), #7 (user enumeration) and #13 (SRP replay): password
//! guessing locks the account as Cognito does, unknown users answer and take as long as
//! wrong passwords, and an SRP answer works once.

mod common;
mod security_auth_support;

use std::time::{Duration, Instant};

use common::assert_cognito_error;
use security_auth_support::{Figures, PASSWORD, password_login, srp_start, timed, user};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn password_guessing_locks_the_account_and_the_attacker_never_gets_in() {
    let t = common::start().await;
    let victim = "locked@example.com";
    user(&t, victim).await;

    let started = Instant::now();
    let mut checked = 0;
    let mut locked = 0;
    for i in 0..40 {
        let (s, b) = password_login(&t, victim, &format!("guess-{i}-xyz")).await;
        assert_eq!(s, 400, "a guess got in: {b}");
        match b["message"].as_str() {
            Some("Incorrect username or password.") => checked += 1,
            Some("Password attempts exceeded") => locked += 1,
            _ => panic!("unexpected answer {b}"),
        }
    }
    eprintln!(
        "40 guesses in {:?}: {checked} checked, {locked} refused unchecked (locked out)",
        started.elapsed()
    );
    assert!(locked >= 30, "{locked} locked answers");
    assert!(checked <= 10, "{checked} passwords were checked");

    // While locked even the right password is refused; once the lockout has run out
    // (seconds here, at most 15 minutes), the owner gets in.
    let (s, b) = password_login(&t, victim, PASSWORD).await;
    if s == 400 {
        assert_eq!(b["message"], "Password attempts exceeded", "{b}");
    }
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let (s, _) = password_login(&t, victim, PASSWORD).await;
        if s == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "the owner stayed locked out");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    eprintln!("owner back in {:?} after the attack", started.elapsed());
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_srp_answers_count_towards_the_lockout() {
    let t = common::start().await;
    let victim = "srp-locked@example.com";
    user(&t, victim).await;
    // The right answer is computed up front: the first lockout lasts one second, less
    // than a debug build's SRP maths takes.
    let right = srp_start(&t, victim, PASSWORD).await.answer(&t.client_id());
    for _ in 0..5 {
        let wrong = srp_start(&t, victim, "not-the-password").await;
        let body = wrong.answer(&t.client_id());
        assert_cognito_error(
            t.cognito("RespondToAuthChallenge", body).await,
            "NotAuthorizedException",
        );
    }
    let (s, b) = t.cognito("RespondToAuthChallenge", right).await;
    assert_eq!(
        (s, b["message"].as_str()),
        (400, Some("Password attempts exceeded")),
        "{b}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_users_answer_and_take_as_long_as_wrong_passwords() {
    let t = common::start().await;
    let known = "known@example.com";
    user(&t, known).await;
    let client_id = t.client_id();

    // USER_PASSWORD_AUTH: same error, same cost. Four tries each stay under the lockout;
    // each unknown name is new.
    let mut wrong = Vec::new();
    let mut unknown = Vec::new();
    for i in 0..4 {
        let ((s1, b1), d1) = timed(password_login(&t, known, "wrong-password")).await;
        let ((s2, b2), d2) = timed(password_login(
            &t,
            &format!("nobody{i}@example.com"),
            "wrong-password",
        ))
        .await;
        assert_eq!((s1, &b1), (s2, &b2), "the answers differ");
        wrong.push(d1);
        unknown.push(d2);
    }
    let (wrong, unknown) = (Figures::of(wrong), Figures::of(unknown));
    eprintln!("wrong password: {wrong}; unknown user: {unknown}");
    let ratio = unknown.p50 / wrong.p50;
    assert!(
        (0.4..2.5).contains(&ratio),
        "unknown users take {ratio:.2}x the time of a wrong password"
    );

    // USER_SRP_AUTH: an unknown user gets a stable challenge and fails like a wrong password.
    let ghost = "ghost@example.com";
    let first = srp_start(&t, ghost, "whatever-pw").await;
    let second = srp_start(&t, ghost, "whatever-pw").await;
    assert_eq!(
        first.params["SALT"], second.params["SALT"],
        "the salt is stable"
    );
    assert_ne!(first.params["SRP_B"], second.params["SRP_B"]);
    let ghost_answer = t
        .cognito("RespondToAuthChallenge", first.answer(&client_id))
        .await;
    let wrong_srp = srp_start(&t, known, "wrong-password").await;
    let known_answer = t
        .cognito("RespondToAuthChallenge", wrong_srp.answer(&client_id))
        .await;
    assert_eq!(ghost_answer, known_answer);
    assert_cognito_error(known_answer, "NotAuthorizedException");

    // Recovery operations: a plausible delivery, or a code mismatch.
    let body = |user: &str| json!({"ClientId": client_id, "Username": user});
    for op in ["ForgotPassword", "ResendConfirmationCode"] {
        let (s, b) = t.cognito(op, body(ghost)).await;
        assert_eq!(s, 200, "{op}: {b}");
        assert_eq!(b["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL", "{b}");
        assert_eq!(b["CodeDeliveryDetails"]["Destination"], "g***@e***");
    }
    assert_cognito_error(
        t.cognito(
            "ConfirmSignUp",
            json!({"ClientId": client_id, "Username": ghost, "ConfirmationCode": "123456"}),
        )
        .await,
        "CodeMismatchException",
    );
    assert_cognito_error(
        t.cognito(
            "ConfirmForgotPassword",
            json!({"ClientId": client_id, "Username": ghost,
                   "ConfirmationCode": "123456", "Password": "Whatever#123"}),
        )
        .await,
        "CodeMismatchException",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_srp_answer_works_once_even_after_a_failure() {
    let t = common::start().await;
    let email = "replay@example.com";
    user(&t, email).await;
    let client_id = t.client_id();

    // A captured successful answer cannot be replayed for another session.
    let c = srp_start(&t, email, PASSWORD).await;
    let answer = c.answer(&client_id);
    let (s, b) = t.cognito("RespondToAuthChallenge", answer.clone()).await;
    assert_eq!(s, 200, "{b}");
    assert!(b["AuthenticationResult"]["RefreshToken"].is_string());
    for _ in 0..3 {
        assert_cognito_error(
            t.cognito("RespondToAuthChallenge", answer.clone()).await,
            "NotAuthorizedException",
        );
    }

    // A challenge answered wrongly cannot then be answered rightly.
    let mut c = srp_start(&t, email, "wrong-password").await;
    assert_cognito_error(
        t.cognito("RespondToAuthChallenge", c.answer(&client_id))
            .await,
        "NotAuthorizedException",
    );
    let pool_id = t.server.backend_profile().user_pool_id;
    c.client
        .replace_credentials(aws_cognito_srp::User::new(&pool_id, email, PASSWORD));
    assert_cognito_error(
        t.cognito("RespondToAuthChallenge", c.answer(&client_id))
            .await,
        "NotAuthorizedException",
    );
    // A fresh challenge works.
    let c = srp_start(&t, email, PASSWORD).await;
    assert_eq!(
        t.cognito("RespondToAuthChallenge", c.answer(&client_id))
            .await
            .0,
        200
    );
}
