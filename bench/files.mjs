// Files benchmark: Basalt against PocketBase, A/B in one run.
//
//   node bench/files.mjs --basalt target/release/basalt --reference PB_BIN
//   options: --duration 10 --warmup 2 --clients 16 --connections 32 --thumbs 200 --inflight 8
//
// Both servers start on fresh temp dirs (loopback only), as in bench/bench.mjs, and get the
// same collection `files_bench` (file field `doc`, maxSize 5 MiB; list/view/create rule ""),
// then three workloads run against Basalt, then PocketBase, each a warm-up and a timed run:
//   1. upload 1 MiB: multipart creates with one 1 MiB file part, CLIENTS keep-alive
//      connections (a hand-written HTTP/1.1 client over `net`, as bench/realtime.mjs does for
//      its creates); req/s, p50/p99, and the CPU this script used (is the client the limit?);
//   2. thumb serve, cached: one 800x600 PNG, `?thumb=100x100` fetched once (generated), then
//      wrk (2 threads, CONNECTIONS connections) on that URL; req/s, p50/p99;
//   3. thumb first generation: THUMBS distinct 800x600 PNGs uploaded (untimed), then the
//      `?thumb=100x100` of each fetched once with INFLIGHT requests in flight; thumbs/s. Every
//      response is checked to be a 100x100 PNG (its IHDR).
// Then a table with Basalt ÷ PocketBase against the 2× target, and each server's peak RSS
// (VmHWM). See bench/README.md.
import { spawnSync } from "node:child_process";
import net from "node:net";
import path from "node:path";
import zlib from "node:zlib";
import {
  EMAIL,
  PASSWORD,
  api,
  childCpu,
  machineBusy,
  memory,
  pool,
  procCpu,
  sleep,
  startServer,
} from "./servers.mjs";

const COLLECTION = "files_bench";
const TARGET_RATIO = 2;
const REQUEST_TIMEOUT_MS = 30_000;

