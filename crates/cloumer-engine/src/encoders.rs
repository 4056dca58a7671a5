//! Which H.264 encoders work here (for `cloumer encoders` and the settings UI).

use serde::Serialize;

/// One H.264 encoder and whether it can be used on this machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EncoderInfo {
    /// `nvenc`, `va`, `vaapi` or `x264` (the values of `--encoder`).
    pub kind: String,
    /// The GStreamer element behind it.
    pub element: String,
    pub usable: bool,
    /// Why not, when not usable.
    pub reason: Option<String>,
}

/// Every H.264 encoder Cloumer knows, best first, each really tried (cached per process).
pub fn h264_encoders() -> crate::Result<Vec<EncoderInfo>> {
    crate::init()?;
    Ok(probe())
}

/// The GStreamer the engine runs on, e.g. "GStreamer 1.22.0" (for diagnostics).
pub fn gstreamer_version() -> String {
    gst::version_string().to_string()
}

/// gst-plugins' probe really encodes a few frames with each candidate (cached per process).
fn probe() -> Vec<EncoderInfo> {
    gstcloumer::probe::h264_encoders()
        .into_iter()
        .map(|p| EncoderInfo {
            kind: p.kind.as_str().to_owned(),
            element: p.element.to_owned(),
            usable: p.usable,
            reason: p.reason,
        })
        .collect()
}
