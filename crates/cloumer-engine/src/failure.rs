//! Turns a GStreamer error message into a typed [`Error`], so callers can tell a rejected
//! stream key from a TLS failure from a dead network (the CLI maps them to exit codes).

use gst::prelude::*;

use crate::error::Error;
use crate::pipeline::names;

use gstcloumer::{FAILURE_DETAILS, FailureKind};

pub(crate) fn classify(message: &gst::message::Error) -> Error {
    let error = message.error();
    let source = message
        .src()
        .map(|s| s.path_string().to_string())
        .unwrap_or_default();
    let text = error.message().to_owned();
    let debug_text = message.debug().map(|d| d.to_string()).unwrap_or_default();
    let details = message.details().filter(|d| d.name() == FAILURE_DETAILS);
    let kind = details.and_then(|d| d.get::<String>("kind").ok());
    // ivssink's reason says what went wrong underneath (refused, timed out, bad cert).
    let reason = details.and_then(|d| d.get::<String>("reason").ok());
    // Drop GStreamer's source-file trail ("(../gst/rtmp2/...: /GstPipeline:...)").
    let reason = reason.map(|r| {
        r.split(" (../")
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned()
    });
    let text = match reason {
        Some(reason) if !reason.is_empty() && !text.contains(&reason) => {
            format!("{text} ({reason})")
        }
        _ => text,
    };
    tracing::debug!(%source, %text, debug = %debug_text, ?kind, "pipeline error");
    classify_parts(kind.as_deref(), &source, &text, &debug_text)
}

/// The rules, on plain strings so they are testable without a pipeline.
pub(crate) fn classify_parts(kind: Option<&str>, source: &str, text: &str, debug: &str) -> Error {
    let known = [
        FailureKind::KeyRejected,
        FailureKind::Tls,
        FailureKind::Network,
    ]
    .into_iter()
    .find(|k| Some(k.as_str()) == kind);
    match known {
        Some(FailureKind::KeyRejected) => return Error::KeyRejected(text.to_owned()),
        Some(FailureKind::Tls) => return Error::Tls(text.to_owned()),
        Some(FailureKind::Network) => return Error::Network(text.to_owned()),
        None => {}
    }
    let all = format!("{text} {debug}").to_ascii_lowercase();
    if source.contains(names::STREAM_SINK) {
        // Stock rtmp2sink: no structured kind, only GLib error texts.
        if [
            "tls",
            "certificate",
            "handshake",
            "unknown-ca",
            "unknown ca",
        ]
        .iter()
        .any(|w| all.contains(w))
        {
            return Error::Tls(text.to_owned());
        }
        if [
            "publish",
            "badname",
            "rejected",
            "unauthorized",
            "forbidden",
        ]
        .iter()
        .any(|w| all.contains(w))
        {
            return Error::KeyRejected(text.to_owned());
        }
        return Error::Network(text.to_owned());
    }
    let is = |name: &str| source.contains(name);
    if is(names::SCREEN_SOURCE) || is(names::CAMERA_SOURCE) || is("cloumer-audio-source") {
        let element = source.rsplit('/').next().unwrap_or(source);
        return Error::Device(format!("{element}: {text}"));
    }
    if is(names::VIDEO_ENCODER) || is(names::AUDIO_ENCODER) {
        return Error::Encoder(text.to_owned());
    }
    if is(names::RECORDING_SINK) || is(names::RECORDING_MUX) {
        return Error::Pipeline(format!("recording: {text}"));
    }
    Error::Pipeline(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_kinds_win() {
        let e = classify_parts(
            Some("key-rejected"),
            "/x/cloumer-stream-sink",
            "refused",
            "",
        );
        assert!(matches!(e, Error::KeyRejected(_)));
        assert!(matches!(
            classify_parts(Some("tls"), "", "x", ""),
            Error::Tls(_)
        ));
        assert!(matches!(
            classify_parts(Some("network"), "", "x", ""),
            Error::Network(_)
        ));
    }

    #[test]
    fn fallbacks_by_element() {
        let sink = "/GstPipeline:p/GstBin:cloumer-stream-sink/GstRtmp2Sink:rtmp2sink";
        assert!(matches!(
            classify_parts(
                None,
                sink,
                "Failed to connect",
                "TLS certificate is unknown-ca"
            ),
            Error::Tls(_)
        ));
        assert!(matches!(
            classify_parts(None, sink, "Connection refused", ""),
            Error::Network(_)
        ));
        let cam = "/GstPipeline:p/GstV4l2Src:cloumer-camera-source";
        assert!(matches!(
            classify_parts(None, cam, "no such device", ""),
            Error::Device(_)
        ));
    }
}
