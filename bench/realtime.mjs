#!/usr/bin/env node
// Realtime (SSE) benchmark: Basalt vs the reference PocketBase.
//
//   node bench/realtime.mjs --basalt target/release/basalt --reference PB_BIN
//        [--clients 500] [--records 100] [--modes sequential,burst,paced] [--concurrency 16]
//        [--interval 20] [--settle 1.5] [--timeout 30] [--workers 1]
//
// For each server and each mode, on a fresh server (fresh temp dir, loopback only):
//   1. seed: a `posts` collection (list/view rule "": guests may read; create: superuser only),
//      then a warm-up (one SSE client subscribes, one record is created and received); a
//      server without realtime fails here and is skipped;
//   2. RSS baseline (VmRSS after SETTLE s idle);
//   3. CLIENTS SSE clients connect (`GET /api/realtime`, one socket each, read PB_CONNECT) and
//      subscribe as guests to `posts/*` (`POST /api/realtime`, 204), a tenth first (RSS again
//      after SETTLE s), then the rest; after SETTLE s idle, RSS again:
//      (RSS − baseline) ÷ CLIENTS is the memory per idle connection;
//   4. RECORDS records are created as the superuser, each carrying `sent` (the clock, in ms,
//      just before its request is sent): `sequential` sends them one after the other (awaiting
//      each), `burst` keeps CONCURRENCY in flight, `paced` is sequential but starts the i-th
//      create no earlier than i × INTERVAL ms (a rate this script reads without falling behind);
//   5. each client computes, per `posts/*` create event, delay = arrival − sent; the run waits
//      until all CLIENTS × RECORDS events arrived or TIMEOUT s after the last create, and
//      reports missing / duplicate / out-of-order deliveries and clients the server dropped.
// events/s = events delivered ÷ (last arrival − first create sent). The headline is the
// `sequential` mode. The clients run in WORKERS worker threads; the main thread only creates.
// See bench/README.md.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

const EMAIL = "admin@example.com";
const PASSWORD = "Passw0rd!1234";
const COLLECTION = "posts";
const TOPIC = `${COLLECTION}/*`;
const TARGET_RATIO = 3;
const TARGET_P99_MS = 20;
const TARGET_KIB_PER_CONN = 20;
const CONNECT_CONCURRENCY = 50; // per worker
const SUBSCRIBE_CONCURRENCY = 16;
const HEADLINE = "sequential";
/** The list and view rule of the collection with `--users`: any signed-in user. */
const USER_RULE = '@request.auth.id != ""';
/** The Rust SSE client (bench/rtclient): ~1/10 of the node client's CPU per event. */
const RUST_CLIENT = new URL("./rtclient/target/release/rtclient", import.meta.url).pathname;
const MODES = ["sequential", "burst", "paced"];

function parseArgs(argv) {
  const o = { clients: 500, records: 100, modes: MODES, concurrency: 16, interval: 20, settle: 1.5, timeout: 30, workers: 1, client: "rust", users: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--basalt") o.basalt = argv[++i];
    else if (a === "--reference") o.reference = argv[++i];
    else if (a === "--clients") o.clients = Number(argv[++i]);
    else if (a === "--records") o.records = Number(argv[++i]);
    else if (a === "--modes") o.modes = argv[++i].split(",").filter(Boolean);
    else if (a === "--concurrency") o.concurrency = Number(argv[++i]);
    else if (a === "--interval") o.interval = Number(argv[++i]);
    else if (a === "--settle") o.settle = Number(argv[++i]);
    else if (a === "--timeout") o.timeout = Number(argv[++i]);
    else if (a === "--workers") o.workers = Math.max(1, Number(argv[++i]));
    else if (a === "--client") o.client = argv[++i];
    else if (a === "--users") o.users = Math.max(0, Number(argv[++i]));
    else throw new Error(`unknown argument ${a}`);
  }
  if (!["rust", "node"].includes(o.client)) throw new Error(`--client rust|node, not ${o.client}`);
  if (o.users > 0 && o.client !== "rust") throw new Error("--users needs the Rust client");
  if (o.client === "rust" && !fs.existsSync(RUST_CLIENT)) {
    throw new Error(`${RUST_CLIENT} is missing: cargo build --release --offline --manifest-path bench/rtclient/Cargo.toml (bash bench/run.sh realtime does it), or use --client node`);
  }
  const bad = o.modes.filter((m) => !MODES.includes(m));
  if (bad.length) throw new Error(`unknown mode(s) ${bad.join(", ")}: use ${MODES.join(",")}`);
  if (!o.basalt && !o.reference) {
    throw new Error(
      "usage: realtime.mjs --basalt BIN [--reference PB_BIN] [--clients N] [--records N] " +
        "[--modes sequential,burst,paced] [--concurrency N] [--interval MS] [--settle S] [--timeout S] [--workers N] [--client rust|node] [--users N]",
    );
  }
  return o;
}

