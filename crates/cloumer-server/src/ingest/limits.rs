//! IVS input limits per channel type (ivs-reference.md): resolution and bitrate.

use std::time::{Duration, Instant};

pub use crate::channel_type::ChannelType;

/// Measured bitrate may exceed the limit by this factor (encoder bursts, container bytes).
const BITRATE_TOLERANCE: f64 = 1.25;
/// Bitrate is judged over windows of this length.
const WINDOW: Duration = Duration::from_secs(5);

impl ChannelType {
    /// Largest accepted input: 1080p (either orientation) on every type.
    pub fn resolution_ok(self, width: u32, height: u32) -> bool {
        let (long, short) = (width.max(height), width.min(height));
        long <= 1920 && short <= 1080
    }

    /// Highest input bitrate in bits/s for a picture of `height` lines.
    pub fn max_bitrate(self, height: Option<u32>) -> u64 {
        match self {
            ChannelType::Basic if height.is_some_and(|h| h <= 480) => 1_500_000,
            ChannelType::Basic => 3_500_000,
            _ => 8_500_000,
        }
    }
}

/// Watches one publish for over-limit input.
pub(crate) struct LimitCheck {
    channel_type: ChannelType,
    height: Option<u32>,
    window_start: Instant,
    window_bytes: u64,
}

impl LimitCheck {
    pub fn new(channel_type: ChannelType) -> Self {
        Self {
            channel_type,
            height: None,
            window_start: Instant::now(),
            window_bytes: 0,
        }
    }

    /// Declared or parsed resolution; `Err` with the reason when over the limit.
    pub fn resolution(&mut self, width: u32, height: u32) -> Result<(), String> {
        self.height = Some(height.min(width));
        if self.channel_type.resolution_ok(width, height) {
            Ok(())
        } else {
            Err(format!("resolution {width}x{height} is above 1080p"))
        }
    }

    /// Counts received media bytes; `Err` once a full window is over the limit.
    pub fn bytes(&mut self, n: usize) -> Result<(), String> {
        self.window_bytes += n as u64;
        let elapsed = self.window_start.elapsed();
        if elapsed < WINDOW {
            return Ok(());
        }
        let bps = self.window_bytes as f64 * 8.0 / elapsed.as_secs_f64();
        let max = self.channel_type.max_bitrate(self.height);
        self.window_start = Instant::now();
        self.window_bytes = 0;
        if bps > max as f64 * BITRATE_TOLERANCE {
            Err(format!(
                "input bitrate {:.1} Mbps is above the {} limit of {:.1} Mbps",
                bps / 1e6,
                self.channel_type,
                max as f64 / 1e6
            ))
        } else {
            Ok(())
        }
    }
}
