//! What the sink pads let through to the current connection.
//!
//! A new connection must start on a video keyframe, and the sound must start with it: the
//! audio encoder runs ahead of a busy video encoder, so audio older than the keyframe can
//! still arrive after it. Passed on, the stream would open with sound and no picture (and
//! flvmux, which never lets FLV time go backwards, would restamp the late video).

/// What the sink pads do with buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Gate {
    /// No usable connection: drop everything (never block upstream).
    #[default]
    Closed,
    /// New connection: drop until a video keyframe, then open.
    AwaitKeyframe,
    /// Passing; audio that ends before `start` (the first keyframe's running time) is still
    /// dropped.
    Open { start: Option<gst::ClockTime> },
}

/// One buffer at a sink pad, as far as the gate is concerned.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Arrival {
    pub is_video: bool,
    pub keyframe: bool,
    /// Running time of the buffer's start and end (`None` when it has no timestamp).
    pub start: Option<gst::ClockTime>,
    pub end: Option<gst::ClockTime>,
}

impl Gate {
    /// Whether `buffer` goes to the connection; the first video keyframe opens the gate.
    pub(crate) fn admit(&mut self, buffer: Arrival) -> bool {
        match *self {
            Gate::Closed => false,
            Gate::AwaitKeyframe if buffer.is_video && buffer.keyframe => {
                *self = Gate::Open {
                    start: buffer.start,
                };
                true
            }
            Gate::AwaitKeyframe => false,
            Gate::Open { .. } if buffer.is_video => true,
            Gate::Open { start } => match (start, buffer.end) {
                (Some(start), Some(end)) => end > start,
                _ => true,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(ms: u64) -> Option<gst::ClockTime> {
        Some(gst::ClockTime::from_mseconds(ms))
    }

    fn video(at: u64, keyframe: bool) -> Arrival {
        Arrival {
            is_video: true,
            keyframe,
            start: ms(at),
            end: ms(at + 33),
        }
    }

    fn audio(at: u64) -> Arrival {
        Arrival {
            is_video: false,
            keyframe: true,
            start: ms(at),
            end: ms(at + 21),
        }
    }

    #[test]
    fn a_new_connection_opens_on_a_video_keyframe() {
        let mut gate = Gate::AwaitKeyframe;
        assert!(!gate.admit(audio(0)));
        assert!(!gate.admit(video(0, false)));
        assert!(gate.admit(video(33, true)));
        assert_eq!(gate, Gate::Open { start: ms(33) });
        assert!(gate.admit(video(66, false)));
    }

    #[test]
    fn late_audio_older_than_the_keyframe_is_dropped() {
        let mut gate = Gate::AwaitKeyframe;
        assert!(gate.admit(video(224, true)));
        assert!(!gate.admit(audio(0)));
        assert!(!gate.admit(audio(200)));
        // The frame that holds the keyframe's instant starts the sound.
        assert!(gate.admit(audio(210)));
        assert!(gate.admit(audio(231)));
    }

    #[test]
    fn untimed_buffers_pass_once_open_and_nothing_passes_closed() {
        let mut gate = Gate::Open { start: None };
        assert!(gate.admit(audio(0)));
        let mut gate = Gate::Open { start: ms(100) };
        let untimed = Arrival {
            start: None,
            end: None,
            ..audio(0)
        };
        assert!(gate.admit(untimed));
        let mut gate = Gate::Closed;
        assert!(!gate.admit(video(0, true)));
        assert!(!gate.admit(audio(0)));
    }
}
