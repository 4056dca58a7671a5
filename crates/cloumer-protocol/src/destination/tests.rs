use super::*;

/// Every URL one of the four former checks (ivssink, engine, api, studio) accepted or
/// refused, with the one decision now made for all of them: `Ok(canonical)` or the
/// reason. Where they disagreed, the comment says who accepted.
#[test]
fn ingest_url_table() {
    use IngestUrlError as E;
    let cases: &[(&str, Result<&str, E>)] = &[
        // IVS as the console shows it, and plain RTMP servers.
        (
            "rtmps://abc.global-contribute.live-video.net:443/app/",
            Ok("rtmps://abc.global-contribute.live-video.net:443/app/"),
        ),
        (
            "rtmp://127.0.0.1:1935/live/",
            Ok("rtmp://127.0.0.1:1935/live/"),
        ),
        ("rtmp://localhost/live/", Ok("rtmp://localhost/live/")),
        ("rtmp://host/app", Ok("rtmp://host/app/")),
        ("rtmps://h:443/app", Ok("rtmps://h:443/app/")),
        ("rtmps://[::1]:1935/app/", Ok("rtmps://[::1]:1935/app/")),
        ("rtmps://[::1]/app/", Ok("rtmps://[::1]/app/")),
        // The scheme is case-insensitive, as in OBS (api and ivssink accepted, the engine
        // and the studio refused).
        ("RTMP://example.net/live/", Ok("rtmp://example.net/live/")),
        (
            "Rtmps://Ingest.example.net/app/",
            Ok("rtmps://Ingest.example.net/app/"),
        ),
        // Pasted with white space around (ivssink accepted, the engine refused).
        (" rtmps://h/app/\n", Ok("rtmps://h/app/")),
        // Not RTMP(S).
        ("", Err(E::Scheme)),
        ("not a url", Err(E::Scheme)),
        ("example.net", Err(E::Scheme)),
        ("http://host/app/", Err(E::Scheme)),
        ("srt://host:9000/app/", Err(E::Scheme)),
        ("rtmpt://host/app/", Err(E::Scheme)),
        // The studio's form starts with this.
        ("rtmps://", Err(E::NoHost)),
        ("rtmp:///app/", Err(E::NoHost)),
        ("rtmps://:443/app/", Err(E::NoHost)),
        ("rtmps://[::1/app/", Err(E::NoHost)),
        // Ports (ivssink accepted an empty port and port 0).
        ("rtmps://h:x/app/", Err(E::Port)),
        ("rtmps://h:/app/", Err(E::Port)),
        ("rtmps://h:0/app/", Err(E::Port)),
        ("rtmps://h:65536/app/", Err(E::Port)),
        ("rtmps://[::1]x/app/", Err(E::Port)),
        // The `/app/` rule: exactly one path segment (the api and the studio accepted no
        // path; ivssink accepted a second segment).
        ("rtmps://h", Err(E::NoApp)),
        ("rtmps://h/", Err(E::NoApp)),
        ("rtmp://host/", Err(E::NoApp)),
        ("rtmps://h//", Err(E::NoApp)),
        ("rtmps://h/app/key", Err(E::ExtraSegment)),
        ("rtmps://h//app/", Err(E::ExtraSegment)),
        // The key goes separately (the engine accepted `app?x`; ivssink and the api user
        // names and passwords).
        ("rtmp://host/app/?key=1", Err(E::QueryOrFragment)),
        ("rtmp://host/app?key=1", Err(E::QueryOrFragment)),
        ("rtmp://host/app#x", Err(E::QueryOrFragment)),
        ("rtmp://user:pw@host/app/", Err(E::Credentials)),
        ("rtmp://user@host/app/", Err(E::Credentials)),
        // A space inside is a paste gone wrong (ivssink and the engine accepted it).
        ("rtmps://h/my app/", Err(E::Whitespace)),
    ];
    for (url, expected) in cases {
        let got = IngestUrl::parse(url);
        assert_eq!(
            got.as_ref().map(IngestUrl::as_str).map_err(|e| *e),
            *expected,
            "{url:?}"
        );
    }
}

#[test]
fn parts_and_publish_url() {
    let url = IngestUrl::parse("RTMPS://h.example:8443/app").expect("url");
    assert!(url.is_rtmps());
    assert_eq!(url.authority(), "h.example:8443");
    assert_eq!(url.port(), 8443);
    assert_eq!(url.publish_url("sk_1"), "rtmps://h.example:8443/app/sk_1");
    let plain = IngestUrl::parse("rtmp://[::1]/live").expect("url");
    assert!(!plain.is_rtmps());
    assert_eq!((plain.authority(), plain.port()), ("[::1]", 1935));
    assert_eq!(IngestUrl::parse("rtmps://h/app/").expect("url").port(), 443);
}

#[test]
fn messages_never_repeat_the_url() {
    let e = IngestUrl::parse("rtmps://h/app/sk_secret").unwrap_err();
    let message = e.message();
    assert!(message.contains("is the stream key in it?"), "{message}");
    assert!(!message.contains("sk_secret"), "{message}");
}

#[test]
fn the_key_never_shows() {
    let ingest = Ingest::new(
        IngestUrl::parse("rtmp://h/app/").expect("url"),
        StreamKey::new("sk_secret"),
    );
    assert!(!format!("{ingest:?}").contains("sk_secret"));
    assert_eq!(ingest.key.to_string(), "[redacted]");
    let json = serde_json::to_string(&ingest).expect("json");
    assert_eq!(json, r#"{"url":"rtmp://h/app/"}"#);
    assert_eq!(ingest.publish_url(), "rtmp://h/app/sk_secret");
    assert_eq!(
        ingest.key.redact("rtmp://h/app/sk_secret failed"),
        "rtmp://h/app/*** failed"
    );
    assert_eq!(StreamKey::default().redact("as is"), "as is");
}

#[test]
fn stored_ingests_are_checked_when_read() {
    let ok: Ingest =
        serde_json::from_str(r#"{"url":"RTMP://h/app","key":"k"}"#).expect("valid ingest");
    assert_eq!(ok.url, "rtmp://h/app/");
    assert_eq!(ok.key.expose(), "k");
    assert!(serde_json::from_str::<Ingest>(r#"{"url":"http://h/app/","key":"k"}"#).is_err());
}
