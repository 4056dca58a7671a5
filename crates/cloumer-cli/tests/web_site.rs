//! The viewers' web site in a real browser: Debian's Chromium, driven over WebDriver by
//! chromedriver, against a real `cloumer serve` with a `cloumer live --test-sources`
//! stream. An open channel page waits offline and starts playing when the stream starts
//! (same document, no reload); a viewer sees the channel in the live grid (title, viewer
//! count), the player plays 1280x720 video, an anonymous viewer reads chat (HTML shown as
//! text), a logged-in viewer's message reaches the streamer's `cloumer chat --listen`, a
//! plain viewer is offered no Delete / Kick, a moderator of the channel (added by the owner
//! through the moderator route, not the owner) deletes a message from the page and it
//! disappears for the viewer, then kicks the viewer from the page and times them out from
//! the page (the viewer's next message is refused: the page says why and keeps it, the
//! server refuses it to the CLI too), and the channel page fits a 390 px phone.
//!
//! With `CLOUMER_WEB_SCREENSHOTS=DIR` it also saves the screenshots docs/web/ shows.

mod account_support;
mod web_support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use account_support::{BIN, PASSWORD, World, cloumer, create_account, ok, profile};
use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use web_support::{
    ChromeDriver, api_url, browser_prerequisites, by_testid, click, eventually, login_in_page, shot,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewers_watch_and_chat_in_a_real_browser() {
    cloumer_testkit::skip_unless!(browser_prerequisites());

    // A streamer (owner), a viewer and a moderator of the streamer's channel, all with
    // accounts; the CLI stays logged in as the owner.
    let world = World::start();
    let (home, backend, data) = (world.home.clone(), world.backend(), world.data.clone());
    let (owner, viewer, moderator_user) = (
        "streamer@example.com",
        "viewer@example.com",
        "moderator@example.com",
    );
    create_account(&home, backend, &data, owner, "streamer");
    create_account(&home, backend, &data, viewer, "시청자");
    create_account(&home, backend, &data, moderator_user, "moderator");
    let channel_of = |user: &str| {
        ok(&cloumer(
            &home,
            &["--backend", backend, "login", "--username", user],
        ));
        profile(&home)["channel"]
            .as_str()
            .expect("a channel")
            .to_owned()
    };
    let moderator_channel = channel_of(moderator_user);
    let channel = channel_of(owner);
    // PUT /stream/v1/moderators/<channel> as the owner.
    ok(&cloumer(&home, &["moderators", "add", &moderator_channel]));
    let title = "Cloumer test stream 🎥";
    ok(&cloumer(&home, &["title", title]));
    let site = api_url(&world.backend_path);
    check_headers(&site, &channel).await;
    // The browser reaches the server by another name than the one it advertises (as a
    // viewer on the LAN would): the site must use the origin it was loaded from.
    let site = site.replacen("127.0.0.1", "localhost", 1);

    let listener = Background::spawn(&home, &["chat", &channel, "--listen", "600", "--json"]);
    let driver = ChromeDriver::start();

    // Offline first: the channel page says so, then plays when the stream starts, no reload.
    let anonymous = driver.session().await;
    anonymous
        .goto(&format!("{site}/channel/{channel}"))
        .await
        .expect("open the offline channel");
    eventually("the offline notice", || async {
        let overlay = anonymous
            .find(Locator::Css(".player .overlay"))
            .await
            .ok()?;
        overlay.text().await.ok()?.contains("offline").then_some(())
    })
    .await;
    let marker: Value = anonymous
        .execute("window.__sameDocument = true; return true;", vec![])
        .await
        .expect("mark the document");
    assert_eq!(marker, json!(true));
    let _live = Background::spawn(&home, &["live", "--test-sources", "--duration", "600"]);
    eventually(
        "the offline page playing once the stream starts",
        || async {
            let v = video_state(&anonymous).await?;
            (v.0 > 0.5).then_some(())
        },
    )
    .await;
    let same: Value = anonymous
        .execute("return window.__sameDocument === true;", vec![])
        .await
        .expect("read the mark");
    assert_eq!(same, json!(true), "the page reloaded to start the stream");

    // The grid lists the channel with its title.
    anonymous.goto(&site).await.expect("open /");
    // This browser just watched it, so the server counts (at least) one viewer.
    let card = eventually("a live card with the title and a viewer count", || async {
        for card in anonymous.find_all(by_testid("live-card")).await.ok()? {
            let text = card.text().await.ok()?;
            if text.contains(title) && text.contains("watching") {
                return Some(card);
            }
        }
        None
    })
    .await;
    shot(&anonymous, "home.png").await;

    // The channel page plays: time advances, 1280x720 frames.
    let opened = Instant::now();
    card.find(Locator::Css("a"))
        .await
        .expect("the card links to the channel")
        .click()
        .await
        .expect("open the channel");
    let (width, height) = eventually("the player playing", || async {
        let v = video_state(&anonymous).await?;
        (v.0 > 0.5).then_some((v.1, v.2))
    })
    .await;
    let to_play = opened.elapsed();
    assert_eq!((width, height), (1280, 720), "the video's frame size");
    let first = video_state(&anonymous).await.expect("video state").0;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let later = video_state(&anonymous).await.expect("video state").0;
    assert!(
        later > first + 1.0,
        "currentTime {first} -> {later}: not playing"
    );
    println!("the channel page played after {to_play:?}");

    // Anonymous reading: a message with HTML in it arrives and shows as text.
    let markup = "<b>bold</b> <img src=x onerror=alert(1)> hi";
    ok(&cloumer(&home, &["chat", &channel, "--send", markup]));
    eventually("the anonymous viewer reading the message", || async {
        has_message(&anonymous, markup).await.then_some(())
    })
    .await;
    let injected: Value = anonymous
        .execute(
            "return document.querySelectorAll('[data-testid=chat-message] b, [data-testid=chat-message] img').length",
            vec![],
        )
        .await
        .expect("count elements");
    assert_eq!(injected, json!(0), "HTML in a message became elements");
    assert!(
        anonymous.find(by_testid("chat-input")).await.is_err(),
        "an anonymous viewer has no chat input"
    );
    shot(&anonymous, "channel-desktop.png").await;

    // Log in from the channel page (SRP in the page), back on the channel, and send.
    login_in_page(&anonymous, viewer).await;
    let input = eventually("the chat input after log-in", || async {
        anonymous.find(by_testid("chat-input")).await.ok()
    })
    .await;
    let from_viewer = "hello from the browser 안녕";
    type_and_send(&anonymous, &input, from_viewer).await;
    eventually(
        "the streamer's `cloumer chat --listen` receiving it",
        || async {
            listener
                .lines()
                .iter()
                .any(|l| l.contains(from_viewer) && l.contains("MESSAGE"))
                .then_some(())
        },
    )
    .await;
    eventually("the viewer's own message echoed", || async {
        has_message(&anonymous, from_viewer).await.then_some(())
    })
    .await;
    // Connected with a sending token, the plain viewer is offered no moderation.
    let offered: Value = anonymous
        .execute(
            "return document.querySelectorAll('[data-testid=chat-delete], [data-testid=chat-kick], \
                 [data-testid=chat-timeout], [data-testid=chat-ban], [data-testid=chat-timeout-duration]').length",
            vec![],
        )
        .await
        .expect("count moderation buttons");
    assert_eq!(
        offered,
        json!(0),
        "a plain viewer sees Delete / Kick / Timeout / Ban"
    );

    // The moderator (not the owner), logged in in a second browser, deletes it from the
    // page: gone for the viewer.
    let moderator = driver.session().await;
    moderator
        .goto(&format!("{site}/channel/{channel}"))
        .await
        .expect("open the channel");
    login_in_page(&moderator, moderator_user).await;
    let delete = button_on_line(&moderator, from_viewer, "chat-delete").await;
    // A real button, visible without hovering, worked from the keyboard: focus + Enter.
    assert_eq!(
        delete.tag_name().await.expect("tag").to_lowercase(),
        "button"
    );
    assert!(delete.is_displayed().await.expect("displayed"));
    press_enter(&moderator, &delete).await;
    eventually("the message gone for the viewer", || async {
        (!has_message(&anonymous, from_viewer).await).then_some(())
    })
    .await;
    // ... and kicks the viewer from the page: the viewer's page says so.
    let again = "still here";
    input.send_keys(again).await.expect("type");
    click(&anonymous, "chat-send").await;
    let kick = button_on_line(&moderator, again, "chat-kick").await;
    kick.click().await.expect("kick");
    eventually("the viewer told of the kick", || async {
        anonymous.find(by_testid("chat-kicked")).await.ok()
    })
    .await;
    // ... then times the viewer out from the page (the length picked, then focus + Enter on
    // Timeout): the viewer's next message is refused, by the page and by the server.
    time_out_from_the_page(&moderator, again).await;
    shot(&moderator, "channel-moderator.png").await;
    let refused = "let me back in";
    type_and_send(&anonymous, &input, refused).await;
    let why = eventually("the viewer told of the timeout", || async {
        let text = anonymous
            .find(by_testid("chat-refused"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        text.contains("timed out").then_some(text)
    })
    .await;
    println!("the timed-out viewer reads: {why}");
    shot(&anonymous, "channel-timed-out.png").await;
    assert_eq!(
        web_support::value_of(&anonymous, "chat-input").await,
        refused,
        "the refused message is kept in the input"
    );
    let viewer_channel = channel_of(viewer);
    let by_cli = account_support::failed(&cloumer(&home, &["chat", &channel, "--send", refused]));
    assert!(by_cli.contains("timed out"), "{by_cli}");
    assert!(
        !listener.lines().iter().any(|l| l.contains(refused)),
        "a timed-out viewer's message reached the room"
    );
    channel_of(owner);
    let listed = ok(&cloumer(&home, &["chat", &channel, "--restrictions"]));
    assert!(
        listed.contains(&viewer_channel) && !listed.contains("banned until lifted"),
        "the restrictions after the page's timeout: {listed}"
    );
    moderator
        .close()
        .await
        .expect("close the moderator's browser");

    // A phone: 390 px wide, no sideways scrolling, the chat input reachable.
    anonymous
        .set_window_size(390, 844)
        .await
        .expect("phone size");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let fit: Value = anonymous
        .execute(
            "const d = document.documentElement;
             const input = document.querySelector('[data-testid=chat-input]');
             input.scrollIntoView({block: 'center'});
             const r = input.getBoundingClientRect();
             return {inner: window.innerWidth, scroll: d.scrollWidth,
                     left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                     height: window.innerHeight};",
            vec![],
        )
        .await
        .expect("measure the page");
    let n = |k: &str| fit[k].as_f64().unwrap_or(f64::NAN);
    assert!(n("inner") <= 400.0, "the window is not phone-sized: {fit}");
    assert!(
        n("scroll") <= n("inner"),
        "the page scrolls sideways: {fit}"
    );
    assert!(
        n("left") >= 0.0
            && n("right") <= n("inner")
            && n("top") >= 0.0
            && n("bottom") <= n("height"),
        "the chat input is off screen: {fit}"
    );
    let input = anonymous
        .find(by_testid("chat-input"))
        .await
        .expect("input");
    input
        .send_keys("typed on a phone")
        .await
        .expect("the input takes text");
    shot(&anonymous, "channel-390px.png").await;

    // Korean: the switch turns the page's language.
    anonymous
        .set_window_size(1280, 900)
        .await
        .expect("desktop size");
    anonymous.goto(&site).await.expect("home");
    let switch = eventually("the language switch", || async {
        anonymous.find(by_testid("lang-switch")).await.ok()
    })
    .await;
    switch.click().await.expect("switch language");
    eventually("the page in Korean", || async {
        let body = anonymous.find(Locator::Css("body")).await.ok()?;
        body.text().await.ok()?.contains("실시간").then_some(())
    })
    .await;
    eventually("the live card in Korean", || async {
        anonymous.find(by_testid("live-card")).await.ok()
    })
    .await;
    shot(&anonymous, "home-ko.png").await;
    anonymous.close().await.expect("close the browser");
}

/// The page paths answer the app with a strict CSP and no caching; assets are immutable.
async fn check_headers(site: &str, channel: &str) {
    let http = reqwest::Client::new();
    let page = http
        .get(format!("{site}/channel/{channel}"))
        .send()
        .await
        .expect("GET the channel page");
    assert_eq!(page.status(), 200);
    let header = |name: &str| {
        page.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let csp = header("content-security-policy");
    for wanted in [
        "script-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(wanted), "CSP without {wanted}: {csp}");
    }
    assert!(!csp.contains("unsafe-eval"), "{csp}");
    assert_eq!(header("cache-control"), "no-cache");
    let html = page.text().await.expect("index.html");
    let asset = html
        .split('"')
        .find(|s| s.starts_with("/assets/") && s.ends_with(".js"))
        .expect("a script in index.html")
        .to_owned();
    let script = http
        .get(format!("{site}{asset}"))
        .send()
        .await
        .expect("GET the script");
    assert_eq!(script.status(), 200);
    assert!(
        script.headers()[reqwest::header::CACHE_CONTROL]
            .to_str()
            .unwrap_or_default()
            .contains("immutable")
    );
    let config: Value = http
        .get(format!("{site}/config.json"))
        .send()
        .await
        .expect("GET /config.json")
        .json()
        .await
        .expect("config JSON");
    assert!(config["userPoolId"].is_string() && config["chatEndpoint"].is_string());
    // Without --studio-download-url, "my page" links to the README's desktop-app section.
    assert!(
        config["studioDownloadUrl"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://") && u.ends_with("#the-desktop-app")),
        "{config}"
    );
    let unknown = http
        .get(format!("{site}/no/such/page"))
        .send()
        .await
        .expect("GET an unknown path");
    assert_eq!(unknown.status(), 404, "no catch-all in front of the API");
}

/// Picks one hour in the moderator's timeout length, then times out the author of the line
/// reading `text` from the keyboard (focus + Enter on its Timeout button), and waits for
/// the page to announce it.
async fn time_out_from_the_page(moderator: &Client, text: &str) {
    let picked: Value = moderator
        .execute(
            "const s = document.querySelector('[data-testid=chat-timeout-duration]');
             s.value = '3600'; s.dispatchEvent(new Event('change', {bubbles: true}));
             return s.value;",
            vec![],
        )
        .await
        .expect("pick the timeout length");
    assert_eq!(picked, json!("3600"));
    let timeout = button_on_line(moderator, text, "chat-timeout").await;
    let label = timeout.attr("aria-label").await.expect("aria-label");
    assert!(
        label.as_deref().is_some_and(|l| l.ends_with("for 1 hour")),
        "the timeout button's label: {label:?}"
    );
    press_enter(moderator, &timeout).await;
    eventually("the moderator's page announcing the timeout", || async {
        let said = moderator
            .find(by_testid("chat-announce"))
            .await
            .ok()?
            .prop("textContent")
            .await
            .ok()??;
        said.starts_with("Timed out").then_some(())
    })
    .await;
    assert!(
        moderator.find(by_testid("chat-error")).await.is_err(),
        "the timeout failed on the page"
    );
}

/// Types `text` into the chat input once Send is usable, and presses Send.
async fn type_and_send(client: &Client, input: &Element, text: &str) {
    eventually("the send button enabled", || async {
        let send = client.find(by_testid("chat-send")).await.ok()?;
        send.is_enabled().await.ok()?.then_some(())
    })
    .await;
    input.send_keys(text).await.expect("type");
    click(client, "chat-send").await;
}

/// The button `testid` on the chat line whose text contains `text`, once it shows.
async fn button_on_line(client: &Client, text: &str, testid: &str) -> Element {
    eventually(&format!("{testid} on the line {text:?}"), || async {
        for row in client.find_all(Locator::Css(".chat li")).await.ok()? {
            if row.text().await.ok()?.contains(text) {
                return row.find(by_testid(testid)).await.ok();
            }
        }
        None
    })
    .await
}

/// Works `button` from the keyboard: it must take focus, then Enter presses it.
async fn press_enter(client: &Client, button: &Element) {
    let focused: Value = client
        .execute(
            "const b = arguments[0]; b.focus(); return document.activeElement === b;",
            vec![serde_json::to_value(button).expect("element as an argument")],
        )
        .await
        .expect("focus the button");
    assert_eq!(focused, json!(true), "the button takes keyboard focus");
    button
        .send_keys("\u{E007}")
        .await
        .expect("Enter on the button");
}

/// `(currentTime, videoWidth, videoHeight)` of the player.
async fn video_state(client: &Client) -> Option<(f64, u64, u64)> {
    let v = client
        .execute(
            "const v = document.querySelector('[data-testid=player]');
             return v ? [v.currentTime, v.videoWidth, v.videoHeight] : null;",
            vec![],
        )
        .await
        .ok()?;
    Some((v[0].as_f64()?, v[1].as_u64()?, v[2].as_u64()?))
}

/// Whether a `chat-message` element's text is exactly `text`.
async fn has_message(client: &Client, text: &str) -> bool {
    let Ok(found) = client
        .execute(
            "return [...document.querySelectorAll('[data-testid=chat-message]')]
                 .some(e => e.textContent === arguments[0]);",
            vec![json!(text)],
        )
        .await
    else {
        return false;
    };
    found == json!(true)
}

/// A `cloumer` process running beside the test (live, chat --listen); its stdout lines
/// are collected; it is killed on drop.
struct Background {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Background {
    fn spawn(home: &Path, args: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .args(args)
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("CLOUMER_PASSWORD", PASSWORD)
            .env_remove("CLOUMER_BACKEND")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn cloumer");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().expect("piped stdout");
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                sink.lock().expect("lines").push(line);
            }
        });
        Self { child, lines }
    }

    fn lines(&self) -> Vec<String> {
        self.lines.lock().expect("lines").clone()
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
