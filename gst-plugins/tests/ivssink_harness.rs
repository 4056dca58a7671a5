//! ivssink through gst_check::Harness: once the output has failed for good, upstream keeps
//! flowing (never blocked, never an error returned) and the failure is on the bus.

use std::time::{Duration, Instant};

use gst::prelude::*;
use gst_check::Harness;

#[test]
fn upstream_keeps_flowing_after_the_output_failed() {
    gst::init().expect("gst init");
    gstcloumer::plugin_register_static().expect("register");
    for element in ["x264enc", "flvmux", "rtmp2sink"] {
        if gst::ElementFactory::find(element).is_none() {
            cloumer_testkit::skip(format!("GStreamer element {element} missing"));
            return;
        }
    }
    // Nothing listens on a port that was free a moment ago.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let sink = gst::ElementFactory::make("ivssink")
        .property("location", format!("rtmp://127.0.0.1:{port}/app/"))
        .property("stream-key", "key")
        .build()
        .expect("ivssink");
    let bus = gst::Bus::new();
    sink.set_bus(Some(&bus));

    let mut h = Harness::with_element(&sink, Some("video"), None);
    // rtmp2sink syncs to the clock: a test clock that never moves would never let it render.
    h.use_systemclock();
    h.add_src_parse(
        "videotestsrc ! capsfilter caps=video/x-raw,width=160,height=120,framerate=30/1 \
         ! cloumerh264enc speed-preset=ultrafast bitrate=300",
        false,
    );
    h.play();

    let deadline = Instant::now() + Duration::from_secs(20);
    let mut failure = None;
    let mut pushed = 0;
    while failure.is_none() && Instant::now() < deadline {
        h.push_from_src().expect("upstream must never see an error");
        pushed += 1;
        while let Some(msg) = bus.pop() {
            if let gst::MessageView::Error(err) = msg.view() {
                failure = err.details().and_then(|d| d.get::<String>("kind").ok());
            }
        }
    }
    assert_eq!(failure.as_deref(), Some("network"), "after {pushed} frames");
    // Two more seconds of video after the failure: accepted and dropped.
    for _ in 0..60 {
        h.push_from_src().expect("upstream must never see an error");
    }
}
