//! The web site's account pages in a real browser (Chromium over WebDriver) against a real
//! `cloumer serve`: sign up in the page (Cognito SignUp), ask for the code again, confirm
//! with the code the server "mailed", log in with SRP, and on "my page" see the stream key
//! masked until asked for, the stream URL, and change the title, which the CLI then reads.

mod account_support;
mod web_support;

use account_support::{PASSWORD, World, cloumer, codes_sent, confirmation_code, ok, profile};
use web_support::{
    ChromeDriver, api_url, browser_prerequisites, by_testid, click, eventually, login_in_page,
    value_of,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_signs_up_and_edits_my_page_in_the_browser() {
    cloumer_testkit::skip_unless!(browser_prerequisites());
    let world = World::start();
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
    browser.close().await.expect("close the browser");
}
