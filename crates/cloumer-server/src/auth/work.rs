//! CPU-heavy auth work (argon2, SRP's 3072-bit exponentiations) off the async workers.
//! Run inline, eight clients guessing passwords made every other request wait seconds
//! (issue 15, #6). Here at most one job per core runs, on tokio's blocking threads, and
//! a bounded number wait: past that the caller is told to back off (Cognito's
//! TooManyRequestsException) instead of queueing without end.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Semaphore;

/// Jobs that may wait for a core, per core.
const WAITING_PER_CORE: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("too many sign-in computations queued")]
    Busy,
    #[error("an auth computation failed: {0}")]
    Failed(String),
}

pub struct CpuPool {
    cores: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
}

impl Default for CpuPool {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::new(cores, cores * WAITING_PER_CORE)
    }
}

/// One waiting job, counted until it gets its core (or its caller gives up).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl CpuPool {
    pub fn new(running: usize, max_waiting: usize) -> Self {
        Self {
            cores: Arc::new(Semaphore::new(running.max(1))),
            waiting: AtomicUsize::new(0),
            max_waiting,
        }
    }

    /// Runs `job` on a blocking thread once a core is free; `Busy` when too many wait.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Refused> {
        let permit = {
            if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.max_waiting {
                self.waiting.fetch_sub(1, Ordering::AcqRel);
                return Err(Refused::Busy);
            }
            let _waiting = Waiting(&self.waiting);
            self.cores
                .clone()
                .acquire_owned()
                .await
                .map_err(|_| Refused::Busy)?
        };
        // The permit moves into the job: the core is held until the work is done, even
        // when the request that asked for it has gone away.
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            job()
        })
        .await
        .map_err(|e| Refused::Failed(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn past_the_queue_bound_callers_are_refused_not_queued() {
        let pool = Arc::new(CpuPool::new(1, 2));
        let slow = || std::thread::sleep(Duration::from_millis(300));
        let mut jobs = Vec::new();
        for _ in 0..3 {
            let pool = pool.clone();
            jobs.push(tokio::spawn(async move { pool.run(slow).await }));
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        // One runs, two wait: a fourth is refused at once.
        let t = std::time::Instant::now();
        assert!(matches!(pool.run(slow).await, Err(Refused::Busy)));
        assert!(t.elapsed() < Duration::from_millis(100));
        for j in jobs {
            assert!(j.await.unwrap().is_ok());
        }
        assert!(pool.run(|| 7).await.is_ok_and(|v| v == 7), "usable again");
    }
}
