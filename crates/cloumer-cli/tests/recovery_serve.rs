//! Account recovery commands: `resend-code` and `forgot-password` / `confirm-password`
//! against a real `cloumer serve` (and its login through USER_SRP_AUTH, no fallback), and the polite refusal of a password reset against a
//! seed profile (no request leaves the machine: the profile points nowhere).

mod account_support;

use account_support::{
    World, cloumer, cloumer_logged, cloumer_with_password, codes_sent, confirmation_code, failed,
    ok,
};

#[test]
fn resend_code_and_password_reset_against_cloumer_serve() {
    let world = World::start();
    let (home, backend, data) = (world.home.clone(), world.backend(), world.data.clone());
    let email = "forgetful@example.com";

    ok(&cloumer(
        &home,
        &[
            "--backend",
            backend,
            "signup",
            "--username",
            email,
            "--nickname",
            "forgetful",
        ],
    ));
    assert_eq!(codes_sent(&data, email), 1);
    ok(&cloumer(
        &home,
        &["--backend", backend, "resend-code", "--username", email],
    ));
    assert_eq!(codes_sent(&data, email), 2, "a second code was sent");
    let code = confirmation_code(&data, email);
    ok(&cloumer(
        &home,
        &[
            "--backend",
            backend,
            "confirm",
            "--username",
            email,
            "--code",
            &code,
        ],
    ));

    // Login runs USER_SRP_AUTH to the end against our server (no password fallback).
    let login = cloumer_logged(
        &home,
        "cloumer_api=info",
        &["--backend", backend, "login", "--username", email],
    );
    ok(&login);
    let log = String::from_utf8_lossy(&login.stderr);
    assert!(
        !log.contains("falling back"),
        "SRP should have worked: {log}"
    );

    ok(&cloumer(
        &home,
        &["--backend", backend, "forgot-password", "--username", email],
    ));
    let reset = confirmation_code(&data, email);
    let new_password = "Brand-New-Pass-7!";
    let wrong = failed(&cloumer_with_password(
        &home,
        new_password,
        &[
            "--backend",
            backend,
            "confirm-password",
            "--username",
            email,
            "--code",
            "000000",
        ],
    ));
    assert!(wrong.lines().count() == 1, "one clear line: {wrong}");
    ok(&cloumer_with_password(
        &home,
        new_password,
        &[
            "--backend",
            backend,
            "confirm-password",
            "--username",
            email,
            "--code",
            &reset,
        ],
    ));
    // The old password is gone; the new one logs in.
    failed(&cloumer(
        &home,
        &["--backend", backend, "login", "--username", email],
    ));
    ok(&cloumer_with_password(
        &home,
        new_password,
        &["--backend", backend, "login", "--username", email],
    ));
    ok(&cloumer(&home, &["logout"]));
}

#[test]
fn password_reset_is_refused_against_a_seed_profile() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    // The seed's profile: the four keys only (no ingest of its own). Port 9 (discard)
    // on loopback: nothing may be sent there anyway.
    let seed = tmp.path().join("seed.toml");
    std::fs::write(
        &seed,
        "region = \"ap-northeast-2\"\nuser_pool_id = \"ap-northeast-2_SeedPool1\"\n\
         client_id = \"seedclient\"\napi_url = \"http://127.0.0.1:9/develop\"\n\
         cognito_endpoint = \"http://127.0.0.1:9/\"\n",
    )
    .unwrap();
    let seed = seed.to_str().unwrap();
    for args in [
        vec![
            "--backend",
            seed,
            "forgot-password",
            "--username",
            "a@example.com",
        ],
        vec![
            "--backend",
            seed,
            "confirm-password",
            "--username",
            "a@example.com",
            "--code",
            "1",
        ],
    ] {
        let out = cloumer(&home, &args);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("second channel") && !err.contains("cannot reach"),
            "{err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
}
