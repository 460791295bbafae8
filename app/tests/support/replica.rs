//! A stand-in primary for libsql's embedded replicas: the two gRPC(-web) services a replica
//! talks to — `wal_log.ReplicationLog` (hello, batch_log_entries: WAL frames) and
//! `proxy.Proxy` (execute, describe: delegated writes) — served with the generated tonic
//! servers from libsql_replication, over a local file on libsql's engine.
//!
//! sqld ships its primary's WAL frames; this stand-in keeps the primary in rollback-journal
//! mode and, after each write, turns the pages that changed in the file into frames (the last
//! one marks the commit with the database size), so frame numbers only grow and every frame a
//! replica applies is a real page of the primary. Not covered: snapshots, log compaction,
//! generations, namespaces, auth (the token is accepted, not checked), TLS.
#![allow(dead_code)]

use libsql_replication::frame::{Frame as WalFrame, FrameHeader};
use libsql_replication::rpc::proxy::proxy_server::{Proxy, ProxyServer};
use libsql_replication::rpc::proxy::{
    Ack, Column, Cond, DescribeRequest, DescribeResult, Description, DisconnectMessage, ExecReq,
    ExecResp, ExecuteResults, ProgramReq, QueryResult, ResultRows, Row, State, Value, cond,
    describe_result, error::ErrorCode, query, query_result,
};
use libsql_replication::rpc::replication::replication_log_server::{
    ReplicationLog, ReplicationLogServer,
};
use libsql_replication::rpc::replication::{Frame, Frames, HelloRequest, HelloResponse, LogOffset};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tonic::{Request, Response, Status};

const PAGE: usize = 4096;
const LOG_ID: &str = "8a7c3a57-0000-4000-8000-000000000001";
const GENERATION: &str = "8a7c3a57-0000-4000-8000-000000000002";
const SESSION: &str = "8a7c3a57-0000-4000-8000-000000000003";

/// A running stand-in primary; stops when dropped.
pub struct ReplicaPrimary {
    pub url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for ReplicaPrimary {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Log {
    frames: Vec<bytes::Bytes>,
    /// The file's pages as of the last frame.
    pages: Vec<Vec<u8>>,
}

struct Primary {
    db: libsql::Database,
    path: PathBuf,
    clients: Mutex<HashMap<String, libsql::Connection>>,
    log: Mutex<Log>,
}

/// Starts a primary over the database file `path`.
pub fn start(path: &Path) -> ReplicaPrimary {
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let path = path.to_owned();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            // SAFETY: see support/hrana.rs (SQLite is serialized by default here).
            let db = unsafe { libsql::Builder::new_local(&path).skip_safety_assert(true) }
                .build()
                .await
                .expect("open primary");
            let primary = Arc::new(Primary {
                db,
                path,
                clients: Mutex::new(HashMap::new()),
                log: Mutex::new(Log {
                    frames: Vec::new(),
                    pages: Vec::new(),
                }),
            });
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            addr_tx
                .send(listener.local_addr().expect("addr"))
                .expect("send addr");
            let incoming = futures_util::stream::unfold(listener, |l| async move {
                Some((l.accept().await.map(|(s, _)| s), l))
            });
            let _ = tonic::transport::Server::builder()
                .accept_http1(true)
                .add_service(tonic_web::enable(ReplicationLogServer::new(Svc(
                    primary.clone()
                ))))
                .add_service(tonic_web::enable(ProxyServer::new(Svc(primary))))
                .serve_with_incoming_shutdown(incoming, async {
                    let _ = stop_rx.await;
                })
                .await;
        });
    });
    let addr: std::net::SocketAddr = addr_rx.recv().expect("primary address");
    ReplicaPrimary {
        url: format!("http://{addr}"),
        stop: Some(stop_tx),
        thread: Some(thread),
    }
}

struct Svc(Arc<Primary>);

impl Primary {
    /// Appends a frame for every page of the file that changed since the last call.
    fn capture(&self) {
        let bytes = std::fs::read(&self.path).unwrap_or_default();
        let pages: Vec<Vec<u8>> = bytes.chunks(PAGE).map(<[u8]>::to_vec).collect();
        let mut log = self.log.lock().unwrap();
        let changed: Vec<usize> = (0..pages.len())
            .filter(|&i| log.pages.get(i) != Some(&pages[i]))
            .collect();
        for (n, &i) in changed.iter().enumerate() {
            let last = n + 1 == changed.len();
            let header = FrameHeader {
                frame_no: (log.frames.len() as u64).into(),
                checksum: 0.into(),
                page_no: (i as u32 + 1).into(),
                size_after: (if last { pages.len() as u32 } else { 0 }).into(),
            };
            let frame = WalFrame::from_parts(&header, &pages[i]);
            log.frames.push(frame.bytes());
        }
        log.pages = pages;
    }

