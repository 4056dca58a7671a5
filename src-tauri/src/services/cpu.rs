//! This process's CPU use, for the stats panel. Linux reads /proc/self/stat; elsewhere it
//! reports 0 (the engine's stats carry no CPU figure, and a crate for one number is not worth it).

use std::time::Instant;

pub struct CpuMeter {
    last: Option<(Instant, f64)>,
}

impl CpuMeter {
    pub fn new() -> Self {
        Self {
            last: process_cpu_secs().map(|c| (Instant::now(), c)),
        }
    }

    /// Percent of one core used since the previous call.
    pub fn sample(&mut self) -> f64 {
        let (Some(now_cpu), Some((then, then_cpu))) = (process_cpu_secs(), self.last) else {
            return 0.0;
        };
        let now = Instant::now();
        self.last = Some((now, now_cpu));
        let wall = now.duration_since(then).as_secs_f64();
        if wall <= 0.0 {
            0.0
        } else {
            100.0 * (now_cpu - then_cpu) / wall
        }
    }
}

fn process_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    // USER_HZ is 100 on every Linux architecture that ships today.
    Some((utime + stime) / 100.0)
}
