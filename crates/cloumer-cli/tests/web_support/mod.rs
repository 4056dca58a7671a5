//! Shared by the web site's browser tests: chromedriver + headless Chromium, polling, the
//! site's helpers (log-in from the header, clicks by data-testid, screenshots).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::account_support::PASSWORD;

/// Chromium's flags for a headless machine without GPU or sandbox (test-env.md).
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--lang=en-US",
    "--window-size=1280,900",
];

pub const WAIT: Duration = Duration::from_secs(30);

/// The site's `index.html` on disk: debug builds serve web/dist from there.
pub fn web_bundle_built() -> anyhow::Result<()> {
    let index = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/dist/index.html");
    anyhow::ensure!(
        index.exists(),
        "the web site is not built ({}): run `npm --prefix web ci && npm --prefix web run build`",
        index.display()
    );
    Ok(())
}

/// The server's HTTP base URL, from the backend profile it wrote.
pub fn api_url(backend: &Path) -> String {
    let text = std::fs::read_to_string(backend).expect("backend profile");
    text.lines()
        .find_map(|l| l.strip_prefix("api_url = "))
        .map(|v| v.trim().trim_matches('"').trim_end_matches('/').to_owned())
        .expect("api_url in the backend profile")
}

/// Logs `user` in from the header's log-in link of the page `client` is on (the site then
/// returns to that page).
pub async fn login_in_page(client: &Client, user: &str) {
    let login = eventually("the log-in link", || async {
        client.find(by_testid("login-link")).await.ok()
    })
    .await;
    login.click().await.expect("go to log-in");
    for (id, text) in [("login-username", user), ("login-password", PASSWORD)] {
        let field = eventually(id, || async { client.find(by_testid(id)).await.ok() }).await;
        field.send_keys(text).await.expect(id);
    }
    click(client, "login-submit").await;
    eventually("logged in", || async {
        client.find(by_testid("mypage-link")).await.ok()
    })
    .await;
}

pub async fn click(client: &Client, id: &str) {
    let element = client.find(by_testid(id)).await;
    element
        .unwrap_or_else(|e| panic!("no {id}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {id}: {e}"));
}

pub fn by_testid(id: &str) -> Locator<'static> {
    Locator::Css(Box::leak(format!("[data-testid={id}]").into_boxed_str()))
}

/// Polls `probe` until it gives a value; fails the test after [`WAIT`].
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Saves a screenshot into `$CLOUMER_WEB_SCREENSHOTS` when it is set (docs/web/ is made so).
pub async fn shot(client: &Client, name: &str) {
    let Some(dir) = std::env::var_os("CLOUMER_WEB_SCREENSHOTS") else {
        return;
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(PathBuf::from(dir).join(name), png).expect("write the screenshot");
}

/// chromedriver on a free port; every session is a fresh headless Chromium.
pub struct ChromeDriver {
    child: Child,
    url: String,
}

impl ChromeDriver {
    pub fn start() -> Self {
        let port = cloumer_testkit::free_port().expect("a free port");
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + WAIT;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(100));
        }
        driver
    }

    pub async fn session(&self) -> Client {
        // Two rustls providers are linked into this test (ring through reqwest, aws-lc-rs
        // through the workspace's rustls): name one, or fantoccini cannot pick.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": "/usr/bin/chromium", "args": CHROMIUM_FLAGS }),
        );
        ClientBuilder::rustls()
            .expect("TLS roots")
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a Chromium session")
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Chromium, chromedriver and the built site: what every browser test needs.
pub fn browser_prerequisites() -> anyhow::Result<()> {
    cloumer_testkit::require_programs(&["chromium", "chromedriver"])?;
    web_bundle_built()
}

/// The current value of the input with data-testid `id`.
pub async fn value_of(client: &Client, id: &str) -> String {
    let field = client.find(by_testid(id)).await;
    field
        .unwrap_or_else(|e| panic!("no {id}: {e}"))
        .prop("value")
        .await
        .unwrap_or_else(|e| panic!("value of {id}: {e}"))
        .unwrap_or_default()
}
