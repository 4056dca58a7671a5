//! What a user of the server notices during an attack: the process's memory and how fast
//! a plain REST request is answered.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Requests `url` every `every` until stopped; returns each answer's latency.
pub struct LatencyProbe {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<Vec<Duration>>,
}

impl LatencyProbe {
    pub fn start(url: String, every: Duration) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let task = tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut latencies = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                let t = Instant::now();
                let ok = http
                    .get(&url)
                    .timeout(Duration::from_secs(10))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                // A failed request counts as the longest wait a user would give it.
                latencies.push(if ok {
                    t.elapsed()
                } else {
                    Duration::from_secs(10)
                });
                tokio::time::sleep(every).await;
            }
            latencies
        });
        Self { stop, task }
    }

    /// Stops probing; the latencies sorted, shortest first.
    pub async fn finish(self) -> Vec<Duration> {
        self.stop.store(true, Ordering::Relaxed);
        let mut latencies = self.task.await.expect("probe task");
        latencies.sort_unstable();
        latencies
    }
}

/// The `p` quantile (0..=1) of sorted `latencies`, in milliseconds.
pub fn quantile_ms(latencies: &[Duration], p: f64) -> f64 {
    let i = ((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1));
    latencies
        .get(i)
        .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
}
