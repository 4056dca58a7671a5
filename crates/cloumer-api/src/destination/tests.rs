use super::*;

#[tokio::test]
async fn a_custom_destination_is_the_checked_url_and_the_key() {
    let custom = CustomDestination::new("RTMPS://live.example.net:443/app", StreamKey::new("k-1"))
        .expect("valid");
    let ingest = custom.ingest().await.expect("ingest");
    assert_eq!(ingest.url, "rtmps://live.example.net:443/app/");
    assert_eq!(ingest.key.expose(), "k-1");
    assert_eq!(custom.label(), "live.example.net:443");
}

#[test]
fn a_custom_destination_needs_a_valid_url_and_a_key() {
    let invalid = |url: &str, key: &str| match CustomDestination::new(url, StreamKey::new(key)) {
        Err(Error::Invalid { field, .. }) => field,
        _ => None,
    };
    assert_eq!(
        invalid("srt://example.net:9000", "k").as_deref(),
        Some("url")
    );
    assert_eq!(invalid("rtmps://", "k").as_deref(), Some("url"));
    assert_eq!(invalid("rtmps://h/app/", " ").as_deref(), Some("streamKey"));
}

fn profile(extra: &str) -> BackendProfile {
    BackendProfile::from_toml(&format!(
        "region = \"us-east-1\"\nuser_pool_id = \"us-east-1_abc\"\nclient_id = \"client\"\napi_url = \"http://127.0.0.1:9/\"\n{extra}"
    ))
    .expect("profile")
}

fn ingest(profile: &BackendProfile, url: &str) -> Ingest {
    account_ingest(profile, url, StreamKey::new("sk_x")).expect("ingest")
}

const CERT: &str = "ingest_certificate = \"/data/tls/ingest-cert.pem\"\n";
const LOOPBACK_RTMP: &str = "rtmp_url = \"rtmp://127.0.0.1:1935/app/\"\n";

#[test]
fn an_rtmps_ingest_trusts_the_profiles_certificate() {
    let p = profile(&format!("{CERT}{LOOPBACK_RTMP}"));
    let d = ingest(&p, "rtmps://127.0.0.1:1936/app/");
    assert_eq!(d.url, "rtmps://127.0.0.1:1936/app/");
    assert_eq!(
        d.trusted_certificate.as_deref(),
        Some(std::path::Path::new("/data/tls/ingest-cert.pem"))
    );
    assert_eq!(d.key.expose(), "sk_x");
}

#[test]
fn plain_rtmp_needs_no_certificate() {
    let p = profile(CERT);
    assert!(
        ingest(&p, "rtmp://127.0.0.1:1935/app/")
            .trusted_certificate
            .is_none()
    );
}

#[test]
fn rtmps_without_a_certificate_falls_back_to_a_loopback_rtmp_ingest_only() {
    let d = ingest(&profile(LOOPBACK_RTMP), "rtmps://127.0.0.1:1936/app/");
    assert_eq!(d.url, "rtmp://127.0.0.1:1935/app/");
    // A remote plain ingest is no substitute: RTMPS with the system trust store.
    let remote = profile("rtmp_url = \"rtmp://ingest.example.com/app/\"\n");
    let d = ingest(&remote, "rtmps://ingest.example.com:443/app/");
    assert_eq!(d.url, "rtmps://ingest.example.com:443/app/");
    assert!(d.trusted_certificate.is_none());
    // The seed's IVS ingest: as given.
    let d = ingest(
        &profile(""),
        "rtmps://x.global-contribute.live-video.net:443/app/",
    );
    assert_eq!(d.url, "rtmps://x.global-contribute.live-video.net:443/app/");
}

#[test]
fn a_broken_stream_url_from_the_backend_is_an_input_error() {
    assert!(matches!(
        account_ingest(&profile(""), "https://h/app/", StreamKey::new("k")),
        Err(Error::Invalid { field: Some(f), .. }) if f == "streamUrl"
    ));
}
