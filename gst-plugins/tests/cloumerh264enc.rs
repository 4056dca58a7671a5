//! cloumerh264enc through gst_check::Harness with real x264 encoding.

use gst::prelude::*;
use gst_check::Harness;

fn init() {
    gst::init().expect("gst init");
    gstcloumer::plugin_register_static().expect("register");
    // Registering twice must be harmless (the engine and tests may both do it).
    gstcloumer::plugin_register_static().expect("register again");
}

fn x264_available() -> bool {
    if gst::ElementFactory::find("x264enc").is_none() {
        cloumer_testkit::skip("x264enc is not installed (gstreamer1.0-plugins-ugly)");
        return false;
    }
    true
}

/// A harness around cloumerh264enc fed by videotestsrc at `caps`; `props` as gst-launch
/// would set them.
fn harness(props: &[(&str, &str)], src: &str) -> Harness {
    // Properties are read when going to READY, so set them before the harness touches it.
    let mut builder = gst::ElementFactory::make("cloumerh264enc");
    for (name, value) in props {
        builder = builder.property_from_str(name, value);
    }
    let enc = builder.build().expect("element");
    let mut h = Harness::with_element(&enc, Some("sink"), Some("src"));
    h.add_src_parse(src, false);
    h.play();
    h
}

/// NAL unit types in one AVC (4-byte length prefixed) access unit.
fn nal_types(buf: &gst::BufferRef) -> Vec<u8> {
    let map = buf.map_readable().expect("map");
    let data = map.as_slice();
    let mut types = Vec::new();
    let mut i = 0;
    while i + 4 <= data.len() {
        let len = u32::from_be_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]) as usize;
        i += 4;
        if len == 0 || i + len > data.len() {
            break;
        }
        types.push(data[i] & 0x1f);
        i += len;
    }
    types
}

fn pull_n(h: &mut Harness, n: usize) -> Vec<gst::Buffer> {
    let mut out = Vec::new();
    for _ in 0..n {
        h.push_from_src().expect("push");
    }
    h.push_event(gst::event::Eos::new());
    while let Some(buf) = h.try_pull() {
        out.push(buf);
    }
    out
}

const SRC_30FPS: &str = "videotestsrc pattern=ball ! capsfilter caps=video/x-raw,format=I420,width=320,height=240,framerate=30/1";

#[test]
fn output_caps_are_avc_au_with_requested_profile() {
    init();
    if !x264_available() {
        return;
    }
    // ultrafast would turn CABAC off and silently produce Constrained Baseline.
    for (profile, preset, profile_idc) in [("main", "ultrafast", 77u8), ("high", "veryfast", 100)] {
        let mut h = harness(&[("profile", profile), ("speed-preset", preset)], SRC_30FPS);
        let bufs = pull_n(&mut h, 5);
        assert!(!bufs.is_empty(), "no output for profile {profile}");
        let caps = h
            .sinkpad()
            .and_then(|p| p.current_caps())
            .expect("negotiated caps");
        let s = caps.structure(0).expect("structure");
        assert_eq!(s.name(), "video/x-h264");
        assert_eq!(s.get::<&str>("stream-format").ok(), Some("avc"));
        assert_eq!(s.get::<&str>("alignment").ok(), Some("au"));
        assert_eq!(s.get::<&str>("profile").ok(), Some(profile));
        let codec_data = s
            .get::<gst::Buffer>("codec_data")
            .expect("avc caps need codec_data");
        let map = codec_data.map_readable().expect("map");
        assert_eq!(map[1], profile_idc, "SPS profile_idc for {profile}");
        let enc = h.element().expect("element");
        assert_eq!(enc.property::<String>("encoder-in-use"), "x264");
    }
}

