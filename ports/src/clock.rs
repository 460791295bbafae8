//! Time, injected so use cases and tests control it.

/// A source of the current time.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait Clock: Send + Sync {
    /// Now, as milliseconds since the Unix epoch (UTC).
    fn now_millis(&self) -> i64;
}
