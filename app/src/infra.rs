//! The production clock and randomness.

use basalt_ports::{Clock, Random};
use rand::RngExt;

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> i64 {
        chrono::Utc::now().timestamp_millis()
    }
}

/// The OS-seeded cryptographic generator (`rand::rng()`).
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl Random for OsRandom {
    fn index(&self, n: usize) -> usize {
        rand::rng().random_range(0..n.max(1))
    }
}