#[test]
fn idr_exactly_every_two_seconds_with_headers_and_no_bframes() {
    init();
    if !x264_available() {
        return;
    }
    let mut h = harness(&[], SRC_30FPS);
    // 6 s at 30 fps.
    let bufs = pull_n(&mut h, 180);
    assert_eq!(bufs.len(), 180, "one output frame per input frame");

    let keyframe_times: Vec<u64> = bufs
        .iter()
        .filter(|b| !b.flags().contains(gst::BufferFlags::DELTA_UNIT))
        .map(|b| b.pts().expect("pts").mseconds())
        .collect();
    let first = bufs[0].pts().expect("pts").mseconds();
    let relative: Vec<u64> = keyframe_times.iter().map(|t| t - first).collect();
    assert_eq!(relative, vec![0, 2000, 4000], "IDR every 2.0 s exactly");

    let mut last_pts = None;
    for buf in &bufs {
        // No B-frames: decode order is presentation order.
        assert_eq!(buf.dts(), buf.pts(), "B-frame found (dts != pts)");
        assert!(buf.pts() > last_pts, "pts not increasing");
        last_pts = buf.pts();
        let types = nal_types(buf);
        if !buf.flags().contains(gst::BufferFlags::DELTA_UNIT) {
            // IDR (5) with SPS (7) and PPS (8) in the same access unit.
            for t in [5, 7, 8] {
                assert!(types.contains(&t), "keyframe NALs {types:?} lack {t}");
            }
        } else {
            assert!(!types.contains(&5), "IDR inside a delta unit");
        }
    }
}

#[test]
fn keyframe_interval_follows_framerate_and_setting() {
    init();
    if !x264_available() {
        return;
    }
    let src = "videotestsrc pattern=ball ! capsfilter caps=video/x-raw,format=I420,width=320,height=240,framerate=25/1";
    let mut h = harness(&[("keyframe-interval", "1.0")], src);
    let bufs = pull_n(&mut h, 75);
    let key_idx: Vec<usize> = bufs
        .iter()
        .enumerate()
        .filter(|(_, b)| !b.flags().contains(gst::BufferFlags::DELTA_UNIT))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(key_idx, vec![0, 25, 50]);
}

#[test]
fn bitrate_change_while_playing_reaches_the_encoder_and_the_output() {
    init();
    if !x264_available() {
        return;
    }
    // Noise cannot be compressed, so the output rate is what rate control allows.
    let src = "videotestsrc pattern=snow ! capsfilter caps=video/x-raw,format=I420,width=320,height=240,framerate=30/1";
    let mut h = harness(&[("bitrate", "3000")], src);
    let bytes = |h: &mut Harness, frames: usize| -> usize {
        let mut total = 0;
        for _ in 0..frames {
            h.push_from_src().expect("push");
            while let Some(b) = h.try_pull() {
                total += b.size();
            }
        }
        total
    };
    let high = bytes(&mut h, 60);

    let bin = h
        .element()
        .expect("element")
        .downcast::<gst::Bin>()
        .expect("bin");
    bin.set_property("bitrate", 600u32);
    let inner = bin.by_name("encoder").expect("inner encoder");
    assert_eq!(inner.property::<u32>("bitrate"), 600);

    let _settle = bytes(&mut h, 15);
    let low = bytes(&mut h, 60);
    eprintln!("bytes over 2 s: {high} at 3000 kbit/s, {low} at 600 kbit/s");
    assert!(
        (low as f64) < (high as f64) * 0.5,
        "output did not follow the new bitrate: {high} -> {low}"
    );
}

#[test]
fn unknown_values_are_refused_when_parsed() {
    init();
    for (name, value) in [
        ("profile", "baseline"),
        ("encoder", "bogus"),
        ("speed-preset", "warp"),
    ] {
        let launch =
            format!("videotestsrc num-buffers=1 ! cloumerh264enc {name}={value} ! fakesink");
        assert!(
            gst::parse::launch(&launch).is_err(),
            "{name}={value} accepted"
        );
    }
    let enc = gst::ElementFactory::make("cloumerh264enc")
        .build()
        .expect("element");
    for name in [
        "encoder",
        "profile",
        "speed-preset",
        "keyframe-interval",
        "bframes",
    ] {
        let pspec = enc.find_property(name).expect("property");
        assert!(
            pspec.flags().contains(gst::PARAM_FLAG_MUTABLE_READY),
            "{name} is not flagged changeable in READY"
        );
    }
}

