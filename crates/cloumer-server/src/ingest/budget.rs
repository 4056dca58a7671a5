//! How much input a connection may hand to `rml_rtmp` before it must show progress
//! (issue 15 #2: keyless connections each sending one endless RTMP message held ~16 MiB).
//!
//! - Before an accepted publish: [`BEFORE_PUBLISH`] bytes in all. connect, createStream and
//!   publish are a few hundred bytes; a client that needs more is not an encoder.
//! - While publishing: [`PARTIAL_MESSAGE`] bytes without a delivered message. `rml_rtmp`
//!   assembles one message at a time (it cannot interleave chunk streams), so what it holds
//!   (its input buffer plus the partial message) never exceeds the bytes fed since it last
//!   delivered one. A keyframe at IVS's 8.5 Mbps is well under 2 MiB.

/// Input allowed before the publish is accepted.
pub(crate) const BEFORE_PUBLISH: usize = 64 * 1024;
/// Input allowed while publishing without a complete message.
pub(crate) const PARTIAL_MESSAGE: usize = 8 * 1024 * 1024;

#[derive(Debug, Default)]
pub(crate) struct InputBudget {
    before_publish: usize,
    since_message: usize,
}

impl InputBudget {
    /// Counts `n` more bytes about to be fed; `Err(reason)` when that is over the budget.
    pub fn spend(&mut self, n: usize, publishing: bool) -> Result<(), String> {
        self.since_message = self.since_message.saturating_add(n);
        if publishing {
            if self.since_message > PARTIAL_MESSAGE {
                return Err(format!(
                    "over {} MiB of input without a complete RTMP message",
                    PARTIAL_MESSAGE >> 20
                ));
            }
        } else {
            self.before_publish = self.before_publish.saturating_add(n);
            if self.before_publish > BEFORE_PUBLISH {
                return Err(format!(
                    "over {} KiB of input before publishing",
                    BEFORE_PUBLISH >> 10
                ));
            }
        }
        Ok(())
    }

    /// The session delivered a message: what it held is handed over.
    pub fn delivered(&mut self) {
        self.since_message = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyless_input_is_capped_in_total() {
        let mut budget = InputBudget::default();
        assert!(budget.spend(BEFORE_PUBLISH, false).is_ok());
        budget.delivered();
        assert!(budget.spend(1, false).is_err());
    }

    #[test]
    fn publishing_input_is_capped_between_messages() {
        let mut budget = InputBudget::default();
        for _ in 0..100 {
            assert!(budget.spend(PARTIAL_MESSAGE / 2, true).is_ok());
            budget.delivered();
        }
        assert!(budget.spend(PARTIAL_MESSAGE, true).is_ok());
        assert!(budget.spend(1, true).is_err());
    }
}
