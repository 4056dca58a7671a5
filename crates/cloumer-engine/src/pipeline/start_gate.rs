//! Starts the encoded picture and sound together.
//!
//! Live sources start at different moments: the X11 screen gives its first frame almost at
//! once, a PulseAudio source a few hundred milliseconds later on a busy machine, a camera
//! up to a second later. Without care the stream and the recording begin with a stretch of
//! picture without sound (or sound without picture). Like OBS, which trims an output's
//! first packets to a common start, the gate drops raw frames and raw audio in front of
//! the encoders until both have started, then lets through only what is not older than
//! the later of the two first buffers. Dropping before the encoders keeps the first
//! encoded frame a keyframe. Should one side never start, the other is let through after
//! [`MAX_WAIT`] rather than holding the broadcast back.
//!
//! The mixed audio itself starts at once, whatever the microphone does (its silence bed,
//! see `audio::mix`), so the gate trims only the few milliseconds between the canvas and
//! the mixer's first output: it never holds the picture back for a slow device.
//!
//! ```text
//!  canvas ─[gate: video]─ queue ─ h264 encoder ─ …
//!  mixed audio ─[gate: audio]─ queue ─ aac encoder ─ …
//! ```

use std::sync::{Arc, Mutex, PoisonError};

use gst::prelude::*;

/// How long one side waits (in its own timestamps) for the other before going on alone.
const MAX_WAIT: gst::ClockTime = gst::ClockTime::from_seconds(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Track {
    Video = 0,
    Audio = 1,
}

#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Drop,
    /// Let this buffer and everything after it through.
    Open,
}

/// The first running time seen on each track.
#[derive(Debug, Default)]
struct Starts([Option<gst::ClockTime>; 2]);

impl Starts {
    fn admit(&mut self, track: Track, running_time: gst::ClockTime) -> Verdict {
        let mine = *self.0[track as usize].get_or_insert(running_time);
        let other = self.0[1 - track as usize];
        match other {
            Some(other) if running_time >= mine.max(other) => Verdict::Open,
            Some(_) => Verdict::Drop,
            None if running_time.saturating_sub(mine) >= MAX_WAIT => Verdict::Open,
            None => Verdict::Drop,
        }
    }
}

/// One gate shared by the video and the audio encoder inputs of a pipeline.
#[derive(Debug, Clone, Default)]
pub(super) struct StartGate(Arc<Mutex<Starts>>);

impl StartGate {
    /// Holds `pad`'s buffers back until `track` may start; the probe removes itself then.
    pub(super) fn install(&self, pad: &gst::Pad, track: Track) {
        let starts = self.0.clone();
        pad.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
            let Some(running_time) = info.buffer().and_then(|b| running_time(pad, b)) else {
                return gst::PadProbeReturn::Ok;
            };
            let verdict = starts
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .admit(track, running_time);
            match verdict {
                // Consumed here and reported handled: `PadProbeReturn::Drop` logs a
                // GStreamer-CRITICAL per buffer on 1.22 (see the preview branch's gate).
                Verdict::Drop => {
                    drop(info.take_buffer());
                    gst::PadProbeReturn::Handled
                }
                Verdict::Open => {
                    tracing::debug!(?track, %running_time, "start gate open");
                    gst::PadProbeReturn::Remove
                }
            }
        });
    }
}

fn running_time(pad: &gst::Pad, buffer: &gst::BufferRef) -> Option<gst::ClockTime> {
    let pts = buffer.pts()?;
    let segment = pad.sticky_event::<gst::event::Segment>(0)?;
    segment
        .segment()
        .downcast_ref::<gst::ClockTime>()?
        .to_running_time(pts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> gst::ClockTime {
        gst::ClockTime::from_mseconds(n)
    }

    #[test]
    fn late_audio_trims_the_video_before_it() {
        let mut starts = Starts::default();
        assert_eq!(starts.admit(Track::Video, ms(0)), Verdict::Drop);
        assert_eq!(starts.admit(Track::Video, ms(100)), Verdict::Drop);
        assert_eq!(starts.admit(Track::Audio, ms(200)), Verdict::Open);
        assert_eq!(starts.admit(Track::Video, ms(166)), Verdict::Drop);
        assert_eq!(starts.admit(Track::Video, ms(200)), Verdict::Open);
    }

    #[test]
    fn late_video_trims_the_audio_before_it() {
        let mut starts = Starts::default();
        assert_eq!(starts.admit(Track::Audio, ms(0)), Verdict::Drop);
        assert_eq!(starts.admit(Track::Video, ms(700)), Verdict::Open);
        assert_eq!(starts.admit(Track::Audio, ms(690)), Verdict::Drop);
        assert_eq!(starts.admit(Track::Audio, ms(700)), Verdict::Open);
    }

    #[test]
    fn a_side_that_never_starts_holds_the_other_back_only_so_long() {
        let mut starts = Starts::default();
        assert_eq!(starts.admit(Track::Video, ms(50)), Verdict::Drop);
        assert_eq!(starts.admit(Track::Video, ms(2_000)), Verdict::Drop);
        assert_eq!(starts.admit(Track::Video, ms(2_050)), Verdict::Open);
    }
}