function parseArgs(argv) {
  const o = { duration: 10, warmup: 2, clients: 16, connections: 32, thumbs: 200, inflight: 8, threads: 2 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--basalt") o.basalt = argv[++i];
    else if (a === "--reference") o.reference = argv[++i];
    else if (["--duration", "--warmup", "--clients", "--connections", "--thumbs", "--inflight"].includes(a)) {
      o[a.slice(2)] = Number(argv[++i]);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!o.basalt && !o.reference) {
    throw new Error(
      "usage: files.mjs --basalt BIN [--reference PB_BIN] [--duration S] [--warmup S] [--clients N] " +
        "[--connections N] [--thumbs K] [--inflight N]",
    );
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));

// ---------------------------------------------------------------------------------------
// servers (as bench/bench.mjs starts them)
// ---------------------------------------------------------------------------------------







/**
 * CPU meter for a timed run, in cores: the server; the client (this script, all threads,
 * including the kernel side of its socket I/O, plus wrk when it ran as a child); and every
 * other process on the machine (from /proc/stat), to flag a noisy run.
 */
function cpuMeter(srv) {
  const t0 = performance.now();
  const b = { busy: machineBusy(), srv: procCpu(srv.pid), me: process.cpuUsage(), kids: childCpu(process.pid) };
  return () => {
    const secs = (performance.now() - t0) / 1000;
    const me = process.cpuUsage(b.me);
    const clientJ = (me.user + me.system) / 10_000 + (childCpu(process.pid) - b.kids);
    const srvJ = procCpu(srv.pid) - b.srv;
    const other = machineBusy() - b.busy - srvJ - clientJ;
    return {
      serverCores: srvJ / 100 / secs,
      clientCores: clientJ / 100 / secs,
      otherCores: Math.max(0, other) / 100 / secs,
    };
  };
}

// ---------------------------------------------------------------------------------------
// a keep-alive HTTP/1.1 client over `net` (node's fetch/undici costs client CPU the server
// needs on 2 cores); one request in flight per connection, responses read as Buffers
// (Content-Length or chunked)
// ---------------------------------------------------------------------------------------

class RawConnection {
  constructor(srv) {
    this.srv = srv;
    this.socket = null;
    this.chunks = [];
    this.len = 0;
    this.pending = null;
  }

  open() {
    return new Promise((resolve, reject) => {
      const s = net.connect(this.srv.port, this.srv.host, () => resolve());
      s.setNoDelay(true);
      s.setTimeout(REQUEST_TIMEOUT_MS, () => s.destroy(new Error(`no response in ${REQUEST_TIMEOUT_MS} ms`)));
      s.on("data", (d) => this.onData(d));
      s.on("error", (e) => (this.pending ? this.fail(e) : reject(e)));
      s.on("close", () => {
        this.socket = null;
        this.fail(new Error("connection closed"));
      });
      this.socket = s;
    });
  }

  fail(e) {
    const p = this.pending;
    this.pending = null;
    p?.reject(e);
  }

  onData(d) {
    this.chunks.push(d);
    this.len += d.length;
    if (!this.pending) return;
    const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.len);
    this.chunks = [buf];
    const end = buf.indexOf("\r\n\r\n");
    if (end < 0) return;
    const head = buf.toString("latin1", 0, end);
    const status = Number(head.slice(9, 12));
    const lenM = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let body;
    let rest;
    if (lenM) {
      const total = end + 4 + Number(lenM[1]);
      if (buf.length < total) return;
      body = buf.subarray(end + 4, total);
      rest = buf.subarray(total);
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const parts = [];
      let i = end + 4;
      for (;;) {
        const nl = buf.indexOf("\r\n", i);
        if (nl < 0) return;
        const size = parseInt(buf.toString("latin1", i, nl), 16);
        if (size === 0) {
          if (buf.length < nl + 4) return;
          rest = buf.subarray(nl + 4);
          break;
        }
        if (buf.length < nl + 2 + size + 2) return;
        parts.push(buf.subarray(nl + 2, nl + 2 + size));
        i = nl + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else {
      body = buf.subarray(end + 4); // no length: not expected from either server
      rest = Buffer.alloc(0);
    }
    this.chunks = rest.length ? [rest] : [];
    this.len = rest.length;
    const p = this.pending;
    this.pending = null;
    p.resolve({ status, head, body });
  }

  /** Sends one request (`body` a Buffer or undefined); resolves with {status, head, body}. */
  async request(method, p, headers = {}, body) {
    if (!this.socket) await this.open();
    let head = `${method} ${p} HTTP/1.1\r\nHost: ${this.srv.host}:${this.srv.port}\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    if (body) head += `Content-Length: ${body.length}\r\n`;
    head += "\r\n";
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      const s = this.socket;
      s.cork();
      s.write(Buffer.from(head, "latin1"));
      if (body) s.write(body);
      s.uncork();
    });
  }

  close() {
    this.socket?.destroy();
  }
}

// ---------------------------------------------------------------------------------------
// payloads
// ---------------------------------------------------------------------------------------

/** A small deterministic PRNG (mulberry32), so both servers get the same data. */
function rng(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

/**
 * A valid 8-bit RGB PNG, W×H: gradients shifted by `seed` (so every file differs) plus noise
 * on ~3 % of the pixels, rows stored with the Sub filter (~60 KiB per 800x600 image).
 */
function makePng(w, h, seed) {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  let o = 0;
  let x32 = (seed * 2654435761 + 12345) | 0 || 1;
  for (let y = 0; y < h; y++) {
    raw[o++] = 1; // filter: Sub (each byte minus the one a pixel to the left)
    let pr = 0;
    let pg = 0;
    let pb = 0;
    for (let x = 0; x < w; x++) {
      x32 ^= x32 << 13;
      x32 ^= x32 >>> 17;
      x32 ^= x32 << 5;
      const n = (x32 >>> 0) / 4294967296 < 0.03 ? (x32 >>> 8) & 63 : 0;
      const r = (x + seed * 13) & 255;
      const g = ((y >> 1) + seed * 29) & 255;
      const b = (((x + y) >> 2) + n) & 255;
      raw[o++] = (r - pr) & 255;
      raw[o++] = (g - pg) & 255;
      raw[o++] = (b - pb) & 255;
      pr = r;
      pg = g;
      pb = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", zlib.deflateSync(raw, { level: 6 })),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Width and height from a PNG's IHDR, or null when `b` is not a PNG. */
function pngSize(b) {
  if (b.length < 24 || b.readUInt32BE(0) !== 0x89504e47 || b.toString("latin1", 12, 16) !== "IHDR") return null;
  return { w: b.readUInt32BE(16), h: b.readUInt32BE(20) };
}

const BOUNDARY = "----basaltFilesBench7MA4YWxkTrZu0gW";
function multipart(filename, contentType, data) {
  return {
    headers: { "Content-Type": `multipart/form-data; boundary=${BOUNDARY}` },
    body: Buffer.concat([
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="doc"; filename="${filename}"\r\n` +
          `Content-Type: ${contentType}\r\n\r\n`,
        "latin1",
      ),
      data,
      Buffer.from(`\r\n--${BOUNDARY}--\r\n`, "latin1"),
    ]),
  };
}

