//! The web site's account pages in a real browser (Chromium over WebDriver) against a real
//! `cloumer serve`: sign up in the page (Cognito SignUp), ask for the code again, confirm
//! with the code the server "mailed", log in with SRP, and on "my page" see the stream key
//! masked until asked for, the stream URL, the studio download link the operator set
//! (`--studio-download-url`), change the title and upload an avatar, which
//! the CLI then reads; log out, reset the password through "forgot password" and log in
//! with the new one.

mod account_support;
mod web_support;

use account_support::{
    PASSWORD, World, cloumer, cloumer_with_password, codes_sent, confirmation_code, ok, profile,
};
use web_support::{
    ChromeDriver, api_url, browser_prerequisites, by_testid, click, eventually, login_in_page,
    value_of,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_signs_up_and_edits_my_page_in_the_browser() {
    cloumer_testkit::skip_unless!(browser_prerequisites());
    let studio = "https://downloads.example.com/cloumer-studio/";
    let world = World::start_with(&["--studio-download-url", studio]);
    let site = api_url(&world.backend_path);
    let email = "web-signup@example.com";
    let driver = ChromeDriver::start();
    let browser = driver.session().await;

    // Sign up in the page, ask for the code again, confirm with the last one.
    browser
        .goto(&format!("{site}/signup"))
        .await
        .expect("open sign-up");
    for (id, text) in [
        ("signup-email", email),
        ("signup-password", PASSWORD),
        ("signup-nickname", "웹 시청자"),
    ] {
        let field = eventually(id, || async { browser.find(by_testid(id)).await.ok() }).await;
        field.send_keys(text).await.expect(id);
    }
    click(&browser, "signup-submit").await;
    eventually("the code step", || async {
        browser.find(by_testid("signup-code")).await.ok()
    })
    .await;
    assert_eq!(codes_sent(&world.data, email), 1);
    click(&browser, "signup-resend").await;
    eventually("a second code sent", || async {
        (codes_sent(&world.data, email) == 2).then_some(())
    })
    .await;
    let code = confirmation_code(&world.data, email);
    browser
        .find(by_testid("signup-code"))
        .await
        .expect("code field")
        .send_keys(&code)
        .await
        .expect("type the code");
    click(&browser, "signup-confirm").await;
    eventually("the log-in page after confirming", || async {
        browser.find(by_testid("login-username")).await.ok()
    })
    .await;

    // Log in (SRP in the page), then "my page" through the header.
    browser.goto(&site).await.expect("home");
    login_in_page(&browser, email).await;
    click(&browser, "mypage-link").await;
    eventually("the stream key field", || async {
        browser.find(by_testid("mypage-key")).await.ok()
    })
    .await;
    let masked = value_of(&browser, "mypage-key").await;

    // The CLI, logged in as the same user, knows the real key and the channel.
    let backend = world.backend();
    ok(&cloumer(
        &world.home,
        &["--backend", backend, "login", "--username", email],
    ));
    let me = profile(&world.home);
    let key = me["stream_key"].as_str().expect("stream key").to_owned();
    assert!(
        !masked.contains(&key) && masked.ends_with(&key[key.len() - 4..]),
        "the key is not masked: {masked}"
    );
    click(&browser, "mypage-key-toggle").await;
    let shown = value_of(&browser, "mypage-key").await;
    assert_eq!(shown, key, "the shown key");
    let url = value_of(&browser, "mypage-url").await;
    assert_eq!(url, me["stream_url"].as_str().unwrap_or_default());

    // The studio download link goes where the operator said (--studio-download-url).
    let link = browser
        .find(by_testid("studio-download"))
        .await
        .expect("the studio download link");
    let href = link.attr("href").await.expect("href").unwrap_or_default();
    assert_eq!(href, studio, "the studio download link");

    // A new title saved in the page is what the backend now has.
    let title = browser
        .find(by_testid("mypage-title"))
        .await
        .expect("title field");
    title.clear().await.expect("clear the title");
    title
        .send_keys("웹에서 바꾼 제목")
        .await
        .expect("type a title");
    click(&browser, "mypage-save").await;
    eventually("the title saved", || async {
        (profile(&world.home)["title"] == "웹에서 바꾼 제목").then_some(())
    })
    .await;

    // An avatar picked and uploaded in the page becomes the channel's avatar.
    let before = profile(&world.home)["avatar_url"].clone();
    let image = world.tmp().join("avatar.png");
    std::fs::write(&image, ONE_PIXEL_PNG).expect("write the image");
    browser
        .find(by_testid("mypage-avatar"))
        .await
        .expect("file field")
        .send_keys(image.to_str().expect("UTF-8 path"))
        .await
        .expect("pick the file");
    click(&browser, "mypage-upload").await;
    eventually("the uploaded avatar", || async {
        (profile(&world.home)["avatar_url"] != before).then_some(())
    })
    .await;

    // Log out, reset the password through "forgot password", log in with the new one.
    click(&browser, "logout").await;
    eventually("logged out", || async {
        browser.find(by_testid("login-link")).await.ok()
    })
    .await;
    browser
        .goto(&format!("{site}/forgot"))
        .await
        .expect("open forgot password");
    let field = eventually("the e-mail field", || async {
        browser.find(by_testid("forgot-email")).await.ok()
    })
    .await;
    field.send_keys(email).await.expect("type the e-mail");
    let codes = codes_sent(&world.data, email);
    click(&browser, "forgot-submit").await;
    eventually("a reset code sent", || async {
        (codes_sent(&world.data, email) > codes).then_some(())
    })
    .await;
    let code = confirmation_code(&world.data, email);
    let new_password = "Another-Battery-7?";
    for (id, text) in [
        ("forgot-code", code.as_str()),
        ("forgot-password", new_password),
    ] {
        let field = eventually(id, || async { browser.find(by_testid(id)).await.ok() }).await;
        field.send_keys(text).await.expect(id);
    }
    click(&browser, "forgot-confirm").await;
    eventually("the log-in page after the reset", || async {
        browser.find(by_testid("login-username")).await.ok()
    })
    .await;
    ok(&cloumer_with_password(
        &world.home,
        new_password,
        &["--backend", backend, "login", "--username", email],
    ));
    browser.close().await.expect("close the browser");
}

/// A 1x1 PNG (the server checks the magic bytes, PNG/JPEG/WebP).
const ONE_PIXEL_PNG: &[u8] = b"\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\x0d\x49\x44\x41\x54\x78\xda\x63\x64\x60\xf8\x5f\x0f\x00\x02\x87\x01\x80\xeb\x47\xba\x92\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82";
