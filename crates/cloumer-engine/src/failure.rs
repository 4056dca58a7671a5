//! Turns a GStreamer error message into a typed [`Error`], so callers can tell a rejected
//! stream key from a TLS failure from a dead network (the CLI maps them to exit codes).

use gst::prelude::*;

use crate::error::Error;
use crate::pipeline::names;

use gstcloumer::{Failure, FailureKind};

pub(crate) fn classify(message: &gst::message::Error) -> Error {
    let error = message.error();
    let source = message
        .src()
        .map(|s| s.path_string().to_string())
        .unwrap_or_default();
    let text = error.message().to_owned();
    let debug_text = message.debug().map(|d| d.to_string()).unwrap_or_default();
    let failure = Failure::from_error(message);
    let kind = failure.as_ref().map(|f| f.kind);
    // ivssink's reason says what went wrong underneath (refused, timed out, bad cert).
    // Drop GStreamer's source-file trail ("(../gst/rtmp2/...: /GstPipeline:...)").
    let reason = failure.map(|f| {
        f.reason
            .split(" (../")
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
    classify_parts(kind, &source, &text)
}

/// The rules, on plain values so they are testable without a pipeline.
pub(crate) fn classify_parts(kind: Option<FailureKind>, source: &str, text: &str) -> Error {
    match kind {
        Some(FailureKind::KeyRejected) => return Error::KeyRejected(text.to_owned()),
        Some(FailureKind::Tls) => return Error::Tls(text.to_owned()),
        Some(FailureKind::Network) => return Error::Network(text.to_owned()),
        Some(FailureKind::IngestRefused) => return Error::IngestRefused(text.to_owned()),
        None => {}
    }
    if source.contains(names::STREAM_SINK) {
        // ivssink could not even set its connection up (it classifies every failure of a
        // connection itself).
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
    fn ivssink_kinds_win() {
        let sink = "/GstPipeline:p/GstCloumerIvsSink:cloumer-stream-sink";
        let e = classify_parts(Some(FailureKind::KeyRejected), sink, "refused");
        assert!(matches!(e, Error::KeyRejected(_)));
        assert!(matches!(
            classify_parts(Some(FailureKind::Tls), "", "x"),
            Error::Tls(_)
        ));
        assert!(matches!(
            classify_parts(Some(FailureKind::Network), "", "x"),
            Error::Network(_)
        ));
        assert!(matches!(
            classify_parts(Some(FailureKind::IngestRefused), sink, "closed"),
            Error::IngestRefused(_)
        ));
    }

    #[test]
    fn others_by_element() {
        let sink = "/GstPipeline:p/GstCloumerIvsSink:cloumer-stream-sink";
        assert!(matches!(
            classify_parts(None, sink, "stream-key is not set"),
            Error::Network(_)
        ));
        let cam = "/GstPipeline:p/GstV4l2Src:cloumer-camera-source";
        assert!(matches!(
            classify_parts(None, cam, "no such device"),
            Error::Device(_)
        ));
    }
}
