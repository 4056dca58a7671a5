//! How `cloumer live` fails: each failure is one clear line on stderr and the exit status
//! of the contract (2 config, 3 key rejected, 4 TLS, 5 stream refused by the ingest), and
//! it fails fast instead of looping.

mod live_support;

use std::time::Duration;

use cloumer_testkit::{Ingest, skip_unless};
use live_support::*;

fn test_sources_to(url: &str, key: &str) -> std::process::Command {
    let mut cmd = cloumer();
    cmd.args([
        "live",
        "--test-sources",
        "--to",
        url,
        "--duration",
        "30",
        "--json",
    ])
    .env("CLOUMER_STREAM_KEY", key);
    cmd
}

fn error_lines(run: &Finished) -> Vec<&str> {
    run.stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect()
}

#[test]
fn wrong_key_exits_3_fast() {
    let ingest = skip_unless!(Ingest::start(GOOD_KEY));
    let run = run(
        &mut test_sources_to(&ingest.rtmps_url(), "sk_wrong_key"),
        Duration::from_secs(60),
    );
    assert_eq!(run.code(), Some(3), "{}", run.describe());
    assert!(
        run.elapsed < Duration::from_secs(15),
        "took {:?} to give up on a wrong key",
        run.elapsed
    );
    let errors = error_lines(&run);
    assert_eq!(errors.len(), 1, "{}", run.describe());
    assert!(errors[0].contains("stream key"), "{}", errors[0]);
    assert!(
        !run.stderr.contains("sk_wrong_key"),
        "the key leaked: {}",
        run.stderr
    );
    assert_eq!(
        run.states().last().map(String::as_str),
        Some("failed"),
        "{}",
        run.describe()
    );
    assert!(ingest.publish_attempts().iter().all(|a| !a.accepted));
}

#[test]
fn untrusted_certificate_exits_4() {
    let ingest = skip_unless!(Ingest::start(GOOD_KEY));
    let run = run(
        &mut test_sources_to(&ingest.untrusted_rtmps_url(), GOOD_KEY),
        Duration::from_secs(60),
    );
    assert_eq!(run.code(), Some(4), "{}", run.describe());
    assert!(
        run.elapsed < Duration::from_secs(20),
        "took {:?}",
        run.elapsed
    );
    let errors = error_lines(&run);
    assert_eq!(errors.len(), 1, "{}", run.describe());
    assert!(errors[0].contains("TLS"), "{}", errors[0]);
    assert!(
        ingest.publish_attempts().is_empty(),
        "published through an untrusted TLS listener"
    );
}

#[test]
fn ivs_limits_exit_2_with_what_to_change() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--channel-type", "basic", "--bitrate", "6000"],
            "3500 kbps or less",
        ),
        (&["--size", "2560x1440"], "1920x1080"),
        (&["--fps", "120"], "60 fps"),
        (&["--bitrate", "9000"], "8500 kbps or less"),
        (&["--audio-bitrate", "320"], "64 to 160"),
    ];
    for (extra, hint) in cases {
        let mut cmd = cloumer();
        cmd.args([
            "live",
            "--test-sources",
            "--to",
            "rtmps://127.0.0.1:9/live/",
            "--duration",
            "5",
        ])
        .args(*extra)
        .env("CLOUMER_STREAM_KEY", GOOD_KEY);
        let run = run(&mut cmd, Duration::from_secs(30));
        assert_eq!(run.code(), Some(2), "{extra:?}: {}", run.describe());
        let errors = error_lines(&run);
        assert_eq!(errors.len(), 1, "{extra:?}: {}", run.describe());
        assert!(
            errors[0].contains(hint),
            "{extra:?}: `{}` does not say `{hint}`",
            errors[0]
        );
    }
}

#[test]
fn bad_arguments_exit_2() {
    for args in [
        vec![
            "live",
            "--test-sources",
            "--to",
            "http://example.invalid/live/",
            "--duration",
            "1",
        ],
        vec![
            "live",
            "--test-sources",
            "--size",
            "big",
            "--record",
            "/tmp/x.mkv",
        ],
        vec![
            "live",
            "--test-sources",
            "--encoder",
            "quicksync",
            "--record",
            "/tmp/x.mkv",
        ],
    ] {
        let run = run(
            cloumer().args(&args).env("CLOUMER_STREAM_KEY", GOOD_KEY),
            Duration::from_secs(30),
        );
        assert_eq!(run.code(), Some(2), "{args:?}: {}", run.describe());
    }
    // A key is required for --to and is never taken from argv.
    let run = run(
        cloumer().args(["live", "--test-sources", "--to", "rtmp://127.0.0.1:9/live/"]),
        Duration::from_secs(30),
    );
    assert_eq!(run.code(), Some(2), "{}", run.describe());
    assert!(run.stderr.contains("CLOUMER_STREAM_KEY"), "{}", run.stderr);
}

/// An ingest that accepts the key but closes every stream a few seconds after it starts
/// (IVS with settings over the channel type's limits): `cloumer live` gives up after a
/// bounded number of tries with the reason and exit status 5, instead of reconnecting
/// forever.
#[test]
fn an_ingest_that_keeps_closing_the_stream_exits_5() {
    let ingest = skip_unless!(Ingest::start(GOOD_KEY));
    ingest.close_streams_after_start();
    // Within its 30 s the stream would otherwise keep reconnecting and end with status 0.
    let run = run(
        &mut test_sources_to(&ingest.rtmps_url(), GOOD_KEY),
        Duration::from_secs(90),
    );
    assert_eq!(run.code(), Some(5), "{}", run.describe());
    let errors = error_lines(&run);
    assert_eq!(errors.len(), 1, "{}", run.describe());
    assert!(
        errors[0].contains("refused the stream") && errors[0].contains("limits"),
        "{}",
        errors[0]
    );
    let accepted = ingest
        .publish_attempts()
        .iter()
        .filter(|a| a.accepted)
        .count();
    assert!(
        (2..=4).contains(&accepted),
        "{accepted} publishes before giving up\n{}",
        run.describe()
    );
    assert_eq!(
        run.states().last().map(String::as_str),
        Some("failed"),
        "{}",
        run.describe()
    );
}
