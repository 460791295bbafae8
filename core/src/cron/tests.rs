use super::ticker::next_tick;
use super::*;
use std::sync::atomic::{AtomicUsize, Ordering};

struct FixedClock(i64);

impl Clock for FixedClock {
    fn now_millis(&self) -> i64 {
        self.0
    }
}

/// Tokio's (pausable) time, starting at `base`: paused tests jump through minutes at once.
struct TokioClock {
    base: DateTime<Utc>,
    start: tokio::time::Instant,
}

impl Clock for TokioClock {
    fn now_millis(&self) -> i64 {
        self.base.timestamp_millis() + self.start.elapsed().as_millis() as i64
    }
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("time").to_utc()
}

fn cron() -> Cron {
    Cron::new(Arc::new(FixedClock(0)))
}

async fn noop() {}

fn ids(jobs: &[Job]) -> Vec<&str> {
    jobs.iter().map(Job::id).collect()
}

fn listing(c: &Cron) -> Vec<(String, String)> {
    c.jobs()
        .iter()
        .map(|j| (j.id().to_owned(), j.expression().to_owned()))
        .collect()
}

fn counter() -> (
    Arc<AtomicUsize>,
    impl Fn() -> BoxedRun + Send + Sync + 'static,
) {
    let runs = Arc::new(AtomicUsize::new(0));
    let seen = runs.clone();
    let job = move || -> BoxedRun {
        let seen = seen.clone();
        Box::pin(async move {
            seen.fetch_add(1, Ordering::SeqCst);
        })
    };
    (runs, job)
}

type BoxedRun = std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;

#[test]
fn add_replaces_and_remove_removes() {
    let c = cron();
    c.add("a", "* * * * *", noop).expect("a");
    c.add("b", "@hourly", noop).expect("b");
    c.add("a", "0 0 * * *", noop).expect("a again");
    assert_eq!(c.total(), 2);
    assert_eq!(
        listing(&c),
        [
            ("a".into(), "0 0 * * *".into()),
            ("b".into(), "0 * * * *".into())
        ]
    );
    c.remove("a");
    c.remove("missing");
    assert_eq!(ids(&c.jobs()), ["b"]);
    c.remove_all();
    assert_eq!(c.total(), 0);
}

#[test]
fn an_invalid_expression_is_an_error_and_changes_nothing() {
    let c = cron();
    c.add("a", "* * * * *", noop).expect("a");
    let err = c.add("a", "* * * *", noop).expect_err("4 fields");
    assert_eq!(err.expression, "* * * *");
    assert_eq!(listing(&c), [("a".into(), "* * * * *".into())]);
    assert!(c.add("b", "@every 5m", noop).is_err());
    assert_eq!(c.total(), 1);
}

#[test]
fn jobs_are_listed_as_pocketbase_lists_them() {
    let c = cron();
    for id in [
        "__pbZ__", "zeta", "__pbA__", "alpha", "Beta", "__pbM__", "mid",
    ] {
        c.add(id, "* * * * *", noop).expect(id);
    }
    // The user's jobs by id (bytewise), then the system ones in registration order.
    assert_eq!(
        ids(&c.jobs()),
        [
            "Beta", "alpha", "mid", "zeta", "__pbZ__", "__pbA__", "__pbM__"
        ]
    );
    // Re-adding a system job moves it to the end of the registration order.
    c.add("__pbZ__", "@daily", noop).expect("again");
    assert_eq!(
        ids(&c.jobs()),
        [
            "Beta", "alpha", "mid", "zeta", "__pbA__", "__pbM__", "__pbZ__"
        ]
    );
}

#[test]
fn jobs_serialize_as_id_and_expression() {
    let c = cron();
    c.add("x", "@weekly", noop).expect("x");
    assert_eq!(
        serde_json::to_value(c.jobs()).expect("json"),
        serde_json::json!([{"id": "x", "expression": "0 0 * * 0"}])
    );
}