const opts = isMainThread ? parseArgs(process.argv.slice(2)) : workerData.opts;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Milliseconds on a clock shared by this process's threads (each has its own timeOrigin). */
const clock = () => performance.timeOrigin + performance.now();

// ---------------------------------------------------------------------------------------
// servers (as in bench.mjs)
// ---------------------------------------------------------------------------------------

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function startServer(name, bin) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-rt-${name}-`));
  const data = path.join(dir, "pb_data");
  const up = spawnSync(bin, ["superuser", "upsert", EMAIL, PASSWORD, "--dir", data], { cwd: dir });
  if (up.status !== 0) throw new Error(`${bin} superuser upsert failed:\n${up.stdout}${up.stderr}`);
  const port = await freePort();
  const args = ["serve", `--http=127.0.0.1:${port}`, "--dir", data];
  if (name === "pocketbase") args.push("--automigrate=false");
  const child = spawn(bin, args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr.on("data", (d) => (log = (log + d).slice(-4000)));
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  const srv = {
    name,
    host: "127.0.0.1",
    port,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    log: () => log,
    async stop() {
      process.removeListener("exit", kill);
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        const t = setTimeout(() => child.kill("SIGKILL"), 5000);
        await gone;
        clearTimeout(t);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`${bin} serve exited:\n${log}`);
    try {
      if ((await fetch(`${srv.url}/api/health`)).ok) return srv;
    } catch {}
    if (i > 600) throw new Error(`${bin}: not healthy after 30 s:\n${log}`);
    await sleep(50);
  }
}

/** CPU jiffies (1/100 s) of a process (user + system). */
function procCpu(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const v = f.slice(f.lastIndexOf(")") + 2).split(" ").map(Number);
  return v[11] + v[12];
}

/** VmHWM / VmRSS / RssAnon of a process, in MiB. */
function memory(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k) => Number(status.match(new RegExp(`^${k}:\\s+(\\d+) kB`, "m"))?.[1] ?? NaN);
  return { hwm: kb("VmHWM") / 1024, rss: kb("VmRSS") / 1024, anon: kb("RssAnon") / 1024 };
}

// ---------------------------------------------------------------------------------------
// plain HTTP requests (node:http, with an agent we can close, so that no pooled connection
// of ours stays open on the server while its memory is measured)
// ---------------------------------------------------------------------------------------

function request(srv, agent, method, p, body, token) {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: srv.host,
        port: srv.port,
        method,
        path: p,
        agent,
        headers: {
          ...(payload ? { "content-type": "application/json", "content-length": payload.length } : {}),
          ...(token ? { authorization: token } : {}),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode, text, json });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/**
 * One keep-alive HTTP/1.1 connection for the creates, written and read by hand: node:http
 * costs ~0.5 ms of CPU per request on a 2-core machine, and in `sequential` that time sits
 * between one create and the next for either server. One request in flight at a time; the
 * response is read up to its Content-Length (or the end of a chunked body).
 */
class RawConnection {
  constructor(srv) {
    this.srv = srv;
    this.socket = null;
    this.buf = "";
    this.pending = null;
  }

  open() {
    return new Promise((resolve, reject) => {
      const s = net.connect(this.srv.port, this.srv.host, () => resolve());
      s.setNoDelay(true);
      s.setEncoding("latin1");
      s.on("data", (d) => this.onData(d));
      s.on("error", (e) => (this.pending ? this.fail(e) : reject(e)));
      s.on("close", () => this.fail(new Error("connection closed")));
      this.socket = s;
    });
  }

  fail(e) {
    const p = this.pending;
    this.pending = null;
    p?.reject(e);
  }

  onData(d) {
    this.buf += d;
    const end = this.buf.indexOf("\r\n\r\n");
    if (end < 0 || !this.pending) return;
    const head = this.buf.slice(0, end);
    const status = Number(head.slice(9, 12));
    const len = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let text;
    if (len) {
      const total = end + 4 + Number(len[1]);
      if (this.buf.length < total) return;
      text = this.buf.slice(end + 4, total);
      this.buf = this.buf.slice(total);
    } else {
      const stop = this.buf.indexOf("\r\n0\r\n\r\n", end);
      if (stop < 0) return;
      text = this.buf.slice(end + 4, stop); // chunk sizes left in: only checked for errors
      this.buf = this.buf.slice(stop + 7);
    }
    const p = this.pending;
    this.pending = null;
    p.resolve({ status, text });
  }

  /** POSTs `body` (an object) as JSON; resolves with `{status, text}`. */
  async post(path, body, token) {
    if (!this.socket) await this.open();
    const payload = Buffer.from(JSON.stringify(body));
    const head =
      `POST ${path} HTTP/1.1\r\nHost: ${this.srv.host}:${this.srv.port}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${payload.length}\r\nAuthorization: ${token}\r\n\r\n`;
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(Buffer.concat([Buffer.from(head, "latin1"), payload]));
    });
  }

  close() {
    this.socket?.destroy();
  }
}

async function api(srv, agent, method, p, body, token = srv.token, expect = 200) {
  const r = await request(srv, agent, method, p, body, token);
  if (r.status !== expect) {
    throw new Error(`${srv.name}: ${method} ${p} -> ${r.status} (expected ${expect}): ${r.text.slice(0, 300)}`);
  }
  return r.json;
}

const keepAlive = (n) => new http.Agent({ keepAlive: true, maxSockets: n });

async function pool(n, count, job) {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async (_, worker) => {
      while (next < count) await job(next++, worker);
    }),
  );
}

// ---------------------------------------------------------------------------------------
// SSE clients: one plain TCP socket each (no node:http: its parser and streams cost more CPU
// per event than the server-side work being measured, on a machine whose 2 cores the server
// uses too), a minimal HTTP/1.1 response reader (status, headers, chunked transfer encoding)
// and an incremental SSE parser. Of a `posts/*` event only the numbers `seq` and `sent` are
// read out of the data (no JSON.parse). Bytes are read as latin1: everything parsed is ASCII.
// ---------------------------------------------------------------------------------------

/** Shared tally of one run. */
function newTally(clients, records) {
  return {
    clients,
    records,
    expected: clients * records,
    delivered: 0,
    duplicates: 0,
    reordered: 0, // arrived after a later record's event on the same stream
    foreign: 0, // events other than PB_CONNECT and TOPIC creates
    delays: new Float64Array(clients * records),
    firstArrival: Infinity,
    lastArrival: 0,
    disconnected: 0,
    onDone: null,
    active: false,
  };
}

