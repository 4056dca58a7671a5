#![allow(clippy::unwrap_used)]
//! Every REST route's shape and errors, token forgery, avatars, titles, live listing.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use serde_json::{Value, json};

use common::png;

#[tokio::test]
async fn public_routes_shapes_and_errors() {
    let t = common::start().await;
    let a = t.user("dana@example.com", "dana").await;
    let page = t.mypage(a["IdToken"].as_str().unwrap()).await;
    let ch = page["chanelName"].as_str().unwrap().to_owned();

    let (s, users) = t.get("/public/users", None).await;
    assert_eq!(s, 200);
    assert_eq!(users[0]["nickname"], "dana");
    assert_eq!(users[0]["chanelName"], ch.as_str());
    assert!(users[0]["profile"].as_str().unwrap().starts_with("http"));
    let (s, p) = t.get(&format!("/public/users?getProfile={ch}"), None).await;
    assert_eq!(s, 200);
    assert_eq!(p["profile"], users[0]["profile"]);
    let (s, e) = t.get("/public/users?getProfile=nope", None).await;
    assert_eq!(s, 404, "{e}");

    // R2 lists live channels only (the seed listed offline ones).
    let (s, live) = t.get("/public/broadcast_status", None).await;
    assert_eq!((s, live), (200, json!([])));
    let hooks = t.server.live_events();
    hooks.stream_started(&ch, "session-1").await.unwrap();
    let (_, live) = t.get("/public/broadcast_status", None).await;
    assert_eq!(live[0]["sub_key"], ch.as_str());
    assert_eq!(live[0]["nick_name"], "dana");
    for k in ["title", "thumbnail", "profile"] {
        assert!(live[0][k].is_string(), "{k} in {live}");
    }
    let page = t.mypage(a["IdToken"].as_str().unwrap()).await;
    assert_eq!(page["isLive"], "true");
    hooks.stream_ended(&ch, "session-1").await.unwrap();
    let (_, live) = t.get("/public/broadcast_status", None).await;
    assert_eq!(live, json!([]));

    let (s, pb) = t.get(&format!("/public/get_channel?code={ch}"), None).await;
    assert_eq!(s, 200);
    assert!(pb["play_back"].as_str().unwrap().ends_with(".m3u8"), "{pb}");
    assert_eq!(pb["play_back"], page["playbackUrl"]);

    for (path, field) in [
        ("/public/get_channel", "code"),
        ("/public/get_chat", "targetChanel"),
        ("/public/get_chat?other=1", "targetChanel"),
    ] {
        let (s, e) = t.get(path, None).await;
        assert_eq!(s, 400, "{path}");
        assert_eq!(e["field"], field, "{path}: {e}");
        assert!(e["message"].is_string());
    }
    let (s, _) = t.get("/public/get_channel?code=unknown123", None).await;
    assert_eq!(s, 404);
    let (s, _) = t
        .get("/public/get_chat?targetChanel=unknown123", None)
        .await;
    assert_eq!(s, 404);
    let (s, _) = t.get("/stream/no_such_route", a["IdToken"].as_str()).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn chat_tokens_anonymous_and_signed_in() {
    let t = common::start().await;
    let a = t.user("erin@example.com", "erin").await;
    let page = t.mypage(a["IdToken"].as_str().unwrap()).await;
    let ch = page["chanelName"].as_str().unwrap();
    let (s, anon) = t
        .get(&format!("/public/get_chat?targetChanel={ch}"), None)
        .await;
    assert_eq!(s, 200, "{anon}");
    assert!(anon["token"].is_string());
    assert!(anon["sessionExpirationTime"].is_string() && anon["tokenExpirationTime"].is_string());
    let (s, tok) = t
        .get(
            &format!("/stream/get_caht?targetChanel={ch}"),
            a["IdToken"].as_str(),
        )
        .await;
    assert_eq!(s, 200, "{tok}");
    assert!(tok["token"].is_string());
    let (s, e) = t.get("/stream/get_caht", a["IdToken"].as_str()).await;
    assert_eq!((s, e["field"].as_str()), (400, Some("targetChanel")));
}

#[tokio::test]
async fn titles_are_decoded_and_validated() {
    let t = common::start().await;
    let a = t.user("finn@example.com", "finn").await;
    let id = a["IdToken"].as_str().unwrap();
    // `Bearer ` is accepted too.
    let bearer = format!("Bearer {id}");
    let title = "한국어 방송 🎮 &=?# a+b";
    let enc: String =
        percent_encoding::utf8_percent_encode(title, percent_encoding::NON_ALPHANUMERIC)
            .to_string();
    let (s, ok) = t
        .get(
            &format!("/stream/broadcase_info_edit?title={enc}"),
            Some(&bearer),
        )
        .await;
    assert_eq!((s, ok), (200, json!("OK")));
    let page = t.mypage(id).await;
    assert_eq!(page["boradCastTitle"], title);
    // `+` stays a plus, as API Gateway decodes.
    let (_, _) = t
        .get("/stream/broadcase_info_edit?title=a+b", Some(id))
        .await;
    let page = t.mypage(id).await;
    assert_eq!(page["boradCastTitle"], "a+b");

    let long = "가".repeat(141);
    for bad in [
        String::new(),
        "%0Aline".into(),
        percent_encoding::utf8_percent_encode(&long, percent_encoding::NON_ALPHANUMERIC)
            .to_string(),
    ] {
        let (s, e) = t
            .get(
                &format!("/stream/broadcase_info_edit?title={bad}"),
                Some(id),
            )
            .await;
        assert_eq!((s, e["field"].as_str()), (400, Some("title")), "{bad}: {e}");
    }
    let (s, e) = t.get("/stream/broadcase_info_edit", Some(id)).await;
    assert_eq!((s, e["field"].as_str()), (400, Some("title")));
    let ok140 = percent_encoding::utf8_percent_encode(
        &"가".repeat(140),
        percent_encoding::NON_ALPHANUMERIC,
    )
    .to_string();
    let (s, _) = t
        .get(
            &format!("/stream/broadcase_info_edit?title={ok140}"),
            Some(id),
        )
        .await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn avatar_round_trip_with_true_type() {
    let t = common::start().await;
    let a = t.user("gus@example.com", "gus").await;
    let id = a["IdToken"].as_str().unwrap();
    let image = png(50_000);
    // Named .jpg and sent as image/jpeg: stored as what it really is, PNG.
    let (s, body) = t
        .upload_avatar(id, image.clone(), "me.jpg", "image/jpeg")
        .await;
    assert_eq!((s, body), (200, json!("이미지 업로드 성공")));
    let page = t.mypage(id).await;
    let url = page["profile"].as_str().unwrap();
    assert!(url.ends_with(".png"), "{url}");
    let res = t.http.get(url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.bytes().await.unwrap().to_vec(), image);

    let mut webp = b"RIFF\0\0\0\0WEBPVP8 ".to_vec();
    webp.extend([1u8; 100]);
    let (s, _) = t
        .upload_avatar(id, webp.clone(), "x.png", "image/png")
        .await;
    assert_eq!(s, 200);
    let page = t.mypage(id).await;
    let res = t
        .http
        .get(page["profile"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "image/webp");

    let (s, e) = t
        .upload_avatar(id, b"GIF89a not allowed".to_vec(), "x.gif", "image/gif")
        .await;
    assert_eq!((s, e["field"].as_str()), (415, Some("file")));
    let (s, _) = t
        .upload_avatar(id, png(4 * 1024 * 1024), "big.png", "image/png")
        .await;
    assert_eq!(s, 413);
}

#[tokio::test]
async fn stream_key_rotation_and_moderators() {
    let t = common::start().await;
    let a = t.user("hana@example.com", "hana").await;
    let b = t.user("ivan@example.com", "ivan").await;
    let id = a["IdToken"].as_str().unwrap();
    let before = t.mypage(id).await;
    let res = t
        .http
        .post(t.url("/stream/v1/stream-key/rotate"))
        .header("Authorization", id)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let rotated: Value = res.json().await.unwrap();
    let after = t.mypage(id).await;
    assert_ne!(after["streamKey"], before["streamKey"]);
    assert_eq!(after["streamKey"], rotated["streamKey"]);
    let hooks = t.server.live_events();
    assert!(
        hooks
            .authorize(before["streamKey"].as_str().unwrap())
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        hooks
            .authorize(after["streamKey"].as_str().unwrap())
            .await
            .unwrap()
            .map(|grant| grant.channel)
            .as_deref(),
        after["chanelName"].as_str()
    );

    let bpage = t.mypage(b["IdToken"].as_str().unwrap()).await;
    let bch = bpage["chanelName"].as_str().unwrap();
    assert_eq!(
        t.send(
            reqwest::Method::PUT,
            &format!("/stream/v1/moderators/{bch}"),
            id
        )
        .await,
        200
    );
    let (s, mods) = t.get("/stream/v1/moderators", Some(id)).await;
    assert_eq!(s, 200);
    assert_eq!(mods, json!([{"chanelName": bch, "nickname": "ivan"}]));
    assert_eq!(
        t.send(
            reqwest::Method::DELETE,
            &format!("/stream/v1/moderators/{bch}"),
            id
        )
        .await,
        200
    );
    assert_eq!(
        t.send(
            reqwest::Method::DELETE,
            &format!("/stream/v1/moderators/{bch}"),
            id
        )
        .await,
        404
    );
}

/// Signs `claims` with the server's own key, read from its database.
fn sign_with_server_key(dir: &std::path::Path, claims: &Value) -> String {
    use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
    let conn = rusqlite::Connection::open(dir.join("cloumer.sqlite3")).unwrap();
    let der: Vec<u8> = conn
        .query_row("SELECT value FROM meta WHERE key = 'rsa_pkcs8'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let key = RsaKeyPair::from_pkcs8(&der).unwrap();
    let mut input = format!(
        "{}.{}",
        B64URL.encode(br#"{"alg":"RS256","typ":"JWT"}"#),
        B64URL.encode(claims.to_string())
    );
    let mut sig = vec![0; key.public_modulus_len()];
    key.sign(
        &RSA_PKCS1_SHA256,
        &aws_lc_rs::rand::SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .unwrap();
    input.push('.');
    input.push_str(&B64URL.encode(sig));
    input
}

#[tokio::test]
async fn forged_tokens_are_unauthorized() {
    let t = common::start().await;
    let a = t.user("jack@example.com", "jack").await;
    let id = a["IdToken"].as_str().unwrap();
    let payload: Value =
        serde_json::from_slice(&B64URL.decode(id.split('.').nth(1).unwrap()).unwrap()).unwrap();

    // The control: our own key with the real claims works.
    let (s, _) = t
        .get(
            "/stream/mypage",
            Some(&sign_with_server_key(t.dir.path(), &payload)),
        )
        .await;
    assert_eq!(s, 200);

    let none = format!(
        "{}.{}.",
        B64URL.encode(br#"{"alg":"none","typ":"JWT"}"#),
        B64URL.encode(payload.to_string())
    );
    let mut expired = payload.clone();
    expired["exp"] = json!(1_000_000);
    expired["iat"] = json!(999_000);
    let expired = sign_with_server_key(t.dir.path(), &expired);
    let mut tampered_claims = payload.clone();
    tampered_claims["sub"] = json!("someone-else");
    let parts: Vec<&str> = id.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        B64URL.encode(tampered_claims.to_string()),
        parts[2]
    );
    // A token from another server: a foreign key.
    let other = common::start().await;
    let foreign = other.user("jack@example.com", "jack").await;
    let access = a["AccessToken"].as_str().unwrap().to_owned();

    for (what, token) in [
        ("alg none", none),
        ("expired", expired),
        ("tampered", tampered),
        (
            "foreign key",
            foreign["IdToken"].as_str().unwrap().to_owned(),
        ),
        ("access token", access),
        ("garbage", "abc".into()),
    ] {
        let (s, body) = t.get("/stream/mypage", Some(&token)).await;
        assert_eq!(
            (s, &body),
            (401, &json!({"message": "Unauthorized"})),
            "{what}"
        );
    }
    let res = t.http.get(t.url("/stream/mypage")).send().await.unwrap();
    assert_eq!(res.status(), 401);
}
