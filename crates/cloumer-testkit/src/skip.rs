//! Skipping a test whose prerequisite is missing, honestly: the reason is printed, written
//! to the skip log `scripts/test.sh` counts (`CLOUMER_SKIP_LOG`, one line a skip, since
//! libtest hides a passing test's output and would count the test as passed), and under
//! `CI=true` the test fails instead, because CI installs everything.

use std::io::Write;

/// The environment variable naming the skip log.
pub const SKIP_LOG_ENV: &str = "CLOUMER_SKIP_LOG";

/// Records that the calling test skips for `reason`, a missing program or service;
/// panics under `CI=true`. Call it and `return` from the test (or use
/// [`crate::skip_unless!`]).
pub fn skip(reason: impl std::fmt::Display) {
    let line = line(reason);
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("prerequisite missing under CI=true (CI installs everything): {line}");
    }
    record(&line);
}

/// Records that the calling test skips because this machine lacks hardware no install
/// brings (a camera, a GPU encoder): a skip under CI too.
pub fn skip_for_hardware(reason: impl std::fmt::Display) {
    record(&line(reason));
}

fn line(reason: impl std::fmt::Display) -> String {
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    format!("{test}: {reason}")
}

fn record(line: &str) {
    eprintln!("SKIPPED {line}");
    if let Some(path) = std::env::var_os(SKIP_LOG_ENV) {
        // One short append per skip: O_APPEND keeps parallel tests' lines whole.
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(format!("{}\n", line.replace('\n', " ")).as_bytes()));
        if let Err(e) = appended {
            eprintln!("cannot write the skip log: {e}");
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    #[test]
    fn a_skip_names_the_test_and_fails_under_ci() {
        let line = super::line("no camera");
        assert!(
            line.contains("a_skip_names_the_test_and_fails_under_ci"),
            "{line}"
        );
        assert!(line.ends_with(": no camera"), "{line}");
        // Outside CI a skip would count in the test run's skip log: only CI's panic is run.
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            let err = std::panic::catch_unwind(|| super::skip("no camera")).unwrap_err();
            let message = err.downcast_ref::<String>().unwrap();
            assert!(message.contains("no camera"), "{message}");
        }
    }
}
