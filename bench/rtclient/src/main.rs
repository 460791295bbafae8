//! The realtime benchmark's SSE client (driven by `bench/realtime.mjs`): N clients on one
//! thread, each a raw HTTP/1.1 connection to `GET /api/realtime`, subscribed to TOPIC as a
//! guest; for each `create` event it reads `"seq":` and `"sent":` (epoch ms) from the data and
//! records the delay. Commands on stdin, one per line, answers on stdout:
//!   `tokens T1 T2 …` → client i subscribes as the user of token i mod N (guests without)
//!   `connect K` → connects until K clients exist → `connected`
//!   (when every client has every record's event → `done`)
//!   `collect` → `{"type":"result",...}`;  `close` → `closed`, then exits.
//!
//! Usage: rtclient HOST PORT TOPIC CLIENTS RECORDS

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Wall-clock milliseconds since the Unix epoch (node's `performance.timeOrigin + now()`).
fn clock() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

struct Tally {
    records: usize,
    expected: usize,
    delivered: usize,
    duplicates: usize,
    reordered: usize,
    foreign: usize,
    disconnected: usize,
    delays: Vec<f64>,
    first: f64,
    last: f64,
    active: bool,
    done_sent: bool,
}

struct Config {
    host: String,
    port: u16,
    topic: String,
}

/// The position of `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A number right after `key` in `s`.
fn number_after(s: &[u8], key: &[u8]) -> Option<f64> {
    let i = find(s, key)? + key.len();
    let rest = &s[i..];
    let end = rest
        .iter()
        .position(|&c| !(c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'e' | b'+')))
        .unwrap_or(rest.len());
    std::str::from_utf8(&rest[..end]).ok()?.parse().ok()
}

/// One client's stream parser: response head, chunked body, SSE events. Works on bytes:
/// nothing is copied or converted per event beyond the de-chunking.
struct Stream {
    head_done: bool,
    raw: Vec<u8>,
    left: usize,
    /// De-chunked SSE text not yet dispatched.
    text: Vec<u8>,
    client_id: Option<String>,
    seen: Vec<bool>,
    max_seq: i64,
    ended: bool,
}

impl Stream {
    fn new(records: usize) -> Self {
        Self {
            head_done: false,
            raw: Vec::new(),
            left: 0,
            text: Vec::new(),
            client_id: None,
            seen: vec![false; records],
            max_seq: -1,
            ended: false,
        }
    }

    /// Feeds bytes read from the socket.
    fn feed(
        &mut self,
        bytes: &[u8],
        cfg: &Config,
        tally: &RefCell<Tally>,
        now: f64,
    ) -> Result<(), String> {
        let mut input = bytes;
        if !self.head_done {
            self.raw.extend_from_slice(bytes);
            let Some(i) = find(&self.raw, b"\r\n\r\n") else {
                return Ok(());
            };
            let head = String::from_utf8_lossy(&self.raw[..i]).to_string();
            if !head.starts_with("HTTP/1.1 200")
                || !head.to_ascii_lowercase().contains("text/event-stream")
            {
                return Err(format!(
                    "GET /api/realtime -> {}",
                    head.lines().next().unwrap_or("")
                ));
            }
            self.raw.drain(..i + 4);
            self.head_done = true;
            input = &[];
        }
        // de-chunk: chunk data goes straight from the read buffer to `text`; only partial
        // size lines wait in `raw`
        let owned;
        if !self.raw.is_empty() {
            self.raw.extend_from_slice(input);
            owned = std::mem::take(&mut self.raw);
            input = &owned;
        }
        let mut pos = 0;
        while pos < input.len() {
            if self.left > 0 {
                let take = self.left.min(input.len() - pos);
                self.text.extend_from_slice(&input[pos..pos + take]);
                pos += take;
                self.left -= take;
                continue;
            }
            let Some(j) = find(&input[pos..], b"\r\n") else {
                break;
            };
            let line = &input[pos..pos + j];
            pos += j + 2;
            if line.is_empty() {
                continue;
            }
            let size = std::str::from_utf8(line)
                .ok()
                .and_then(|l| usize::from_str_radix(l.trim(), 16).ok())
                .unwrap_or(0);
            if size == 0 {
                self.ended = true;
                break;
            }
            self.left = size;
        }
        self.raw.extend_from_slice(&input[pos..]);
        // SSE events
        let mut start = 0;
        while let Some(end) = find(&self.text[start..], b"\n\n") {
            let block = std::mem::take(&mut self.text);
            self.dispatch(&block[start..start + end], cfg, tally, now);
            self.text = block;
            start += end + 2;
        }
        self.text.drain(..start);
        Ok(())
    }

