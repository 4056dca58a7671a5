//! The seed-contract checks of the REST routes (R1-R8 and the additive routes: shapes,
//! errors, decoding, avatars, stream keys, moderators), written once and run against both
//! homes of the handlers: `cloumer serve` (crates/cloumer-server/tests/api_rest.rs) and
//! the AWS Lambda (crates/cloumer-aws/tests/api_rest.rs). A home says how a request
//! reaches it ([`Home`]); the checks assert what a client sees.

#![allow(async_fn_in_trait)]

use serde_json::{Value, json};

/// One home of the REST handlers, as a client reaches it.
pub trait Home {
    /// A new confirmed user with a channel: what their requests carry as `Authorization`.
    async fn user(&self, email: &str, nickname: &str) -> String;
    /// A GET: status and JSON body (never empty).
    async fn get(&self, path: &str, auth: Option<&str>) -> (u16, Value);
    /// A signed-in request without a body (`POST`, `PUT`, `DELETE`): status and JSON body.
    async fn send(&self, method: &str, path: &str, auth: &str) -> (u16, Value);
    /// R7: `bytes` as the multipart part `file` named `file_name` with `content_type`.
    async fn upload_avatar(
        &self,
        auth: &str,
        bytes: Vec<u8>,
        file_name: &str,
        content_type: &str,
    ) -> (u16, Value);
    /// Marks the channel live or not, as its home's stream-state source does.
    async fn set_live(&self, channel: &str, live: bool);
    /// GETs a URL the API handed out (an avatar): status, content type, bytes.
    async fn fetch(&self, url: &str) -> (u16, String, Vec<u8>);
}

/// A PNG-signed body of `len` bytes after the signature (only the magic bytes are checked).
pub fn png(len: usize) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend((0..len).map(|i| (i * 7 % 251) as u8));
    b
}

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// R6 of a signed-in user (must answer 200).
pub async fn mypage(home: &impl Home, auth: &str) -> Value {
    let (status, page) = home.get("/stream/mypage", Some(auth)).await;
    assert_eq!(status, 200, "{page}");
    page
}

