//! A stand-in libsql server for tests: Hrana 3 over HTTP with JSON (`POST /v3/pipeline`,
//! `POST /v3/cursor`), the protocol libsql's remote mode speaks to sqld and Turso, served over
//! a local file on libsql's own engine. No real libsql server (sqld) can be installed from the
//! package registries this project uses; see the README for what this does and does not check.
//!
//! Each stream (baton) is one database connection, so interactive transactions work as on
//! sqld. The wire types are libsql-hrana's, the ones the client itself (de)serializes.
//! It runs on its own thread and runtime, so a test's runtime never waits on it.
#![allow(dead_code)]

use libsql_hrana::proto::{
    Batch, BatchCond, BatchResult, BatchStreamResp, CloseSqlStreamResp, CloseStreamResp, Col,
    CursorEntry, CursorReqBody, CursorRespBody, DescribeCol, DescribeParam, DescribeResult,
    DescribeStreamResp, Error as HranaError, ExecuteStreamResp, GetAutocommitStreamResp,
    PipelineReqBody, PipelineRespBody, Row as HranaRow, SequenceStreamResp, StepBeginEntry,
    StepEndEntry, StepErrorEntry, Stmt, StmtResult, StoreSqlStreamResp, StreamRequest,
    StreamResponse, StreamResult, Value as HranaValue,
};
use poem::http::StatusCode;
use poem::web::Data;
use poem::{EndpointExt, Request, Response, Route, handler, post};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A running stand-in server; stops when dropped.
pub struct HranaServer {
    pub url: String,
    pub token: String,
    pub path: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for HranaServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Stream {
    conn: libsql::Connection,
    sqls: HashMap<i32, String>,
}

struct State {
    db: libsql::Database,
    token: String,
    streams: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Stream>>>>,
    next: AtomicU64,
}

/// Starts a server over the database file `path`, requiring `token` as the bearer token.
pub fn start(path: &Path, token: &str) -> HranaServer {
    let (addr_tx, addr_rx) = std::sync::mpsc::channel::<SocketAddr>();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let db_path = path.to_owned();
    let tok = token.to_owned();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            // SAFETY: SQLite is built with SQLITE_THREADSAFE=1, whose default mode is the
            // serialized one libsql's assert checks; the assert itself would panic whenever
            // another driver in this test process initialised SQLite first.
            let db = unsafe { libsql::Builder::new_local(&db_path).skip_safety_assert(true) }
                .build()
                .await
                .expect("open stand-in db");
            let conn = db.connect().expect("connect");
            let mut r = conn
                .query("PRAGMA journal_mode = WAL", ())
                .await
                .expect("wal");
            while r.next().await.expect("wal row").is_some() {}
            let state = Arc::new(State {
                db,
                token: tok,
                streams: Mutex::new(HashMap::new()),
                next: AtomicU64::new(1),
            });
            let app = Route::new()
                .at("/v3/pipeline", post(pipeline))
                .at("/v3/cursor", post(cursor))
                .data(state);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            addr_tx
                .send(listener.local_addr().expect("addr"))
                .expect("send addr");
            let acceptor = poem::listener::TcpAcceptor::from_tokio(listener).expect("acceptor");
            let _ = poem::Server::new_with_acceptor(acceptor)
                .run_with_graceful_shutdown(
                    app,
                    async {
                        let _ = stop_rx.await;
                    },
                    Some(Duration::from_secs(1)),
                )
                .await;
        });
    });
    let addr = addr_rx.recv().expect("server address");
    HranaServer {
        url: format!("http://{addr}"),
        token: token.to_owned(),
        path: path.to_owned(),
        stop: Some(stop_tx),
        thread: Some(thread),
    }
}

fn authorized(state: &State, req: &Request) -> bool {
    let want = format!("Bearer {}", state.token);
    req.headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == want)
}

fn plain(status: StatusCode, msg: &str) -> Response {
    Response::builder().status(status).body(msg.to_owned())
}

