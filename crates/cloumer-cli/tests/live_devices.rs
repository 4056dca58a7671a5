//! `cloumer devices` and `cloumer encoders`: what a user sees before going live.

mod live_support;

use std::time::Duration;

use cloumer_testkit::{Pulse, Xvfb, skip_unless};
use live_support::*;

#[test]
fn devices_lists_screen_monitor_and_audio() {
    let xvfb = skip_unless!(Xvfb::start());
    let pulse = skip_unless!(Pulse::start());
    let run = run(
        cloumer()
            .args(["devices", "--json"])
            .env("DISPLAY", xvfb.display())
            .envs(pulse.env()),
        Duration::from_secs(60),
    );
    assert_eq!(run.code(), Some(0), "{}", run.describe());
    let devices = run.events();
    let has = |kind: &str, id: &str| devices.iter().any(|d| d["kind"] == kind && d["id"] == id);
    assert!(has("screen", xvfb.display()), "{}", run.stdout);
    assert!(
        has("desktop-audio", &pulse.monitor_source()),
        "{}",
        run.stdout
    );
    let monitor = devices
        .iter()
        .find(|d| d["kind"] == "monitor")
        .expect("a monitor");
    assert_eq!(
        (monitor["width"].as_u64(), monitor["height"].as_u64()),
        (Some(1920), Some(1080))
    );
}

#[test]
fn encoders_say_which_work_and_why_not() {
    let run = run(
        cloumer().args(["encoders", "--json"]),
        Duration::from_secs(90),
    );
    assert_eq!(run.code(), Some(0), "{}", run.describe());
    let encoders = run.events();
    let names: Vec<&str> = encoders
        .iter()
        .filter_map(|e| e["encoder"].as_str())
        .collect();
    assert_eq!(names, ["nvenc", "va", "vaapi", "x264"]);
    for e in &encoders {
        if e["usable"] == false {
            assert!(
                e["reason"].as_str().is_some_and(|r| !r.is_empty()),
                "no reason: {e}"
            );
        }
    }
    let x264 = encoders
        .iter()
        .find(|e| e["encoder"] == "x264")
        .expect("x264");
    assert_eq!(x264["usable"], true, "{x264}");
    let human = run_text();
    assert!(
        human.contains("x264") && human.contains("usable"),
        "{human}"
    );
}

fn run_text() -> String {
    run(cloumer().arg("encoders"), Duration::from_secs(90)).stdout
}
