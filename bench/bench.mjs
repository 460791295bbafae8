#!/usr/bin/env node
// List-endpoint benchmark: Basalt vs the reference PocketBase, with wrk.
//
//   node bench/bench.mjs --basalt target/release/basalt --reference PB_BIN [--duration 10]
//
// Both servers start on fresh temp dirs (loopback only) and get the same data through the
// API: 10 users, and 10,000 posts in each of two collections, `posts` (list rule "": anyone)
// and `owned_posts` (list rule `author = @request.auth.id`). Then each workload runs with wrk
// (2 threads, 32 connections, a 2 s warm-up, then DURATION s measured) against Basalt and
// PocketBase in turns, and the table shows req/s, p50/p99 latency and Basalt's ratio; peak RSS
// (VmHWM) of each server comes last. See bench/README.md.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const EMAIL = "admin@example.com";
const PASSWORD = "Passw0rd!1234";
const USER_PASSWORD = "bench-Secret-123";
const USERS = 10;
const RECORDS = 10_000;
const SEED_CONCURRENCY = 16;
const FILTER = "views > 500 && published = true";
const TARGET_RATIO = 3;

function parseArgs(argv) {
  const o = { duration: 10, warmup: 2, threads: 2, connections: 32 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--basalt") o.basalt = argv[++i];
    else if (a === "--reference") o.reference = argv[++i];
    else if (a === "--duration") o.duration = Number(argv[++i]);
    else if (a === "--warmup") o.warmup = Number(argv[++i]);
    else if (a === "--indexed") o.indexed = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!o.basalt && !o.reference) {
    throw new Error("usage: bench.mjs --basalt BIN [--reference PB_BIN] [--duration S] [--warmup S] [--indexed]");
  }
  return o;
}

// ---------------------------------------------------------------------------------------
// servers
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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function startServer(name, bin) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${name}-`));
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
  const url = `http://127.0.0.1:${port}`;
  const srv = {
    name,
    url,
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
      if ((await fetch(`${url}/api/health`)).ok) return srv;
    } catch {}
    if (i > 600) throw new Error(`${bin}: not healthy after 30 s:\n${log}`);
    await sleep(50);
  }
}

/** CPU jiffies (1/100 s) of a process: [own, waited-for children]. */
function procCpu(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const v = f.slice(f.lastIndexOf(")") + 2).split(" ").map(Number);
  return [v[11] + v[12], v[13] + v[14]];
}

/** Busy jiffies of the whole machine (all cores). */
function machineBusy() {
  const v = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = v;
  return user + nice + system + irq + softirq + steal;
}

/** VmHWM / VmRSS of a process, in MiB. */
function memory(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k) => Number(status.match(new RegExp(`^${k}:\\s+(\\d+) kB`, "m"))?.[1] ?? NaN);
  return { hwm: kb("VmHWM") / 1024, rss: kb("VmRSS") / 1024 };
}

// ---------------------------------------------------------------------------------------
// seeding through the API
// ---------------------------------------------------------------------------------------

async function api(srv, method, p, body, token = srv.token) {
  const res = await fetch(srv.url + p, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  if (res.status !== 200) {
    throw new Error(`${srv.name}: ${method} ${p} -> ${res.status}: ${text.slice(0, 500)}`);
  }
  return json;
}

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

async function pool(n, count, job) {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < count) await job(next++);
    }),
  );
}