/// R1-R4 shapes and errors, R2 following the live state.
pub async fn public_routes(home: &impl Home) {
    let a = home.user("dana@example.com", "dana").await;
    let page = mypage(home, &a).await;
    let ch = page["chanelName"].as_str().expect("chanelName").to_owned();

    let (s, users) = home.get("/public/users", None).await;
    assert_eq!(s, 200);
    let me = users
        .as_array()
        .and_then(|u| u.iter().find(|u| u["chanelName"] == ch.as_str()))
        .unwrap_or_else(|| panic!("{ch} in {users}"));
    assert_eq!(me["nickname"], "dana");
    assert!(
        me["profile"]
            .as_str()
            .is_some_and(|p| p.starts_with("http"))
    );
    let (s, p) = home
        .get(&format!("/public/users?getProfile={ch}"), None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(p["profile"], me["profile"]);
    let (s, e) = home.get("/public/users?getProfile=nope", None).await;
    assert_eq!(s, 404, "{e}");

    // R2 lists live channels only (the seed listed offline ones).
    let live_names = |list: &Value| -> Vec<String> {
        list.as_array()
            .map(|l| {
                l.iter()
                    .filter_map(|e| e["sub_key"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (s, live) = home.get("/public/broadcast_status", None).await;
    assert_eq!(s, 200);
    assert!(!live_names(&live).contains(&ch), "{live}");
    home.set_live(&ch, true).await;
    let (_, live) = home.get("/public/broadcast_status", None).await;
    let entry = live
        .as_array()
        .and_then(|l| l.iter().find(|e| e["sub_key"] == ch.as_str()))
        .unwrap_or_else(|| panic!("{ch} live in {live}"));
    assert_eq!(entry["nick_name"], "dana");
    for k in ["title", "thumbnail", "profile"] {
        assert!(entry[k].is_string(), "{k} in {live}");
    }
    let page = mypage(home, &a).await;
    assert_eq!(page["isLive"], "true");
    home.set_live(&ch, false).await;
    let (_, live) = home.get("/public/broadcast_status", None).await;
    assert!(!live_names(&live).contains(&ch), "{live}");

    let (s, pb) = home
        .get(&format!("/public/get_channel?code={ch}"), None)
        .await;
    assert_eq!(s, 200);
    assert!(
        pb["play_back"]
            .as_str()
            .is_some_and(|u| u.ends_with(".m3u8")),
        "{pb}"
    );
    assert_eq!(pb["play_back"], page["playbackUrl"]);
    assert!(
        page["streamUrl"]
            .as_str()
            .is_some_and(|u| u.starts_with("rtmps://") && u.ends_with("/app/")),
        "{page}"
    );

    for (path, field) in [
        ("/public/get_channel", "code"),
        ("/public/get_chat", "targetChanel"),
        ("/public/get_chat?other=1", "targetChanel"),
    ] {
        let (s, e) = home.get(path, None).await;
        assert_eq!(s, 400, "{path}");
        assert_eq!(e["field"], field, "{path}: {e}");
        assert!(e["message"].is_string());
    }
    let (s, _) = home.get("/public/get_channel?code=unknown123", None).await;
    assert_eq!(s, 404);
    let (s, _) = home
        .get("/public/get_chat?targetChanel=unknown123", None)
        .await;
    assert_eq!(s, 404);
    let (s, _) = home.get("/stream/no_such_route", Some(&a)).await;
    assert_eq!(s, 404);
}

/// What R5 grants the channel's owner and its moderators, in the order the handler lists it.
const MODERATES: [&str; 3] = ["SEND_MESSAGE", "DELETE_MESSAGE", "DISCONNECT_USER"];

/// R4 (anonymous) and R5 (signed in) chat tokens.
pub async fn chat_tokens(home: &impl Home) {
    let a = home.user("erin@example.com", "erin").await;
    let page = mypage(home, &a).await;
    let ch = page["chanelName"].as_str().expect("chanelName");
    let (s, anon) = home
        .get(&format!("/public/get_chat?targetChanel={ch}"), None)
        .await;
    assert_eq!(s, 200, "{anon}");
    assert!(anon["token"].is_string());
    assert!(anon["sessionExpirationTime"].is_string() && anon["tokenExpirationTime"].is_string());
    // Additive: the capabilities the token carries, so a page knows what to offer.
    assert_eq!(anon["capabilities"], json!([]), "{anon}");
    let (s, tok) = home
        .get(&format!("/stream/get_caht?targetChanel={ch}"), Some(&a))
        .await;
    assert_eq!(s, 200, "{tok}");
    assert!(tok["token"].is_string());
    assert_eq!(tok["capabilities"], json!(MODERATES), "the owner's: {tok}");
    let viewer = home.user("fred@example.com", "fred").await;
    let (s, tok) = home
        .get(
            &format!("/stream/get_caht?targetChanel={ch}"),
            Some(&viewer),
        )
        .await;
    assert_eq!(s, 200, "{tok}");
    assert_eq!(
        tok["capabilities"],
        json!(["SEND_MESSAGE"]),
        "a viewer's: {tok}"
    );
    let (s, e) = home.get("/stream/get_caht", Some(&a)).await;
    assert_eq!((s, e["field"].as_str()), (400, Some("targetChanel")));
}

/// R8: titles decoded as API Gateway does and validated.
pub async fn titles(home: &impl Home) {
    let a = home.user("finn@example.com", "finn").await;
    let title = "한국어 방송 🎮 &=?# a+b";
    let (s, ok) = home
        .get(
            &format!("/stream/broadcase_info_edit?title={}", encode(title)),
            Some(&a),
        )
        .await;
    assert_eq!((s, ok), (200, json!("OK")));
    assert_eq!(mypage(home, &a).await["boradCastTitle"], title);
    // `+` stays a plus, as API Gateway decodes.
    let (s, _) = home
        .get("/stream/broadcase_info_edit?title=a+b", Some(&a))
        .await;
    assert_eq!(s, 200);
    assert_eq!(mypage(home, &a).await["boradCastTitle"], "a+b");

    for bad in [String::new(), "%0Aline".into(), encode(&"가".repeat(141))] {
        let (s, e) = home
            .get(
                &format!("/stream/broadcase_info_edit?title={bad}"),
                Some(&a),
            )
            .await;
        assert_eq!((s, e["field"].as_str()), (400, Some("title")), "{bad}: {e}");
    }
    let (s, e) = home.get("/stream/broadcase_info_edit", Some(&a)).await;
    assert_eq!((s, e["field"].as_str()), (400, Some("title")));
    let (s, _) = home
        .get(
            &format!(
                "/stream/broadcase_info_edit?title={}",
                encode(&"가".repeat(140))
            ),
            Some(&a),
        )
        .await;
    assert_eq!(s, 200);
}

/// R7: avatars stored as what they really are, served back with that type; other types
/// and oversized images refused.
pub async fn avatars(home: &impl Home) {
    let a = home.user("gus@example.com", "gus").await;
    let image = png(50_000);
    // Named .jpg and sent as image/jpeg: stored as what it really is, PNG.
    let (s, body) = home
        .upload_avatar(&a, image.clone(), "me.jpg", "image/jpeg")
        .await;
    assert_eq!((s, body), (200, json!("이미지 업로드 성공")));
    let page = mypage(home, &a).await;
    let url = page["profile"].as_str().expect("profile");
    assert!(url.ends_with(".png"), "{url}");
    let (s, content_type, bytes) = home.fetch(url).await;
    assert_eq!((s, content_type.as_str()), (200, "image/png"));
    assert_eq!(bytes, image);

    let mut webp = b"RIFF\0\0\0\0WEBPVP8 ".to_vec();
    webp.extend([1u8; 100]);
    let (s, _) = home.upload_avatar(&a, webp, "x.png", "image/png").await;
    assert_eq!(s, 200);
    let page = mypage(home, &a).await;
    let (_, content_type, _) = home.fetch(page["profile"].as_str().expect("profile")).await;
    assert_eq!(content_type, "image/webp");
    // The replaced image is gone: one image per channel.
    let (s, _, _) = home.fetch(url).await;
    assert_ne!(s, 200, "the replaced avatar {url} is still served");

    let (s, e) = home
        .upload_avatar(&a, b"GIF89a not allowed".to_vec(), "x.gif", "image/gif")
        .await;
    assert_eq!((s, e["field"].as_str()), (415, Some("file")));
    let (s, _) = home
        .upload_avatar(&a, png(4 * 1024 * 1024), "big.png", "image/png")
        .await;
    assert_eq!(s, 413);
}

/// The stream key rotates (R6 shows the new one) and moderators are added and removed.
/// Returns the keys before and after the rotation, for the home's own checks that the old
/// key no longer publishes.
pub async fn stream_key_rotation_and_moderators(home: &impl Home) -> (String, String) {
    let a = home.user("hana@example.com", "hana").await;
    let b = home.user("ivan@example.com", "ivan").await;
    let before = mypage(home, &a).await;
    let (s, rotated) = home.send("POST", "/stream/v1/stream-key/rotate", &a).await;
    assert_eq!(s, 200, "{rotated}");
    let after = mypage(home, &a).await;
    assert_ne!(after["streamKey"], before["streamKey"]);
    assert_eq!(after["streamKey"], rotated["streamKey"]);

    let bch = mypage(home, &b).await["chanelName"]
        .as_str()
        .expect("chanelName")
        .to_owned();
    let path = format!("/stream/v1/moderators/{bch}");
    assert_eq!(home.send("PUT", &path, &a).await.0, 200);
    let (s, mods) = home.get("/stream/v1/moderators", Some(&a)).await;
    assert_eq!(s, 200);
    assert_eq!(mods, json!([{"chanelName": bch, "nickname": "ivan"}]));
    let ach = before["chanelName"].as_str().expect("chanelName");
    let chat = format!("/stream/get_caht?targetChanel={ach}");
    let (s, tok) = home.get(&chat, Some(&b)).await;
    assert_eq!((s, &tok["capabilities"]), (200, &json!(MODERATES)), "{tok}");
    assert_eq!(home.send("DELETE", &path, &a).await.0, 200);
    let (s, tok) = home.get(&chat, Some(&b)).await;
    assert_eq!(
        (s, &tok["capabilities"]),
        (200, &json!(["SEND_MESSAGE"])),
        "{tok}"
    );
    assert_eq!(home.send("DELETE", &path, &a).await.0, 404);
    let key = |page: &Value| page["streamKey"].as_str().unwrap_or_default().to_owned();
    (key(&before), key(&after))
}
