//! ivssink's properties: defaults, write-only stream key, location validation.

use gst::glib;
use gst::prelude::*;

const KEY: &str = "test-key-secretvalue";

fn init() {
    gst::init().expect("gst init");
    gstcloumer::plugin_register_static().expect("register");
}

fn ivssink() -> gst::Element {
    gst::ElementFactory::make("ivssink")
        .build()
        .expect("ivssink")
}

#[test]
fn defaults() {
    init();
    let s = ivssink();
    assert_eq!(s.property::<String>("location"), "");
    assert!(s.property::<bool>("reconnect"));
    assert_eq!(s.property::<u32>("reconnect-delay-initial-ms"), 1000);
    assert_eq!(s.property::<u32>("reconnect-delay-max-ms"), 30_000);
    assert_eq!(s.property::<u32>("max-reconnect-attempts"), 0);
    assert_eq!(s.property::<u32>("stats-interval-ms"), 1000);
    for (pad, caps) in [("video", "video/x-h264"), ("audio", "audio/mpeg")] {
        let pad = s.static_pad(pad).expect("always pad");
        let templ = pad.pad_template_caps();
        assert_eq!(templ.structure(0).map(|s| s.name().as_str()), Some(caps));
    }
}

#[test]
fn stream_key_is_write_only_and_never_readable() {
    init();
    let s = ivssink();
    let pspec = s.find_property("stream-key").expect("stream-key property");
    assert!(pspec.flags().contains(glib::ParamFlags::WRITABLE));
    assert!(!pspec.flags().contains(glib::ParamFlags::READABLE));

    s.set_property("location", "rtmp://127.0.0.1:1935/app/");
    s.set_property("stream-key", KEY);
    s.set_state(gst::State::Ready).expect("ready");
    // No readable property of the element shows the key.
    for pspec in s.list_properties() {
        if pspec.flags().contains(glib::ParamFlags::READABLE) {
            let value = s.property_value(pspec.name());
            assert!(
                !format!("{value:?}").contains(KEY),
                "{} shows the key",
                pspec.name()
            );
        }
    }
    s.set_state(gst::State::Null).expect("null");
}

#[test]
fn location_is_validated_when_starting() {
    init();
    for bad in [
        "http://host/app/",
        "rtmp:///app/",
        "rtmp://host/",
        "nonsense",
    ] {
        let pipeline = gst::Pipeline::new();
        let s = ivssink();
        s.set_property("location", bad);
        s.set_property("stream-key", KEY);
        pipeline.add(&s).expect("add");
        assert!(s.set_state(gst::State::Ready).is_err(), "{bad} accepted");
        let msg = pipeline
            .bus()
            .and_then(|b| b.pop_filtered(&[gst::MessageType::Error]))
            .expect("an error message");
        if let gst::MessageView::Error(e) = msg.view() {
            assert!(e.error().to_string().contains("location"), "{}", e.error());
        }
        let _ = pipeline.set_state(gst::State::Null);
    }

    let s = ivssink();
    s.set_property(
        "location",
        "rtmps://abc.global-contribute.live-video.net:443/app/",
    );
    assert!(
        s.set_state(gst::State::Ready).is_err(),
        "no stream key accepted"
    );
    s.set_property("stream-key", KEY);
    s.set_state(gst::State::Ready).expect("valid settings");
    s.set_state(gst::State::Null).expect("null");
}

#[test]
fn reconnect_now_is_an_action_signal() {
    init();
    let s = ivssink();
    // Harmless when not reconnecting.
    s.emit_by_name::<()>("reconnect-now", &[]);
}
