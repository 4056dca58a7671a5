//! FLV framing of the RTMP payloads: RTMP audio/video messages are FLV tag bodies, so a
//! recording is the FLV header plus one tag per message. Written by hand because it is a
//! dozen lines of fixed framing (no muxing decisions), and the same bytes feed the HLS
//! pipeline's `flvdemux`.

pub const TAG_AUDIO: u8 = 8;
pub const TAG_VIDEO: u8 = 9;

/// The FLV file header (audio + video) and the first PreviousTagSize.
pub fn header() -> Vec<u8> {
    vec![b'F', b'L', b'V', 1, 0x05, 0, 0, 0, 9, 0, 0, 0, 0]
}

/// One tag and its trailing PreviousTagSize.
pub fn tag(kind: u8, timestamp_ms: u32, body: &[u8]) -> Vec<u8> {
    let len = body.len() as u32;
    let mut out = Vec::with_capacity(body.len() + 15);
    out.push(kind);
    out.extend_from_slice(&len.to_be_bytes()[1..]);
    out.extend_from_slice(&timestamp_ms.to_be_bytes()[1..]);
    out.push((timestamp_ms >> 24) as u8);
    out.extend_from_slice(&[0, 0, 0]);
    out.extend_from_slice(body);
    out.extend_from_slice(&(len + 11).to_be_bytes());
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn tag_layout() {
        let t = super::tag(super::TAG_VIDEO, 0x0102_0304, b"ab");
        assert_eq!(t[..11], [9, 0, 0, 2, 0x02, 0x03, 0x04, 0x01, 0, 0, 0]);
        assert_eq!(&t[11..13], b"ab");
        assert_eq!(t[13..], [0, 0, 0, 13]);
    }
}
