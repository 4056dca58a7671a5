//! A warning that an attacker can trigger thousands of times a second is logged at most once
//! a second, with how many times it happened (issue 15 #2: 276 MiB of stderr in 10 s).

use std::time::{Duration, Instant};

#[derive(Debug, Default)]
pub(crate) struct ThrottledLog {
    last: Option<Instant>,
    /// Occurrences since the last line.
    count: u64,
}

impl ThrottledLog {
    const EVERY: Duration = Duration::from_secs(1);

    /// Counts one occurrence; `Some(n)` when a line is due, `n` occurrences since the last.
    pub fn hit(&mut self) -> Option<u64> {
        self.count += 1;
        let now = Instant::now();
        if self
            .last
            .is_some_and(|last| now.duration_since(last) < Self::EVERY)
        {
            return None;
        }
        self.last = Some(now);
        Some(std::mem::take(&mut self.count))
    }
}

#[cfg(test)]
mod tests {
    use super::ThrottledLog;

    #[test]
    fn logs_the_first_then_at_most_once_a_second() {
        let mut log = ThrottledLog::default();
        assert_eq!(log.hit(), Some(1));
        assert!((0..10_000).all(|_| log.hit().is_none()));
    }
}