/// The stream for a baton (a new one without), and the baton to hand back.
async fn stream_for(
    state: &State,
    baton: Option<String>,
) -> Result<(String, Arc<tokio::sync::Mutex<Stream>>), Response> {
    if let Some(b) = baton {
        let found = state.streams.lock().unwrap().get(&b).cloned();
        return found
            .map(|s| (b, s))
            .ok_or_else(|| plain(StatusCode::BAD_REQUEST, "unknown baton"));
    }
    let conn = state
        .db
        .connect()
        .map_err(|e| plain(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()))?;
    let _ = conn.busy_timeout(Duration::from_secs(10));
    let baton = format!("b{}", state.next.fetch_add(1, Ordering::SeqCst));
    let s = Arc::new(tokio::sync::Mutex::new(Stream {
        conn,
        sqls: HashMap::new(),
    }));
    state
        .streams
        .lock()
        .unwrap()
        .insert(baton.clone(), s.clone());
    Ok((baton, s))
}

/// Runs a request's statements off the runtime's workers: SQLite busy-waits on the calling
/// thread, and a blocked worker could hold the very request that releases the lock.
fn off_runtime(fut: impl std::future::Future<Output = Response>) -> Response {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(fut))
}

#[handler]
async fn pipeline(req: &Request, body: Vec<u8>, Data(state): Data<&Arc<State>>) -> Response {
    if !authorized(state, req) {
        return plain(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    off_runtime(run_pipeline(state, body))
}

async fn run_pipeline(state: &State, body: Vec<u8>) -> Response {
    let Ok(body) = serde_json::from_slice::<PipelineReqBody>(&body) else {
        return plain(StatusCode::BAD_REQUEST, "bad pipeline request");
    };
    let (baton, stream) = match stream_for(state, body.baton).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let mut s = stream.lock().await;
    let mut closed = false;
    let mut results = Vec::new();
    for r in body.requests {
        let res = match r {
            StreamRequest::Close(_) => {
                closed = true;
                Ok(StreamResponse::Close(CloseStreamResp {}))
            }
            StreamRequest::Execute(e) => exec_stmt(&s, &e.stmt)
                .await
                .map(|result| StreamResponse::Execute(ExecuteStreamResp { result })),
            StreamRequest::Batch(b) => Ok(StreamResponse::Batch(BatchStreamResp {
                result: run_batch(&s, &b.batch).await,
            })),
            StreamRequest::Sequence(q) => match sql_of(&s, q.sql, q.sql_id) {
                Ok(sql) => s
                    .conn
                    .execute_batch(&sql)
                    .await
                    .map(|_| StreamResponse::Sequence(SequenceStreamResp {}))
                    .map_err(error),
                Err(e) => Err(e),
            },
            StreamRequest::Describe(d) => match sql_of(&s, d.sql, d.sql_id) {
                Ok(sql) => describe(&s, &sql).await,
                Err(e) => Err(e),
            },
            StreamRequest::StoreSql(q) => {
                s.sqls.insert(q.sql_id, q.sql);
                Ok(StreamResponse::StoreSql(StoreSqlStreamResp {}))
            }
            StreamRequest::CloseSql(q) => {
                s.sqls.remove(&q.sql_id);
                Ok(StreamResponse::CloseSql(CloseSqlStreamResp {}))
            }
            StreamRequest::GetAutocommit(_) => {
                Ok(StreamResponse::GetAutocommit(GetAutocommitStreamResp {
                    is_autocommit: s.conn.is_autocommit(),
                }))
            }
            StreamRequest::None => Err(HranaError {
                message: "unknown request".into(),
                code: "UNKNOWN".into(),
            }),
        };
        results.push(match res {
            Ok(response) => StreamResult::Ok { response },
            Err(error) => StreamResult::Error { error },
        });
    }
    drop(s);
    let baton = finish(state, baton, closed);
    let resp = PipelineRespBody {
        baton,
        base_url: None,
        results,
    };
    json_response(serde_json::to_string(&resp).expect("json"))
}

#[handler]
async fn cursor(req: &Request, body: Vec<u8>, Data(state): Data<&Arc<State>>) -> Response {
    if !authorized(state, req) {
        return plain(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    off_runtime(run_cursor(state, body))
}

async fn run_cursor(state: &State, body: Vec<u8>) -> Response {
    let Ok(body) = serde_json::from_slice::<CursorReqBody>(&body) else {
        return plain(StatusCode::BAD_REQUEST, "bad cursor request");
    };
    let (baton, stream) = match stream_for(state, body.baton).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let s = stream.lock().await;
    let mut entries = Vec::new();
    let mut outcomes: Vec<Option<bool>> = Vec::new();
    for (i, step) in body.batch.steps.iter().enumerate() {
        let run = step
            .condition
            .as_ref()
            .is_none_or(|c| eval(c, &outcomes, &s.conn));
        if !run {
            outcomes.push(None);
            continue;
        }
        match exec_stmt(&s, &step.stmt).await {
            Ok(r) => {
                entries.push(CursorEntry::StepBegin(StepBeginEntry {
                    step: i as u32,
                    cols: r.cols.clone(),
                }));
                for row in r.rows {
                    entries.push(CursorEntry::Row { row });
                }
                entries.push(CursorEntry::StepEnd(StepEndEntry {
                    affected_row_count: r.affected_row_count,
                    last_insert_rowid: r.last_insert_rowid,
                }));
                outcomes.push(Some(true));
            }
            Err(error) => {
                entries.push(CursorEntry::StepError(StepErrorEntry {
                    step: i as u32,
                    error,
                }));
                outcomes.push(Some(false));
            }
        }
    }
    drop(s);
    let mut out = serde_json::to_string(&CursorRespBody {
        baton: finish(state, baton, false),
        base_url: None,
    })
    .expect("json");
    out.push('\n');
    for e in entries {
        out.push_str(&serde_json::to_string(&e).expect("json"));
        out.push('\n');
    }
    json_response(out)
}

fn json_response(body: String) -> Response {
    Response::builder()
        .header("content-type", "application/json")
        .body(body)
}

/// The baton to return: none when the stream was closed (its connection goes away).
fn finish(state: &State, baton: String, closed: bool) -> Option<String> {
    if closed {
        state.streams.lock().unwrap().remove(&baton);
        None
    } else {
        Some(baton)
    }
}

fn sql_of(s: &Stream, sql: Option<String>, id: Option<i32>) -> Result<String, HranaError> {
    match (sql, id) {
        (Some(sql), _) => Ok(sql),
        (None, Some(id)) => s.sqls.get(&id).cloned().ok_or_else(|| HranaError {
            message: format!("no stored SQL with id {id}"),
            code: "SQL_NOT_FOUND".into(),
        }),
        (None, None) => Err(HranaError {
            message: "no SQL".into(),
            code: "SQL_NO_STATEMENT".into(),
        }),
    }
}

fn error(e: libsql::Error) -> HranaError {
    // sqld's shape: a SQLite error code name and "SQLite error: <message>".
    match e {
        libsql::Error::SqliteFailure(code, msg) => HranaError {
            message: format!("SQLite error: {msg}"),
            code: match code & 0xff {
                19 => "SQLITE_CONSTRAINT",
                5 => "SQLITE_BUSY",
                _ => "SQLITE_ERROR",
            }
            .into(),
        },
        other => HranaError {
            message: other.to_string(),
            code: "SQLITE_ERROR".into(),
        },
    }
}

fn to_libsql(v: &HranaValue) -> libsql::Value {
    match v {
        HranaValue::None | HranaValue::Null => libsql::Value::Null,
        HranaValue::Integer { value } => libsql::Value::Integer(*value),
        HranaValue::Float { value } => libsql::Value::Real(*value),
        HranaValue::Text { value } => libsql::Value::Text(value.to_string()),
        HranaValue::Blob { value } => libsql::Value::Blob(value.to_vec()),
    }
}

fn to_hrana(v: libsql::Value) -> HranaValue {
    match v {
        libsql::Value::Null => HranaValue::Null,
        libsql::Value::Integer(value) => HranaValue::Integer { value },
        libsql::Value::Real(value) => HranaValue::Float { value },
        libsql::Value::Text(value) => HranaValue::Text {
            value: value.into(),
        },
        libsql::Value::Blob(value) => HranaValue::Blob {
            value: value.into(),
        },
    }
}

async fn exec_stmt(s: &Stream, stmt: &Stmt) -> Result<StmtResult, HranaError> {
    let sql = sql_of(s, stmt.sql.clone(), stmt.sql_id)?;
    let params = if stmt.named_args.is_empty() {
        libsql::params::Params::Positional(stmt.args.iter().map(to_libsql).collect())
    } else {
        libsql::params::Params::Named(
            stmt.named_args
                .iter()
                .map(|a| (a.name.clone(), to_libsql(&a.value)))
                .collect(),
        )
    };
    let before = s.conn.total_changes();
    let prepared = s.conn.prepare(&sql).await.map_err(error)?;
    let mut raw = prepared.query(params).await.map_err(error)?;
    let mut rows = Vec::new();
    let mut first = raw.next().await.map_err(error)?;
    // Columns are read after the first step: a statement prepared on a stale schema is
    // re-prepared by SQLite when it runs, and only then has the current columns (as sqld).
    let cols: Vec<Col> = prepared
        .columns()
        .iter()
        .map(|c| Col {
            name: Some(c.name().to_owned()),
            decltype: c.decl_type().map(str::to_owned),
        })
        .collect();
    while let Some(row) = first.take() {
        let values = (0..cols.len() as i32)
            .map(|i| row.get_value(i).map(to_hrana).map_err(error))
            .collect::<Result<Vec<_>, _>>()?;
        rows.push(HranaRow { values });
        first = raw.next().await.map_err(error)?;
    }
    let changed = s.conn.total_changes() != before;
    Ok(StmtResult {
        cols,
        rows: if stmt.want_rows.unwrap_or(true) {
            rows
        } else {
            Vec::new()
        },
        affected_row_count: if changed { s.conn.changes() } else { 0 },
        last_insert_rowid: Some(s.conn.last_insert_rowid()),
        replication_index: None,
        rows_read: 0,
        rows_written: 0,
        query_duration_ms: 0.0,
    })
}

async fn run_batch(s: &Stream, batch: &Batch) -> BatchResult {
    let mut result = BatchResult::default();
    let mut outcomes: Vec<Option<bool>> = Vec::new();
    for step in &batch.steps {
        let run = step
            .condition
            .as_ref()
            .is_none_or(|c| eval(c, &outcomes, &s.conn));
        if !run {
            result.step_results.push(None);
            result.step_errors.push(None);
            outcomes.push(None);
            continue;
        }
        match exec_stmt(s, &step.stmt).await {
            Ok(r) => {
                result.step_results.push(Some(r));
                result.step_errors.push(None);
                outcomes.push(Some(true));
            }
            Err(e) => {
                result.step_results.push(None);
                result.step_errors.push(Some(e));
                outcomes.push(Some(false));
            }
        }
    }
    result
}

fn eval(c: &BatchCond, outcomes: &[Option<bool>], conn: &libsql::Connection) -> bool {
    let at = |step: &u32| outcomes.get(*step as usize).copied().flatten();
    match c {
        BatchCond::None => true,
        BatchCond::Ok { step } => at(step) == Some(true),
        BatchCond::Error { step } => at(step) == Some(false),
        BatchCond::Not { cond } => !eval(cond, outcomes, conn),
        BatchCond::And(list) => list.conds.iter().all(|c| eval(c, outcomes, conn)),
        BatchCond::Or(list) => list.conds.iter().any(|c| eval(c, outcomes, conn)),
        BatchCond::IsAutocommit {} => conn.is_autocommit(),
    }
}

async fn describe(s: &Stream, sql: &str) -> Result<StreamResponse, HranaError> {
    let prepared = s.conn.prepare(sql).await.map_err(error)?;
    let cols = prepared
        .columns()
        .iter()
        .map(|c| DescribeCol {
            name: c.name().to_owned(),
            decltype: c.decl_type().map(str::to_owned),
        })
        .collect();
    let params = (1..=prepared.parameter_count())
        .map(|i| DescribeParam {
            name: prepared.parameter_name(i as i32).map(str::to_owned),
        })
        .collect();
    let head = sql.trim_start().to_ascii_uppercase();
    Ok(StreamResponse::Describe(DescribeStreamResp {
        result: DescribeResult {
            params,
            cols,
            is_explain: head.starts_with("EXPLAIN"),
            is_readonly: head.starts_with("SELECT") || head.starts_with("WITH"),
        },
    }))
}
