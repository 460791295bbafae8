//! Randomness, injected so use cases and tests control it.

/// A cryptographically secure source of random numbers.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait Random: Send + Sync {
    /// A uniformly random index in `0..n` (`n > 0`).
    fn index(&self, n: usize) -> usize;
}