#[test]
fn which_jobs_are_due_at_a_time() {
    let c = cron();
    for (id, expr) in [
        ("every-minute", "* * * * *"),
        ("every-5", "*/5 * * * *"),
        ("hourly", "@hourly"),
        ("midnight", "0 0 * * *"),
        ("weekdays-9", "0 9 * * 1-5"),
        ("first-of-month", "30 12 1 * *"),
    ] {
        c.add(id, expr, noop).expect(id);
    }
    let jobs = read(&c.inner.jobs).clone();
    let due = |time: &str| {
        due_jobs(&jobs, at(time), utc())
            .iter()
            .map(|j| j.id().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        due("2024-03-15T00:00:00Z"),
        ["every-minute", "every-5", "hourly", "midnight"]
    );
    assert_eq!(due("2024-03-15T00:00:59.999Z"), due("2024-03-15T00:00:00Z"));
    assert_eq!(due("2024-03-15T00:01:00Z"), ["every-minute"]);
    assert_eq!(due("2024-03-15T13:25:00Z"), ["every-minute", "every-5"]);
    assert_eq!(
        due("2024-03-15T09:00:00Z"), // a Friday
        ["every-minute", "every-5", "hourly", "weekdays-9"]
    );
    assert_eq!(
        due("2024-03-16T09:00:00Z"), // a Saturday
        ["every-minute", "every-5", "hourly"]
    );
    assert_eq!(
        due("2024-06-01T12:30:00Z"),
        ["every-minute", "every-5", "first-of-month"]
    );
    // In UTC+2, 07:00 UTC on a Monday is 09:00 local.
    let plus2 = FixedOffset::east_opt(2 * 3600).expect("offset");
    let local: Vec<_> = due_jobs(&jobs, at("2024-03-18T07:00:00Z"), plus2)
        .iter()
        .map(|j| j.id().to_owned())
        .collect();
    assert_eq!(local, ["every-minute", "every-5", "hourly", "weekdays-9"]);
}

#[test]
fn ticks_fall_on_the_next_minute_and_never_repeat_one() {
    assert_eq!(
        next_tick(at("2024-03-15T10:07:42.500Z"), None),
        at("2024-03-15T10:08:00Z")
    );
    assert_eq!(
        next_tick(at("2024-03-15T10:08:00Z"), None),
        at("2024-03-15T10:09:00Z")
    );
    assert_eq!(
        next_tick(at("2024-03-15T23:59:59.999Z"), None),
        at("2024-03-16T00:00:00Z")
    );
    // Woken a little early for 10:08: the next tick is 10:09, not 10:08 again.
    assert_eq!(
        next_tick(
            at("2024-03-15T10:07:59.990Z"),
            Some(at("2024-03-15T10:08:00Z"))
        ),
        at("2024-03-15T10:09:00Z")
    );
    // Late (the machine slept): the next minute of the clock, skipping the missed ones.
    assert_eq!(
        next_tick(at("2024-03-15T10:12:03Z"), Some(at("2024-03-15T10:08:00Z"))),
        at("2024-03-15T10:13:00Z")
    );
}

#[tokio::test]
async fn run_runs_a_job_now_and_due_runs_only_due_ones() {
    let c = cron();
    let (runs, job) = counter();
    c.add("five", "*/5 * * * *", job).expect("add");
    c.run("five").expect("job").await.expect("run");
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert!(c.run("missing").is_none());
    for h in c.run_due(at("2024-03-15T10:05:00Z")) {
        h.await.expect("run");
    }
    assert_eq!(runs.load(Ordering::SeqCst), 2);
    assert!(c.run_due(at("2024-03-15T10:06:00Z")).is_empty());
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_panicking_job_is_caught() {
    let c = cron();
    c.add("boom", "* * * * *", || async { panic!("boom") })
        .expect("boom");
    // A closure that panics before returning its future is caught too.
    c.add("sync-boom", "* * * * *", || -> BoxedRun {
        panic!("sync boom")
    })
    .expect("sync-boom");
    let (runs, job) = counter();
    c.add("ok", "* * * * *", job).expect("ok");
    for round in 1..=2 {
        let handles = c.run_due(at("2024-03-15T10:05:00Z"));
        assert_eq!(handles.len(), 3);
        for h in handles {
            h.await.expect("the task itself does not panic");
        }
        assert_eq!(runs.load(Ordering::SeqCst), round);
    }
}

#[tokio::test(start_paused = true)]
async fn the_ticker_runs_due_jobs_at_each_minute() {
    let clock = Arc::new(TokioClock {
        base: at("2024-03-15T10:03:30Z"),
        start: tokio::time::Instant::now(),
    });
    let c = Cron::new(clock.clone());
    let (every, job) = counter();
    c.add("every", "* * * * *", job).expect("every");
    let (fifth, job) = counter();
    c.add("fifth", "*/5 * * * *", job).expect("fifth");
    assert!(!c.has_started());
    c.start();
    assert!(c.has_started());

    // 10:03:30 → ticks at 10:04, 10:05, ..., 10:10 (7 ticks; 10:05 and 10:10 are fifths).
    tokio::time::sleep(std::time::Duration::from_secs(6 * 60 + 45)).await;
    tokio::task::yield_now().await;
    assert_eq!(every.load(Ordering::SeqCst), 7);
    assert_eq!(fifth.load(Ordering::SeqCst), 2);

    c.stop();
    assert!(!c.has_started());
    tokio::time::sleep(std::time::Duration::from_secs(10 * 60)).await;
    assert_eq!(every.load(Ordering::SeqCst), 7);

    // Restarting resumes at the next minute.
    c.start();
    c.start();
    tokio::time::sleep(std::time::Duration::from_secs(61)).await;
    tokio::task::yield_now().await;
    assert_eq!(every.load(Ordering::SeqCst), 8);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_scheduler_stops_ticking() {
    let clock = Arc::new(TokioClock {
        base: at("2024-03-15T10:03:30Z"),
        start: tokio::time::Instant::now(),
    });
    let c = Cron::new(clock);
    let (every, job) = counter();
    c.add("every", "* * * * *", job).expect("every");
    c.start();
    tokio::time::sleep(std::time::Duration::from_secs(31)).await;
    tokio::task::yield_now().await;
    assert_eq!(every.load(Ordering::SeqCst), 1);
    drop(c);
    tokio::time::sleep(std::time::Duration::from_secs(5 * 60)).await;
    assert_eq!(every.load(Ordering::SeqCst), 1);
}