async function seed(srv) {
  const t0 = Date.now();
  srv.token = (
    await api(srv, "POST", "/api/collections/_superusers/auth-with-password", {
      identity: EMAIL,
      password: PASSWORD,
    })
  ).token;
  const users = await api(srv, "GET", "/api/collections/users");
  const fields = [
    { name: "title", type: "text" },
    { name: "views", type: "number" },
    { name: "published", type: "bool" },
    { name: "author", type: "relation", collectionId: users.id, maxSelect: 1 },
  ];
  for (const [name, listRule] of [
    ["posts", ""],
    ["owned_posts", "author = @request.auth.id"],
  ]) {
    await api(srv, "POST", "/api/collections", {
      name,
      type: "base",
      listRule,
      viewRule: listRule,
      fields,
      // --indexed: the same indexes on both servers, matching the workloads' filter and sort
      indexes: opts.indexed
        ? [
            `CREATE INDEX idx_${name}_pub_views ON ${name} (published, views)`,
            `CREATE INDEX idx_${name}_author_pub_views ON ${name} (author, published, views)`,
          ]
        : [],
    });
  }
  const userIds = [];
  for (let i = 0; i < USERS; i++) {
    const u = await api(srv, "POST", "/api/collections/users/records", {
      email: `user${i}@example.com`,
      password: USER_PASSWORD,
      passwordConfirm: USER_PASSWORD,
      name: `User ${i}`,
      emailVisibility: true,
    });
    userIds.push(u.id);
  }
  const rand = rng(42);
  const rows = Array.from({ length: RECORDS }, (_, i) => ({
    title: `Post number ${i} ${"lorem ipsum ".repeat(1 + (i % 5))}`.trim(),
    views: Math.floor(rand() * 1000),
    published: rand() < 0.5,
    author: userIds[i % USERS],
  }));
  for (const c of ["posts", "owned_posts"]) {
    await pool(SEED_CONCURRENCY, RECORDS, (i) => api(srv, "POST", `/api/collections/${c}/records`, rows[i]));
  }
  srv.userToken = (
    await api(srv, "POST", "/api/collections/users/auth-with-password", {
      identity: "user0@example.com",
      password: USER_PASSWORD,
    })
  ).token;
  return (Date.now() - t0) / 1000;
}

// ---------------------------------------------------------------------------------------
// workloads
// ---------------------------------------------------------------------------------------

const qs = (o) => new URLSearchParams(o).toString();
const LIST = { page: "1", perPage: "30", filter: FILTER, sort: "-views" };
const WORKLOADS = [
  { name: "guest: posts, filter + sort", path: `/api/collections/posts/records?${qs(LIST)}` },
  {
    name: "user: owned_posts (owner rule)",
    path: `/api/collections/owned_posts/records?${qs(LIST)}`,
    auth: true,
  },
  {
    name: "user: owned_posts + expand=author",
    path: `/api/collections/owned_posts/records?${qs({ ...LIST, expand: "author" })}`,
    auth: true,
    expand: true,
  },
].filter((w) => !process.env.BENCH_ONLY || w.name.includes(process.env.BENCH_ONLY));

/** One request by hand: what the workload returns (and whether expand works). */
async function probe(srv, w) {
  const res = await fetch(srv.url + w.path, {
    headers: w.auth ? { authorization: srv.userToken } : {},
  });
  const body = await res.json().catch(() => null);
  if (res.status !== 200) return { ok: false, why: `status ${res.status}: ${body?.message ?? ""}` };
  const items = body?.items ?? [];
  if (items.length === 0) return { ok: false, why: "no items" };
  if (w.auth && items.some((it) => it.author !== items[0].author)) {
    return { ok: false, why: "owner rule not applied" };
  }
  if (w.expand && !items.every((it) => it.expand?.author?.id === it.author)) {
    return { ok: false, why: "expand=author not applied (no expand.author in the items)" };
  }
  return { ok: true, items: items.length, total: body.totalItems };
}

function toMs(s) {
  const m = s.match(/^([\d.]+)(us|ms|s|m)$/);
  if (!m) return NaN;
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60000 }[m[2]];
}