// ---------------------------------------------------------------------------------------
// setup through the API
// ---------------------------------------------------------------------------------------


async function setup(srv) {
  srv.token = (
    await api(srv, "POST", "/api/collections/_superusers/auth-with-password", { identity: EMAIL, password: PASSWORD })
  ).token;
  await api(srv, "POST", "/api/collections", {
    name: COLLECTION,
    type: "base",
    listRule: "",
    viewRule: "",
    createRule: "",
    fields: [{ name: "doc", type: "file", maxSelect: 1, maxSize: 5 * 1024 * 1024 }],
  });
}

const CREATE_PATH = `/api/collections/${COLLECTION}/records`;

/** Uploads one file through a RawConnection; resolves with {id, name} or throws with the body. */
async function upload(conn, srv, part) {
  const r = await conn.request("POST", CREATE_PATH, part.headers, part.body);
  if (r.status !== 200) throw new Error(`${srv.name}: upload -> ${r.status}: ${r.body.toString("utf8").slice(0, 1000)}`);
  const rec = JSON.parse(r.body.toString("utf8"));
  if (!rec.id || typeof rec.doc !== "string" || !rec.doc) {
    throw new Error(`${srv.name}: upload -> 200 without a file name: ${r.body.toString("utf8").slice(0, 500)}`);
  }
  return { id: rec.id, name: rec.doc };
}


const thumbPath = (f) => `/api/files/${COLLECTION}/${f.id}/${encodeURIComponent(f.name)}?thumb=100x100`;