function numberAfter(s, key) {
  const i = s.indexOf(key);
  return i < 0 ? NaN : parseFloat(s.slice(i + key.length, i + key.length + 32));
}

const READ_BUFFER = Buffer.alloc(64 * 1024); // per thread; each read is decoded at once

class SseClient {
  constructor(srv, tally, index) {
    this.srv = srv;
    this.tally = tally;
    this.index = index;
    this.seen = new Uint8Array(tally.records);
    this.maxSeq = -1;
    this.head = ""; // response head until "\r\n\r\n", then null
    this.chunked = false;
    this.raw = ""; // body bytes not yet de-chunked
    this.left = 0; // bytes left in the current chunk
    this.buf = ""; // SSE text not yet dispatched
    this.clientId = null;
    this.sock = null;
    this.closed = false;
  }

  /** Opens the stream; resolves with the client id of PB_CONNECT. */
  connect(timeoutMs = 10_000) {
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (e) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.close();
        reject(e);
      };
      const timer = setTimeout(() => fail(new Error(`no PB_CONNECT within ${timeoutMs} ms`)), timeoutMs);
      this.onConnect = (id) => {
        settled = true;
        clearTimeout(timer);
        resolve(id);
      };
      this.fail = fail;
      const { host, port } = this.srv;
      // `onread`: reads land in one shared buffer, with no stream machinery or Buffer per read
      const sock = net.connect({ port, host, onread: { buffer: READ_BUFFER, callback: (n, b) => this.onData(b, n) } });
      this.sock = sock;
      sock.setNoDelay(true);
      sock.on("connect", () =>
        sock.write(
          `GET /api/realtime HTTP/1.1\r\nHost: ${host}:${port}\r\nAccept: text/event-stream\r\n` +
            `Cache-Control: no-cache\r\nConnection: keep-alive\r\n\r\n`,
        ),
      );
      const end = (e) => {
        if (this.clientId) this.lost();
        else if (this.head !== null && this.head) this.badResponse(true);
        else fail(e ?? new Error("connection closed before PB_CONNECT"));
      };
      sock.on("error", end);
      sock.on("close", () => end());
    });
  }

  onData(b, n) {
    const now = clock();
    const s = b.latin1Slice(0, n);
    if (this.head === null) return this.body(s, now);
    this.head += s;
    const i = this.head.indexOf("\r\n\r\n");
    if (i < 0) return;
    const head = this.head.slice(0, i);
    const rest = this.head.slice(i + 4);
    const status = Number(head.match(/^HTTP\/1\.[01] (\d{3})/)?.[1]);
    const type = head.match(/^content-type:\s*(.*)$/im)?.[1] ?? "";
    if (status !== 200 || !type.startsWith("text/event-stream")) return this.badResponse(false);
    this.head = null;
    this.chunked = /^transfer-encoding:\s*chunked/im.test(head);
    if (rest) this.body(rest, now);
  }

  /** Not an event stream: fail with the status line and the start of the body. */
  badResponse(final) {
    const h = this.head;
    const i = h.indexOf("\r\n\r\n");
    if (!final && h.length - i < 200) return setTimeout(() => this.badResponse(true), 200);
    this.fail(new Error(`GET /api/realtime -> ${h.slice(0, h.indexOf("\r\n"))}: ${h.slice(i + 4, i + 204)}`));
  }

  body(s, now) {
    if (!this.chunked) return this.feed(s, now);
    const raw = this.raw ? this.raw + s : s;
    let out = "";
    let pos = 0;
    while (pos < raw.length) {
      if (this.left > 0) {
        const take = Math.min(this.left, raw.length - pos);
        out += raw.slice(pos, pos + take);
        pos += take;
        this.left -= take;
        continue;
      }
      const j = raw.indexOf("\r\n", pos);
      if (j < 0) break;
      const line = raw.slice(pos, j);
      pos = j + 2;
      if (line === "") continue; // the CRLF after a chunk's data
      const size = parseInt(line, 16);
      if (size === 0) {
        this.lost(); // last chunk: the server ended the stream
        break;
      }
      this.left = size;
    }
    this.raw = raw.slice(pos);
    if (out) this.feed(out, now);
  }

  lost() {
    if (!this.closed) {
      this.closed = true;
      if (this.tally.active) this.tally.disconnected++;
    }
  }

  close() {
    this.closed = true;
    this.sock?.destroy();
  }

  feed(chunk, now) {
    let buf = this.buf ? this.buf + chunk : chunk;
    if (buf.includes("\r")) buf = buf.replace(/\r\n?/g, "\n"); // not from PocketBase or Basalt
    let start = 0;
    let end;
    while ((end = buf.indexOf("\n\n", start)) !== -1) {
      this.dispatch(buf.slice(start, end), now);
      start = end + 2;
    }
    this.buf = start ? buf.slice(start) : buf;
  }

  dispatch(block, now) {
    let event = "message";
    let data = null;
    let pos = 0;
    while (pos <= block.length) {
      let nl = block.indexOf("\n", pos);
      if (nl < 0) nl = block.length;
      if (block.startsWith("data:", pos)) {
        const v = block.slice(block.charCodeAt(pos + 5) === 32 ? pos + 6 : pos + 5, nl);
        data = data === null ? v : `${data}\n${v}`;
      } else if (block.startsWith("event:", pos)) {
        event = block.slice(block.charCodeAt(pos + 6) === 32 ? pos + 7 : pos + 6, nl);
      }
      pos = nl + 1;
    }
    if (data === null) return; // comment / keep-alive
    if (event === TOPIC && data.includes('"create"')) {
      const seq = numberAfter(data, '"seq":');
      const sent = numberAfter(data, '"sent":');
      const t = this.tally;
      if (!(seq >= 0 && seq < t.records) || !Number.isFinite(sent)) {
        t.foreign++; // e.g. the warm-up record
        return;
      }
      if (this.seen[seq]++) {
        t.duplicates++;
        return;
      }
      if (seq < this.maxSeq) t.reordered++;
      else this.maxSeq = seq;
      t.delays[t.delivered++] = now - sent;
      if (now < t.firstArrival) t.firstArrival = now;
      if (now > t.lastArrival) t.lastArrival = now;
      if (t.delivered === t.expected) t.onDone?.();
    } else if (event === "PB_CONNECT" && !this.clientId) {
      this.clientId = JSON.parse(data).clientId;
      this.onConnect(this.clientId);
    } else {
      this.tally.foreign++;
    }
  }
}