#[test]
fn a_change_made_in_ready_is_used() {
    init();
    if !x264_available() {
        return;
    }
    let pipeline = gst::parse::launch(
        "videotestsrc num-buffers=3 ! video/x-raw,format=I420,width=320,height=240,framerate=30/1 \
         ! cloumerh264enc name=enc profile=high ! fakesink name=out",
    )
    .expect("pipeline")
    .downcast::<gst::Pipeline>()
    .expect("a pipeline");
    pipeline.set_state(gst::State::Ready).expect("ready");
    let enc = pipeline.by_name("enc").expect("encoder");
    enc.set_property_from_str("profile", "main");
    pipeline.set_state(gst::State::Playing).expect("playing");
    let bus = pipeline.bus().expect("bus");
    let end = bus.timed_pop_filtered(
        gst::ClockTime::from_seconds(20),
        &[gst::MessageType::Eos, gst::MessageType::Error],
    );
    assert!(
        matches!(
            end.as_ref().map(|m| m.view()),
            Some(gst::MessageView::Eos(_))
        ),
        "{end:?}"
    );
    let caps = pipeline
        .by_name("out")
        .and_then(|sink| sink.static_pad("sink"))
        .and_then(|pad| pad.current_caps())
        .expect("negotiated caps");
    let profile = caps
        .structure(0)
        .and_then(|s| s.get::<&str>("profile").ok());
    assert_eq!(profile, Some("main"));
    pipeline.set_state(gst::State::Null).expect("null");
}

#[test]
fn unusable_encoder_choice_is_refused_with_the_reason() {
    init();
    let probes = gstcloumer::probe::h264_encoders();
    let Some(unusable) = probes.iter().find(|p| !p.usable) else {
        // Needs an encoder that is installed but cannot run (a GPU one without its GPU).
        cloumer_testkit::skip_for_hardware("every H.264 encoder is usable here");
        return;
    };
    let pipeline = gst::Pipeline::new();
    let enc = gst::ElementFactory::make("cloumerh264enc")
        .property_from_str("encoder", unusable.kind.as_str())
        .build()
        .expect("element");
    pipeline.add(&enc).expect("add");
    assert!(enc.set_state(gst::State::Ready).is_err());
    let bus = pipeline.bus().expect("bus");
    let msg = bus
        .pop_filtered(&[gst::MessageType::Error])
        .expect("an error message");
    let gst::MessageView::Error(err) = msg.view() else {
        unreachable!()
    };
    let text = err.error().to_string();
    assert!(text.contains(unusable.element), "{text}");
    let _ = pipeline.set_state(gst::State::Null);
}

/// Pushes `n` flat I420 64x64 frames at `fps` starting at `start`; returns the next start.
fn push_raw(h: &mut Harness, start: gst::ClockTime, fps: u64, n: u64) -> gst::ClockTime {
    let dur = gst::ClockTime::SECOND / fps;
    for i in 0..n {
        let mut buf = gst::Buffer::with_size(64 * 64 * 3 / 2).expect("buffer");
        {
            let b = buf.get_mut().expect("writable");
            b.set_pts(start + dur * i);
            b.set_duration(dur);
            // A little motion so that frames differ.
            let mut map = b.map_writable().expect("map");
            map.as_mut_slice()[(i as usize * 7) % 4096] = 255;
        }
        h.push(buf).expect("push");
    }
    start + dur * n
}

#[test]
fn framerate_change_restarts_the_gop_in_frames() {
    init();
    if !x264_available() {
        return;
    }
    let enc = gst::ElementFactory::make("cloumerh264enc")
        .build()
        .expect("element");
    let mut h = Harness::with_element(&enc, Some("sink"), Some("src"));
    h.play();
    h.set_src_caps_str("video/x-raw,format=I420,width=64,height=64,framerate=30/1");
    let next = push_raw(&mut h, gst::ClockTime::ZERO, 30, 90);
    h.set_src_caps_str("video/x-raw,format=I420,width=64,height=64,framerate=15/1");
    push_raw(&mut h, next, 15, 45);
    h.push_event(gst::event::Eos::new());

    // Frame indexes: the restarted encoder's timestamps are shifted (with a matching
    // segment), so count frames rather than compare raw PTS.
    let mut keys = Vec::new();
    let mut i = 0;
    while let Some(b) = h.try_pull() {
        if !b.flags().contains(gst::BufferFlags::DELTA_UNIT) {
            keys.push(i);
        }
        i += 1;
    }
    assert_eq!(i, 135, "one output per input frame");
    // 3 s at 30 fps (IDR every 60 frames), then 3 s at 15 fps (every 30 frames).
    assert_eq!(keys, vec![0, 60, 90, 120]);
}