    fn dispatch(&mut self, block: &[u8], cfg: &Config, tally: &RefCell<Tally>, now: f64) {
        let mut event: &[u8] = b"message";
        let mut data = None;
        for line in block.split(|&b| b == b'\n') {
            if let Some(v) = line.strip_prefix(b"event:") {
                event = v.strip_prefix(b" ").unwrap_or(v);
            } else if let Some(v) = line.strip_prefix(b"data:") {
                data = Some(v.strip_prefix(b" ").unwrap_or(v));
            }
        }
        let Some(data) = data else { return };
        let mut t = tally.borrow_mut();
        if event == cfg.topic.as_bytes() && find(data, b"\"create\"").is_some() {
            let seq = number_after(data, b"\"seq\":")
                .map(|s| s as i64)
                .unwrap_or(-1);
            let sent = number_after(data, b"\"sent\":");
            let (Some(sent), true) = (sent, seq >= 0 && (seq as usize) < t.records) else {
                t.foreign += 1;
                return;
            };
            if std::mem::replace(&mut self.seen[seq as usize], true) {
                t.duplicates += 1;
                return;
            }
            if seq < self.max_seq {
                t.reordered += 1;
            } else {
                self.max_seq = seq;
            }
            t.delivered += 1;
            t.delays.push(now - sent);
            t.first = t.first.min(now);
            t.last = t.last.max(now);
        } else if event == b"PB_CONNECT" && self.client_id.is_none() {
            let data = String::from_utf8_lossy(data);
            self.client_id = data
                .split("\"clientId\":\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .map(str::to_owned);
        } else {
            t.foreign += 1;
        }
    }
}

/// `POST /api/realtime` subscribing `client_id` to the topic, on its own connection, as
/// the user of `token` (a guest without one).
async fn subscribe(cfg: &Config, client_id: &str, token: Option<&str>) -> Result<(), String> {
    let auth = token
        .map(|t| format!("Authorization: {t}\r\n"))
        .unwrap_or_default();
    let body = format!(
        r#"{{"clientId":"{client_id}","subscriptions":["{}"]}}"#,
        cfg.topic
    );
    let req = format!(
        "POST /api/realtime HTTP/1.1\r\nHost: {}:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{auth}Connection: close\r\n\r\n{body}",
        cfg.host,
        cfg.port,
        body.len()
    );
    let mut s = TcpStream::connect((cfg.host.as_str(), cfg.port))
        .await
        .map_err(|e| e.to_string())?;
    s.write_all(req.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).await.map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&resp);
    if text.starts_with("HTTP/1.1 204") {
        Ok(())
    } else {
        Err(format!(
            "POST /api/realtime -> {}",
            text.lines().next().unwrap_or("")
        ))
    }
}