    fn last_frame_no(&self) -> Option<u64> {
        (self.log.lock().unwrap().frames.len() as u64).checked_sub(1)
    }

    /// The connection of a replica's client id (its transaction state lives there).
    fn client(&self, id: &str) -> libsql::Result<libsql::Connection> {
        let mut clients = self.clients.lock().unwrap();
        if let Some(c) = clients.get(id) {
            return Ok(c.clone());
        }
        let c = self.db.connect()?;
        let _ = c.busy_timeout(Duration::from_secs(10));
        clients.insert(id.to_owned(), c.clone());
        Ok(c)
    }
}

/// Statements busy-wait on the calling thread: keep them off the runtime's workers.
fn blocking<T>(fut: impl std::future::Future<Output = T>) -> T {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(fut))
}

#[derive(serde::Serialize, serde::Deserialize)]
enum Wire {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

fn decode(v: &Value) -> libsql::Value {
    match bincode::deserialize::<Wire>(&v.data) {
        Ok(Wire::Integer(i)) => libsql::Value::Integer(i),
        Ok(Wire::Real(f)) => libsql::Value::Real(f),
        Ok(Wire::Text(s)) => libsql::Value::Text(s),
        Ok(Wire::Blob(b)) => libsql::Value::Blob(b),
        Ok(Wire::Null) | Err(_) => libsql::Value::Null,
    }
}

fn encode(v: libsql::Value) -> Value {
    let w = match v {
        libsql::Value::Null => Wire::Null,
        libsql::Value::Integer(i) => Wire::Integer(i),
        libsql::Value::Real(f) => Wire::Real(f),
        libsql::Value::Text(s) => Wire::Text(s),
        libsql::Value::Blob(b) => Wire::Blob(b),
    };
    Value {
        data: bincode::serialize(&w).expect("bincode"),
    }
}

fn sql_error(e: libsql::Error) -> libsql_replication::rpc::proxy::Error {
    let (extended_code, message) = match e {
        libsql::Error::SqliteFailure(code, msg) => (code, msg),
        other => (1, other.to_string()),
    };
    libsql_replication::rpc::proxy::Error {
        code: ErrorCode::SqlError as i32,
        message,
        extended_code,
    }
}

async fn run_query(
    conn: &libsql::Connection,
    q: &libsql_replication::rpc::proxy::Query,
) -> Result<ResultRows, libsql_replication::rpc::proxy::Error> {
    let params = match &q.params {
        Some(query::Params::Named(n)) => libsql::params::Params::Named(
            n.names
                .iter()
                .cloned()
                .zip(n.values.iter().map(decode))
                .collect(),
        ),
        Some(query::Params::Positional(p)) => {
            libsql::params::Params::Positional(p.values.iter().map(decode).collect())
        }
        None => libsql::params::Params::None,
    };
    let before = conn.total_changes();
    let stmt = conn.prepare(&q.stmt).await.map_err(sql_error)?;
    let cols: Vec<Column> = stmt
        .columns()
        .iter()
        .map(|c| Column {
            name: c.name().to_owned(),
            decltype: c.decl_type().map(str::to_owned),
        })
        .collect();
    let mut raw = stmt.query(params).await.map_err(sql_error)?;
    let mut rows = Vec::new();
    while let Some(r) = raw.next().await.map_err(sql_error)? {
        let values = (0..cols.len() as i32)
            .map(|i| r.get_value(i).map(encode).map_err(sql_error))
            .collect::<Result<Vec<_>, _>>()?;
        rows.push(Row { values });
    }
    let changed = conn.total_changes() != before;
    Ok(ResultRows {
        column_descriptions: cols,
        rows: if q.skip_rows { Vec::new() } else { rows },
        affected_row_count: if changed { conn.changes() } else { 0 },
        last_insert_rowid: Some(conn.last_insert_rowid()),
    })
}

fn eval(c: &Cond, outcomes: &[Option<bool>], conn: &libsql::Connection) -> bool {
    let at = |step: i64| outcomes.get(step as usize).copied().flatten();
    match &c.cond {
        None => true,
        Some(cond::Cond::Ok(o)) => at(o.step) == Some(true),
        Some(cond::Cond::Err(e)) => at(e.step) == Some(false),
        Some(cond::Cond::Not(n)) => !n.cond.as_ref().is_some_and(|c| eval(c, outcomes, conn)),
        Some(cond::Cond::And(a)) => a.conds.iter().all(|c| eval(c, outcomes, conn)),
        Some(cond::Cond::Or(o)) => o.conds.iter().any(|c| eval(c, outcomes, conn)),
        Some(cond::Cond::IsAutocommit(_)) => conn.is_autocommit(),
    }
}

#[tonic::async_trait]
impl ReplicationLog for Svc {
    async fn hello(&self, _req: Request<HelloRequest>) -> Result<Response<HelloResponse>, Status> {
        Ok(Response::new(HelloResponse {
            generation_id: GENERATION.into(),
            generation_start_index: 0,
            log_id: LOG_ID.into(),
            session_token: bytes::Bytes::from_static(SESSION.as_bytes()),
            current_replication_index: self.0.last_frame_no(),
            config: None,
        }))
    }

