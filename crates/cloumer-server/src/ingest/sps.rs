//! Picture size from an FLV AVC sequence header (the SPS), so over-limit input is caught
//! even when the publisher sends no `onMetaData`. Hand-written: it reads a dozen
//! Exp-Golomb fields, and the available H.264 crates would pull a full parser for it.

/// `(width, height)` if `tag_body` is an AVC sequence header with a readable SPS.
pub(crate) fn avc_sequence_resolution(tag_body: &[u8]) -> Option<(u32, u32)> {
    // FLV video tag: codec 7 (AVC), packet type 0 (sequence header), 3 bytes CTS, then
    // the AVCDecoderConfigurationRecord.
    if tag_body.len() < 13 || tag_body[0] & 0x0f != 7 || tag_body[1] != 0 {
        return None;
    }
    let record = &tag_body[5..];
    if record[5] & 0x1f == 0 {
        return None;
    }
    let sps_len = usize::from(u16::from_be_bytes([record[6], record[7]]));
    let sps = record.get(8..8 + sps_len)?;
    parse_sps(&unescape(sps.get(1..)?))
}

/// Removes emulation-prevention bytes (00 00 03 -> 00 00).
fn unescape(nal: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(nal.len());
    let mut zeros = 0;
    for &b in nal {
        if zeros >= 2 && b == 3 {
            zeros = 0;
            continue;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        out.push(b);
    }
    out
}

struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Bits<'_> {
    fn bit(&mut self) -> Option<u32> {
        let byte = self.data.get(self.pos / 8)?;
        let bit = (byte >> (7 - self.pos % 8)) & 1;
        self.pos += 1;
        Some(u32::from(bit))
    }

    fn bits(&mut self, n: u32) -> Option<u32> {
        (0..n).try_fold(0u32, |acc, _| Some((acc << 1) | self.bit()?))
    }

    fn ue(&mut self) -> Option<u32> {
        let mut zeros = 0;
        while self.bit()? == 0 {
            zeros += 1;
            if zeros > 31 {
                return None;
            }
        }
        // zeros ≤ 31: at most 2^32 - 2, which fits.
        ((1u32 << zeros) - 1).checked_add(self.bits(zeros)?)
    }

    fn se(&mut self) -> Option<i64> {
        let k = i64::from(self.ue()?);
        Some(if k % 2 == 1 { (k + 1) / 2 } else { -(k / 2) })
    }
}

fn parse_sps(rbsp: &[u8]) -> Option<(u32, u32)> {
    let mut r = Bits { data: rbsp, pos: 0 };
    let profile = r.bits(8)?;
    r.bits(16)?; // constraint flags, level
    r.ue()?; // seq_parameter_set_id
    let mut chroma_format = 1;
    if matches!(
        profile,
        100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135
    ) {
        chroma_format = r.ue()?;
        if chroma_format == 3 {
            r.bit()?;
        }
        r.ue()?;
        r.ue()?;
        r.bit()?;
        if r.bit()? == 1 {
            return None; // scaling matrices: rare from live encoders; not parsed
        }
    }
    r.ue()?; // log2_max_frame_num_minus4
    match r.ue()? {
        0 => {
            r.ue()?;
        }
        1 => {
            r.bit()?;
            r.se()?;
            r.se()?;
            for _ in 0..r.ue()? {
                r.se()?;
            }
        }
        _ => {}
    }
    r.ue()?; // max_num_ref_frames
    r.bit()?;
    // Every size below comes from the publisher: checked arithmetic, so a crafted SPS is
    // "unreadable" (None) rather than an overflow.
    let width_mbs = r.ue()?.checked_add(1)?;
    let height_units = r.ue()?.checked_add(1)?;
    let frame_mbs_only = r.bit()?;
    if frame_mbs_only == 0 {
        r.bit()?;
    }
    r.bit()?;
    let field_factor = 2 - frame_mbs_only;
    let (mut crop_x, mut crop_y) = (0u32, 0u32);
    if r.bit()? == 1 {
        let (left, right, top, bottom) = (r.ue()?, r.ue()?, r.ue()?, r.ue()?);
        let (unit_x, unit_y) = match chroma_format {
            0 => (1, field_factor),
            1 => (2, 2 * field_factor),
            2 => (2, field_factor),
            _ => (1, field_factor),
        };
        crop_x = left.checked_add(right)?.checked_mul(unit_x)?;
        crop_y = top.checked_add(bottom)?.checked_mul(unit_y)?;
    }
    let width = width_mbs.checked_mul(16)?.checked_sub(crop_x)?;
    let height = height_units
        .checked_mul(16)?
        .checked_mul(field_factor)?
        .checked_sub(crop_y)?;
    Some((width, height))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes Exp-Golomb and plain fields MSB first.
    #[derive(Default)]
    struct Writer {
        bits: Vec<bool>,
    }

    impl Writer {
        fn bits(&mut self, value: u64, n: u32) -> &mut Self {
            for i in (0..n).rev() {
                self.bits.push(value >> i & 1 == 1);
            }
            self
        }
        fn ue(&mut self, value: u32) -> &mut Self {
            let v = u64::from(value) + 1;
            let len = 64 - v.leading_zeros();
            self.bits(0, len - 1).bits(v, len)
        }
        fn bytes(&self) -> Vec<u8> {
            self.bits
                .chunks(8)
                .map(|c| {
                    c.iter()
                        .enumerate()
                        .fold(0u8, |b, (i, &bit)| b | (u8::from(bit) << (7 - i)))
                })
                .collect()
        }
    }

    /// A baseline SPS with the given macroblock counts and crop.
    fn sps(width_mbs_minus1: u32, height_minus1: u32, crop: Option<[u32; 4]>) -> Vec<u8> {
        let mut w = Writer::default();
        w.bits(66, 8).bits(0, 16).ue(0).ue(0).ue(2).ue(1).bits(0, 1);
        w.ue(width_mbs_minus1)
            .ue(height_minus1)
            .bits(1, 1)
            .bits(1, 1);
        match crop {
            Some([l, r, t, b]) => {
                w.bits(1, 1).ue(l).ue(r).ue(t).ue(b);
            }
            None => {
                w.bits(0, 1);
            }
        }
        w.bits(0, 1).bits(1, 1); // no VUI, stop bit
        w.bytes()
    }

    #[test]
    fn reads_1080p() {
        // 120 x 68 macroblocks, cropped by 8 rows (4 units of 2) at the bottom.
        assert_eq!(
            parse_sps(&sps(119, 67, Some([0, 0, 0, 4]))),
            Some((1920, 1080))
        );
    }

    #[test]
    fn huge_or_overflowing_fields_are_unreadable_not_a_panic() {
        assert_eq!(parse_sps(&sps(u32::MAX - 1, 0, None)), None);
        assert_eq!(parse_sps(&sps(0, u32::MAX / 8, None)), None);
        assert_eq!(parse_sps(&sps(10, 10, Some([u32::MAX - 1, 5, 0, 0]))), None);
        assert_eq!(parse_sps(&sps(10, 10, Some([0, 0, u32::MAX / 2, 0]))), None);
        // Any bytes at all: an answer or None, never a panic.
        for byte in 0..=u8::MAX {
            let _ = parse_sps(&[byte; 64]);
        }
    }
}
