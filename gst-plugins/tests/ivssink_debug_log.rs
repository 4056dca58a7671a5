//! With every GStreamer debug category at its most verbose, the stream key never shows up in
//! the debug log while ivssink publishes to a real nginx-rtmp. (Own test binary: it changes
//! the process-wide debug thresholds.)

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::Nginx;
use common::pipeline::{Run, is_state};

const KEY: &str = "sk-secret-debug-key";

#[test]
fn stream_key_never_reaches_the_debug_log() {
    if !common::init_rtmp() {
        return;
    }
    let leaks = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = Arc::new(Mutex::new(0u64));
    {
        let (leaks, seen) = (leaks.clone(), seen.clone());
        gst::log::add_log_function(move |cat, _level, _file, _func, _line, _obj, msg| {
            let Some(text) = msg.get() else { return };
            *seen.lock().expect("seen") += 1;
            // Hex dumps show the key's bytes as "73 6b 2d ..." (split across lines at worst,
            // so look for its first 6 bytes too).
            let hex: Vec<String> = KEY.bytes().take(6).map(|b| format!("{b:02x}")).collect();
            if text.contains(KEY) || text.contains(&hex.join(" ")) {
                leaks
                    .lock()
                    .expect("leaks")
                    .push(format!("{}: {text}", cat.name()));
            }
        });
    }
    gst::log::remove_default_log_function();
    gst::log::set_threshold_from_string("*:9", true);
    gst::log::set_active(true);

    let nginx = Nginx::start(KEY);
    let mut run = Run::start(&nginx.url(), KEY);
    let connected = run.pump_until(Duration::from_secs(20), |m| is_state(m, "connected"));
    assert!(connected.is_some(), "never connected: {:?}", run.errors());
    run.pump_for(Duration::from_secs(1));
    let _ = run.stop();
    gst::log::set_threshold_from_string("*:0", true);

    assert!(
        *seen.lock().expect("seen") > 1000,
        "the log function saw nothing"
    );
    let leaks = leaks.lock().expect("leaks");
    assert!(leaks.is_empty(), "stream key in the debug log: {leaks:#?}");
}