    type LogEntriesStream =
        Pin<Box<dyn futures_util::Stream<Item = Result<Frame, Status>> + Send + 'static>>;

    async fn log_entries(
        &self,
        _req: Request<LogOffset>,
    ) -> Result<Response<Self::LogEntriesStream>, Status> {
        Err(Status::unimplemented("log_entries"))
    }

    async fn batch_log_entries(&self, req: Request<LogOffset>) -> Result<Response<Frames>, Status> {
        let from = req.into_inner().next_offset as usize;
        let log = self.0.log.lock().unwrap();
        let frames = log
            .frames
            .iter()
            .skip(from)
            .map(|data| Frame {
                data: data.clone(),
                timestamp: None,
                durable_frame_no: None,
            })
            .collect();
        Ok(Response::new(Frames { frames }))
    }

    type SnapshotStream =
        Pin<Box<dyn futures_util::Stream<Item = Result<Frame, Status>> + Send + 'static>>;

    async fn snapshot(
        &self,
        _req: Request<LogOffset>,
    ) -> Result<Response<Self::SnapshotStream>, Status> {
        Err(Status::unimplemented("snapshot"))
    }
}

#[tonic::async_trait]
impl Proxy for Svc {
    type StreamExecStream =
        Pin<Box<dyn futures_util::Stream<Item = Result<ExecResp, Status>> + Send + 'static>>;

    async fn stream_exec(
        &self,
        _req: Request<tonic::Streaming<ExecReq>>,
    ) -> Result<Response<Self::StreamExecStream>, Status> {
        Err(Status::unimplemented("stream_exec"))
    }

    async fn execute(&self, req: Request<ProgramReq>) -> Result<Response<ExecuteResults>, Status> {
        let req = req.into_inner();
        let conn = self
            .0
            .client(&req.client_id)
            .map_err(|e| Status::internal(e.to_string()))?;
        let steps = req.pgm.map(|p| p.steps).unwrap_or_default();
        let (results, autocommit) = blocking(async {
            let mut results = Vec::new();
            let mut outcomes = Vec::new();
            for step in &steps {
                let run = step.cond.as_ref().is_none_or(|c| eval(c, &outcomes, &conn));
                let Some(q) = step.query.as_ref().filter(|_| run) else {
                    results.push(QueryResult { row_result: None });
                    outcomes.push(None);
                    continue;
                };
                let res = run_query(&conn, q).await;
                outcomes.push(Some(res.is_ok()));
                results.push(QueryResult {
                    row_result: Some(match res {
                        Ok(rows) => query_result::RowResult::Row(rows),
                        Err(e) => query_result::RowResult::Error(e),
                    }),
                });
            }
            (results, conn.is_autocommit())
        });
        if autocommit {
            self.0.capture();
        }
        Ok(Response::new(ExecuteResults {
            results,
            state: if autocommit { State::Init } else { State::Txn } as i32,
            current_frame_no: self.0.last_frame_no(),
        }))
    }

    async fn describe(
        &self,
        req: Request<DescribeRequest>,
    ) -> Result<Response<DescribeResult>, Status> {
        let req = req.into_inner();
        let conn = self
            .0
            .client(&req.client_id)
            .map_err(|e| Status::internal(e.to_string()))?;
        let result = blocking(async {
            match conn.prepare(&req.stmt).await {
                Ok(stmt) => describe_result::DescribeResult::Description(Description {
                    column_descriptions: stmt
                        .columns()
                        .iter()
                        .map(|c| Column {
                            name: c.name().to_owned(),
                            decltype: c.decl_type().map(str::to_owned),
                        })
                        .collect(),
                    param_names: (1..=stmt.parameter_count() as i32)
                        .map(|i| stmt.parameter_name(i).unwrap_or_default().to_owned())
                        .collect(),
                    param_count: stmt.parameter_count() as u64,
                }),
                Err(e) => describe_result::DescribeResult::Error(sql_error(e)),
            }
        });
        Ok(Response::new(DescribeResult {
            describe_result: Some(result),
        }))
    }

    async fn disconnect(&self, req: Request<DisconnectMessage>) -> Result<Response<Ack>, Status> {
        self.0
            .clients
            .lock()
            .unwrap()
            .remove(&req.into_inner().client_id);
        Ok(Response::new(Ack {}))
    }
}