/** Connects a client and subscribes it to TOPIC as a guest. */
async function subscribe(srv, agent, client, token) {
  const id = await client.connect();
  const r = await request(srv, agent, "POST", "/api/realtime", { clientId: id, subscriptions: [TOPIC] }, token);
  if (r.status !== 204) throw new Error(`POST /api/realtime -> ${r.status}: ${r.text.slice(0, 200)}`);
}

// ---------------------------------------------------------------------------------------
// The clients live in WORKERS worker threads (clients split evenly), so that reading 500
// sockets does not hold up the thread that sends the creates, and can use both cores when
// the server leaves one idle. Protocol (main → worker → main): connect → connected;
// (all its events arrived) → done; collect → result; close → closed.
// ---------------------------------------------------------------------------------------

function workerMain() {
  const { srv, from, count } = workerData;
  const tally = newTally(count, opts.records);
  const clients = [];
  const post = (m, transfer) => parentPort.postMessage(m, transfer);
  parentPort.on("message", async (m) => {
    try {
      if (m.cmd === "connect") {
        // connect until this worker has its share of m.total clients
        const upto = Math.round((count * m.total) / opts.clients);
        const agent = keepAlive(SUBSCRIBE_CONCURRENCY);
        try {
          const first = clients.length;
          await pool(CONNECT_CONCURRENCY, upto - first, async (i) => {
            const c = new SseClient(srv, tally, from + first + i);
            clients.push(c);
            await subscribe(srv, agent, c);
          });
        } finally {
          agent.destroy();
        }
        tally.active = true;
        if (clients.length === count) tally.onDone = () => post({ type: "done" });
        post({ type: "connected" });
      } else if (m.cmd === "collect") {
        tally.active = false;
        const delays = tally.delays.slice(0, tally.delivered);
        const { delivered, duplicates, reordered, foreign, disconnected, firstArrival, lastArrival } = tally;
        post(
          { type: "result", delivered, duplicates, reordered, foreign, disconnected, firstArrival, lastArrival, delays },
          [delays.buffer],
        );
      } else if (m.cmd === "close") {
        for (const c of clients) c.close();
        post({ type: "closed" });
      }
    } catch (e) {
      post({ type: "error", message: e.message });
    }
  });
}