function pct(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// ---------------------------------------------------------------------------------------
// workloads
// ---------------------------------------------------------------------------------------

/** 1. CLIENTS connections upload the same 1 MiB file part for `seconds`. */
async function uploadRun(srv, part, seconds) {
  const conns = Array.from({ length: opts.clients }, () => new RawConnection(srv));
  await Promise.all(conns.map((c) => c.open()));
  const lat = [];
  const errors = new Map();
  let firstError = null;
  const meter = cpuMeter(srv);
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    conns.map(async (c) => {
      while (performance.now() < end) {
        const s = performance.now();
        try {
          const r = await c.request("POST", CREATE_PATH, part.headers, part.body);
          if (r.status === 200) lat.push(performance.now() - s);
          else {
            const k = `HTTP ${r.status}`;
            errors.set(k, (errors.get(k) ?? 0) + 1);
            firstError ??= `${k}: ${r.body.toString("utf8").slice(0, 1000)}`;
          }
        } catch (e) {
          const k = e.message;
          errors.set(k, (errors.get(k) ?? 0) + 1);
          firstError ??= k;
          await sleep(10); // a dropped connection reopens on the next request
        }
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const cpu = meter();
  conns.forEach((c) => c.close());
  lat.sort((a, b) => a - b);
  return {
    rps: lat.length / secs,
    ok: lat.length,
    p50: pct(lat, 50),
    p99: pct(lat, 99),
    errors: [...errors].map(([k, v]) => `${v}× ${k}`).join(", "),
    firstError,
    mibps: (lat.length * part.fileBytes) / secs / 1048576,
    ...cpu,
  };
}

function toMs(s) {
  const m = s.match(/^([\d.]+)(us|ms|s|m)$/);
  if (!m) return NaN;
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60000 }[m[2]];
}

/** 2. wrk on one URL. */
function wrk(srv, p, seconds) {
  const args = ["-t", String(opts.threads), "-c", String(opts.connections), "-d", `${seconds}s`];
  args.push("--timeout", "5s", "--latency", srv.url + p);
  const meter = cpuMeter(srv);
  const r = spawnSync("wrk", args, { encoding: "utf8" });
  const cpu = meter(); // wrk was reaped by spawnSync: its CPU is in the client's share
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}${r.stdout}`);
  const out = r.stdout;
  const num = (re) => Number(out.match(re)?.[1] ?? NaN);
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50: toMs(out.match(/^\s+50%\s+(\S+)/m)?.[1] ?? ""),
    p99: toMs(out.match(/^\s+99%\s+(\S+)/m)?.[1] ?? ""),
    ok: num(/(\d+) requests in/),
    errors: [
      (num(/Non-2xx or 3xx responses:\s+(\d+)/) || 0) ? `${num(/Non-2xx or 3xx responses:\s+(\d+)/)} non-2xx` : "",
      out.match(/Socket errors:.*$/m)?.[0] ?? "",
    ]
      .filter(Boolean)
      .join(", "),
    ...cpu,
  };
}

/** 3. The first `?thumb=100x100` of each file, INFLIGHT at a time; every response checked. */
async function thumbGenRun(srv, files) {
  const conns = Array.from({ length: opts.inflight }, () => new RawConnection(srv));
  await Promise.all(conns.map((c) => c.open()));
  const lat = [];
  const bad = [];
  const meter = cpuMeter(srv);
  const t0 = performance.now();
  await pool(opts.inflight, files.length, async (i, w) => {
    const s = performance.now();
    let r;
    try {
      r = await conns[w].request("GET", thumbPath(files[i]));
    } catch (e) {
      bad.push(`${files[i].id}: ${e.message}`);
      return;
    }
    const ms = performance.now() - s;
    const size = r.status === 200 ? pngSize(r.body) : null;
    if (r.status !== 200) bad.push(`${files[i].id}: HTTP ${r.status}: ${r.body.toString("utf8").slice(0, 500)}`);
    else if (!size || size.w !== 100 || size.h !== 100) {
      bad.push(`${files[i].id}: not a 100x100 PNG (${size ? `${size.w}x${size.h}` : `${r.body.length} bytes, not PNG`})`);
    } else lat.push(ms);
  });
  const secs = (performance.now() - t0) / 1000;
  const cpu = meter();
  conns.forEach((c) => c.close());
  lat.sort((a, b) => a - b);
  return {
    rps: lat.length / secs,
    ok: lat.length,
    p50: pct(lat, 50),
    p99: pct(lat, 99),
    errors: bad.length ? `${bad.length} bad` : "",
    firstError: bad[0] ?? null,
    checked: files.length,
    ...cpu,
  };
}

// ---------------------------------------------------------------------------------------

const results = []; // {name, unit, by: {server: result | {failed}}}

function line(srvName, wname, r, unit, extra = "") {
  if (r.failed) {
    console.log(`${wname} [${srvName}]: FAILED — ${r.failed}`);
    return;
  }
  const cpu =
    `server ${r.serverCores.toFixed(2)} cores, client ${r.clientCores.toFixed(2)} cores` +
    (Number.isFinite(r.otherCores) ? `, other ${r.otherCores.toFixed(2)}` : "");
  console.log(
    `${wname} [${srvName}]: ${r.rps.toFixed(1)} ${unit}, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms ` +
      `(${r.ok} ok${r.errors ? `; ERRORS: ${r.errors}` : ""})${extra}; ${cpu}`,
  );
  if (r.firstError) console.log(`  first error: ${r.firstError}`);
  if (Number.isFinite(r.otherCores) && r.otherCores > 0.1) {
    console.log(`  warning: other processes used ${r.otherCores.toFixed(2)} cores during this run: numbers are noisy`);
  }
}

async function main() {
  if (spawnSync("wrk", ["-v"], { encoding: "utf8" }).error) throw new Error("wrk is not installed: apt-get install -y wrk");
  const servers = [];
  try {
    if (opts.basalt) servers.push(await startServer("basalt", path.resolve(opts.basalt), "files"));
    if (opts.reference) servers.push(await startServer("pocketbase", path.resolve(opts.reference), "files"));
    for (const s of servers) await setup(s);

    // payloads, made once and the same for both servers
    const rand = rng(7);
    const mib = Buffer.alloc(1 << 20);
    for (let i = 0; i < mib.length; i += 4) mib.writeUInt32LE((rand() * 2 ** 32) >>> 0, i);
    const mibPart = { ...multipart("bench.bin", "application/octet-stream", mib), fileBytes: mib.length };
    const t0 = performance.now();
    const WARM_THUMBS = 16;
    const pngs = Array.from({ length: opts.thumbs + WARM_THUMBS + 1 }, (_, i) => makePng(800, 600, i));
    const avgPng = pngs.reduce((a, b) => a + b.length, 0) / pngs.length;
    console.log(
      `payloads: 1 MiB random file; ${pngs.length} distinct 800x600 PNGs (avg ${(avgPng / 1024).toFixed(0)} KiB), ` +
        `made in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    console.log(
      `upload: ${opts.clients} connections (hand-written HTTP/1.1 client); thumbs cached: wrk ${opts.threads} threads, ` +
        `${opts.connections} connections; thumbs first generation: ${opts.thumbs} files, ${opts.inflight} in flight; ` +
        `${opts.warmup} s warm-up + ${opts.duration} s timed\n`,
    );

    // 1. upload 1 MiB
    {
      const row = { name: "upload 1 MiB (multipart create)", unit: "req/s", by: {} };
      for (const s of servers) {
        try {
          const conn = new RawConnection(s);
          await upload(conn, s, mibPart); // probe: 200 with a file name
          conn.close();
          if (opts.warmup > 0) await uploadRun(s, mibPart, opts.warmup);
          const r = await uploadRun(s, mibPart, opts.duration);
          row.by[s.name] = r;
          line(s.name, row.name, r, "req/s", `, ${r.mibps.toFixed(0)} MiB/s`);
        } catch (e) {
          row.by[s.name] = { failed: e.message };
          line(s.name, row.name, row.by[s.name]);
        }
      }
      results.push(row);
    }

    // 2. thumb serve, cached
    {
      const row = { name: "thumb 100x100 serve, cached (wrk)", unit: "req/s", by: {} };
      for (const s of servers) {
        try {
          const conn = new RawConnection(s);
          const f = await upload(conn, s, multipart("cached.png", "image/png", pngs[pngs.length - 1]));
          const r0 = await conn.request("GET", thumbPath(f));
          conn.close();
          const size = r0.status === 200 ? pngSize(r0.body) : null;
          if (r0.status !== 200) throw new Error(`GET ${thumbPath(f)} -> ${r0.status}: ${r0.body.toString("utf8").slice(0, 1000)}`);
          if (!size || size.w !== 100 || size.h !== 100) {
            throw new Error(`GET ${thumbPath(f)}: not a 100x100 PNG (${size ? `${size.w}x${size.h}` : "not PNG"})`);
          }
          if (opts.warmup > 0) wrk(s, thumbPath(f), opts.warmup);
          const r = wrk(s, thumbPath(f), opts.duration);
          row.by[s.name] = r;
          line(s.name, row.name, r, "req/s", `, thumb ${r0.body.length} bytes`);
        } catch (e) {
          row.by[s.name] = { failed: e.message };
          line(s.name, row.name, row.by[s.name]);
        }
      }
      results.push(row);
    }

    // 3. thumb first generation
    {
      const row = { name: `thumb 100x100 first generation (${opts.thumbs} PNGs, ${opts.inflight} in flight)`, unit: "thumbs/s", by: {} };
      for (const s of servers) {
        try {
          const conns = Array.from({ length: 8 }, () => new RawConnection(s));
          const files = new Array(opts.thumbs + WARM_THUMBS);
          const tu = performance.now();
          await pool(8, files.length, async (i, w) => {
            files[i] = await upload(conns[w], s, multipart(`img${i}.png`, "image/png", pngs[i]));
          });
          conns.forEach((c) => c.close());
          const up = (performance.now() - tu) / 1000;
          const warm = await thumbGenRun(s, files.slice(opts.thumbs)); // warm-up: other files
          if (warm.firstError) throw new Error(`warm-up: ${warm.firstError}`);
          const r = await thumbGenRun(s, files.slice(0, opts.thumbs));
          row.by[s.name] = r;
          line(
            s.name,
            row.name,
            r,
            "thumbs/s",
            `, all ${r.checked} checked as 100x100 PNGs: ${r.errors ? "NO" : "yes"}; uploads took ${up.toFixed(1)} s`,
          );
        } catch (e) {
          row.by[s.name] = { failed: e.message };
          line(s.name, row.name, row.by[s.name]);
        }
      }
      results.push(row);
    }

    const mem = Object.fromEntries(servers.map((s) => [s.name, memory(s.pid)]));
    report(mem, servers);
  } finally {
    for (const s of servers) await s.stop();
  }
}

function report(mem, servers) {
  const names = servers.map((s) => s.name);
  const both = names.length === 2;
  const fmt = (r, unit) =>
    !r
      ? "-"
      : r.failed
        ? "FAILED"
        : `${r.rps.toFixed(r.rps < 100 ? 1 : 0)} ${unit}, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms` +
          (r.errors ? ` (errors: ${r.errors})` : "");
  console.log(`\n| workload | ${names.join(" | ")} |${both ? " Basalt ÷ PocketBase | target |" : ""}`);
  console.log(`|---|${names.map(() => "---").join("|")}|${both ? "---|---|" : ""}`);
  let failed = false;
  for (const { name, unit, by } of results) {
    let ratio = "";
    if (Object.values(by).some((r) => r.failed || r.errors)) failed = true;
    if (both) {
      const a = by.basalt;
      const b = by.pocketbase;
      ratio =
        a && b && !a.failed && !b.failed
          ? ` ${(a.rps / b.rps).toFixed(2)}× | ≥ ${TARGET_RATIO}×: ${a.rps / b.rps >= TARGET_RATIO ? "met" : "not met"} |`
          : " n/a | |";
    }
    console.log(`| ${name} | ${names.map((n) => fmt(by[n], unit)).join(" | ")} |${ratio}`);
  }
  console.log(
    `| peak RSS (VmHWM) | ${names.map((n) => `${mem[n].hwm.toFixed(1)} MiB (now ${mem[n].rss.toFixed(1)})`).join(" | ")} |` +
      (both ? ` ${(mem.basalt.hwm / mem.pocketbase.hwm).toFixed(2)}× | |` : ""),
  );
  for (const { name, by } of results) {
    for (const [n, r] of Object.entries(by)) if (r.failed) console.log(`\nnote: ${n} failed "${name}": ${r.failed}`);
  }
  if (failed) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e.stack ?? String(e));
  process.exitCode = 1;
});