function wrk(srv, w, seconds) {
  const args = ["-t", String(opts.threads), "-c", String(opts.connections), "-d", `${seconds}s`];
  args.push("--timeout", "5s", "--latency");
  if (w.auth) args.push("-H", `Authorization: ${srv.userToken}`);
  args.push(srv.url + w.path);
  // CPU used by anything but this server, wrk and this script, to flag a noisy machine
  const before = { busy: machineBusy(), srv: procCpu(srv.pid)[0], me: procCpu(process.pid) };
  const t0 = Date.now();
  const r = spawnSync("wrk", args, { encoding: "utf8" });
  const me = procCpu(process.pid);
  const used =
    machineBusy() - before.busy - (procCpu(srv.pid)[0] - before.srv) - (me[0] - before.me[0]) - (me[1] - before.me[1]);
  const otherCores = Math.max(0, used) / 100 / ((Date.now() - t0) / 1000);
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}${r.stdout}`);
  const out = r.stdout;
  const num = (re) => Number(out.match(re)?.[1] ?? NaN);
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50: toMs(out.match(/^\s+50%\s+(\S+)/m)?.[1] ?? ""),
    p99: toMs(out.match(/^\s+99%\s+(\S+)/m)?.[1] ?? ""),
    requests: num(/(\d+) requests in/),
    errors: num(/Non-2xx or 3xx responses:\s+(\d+)/) || 0,
    socketErrors: out.match(/Socket errors:.*$/m)?.[0] ?? "",
    serverCores: (procCpu(srv.pid)[0] - before.srv) / 100 / ((Date.now() - t0) / 1000),
    otherCores,
  };
}

// ---------------------------------------------------------------------------------------

const opts = parseArgs(process.argv.slice(2));

async function main() {
  const which = spawnSync("wrk", ["-v"], { encoding: "utf8" });
  if (which.error) throw new Error("wrk is not installed: apt-get install -y wrk");
  const servers = [];
  try {
    if (opts.basalt) servers.push(await startServer("basalt", path.resolve(opts.basalt)));
    if (opts.reference) servers.push(await startServer("pocketbase", path.resolve(opts.reference)));
    for (const s of servers) {
      const secs = await seed(s);
      console.log(`${s.name}: seeded ${USERS} users + 2×${RECORDS} posts through the API in ${secs.toFixed(1)} s`);
    }
    console.log(
      `\nwrk: ${opts.threads} threads, ${opts.connections} connections, ${opts.warmup} s warm-up + ` +
        `${opts.duration} s per run; filter=${FILTER} sort=-views perPage=30\n`,
    );
    const results = [];
    for (const w of WORKLOADS) {
      const row = { w, by: {} };
      for (const s of servers) {
        const p = await probe(s, w);
        if (!p.ok) {
          row.by[s.name] = { skipped: p.why };
          console.log(`${w.name} [${s.name}]: SKIPPED — ${p.why}`);
          continue;
        }
        if (opts.warmup > 0) wrk(s, w, opts.warmup);
        const r = wrk(s, w, opts.duration);
        row.by[s.name] = r;
        const errs = r.errors ? `, ${r.errors} non-2xx` : "";
        console.log(
          `${w.name} [${s.name}]: ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, ` +
            `p99 ${r.p99.toFixed(2)} ms (${p.items} items of ${p.total}${errs}); server used ` +
            `${r.serverCores.toFixed(2)} cores, other processes ${r.otherCores.toFixed(2)} ${r.socketErrors}`,
        );
        if (r.otherCores > 0.1) console.log(`  warning: other processes used ${r.otherCores.toFixed(2)} cores during this run: numbers are noisy`);
      }
      results.push(row);
    }
    const mem = Object.fromEntries(servers.map((s) => [s.name, memory(s.pid)]));
    report(results, mem, servers);
  } finally {
    for (const s of servers) await s.stop();
  }
}

function report(results, mem, servers) {
  const names = servers.map((s) => s.name);
  const both = names.length === 2;
  const fmt = (r) =>
    !r
      ? "-"
      : r.skipped
        ? "skipped"
        : `${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms` +
          (r.otherCores > 0.1 ? " (noisy*)" : "");
  console.log(`\n| workload | ${names.join(" | ")} |${both ? " Basalt ÷ PocketBase (req/s) |" : ""}`);
  console.log(`|---|${names.map(() => "---").join("|")}|${both ? "---|" : ""}`);
  for (const { w, by } of results) {
    let ratio = "";
    if (both) {
      const a = by.basalt;
      const b = by.pocketbase;
      ratio =
        a && b && !a.skipped && !b.skipped
          ? ` ${(a.rps / b.rps).toFixed(2)}× (target ${TARGET_RATIO}×: ${a.rps / b.rps >= TARGET_RATIO ? "met" : "not met"}) |`
          : " n/a |";
    }
    console.log(`| ${w.name} | ${names.map((n) => fmt(by[n])).join(" | ")} |${ratio}`);
  }
  console.log(
    `| peak RSS (VmHWM) | ${names.map((n) => `${mem[n].hwm.toFixed(1)} MiB (now ${mem[n].rss.toFixed(1)})`).join(" | ")} |` +
      (both ? ` ${(mem.basalt.hwm / mem.pocketbase.hwm).toFixed(2)}× |` : ""),
  );
  if (results.some((r) => Object.values(r.by).some((x) => x.otherCores > 0.1))) {
    console.log("\n*noisy: other processes used > 0.1 core during that run; run again on an idle machine");
  }
  const skipped = results.filter((r) => r.by.basalt?.skipped);
  for (const r of skipped) console.log(`\nnote: Basalt skipped "${r.w.name}": ${r.by.basalt.skipped}`);
}

main().catch((e) => {
  console.error(e.stack ?? String(e));
  process.exitCode = 1;
});