/**
 * The Rust client process in place of the workers (same `call`/`stop` interface): commands on
 * its stdin, answers (one per line) on its stdout.
 */
function startRustClient(srv) {
  const child = spawn(RUST_CLIENT, [srv.host, String(srv.port), TOPIC, String(opts.clients), String(opts.records)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  // with --users: client i subscribes as user i % N
  if (srv.userTokens?.length) child.stdin.write(`tokens ${srv.userTokens.join(" ")}\n`);
  const early = new Map();
  const waiting = new Map();
  let failed = null;
  const failAll = (msg) => {
    failed = msg;
    for (const r of waiting.values()) r.reject(new Error(msg));
    waiting.clear();
  };
  let pending = "";
  child.stdout.setEncoding("latin1");
  child.stdout.on("data", (d) => {
    pending += d;
    let nl;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      let m;
      if (line.startsWith("{")) {
        m = JSON.parse(line);
        m.delays = Float64Array.from(m.delays);
      } else if (line.startsWith("error ")) return failAll(line.slice(6));
      else m = { type: line.trim() };
      const r = waiting.get(m.type);
      if (r) {
        waiting.delete(m.type);
        r.resolve(m);
      } else early.set(m.type, m);
    }
  });
  child.on("exit", (code) => failed || failAll(`rtclient exited (${code})`));
  const wait = (type) => {
    if (early.has(type)) {
      const m = early.get(type);
      early.delete(type);
      return Promise.resolve(m);
    }
    if (failed) return Promise.reject(new Error(failed));
    return new Promise((resolve, reject) => waiting.set(type, { resolve, reject }));
  };
  return {
    pid: child.pid,
    call: async (cmd, type, extra) => {
      if (cmd === "connect") child.stdin.write(`connect ${extra.total}\n`);
      else if (cmd) child.stdin.write(`${cmd}\n`);
      return [await wait(type)];
    },
    async stop() {
      child.stdin.write("close\n");
      await Promise.race([wait("closed"), sleep(2000)]).catch(() => {});
      child.kill();
    },
  };
}

/** Starts the client workers; `ws.call(cmd, type)` sends cmd to each and awaits its `type`. */
function startWorkers(srv) {
  if (opts.client === "rust") return startRustClient(srv);
  const n = Math.min(opts.workers, opts.clients);
  const ws = [];
  for (let k = 0; k < n; k++) {
    const from = Math.floor((k * opts.clients) / n);
    const count = Math.floor(((k + 1) * opts.clients) / n) - from;
    const w = new Worker(new URL(import.meta.url), {
      workerData: { opts, from, count, srv: { name: srv.name, host: srv.host, port: srv.port } },
    });
    const early = new Map();
    const waiting = new Map();
    const failAll = (msg) => {
      w.failed = msg;
      for (const r of waiting.values()) r.reject(new Error(msg));
      waiting.clear();
    };
    w.on("message", (m) => {
      if (m.type === "error") return failAll(m.message);
      const r = waiting.get(m.type);
      if (r) {
        waiting.delete(m.type);
        r.resolve(m);
      } else early.set(m.type, m);
    });
    w.on("error", (e) => failAll(e.message));
    w.wait = (type) => {
      if (w.failed) return Promise.reject(new Error(w.failed));
      if (early.has(type)) {
        const m = early.get(type);
        early.delete(type);
        return Promise.resolve(m);
      }
      return new Promise((resolve, reject) => waiting.set(type, { resolve, reject }));
    };
    ws.push(w);
  }
  return {
    call: (cmd, type, extra) => Promise.all(ws.map((w) => (cmd && w.postMessage({ cmd, ...extra }), w.wait(type)))),
    async stop() {
      await Promise.race([Promise.all(ws.map((w) => (w.postMessage({ cmd: "close" }), w.wait("closed")))), sleep(2000)]).catch(() => {});
      await Promise.all(ws.map((w) => w.terminate()));
    },
  };
}

// ---------------------------------------------------------------------------------------
// one run: a fresh server, CLIENTS subscribers, RECORDS creates
// ---------------------------------------------------------------------------------------

async function seed(srv) {
  const agent = keepAlive(1);
  try {
    srv.token = (
      await api(srv, agent, "POST", "/api/collections/_superusers/auth-with-password", {
        identity: EMAIL,
        password: PASSWORD,
      })
    ).token;
    // with --users the subscribers are signed-in users and the rules need a query per
    // subscriber identity; otherwise guests see everything
    const rule = opts.users > 0 ? USER_RULE : "";
    await api(srv, agent, "POST", "/api/collections", {
      name: COLLECTION,
      type: "base",
      listRule: rule,
      viewRule: rule,
      fields: [
        { name: "title", type: "text" },
        { name: "seq", type: "number" },
        { name: "sent", type: "number" },
      ],
    });
    if (opts.users > 0) srv.userTokens = await seedUsers(srv);
  } finally {
    agent.destroy();
  }
}

/** `--users N`: N users in the default `users` collection, signed in; their tokens. */
async function seedUsers(srv) {
  const agent = keepAlive(8);
  const tokens = new Array(opts.users);
  try {
    await pool(8, opts.users, async (i) => {
      const email = `rt${i}@example.com`;
      const password = "rt-password-123";
      await api(srv, agent, "POST", "/api/collections/users/records", { email, password, passwordConfirm: password });
      tokens[i] = (await api(srv, agent, "POST", "/api/collections/users/auth-with-password", { identity: email, password }, null)).token;
    });
  } finally {
    agent.destroy();
  }
  return tokens;
}

const row = (seq, sent) => ({ title: `Realtime post ${seq} ${"lorem ipsum ".repeat(4)}`.trim(), seq, sent });

/**
 * Warm-up: one subscriber, one record created (seq −1) and received, so that the code paths
 * measured later are loaded before the RSS baseline. Throws when the server has no realtime.
 */
async function warmUp(srv) {
  const agent = keepAlive(1);
  const tally = newTally(1, 1);
  const c = new SseClient(srv, tally, 0);
  try {
    try {
      await subscribe(srv, agent, c, srv.userTokens?.[0]);
    } catch (e) {
      throw new Error(`no realtime: ${e.message}`);
    }
    const got = new Promise((r) => {
      const orig = c.dispatch.bind(c);
      c.dispatch = (block, now) => {
        orig(block, now);
        if (block.includes(`event:${TOPIC}`) || block.includes(`event: ${TOPIC}`)) r(true);
      };
    });
    await api(srv, agent, "POST", `/api/collections/${COLLECTION}/records`, row(-1, 0));
    const ok = await Promise.race([got, sleep(5000).then(() => false)]);
    if (!ok) throw new Error(`no realtime: the warm-up create was not delivered to a ${TOPIC} subscriber within 5 s`);
  } finally {
    c.close();
    agent.destroy();
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function runOne(name, bin, mode) {
  const srv = await startServer(name, bin);
  let workers;
  try {
    await seed(srv);
    await warmUp(srv);
    await sleep(opts.settle * 1000);
    const before = memory(srv.pid);

    // connect + subscribe: a tenth of the clients first (RSS again), then the rest
    workers = startWorkers(srv);
    const tenth = Math.round(opts.clients / 10);
    let some;
    if (tenth >= 10) {
      await workers.call("connect", "connected", { total: tenth });
      await sleep(opts.settle * 1000);
      some = memory(srv.pid);
    }
    const t0c = clock();
    await workers.call("connect", "connected", { total: opts.clients });
    const connectSecs = (clock() - t0c) / 1000;
    await sleep(opts.settle * 1000);
    const idle = memory(srv.pid);

    // creates, each connection opened before the clock starts
    const conns = Array.from({ length: mode === "burst" ? opts.concurrency : 1 }, () => new RawConnection(srv));
    await Promise.all(conns.map((c) => c.open()));
    const createMs = new Float64Array(opts.records);
    const done = workers.call(null, "done");
    const clientPid = workers.pid ?? process.pid;
    const cpu0 = { srv: procCpu(srv.pid), me: procCpu(clientPid), t: clock() };
    let firstSent = Infinity;
    let lastCreated = 0;
    try {
      const create = async (seq, worker = 0) => {
        const sent = clock();
        if (sent < firstSent) firstSent = sent;
        const r = await conns[worker].post(`/api/collections/${COLLECTION}/records`, row(seq, sent), srv.token);
        if (r.status !== 200) throw new Error(`${srv.name}: create ${seq} -> ${r.status}: ${r.text.slice(0, 300)}`);
        lastCreated = clock();
        createMs[seq] = lastCreated - sent;
      };
      if (mode === "paced") {
        // one at a time, the i-th not before start + i × INTERVAL ms
        const start = clock();
        for (let seq = 0; seq < opts.records; seq++) {
          const wait = start + seq * opts.interval - clock();
          if (wait > 0) await sleep(wait);
          await create(seq);
        }
      } else await pool(conns.length, opts.records, create);
    } finally {
      for (const c of conns) c.close();
    }
    let timer;
    const timedOut = await Promise.race([
      done.then(() => false),
      new Promise((r) => (timer = setTimeout(() => r(true), opts.timeout * 1000))),
    ]);
    clearTimeout(timer);
    const wall = (clock() - cpu0.t) / 1000;
    const serverCores = (procCpu(srv.pid) - cpu0.srv) / 100 / wall;
    const benchCores = (procCpu(clientPid) - cpu0.me) / 100 / wall;
    const after = memory(srv.pid);

    const parts = await workers.call("collect", "result");
    const tally = newTally(opts.clients, opts.records);
    let n = 0;
    for (const p of parts) {
      tally.delays.set(p.delays, n);
      n += p.delays.length;
      for (const k of ["delivered", "duplicates", "reordered", "foreign", "disconnected"]) tally[k] += p[k];
      tally.firstArrival = Math.min(tally.firstArrival, p.firstArrival);
      tally.lastArrival = Math.max(tally.lastArrival, p.lastArrival);
    }
    const delays = tally.delays.subarray(0, tally.delivered).sort();
    const creates = createMs.slice().sort();
    const span = (tally.lastArrival - firstSent) / 1000;
    return {
      mode,
      expected: tally.expected,
      delivered: tally.delivered,
      missing: tally.expected - tally.delivered,
      duplicates: tally.duplicates,
      reordered: tally.reordered,
      foreign: tally.foreign,
      disconnected: tally.disconnected,
      timedOut,
      span,
      createSecs: (lastCreated - firstSent) / 1000,
      eps: tally.delivered / span,
      p50: percentile(delays, 50),
      p99: percentile(delays, 99),
      max: delays.length ? delays[delays.length - 1] : NaN,
      createP50: percentile(creates, 50),
      createP99: percentile(creates, 99),
      createMax: creates.length ? creates[creates.length - 1] : NaN,
      connectSecs,
      before,
      idle,
      kibPerConn: ((idle.rss - before.rss) * 1024) / opts.clients,
      anonKibPerConn: ((idle.anon - before.anon) * 1024) / opts.clients,
      // the same from 1/10 of the clients to all: without one-time costs (or savings)
      tenth,
      slopeKibPerConn: some ? ((idle.rss - some.rss) * 1024) / (opts.clients - tenth) : NaN,
      hwm: after.hwm,
      wall,
      serverCores,
      benchCores,
    };
  } finally {
    await workers?.stop();
    await srv.stop();
  }
}

// ---------------------------------------------------------------------------------------

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : "-");
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : "-");

async function main() {
  const servers = [];
  if (opts.basalt) servers.push(["basalt", path.resolve(opts.basalt)]);
  if (opts.reference) servers.push(["pocketbase", path.resolve(opts.reference)]);
  console.log(
    `${opts.clients} SSE clients subscribed to ${TOPIC} (guests), ${opts.records} records created as the ` +
      `superuser; modes: ${opts.modes.join(", ")} (burst: ${opts.concurrency} in flight; paced: one per ` +
      `${opts.interval} ms); ` +
      `clients in ${opts.workers} worker thread(s); settle ${opts.settle} s, timeout ${opts.timeout} s\n`,
  );
  const results = {}; // results[name][mode] = r | { skipped }
  for (const [name, bin] of servers) {
    results[name] = {};
    for (const mode of opts.modes) {
      let r;
      try {
        r = await runOne(name, bin, mode);
      } catch (e) {
        const why = e.message.split("\n")[0];
        console.log(`${mode} [${name}]: SKIPPED — ${why}`);
        results[name][mode] = { skipped: why };
        if (why.startsWith("no realtime")) {
          for (const m of opts.modes) results[name][m] ??= { skipped: why };
          break;
        }
        continue;
      }
      results[name][mode] = r;
      const problems = [
        r.missing && `${r.missing} MISSING${r.timedOut ? ` (timed out after ${opts.timeout} s)` : ""}`,
        r.duplicates && `${r.duplicates} duplicates`,
        // not in burst mode: its creates commit in no particular order
        r.reordered && mode !== "burst" && `${r.reordered} out of order`,
        r.disconnected && `${r.disconnected} clients disconnected`,
        r.foreign && `${r.foreign} unexpected events`,
      ].filter(Boolean);
      console.log(
        `${mode} [${name}]: ${r.delivered}/${r.expected} events in ${r.span.toFixed(2)} s = ` +
          `${r.eps.toFixed(0)} events/s; delay p50 ${f1(r.p50)} ms, p99 ${f1(r.p99)} ms, max ${f1(r.max)} ms` +
          (problems.length ? ` — ${problems.join(", ")}` : "") +
          `\n  creates: ${opts.records} in ${r.createSecs.toFixed(2)} s, p50 ${f1(r.createP50)} ms, ` +
          `p99 ${f1(r.createP99)} ms, max ${f1(r.createMax)} ms; ${opts.clients} clients connected + subscribed in ${r.connectSecs.toFixed(2)} s` +
          `\n  RSS ${f1(r.before.rss)} MiB → ${f1(r.idle.rss)} MiB with ${opts.clients} idle clients = ` +
          `${r.kibPerConn.toFixed(1)} KiB/connection (anonymous memory: ${r.anonKibPerConn.toFixed(1)} KiB` +
          (Number.isFinite(r.slopeKibPerConn)
            ? `; from ${r.tenth} clients to ${opts.clients}: ${f1(r.slopeKibPerConn)} KiB); `
            : "); ") +
          `peak ${f1(r.hwm)} MiB` +
          (r.wall >= 0.2 // CPU time comes in 10 ms ticks
            ? `\n  during creates + delivery: server ${f2(r.serverCores)} cores, the ${opts.client} client ${f2(r.benchCores)} cores`
            : ""),
      );
    }
  }
  report(results, servers.map(([n]) => n));
}

function median(xs) {
  const v = xs.filter(Number.isFinite).sort((x, y) => x - y);
  if (!v.length) return NaN;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

function report(results, names) {
  const both = names.length === 2;
  const get = (n, m) => results[n]?.[m];
  const ok = (r) => r && !r.skipped;
  /** The ratio column: Basalt ÷ PocketBase (x), against `target` when given. */
  const ratio = (x, label = "", target) => {
    if (!both) return "";
    if (!Number.isFinite(x)) return " n/a |";
    return ` ${label}${x.toFixed(2)}×${target === undefined ? "" : ` (target ${target}×: ${x >= target ? "met" : "not met"})`} |`;
  };
  const cell = (r, f) => (!r ? "-" : r.skipped ? "skipped" : f(r));
  const missing = (r) => (r.missing ? ` (${r.missing} missing)` : "");
  const of = (a, b, f) => (ok(a) && ok(b) ? f(a) / f(b) : NaN);

  console.log(`\n| metric | ${names.join(" | ")} |${both ? " Basalt ÷ PocketBase |" : ""}`);
  console.log(`|---|${names.map(() => "---").join("|")}|${both ? "---|" : ""}`);
  for (const m of opts.modes) {
    const tag = m === HEADLINE ? `**${m}**` : m;
    const [a, b] = [get("basalt", m), get("pocketbase", m)];
    const paced = m === "paced"; // its rate is set by --interval: no throughput target
    console.log(
      `| ${tag}: events/s${paced ? " (set by the pacing)" : ""} | ${names
        .map((n) => cell(get(n, m), (r) => `${r.eps.toFixed(0)}${missing(r)}`))
        .join(" | ")} |` + ratio(of(a, b, (r) => r.eps), "", paced ? undefined : TARGET_RATIO),
    );
    console.log(
      `| ${tag}: delay p50 / p99 / max | ${names
        .map((n) =>
          cell(
            get(n, m),
            (r) =>
              `${f1(r.p50)} / ${f1(r.p99)} / ${f1(r.max)} ms (p99 < ${TARGET_P99_MS} ms: ${r.p99 < TARGET_P99_MS ? "met" : "not met"})`,
          ),
        )
        .join(" | ")} |` + ratio(of(a, b, (r) => r.p99), "p99 "),
    );
  }
  // memory: the median over this server's runs (one per mode; each run's is in its log line)
  const runs = (n) => opts.modes.map((m) => get(n, m)).filter(ok);
  const kib = (n) => median(runs(n).map((r) => r.kibPerConn));
  const range = (n) => {
    const v = runs(n).map((r) => r.kibPerConn);
    return v.length > 1 ? `, runs ${Math.min(...v).toFixed(1)}–${Math.max(...v).toFixed(1)}` : "";
  };
  console.log(
    `| memory per idle connection | ${names
      .map((n) =>
        Number.isFinite(kib(n))
          ? `${kib(n).toFixed(1)} KiB (< ${TARGET_KIB_PER_CONN} KiB: ${kib(n) < TARGET_KIB_PER_CONN ? "met" : "not met"}${range(n)})`
          : "skipped",
      )
      .join(" | ")} |` + ratio(kib("basalt") / kib("pocketbase")),
  );
  const peak = (n) => Math.max(...runs(n).map((r) => r.hwm));
  console.log(
    `| peak RSS (VmHWM) | ${names.map((n) => (Number.isFinite(peak(n)) ? `${peak(n).toFixed(1)} MiB` : "skipped")).join(" | ")} |` +
      ratio(peak("basalt") / peak("pocketbase")),
  );
  console.log(
    `\nheadline: ${HEADLINE}; events/s = events delivered ÷ (last arrival − first create sent); ` +
      `memory per connection = (VmRSS with ${opts.clients} idle subscribers − before) ÷ ${opts.clients}, median of the runs`,
  );
  for (const n of names) {
    for (const m of opts.modes) {
      const r = get(n, m);
      if (r?.skipped) console.log(`note: ${n} skipped ${m}: ${r.skipped}`);
      else if (r?.missing) console.log(`note: ${n} ${m}: ${r.missing} of ${r.expected} events missing`);
    }
  }
  if (names.some((n) => opts.modes.some((m) => get(n, m)?.missing || get(n, m)?.skipped))) process.exitCode = 1;
}

if (isMainThread) {
  main().catch((e) => {
    console.error(e.stack ?? String(e));
    process.exitCode = 1;
  });
} else {
  workerMain();
}
