//! The ticker: wakes at the start of every minute of the injected clock and runs a tick.

use basalt_ports::Clock;
use chrono::{DateTime, Duration, DurationRound, Utc};
use std::sync::Arc;

/// When the tick after `now` is due: the start of the next minute, and never the same minute
/// twice (a wake-up slightly early must not tick the previous minute again).
pub(crate) fn next_tick(now: DateTime<Utc>, last: Option<DateTime<Utc>>) -> DateTime<Utc> {
    let minute = Duration::minutes(1);
    let next = now.duration_trunc(minute).unwrap_or(now) + minute;
    match last {
        Some(last) if last + minute > next => last + minute,
        _ => next,
    }
}

/// Ticks at the start of every minute until `tick` returns `None` (the scheduler is gone).
pub(crate) async fn run(
    clock: Arc<dyn Clock>,
    mut tick: impl FnMut(DateTime<Utc>) -> Option<usize> + Send,
) {
    let mut last = None;
    loop {
        let now = DateTime::from_timestamp_millis(clock.now_millis()).unwrap_or_default();
        let at = next_tick(now, last);
        tokio::time::sleep((at - now).to_std().unwrap_or_default()).await;
        match tick(at) {
            Some(started) => tracing::debug!(%at, started, "cron tick"),
            None => return,
        }
        last = Some(at);
    }
}