/// Connects one client and subscribes it; then reads its events until the stream ends.
async fn client(
    cfg: Rc<Config>,
    tally: Rc<RefCell<Tally>>,
    token: Option<String>,
    ready: tokio::sync::oneshot::Sender<Result<(), String>>,
) {
    let records = tally.borrow().records;
    let mut st = Stream::new(records);
    let mut ready = Some(ready);
    let fail = |ready: &mut Option<tokio::sync::oneshot::Sender<Result<(), String>>>, e: String| {
        if let Some(r) = ready.take() {
            let _ = r.send(Err(e));
        }
    };
    let mut sock = match TcpStream::connect((cfg.host.as_str(), cfg.port)).await {
        Ok(s) => s,
        Err(e) => return fail(&mut ready, e.to_string()),
    };
    let _ = sock.set_nodelay(true);
    let req = format!(
        "GET /api/realtime HTTP/1.1\r\nHost: {}:{}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n",
        cfg.host, cfg.port
    );
    if let Err(e) = sock.write_all(req.as_bytes()).await {
        return fail(&mut ready, e.to_string());
    }
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match sock.read(&mut buf).await {
            Ok(0) | Err(_) => 0,
            Ok(n) => n,
        };
        if n == 0 {
            break;
        }
        let now = clock();
        if let Err(e) = st.feed(&buf[..n], &cfg, &tally, now) {
            return fail(&mut ready, e);
        }
        if ready.is_some()
            && let Some(id) = st.client_id.clone()
        {
            let r = subscribe(&cfg, &id, token.as_deref()).await;
            if let Some(tx) = ready.take() {
                let _ = tx.send(r);
            }
        }
        {
            let mut t = tally.borrow_mut();
            if t.active && !t.done_sent && t.delivered == t.expected {
                t.done_sent = true;
                println!("done");
            }
        }
        if st.ended {
            break;
        }
    }
    fail(&mut ready, "connection closed before PB_CONNECT".into());
    let mut t = tally.borrow_mut();
    if t.active {
        t.disconnected += 1;
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 5 {
        eprintln!("usage: rtclient HOST PORT TOPIC CLIENTS RECORDS");
        std::process::exit(2);
    }
    let cfg = Rc::new(Config {
        host: args[0].clone(),
        port: args[1].parse().expect("port"),
        topic: args[2].clone(),
    });
    let clients: usize = args[3].parse().expect("clients");
    let records: usize = args[4].parse().expect("records");
    let tally = Rc::new(RefCell::new(Tally {
        records,
        expected: clients * records,
        delivered: 0,
        duplicates: 0,
        reordered: 0,
        foreign: 0,
        disconnected: 0,
        delays: Vec::with_capacity(clients * records),
        first: f64::INFINITY,
        last: 0.0,
        active: false,
        done_sent: false,
    }));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async move {
        let mut lines = BufReader::new(tokio::io::stdin()).lines();
        let mut connected = 0usize;
        let mut tokens: Vec<String> = Vec::new();
        while let Ok(Some(line)) = lines.next_line().await {
            let mut words = line.split_whitespace();
            match words.next() {
                Some("connect") => {
                    let upto: usize = words.next().and_then(|w| w.parse().ok()).unwrap_or(clients).min(clients);
                    let mut pending = Vec::new();
                    while connected < upto {
                        let (tx, rx) = tokio::sync::oneshot::channel();
                        let token = (!tokens.is_empty()).then(|| tokens[connected % tokens.len()].clone());
                        tokio::task::spawn_local(client(cfg.clone(), tally.clone(), token, tx));
                        pending.push(rx);
                        connected += 1;
                        // a few at a time, as the node client does
                        if pending.len() == 32 {
                            for rx in pending.drain(..) {
                                if let Ok(Err(e)) = rx.await {
                                    println!("error {e}");
                                    return;
                                }
                            }
                        }
                    }
                    for rx in pending.drain(..) {
                        if let Ok(Err(e)) = rx.await {
                            println!("error {e}");
                            return;
                        }
                    }
                    tally.borrow_mut().active = true;
                    println!("connected");
                }
                Some("tokens") => tokens = words.map(str::to_owned).collect(),
                Some("collect") => {
                    let mut t = tally.borrow_mut();
                    t.active = false;
                    let delays: Vec<String> = t.delays.iter().map(|d| format!("{d:.3}")).collect();
                    println!(
                        r#"{{"type":"result","delivered":{},"duplicates":{},"reordered":{},"foreign":{},"disconnected":{},"firstArrival":{},"lastArrival":{},"delays":[{}]}}"#,
                        t.delivered,
                        t.duplicates,
                        t.reordered,
                        t.foreign,
                        t.disconnected,
                        if t.first.is_finite() { t.first } else { 0.0 },
                        t.last,
                        delays.join(",")
                    );
                }
                Some("close") => {
                    println!("closed");
                    return;
                }
                _ => {}
            }
        }
    });
}
