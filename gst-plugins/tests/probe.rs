//! The encoder probe really encodes: on this kind of machine only x264 works.

use gstcloumer::probe::{self, EncoderKind};

#[test]
fn probe_lists_all_encoders_best_first_with_reasons() {
    let probes = probe::h264_encoders();
    let kinds: Vec<EncoderKind> = probes.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        vec![
            EncoderKind::Nvenc,
            EncoderKind::Va,
            EncoderKind::Vaapi,
            EncoderKind::X264
        ]
    );
    for p in &probes {
        eprintln!(
            "{} ({}): usable={} {:?}",
            p.kind, p.element, p.usable, p.reason
        );
        assert_eq!(p.element, p.kind.element_name());
        assert_eq!(p.usable, p.reason.is_none(), "{p:?}");
    }
    // Cached: same answer, instantly.
    assert_eq!(probe::h264_encoders(), probes);

    if gst::ElementFactory::find("x264enc").is_some() {
        let x264 = probe::probe_of(EncoderKind::X264);
        assert!(x264.usable, "x264 should encode: {x264:?}");
        assert!(probe::best_usable().is_some());
    } else {
        eprintln!("x264enc not installed: not checking that it is usable");
    }
}

#[test]
fn missing_hardware_is_explained() {
    gst::init().expect("gst init");
    for kind in [EncoderKind::Nvenc, EncoderKind::Va, EncoderKind::Vaapi] {
        if gst::ElementFactory::find(kind.element_name()).is_none() {
            let p = probe::probe_of(kind);
            assert!(!p.usable);
            let reason = p.reason.unwrap_or_default();
            assert!(reason.contains(kind.element_name()), "{reason}");
        }
    }
}
