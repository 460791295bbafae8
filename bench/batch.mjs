#!/usr/bin/env node
// Batch benchmark: Basalt vs the reference PocketBase, `POST /api/batch` with 100 creates.
//
//   node bench/batch.mjs --basalt target/release/basalt --reference PB_BIN [--batches 200]
//                        [--inflight 4] [--size 100]
//
// Both servers start on fresh temp dirs (loopback only); each gets a `posts` collection
// (create rule "": anyone; `title` text, `views` number, `published` bool) and batches
// turned on (maxRequests 1000, timeout 30 s). Then, per server in turns: a warm-up of 10
// batches, then BATCHES batches of SIZE creates, INFLIGHT at a time, as a guest; every
// answer is checked (200, SIZE results of status 200). The table shows batches/s, records/s,
// p50/p99 batch latency, Basalt ÷ PocketBase against the 3× target, and the server CPU per
// batch. See bench/README.md.
import path from "node:path";
import { EMAIL, PASSWORD, api, procCpu, startServer } from "./servers.mjs";

const TARGET_RATIO = 3;
const WARMUP = 10;

function parseArgs(argv) {
  const o = { batches: 200, inflight: 4, size: 100 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--basalt") o.basalt = argv[++i];
    else if (a === "--reference") o.reference = argv[++i];
    else if (a === "--batches") o.batches = Number(argv[++i]);
    else if (a === "--inflight") o.inflight = Number(argv[++i]);
    else if (a === "--size") o.size = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  if (!o.basalt && !o.reference) {
    throw new Error("usage: batch.mjs --basalt BIN [--reference PB_BIN] [--batches N] [--inflight N] [--size N]");
  }
  return o;
}






async function setup(srv) {
  const auth = await api(srv, "POST", "/api/collections/_superusers/auth-with-password", {
    identity: EMAIL,
    password: PASSWORD,
  });
  srv.token = auth.token;
  await api(srv, "POST", "/api/collections", {
    name: "posts",
    type: "base",
    listRule: "",
    viewRule: "",
    createRule: "",
    fields: [
      { name: "title", type: "text", required: true },
      { name: "views", type: "number" },
      { name: "published", type: "bool" },
    ],
  });
  await api(srv, "PATCH", "/api/settings", { batch: { enabled: true, maxRequests: 1000, timeout: 30 } });
}

let counter = 0;

function batchBody(size) {
  const requests = [];
  for (let i = 0; i < size; i++) {
    const n = counter++;
    requests.push({
      method: "POST",
      url: "/api/collections/posts/records",
      body: { title: `post ${n}`, views: n % 1000, published: n % 2 === 0 },
    });
  }
  return JSON.stringify({ requests });
}

async function sendBatch(srv, size) {
  const t0 = process.hrtime.bigint();
  const res = await fetch(`${srv.url}/api/batch`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: batchBody(size),
  });
  const out = await res.json();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.status !== 200 || !Array.isArray(out) || out.length !== size || out.some((r) => r.status !== 200)) {
    throw new Error(`${srv.name}: batch -> ${res.status}: ${JSON.stringify(out).slice(0, 300)}`);
  }
  return ms;
}

async function run(srv, o) {
  for (let i = 0; i < WARMUP; i++) await sendBatch(srv, o.size);
  const latencies = [];
  let next = 0;
  const cpu0 = procCpu(srv.pid);
  const t0 = process.hrtime.bigint();
  async function worker() {
    while (next < o.batches) {
      next++;
      latencies.push(await sendBatch(srv, o.size));
    }
  }
  await Promise.all(Array.from({ length: o.inflight }, worker));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = (procCpu(srv.pid) - cpu0) / 100;
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return {
    rps: o.batches / secs,
    records: (o.batches * o.size) / secs,
    p50: q(0.5),
    p99: q(0.99),
    cpuMs: (cpu * 1000) / o.batches,
  };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const servers = [];
  if (o.basalt) servers.push(["basalt", o.basalt]);
  if (o.reference) servers.push(["pocketbase", o.reference]);
  const results = {};
  for (const [name, bin] of servers) {
    const srv = await startServer(name, bin, "batch");
    try {
      await setup(srv);
      results[name] = await run(srv, o);
    } finally {
      await srv.stop();
    }
  }
  const f = (n, d = 0) => n.toFixed(d).padStart(9);
  console.log(
    `\nPOST /api/batch, ${o.size} creates per batch, ${o.batches} batches, ${o.inflight} in flight (after ${WARMUP} warm-up batches)\n`,
  );
  console.log("server       batches/s  records/s   p50 ms    p99 ms  CPU ms/batch");
  for (const [name] of servers) {
    const r = results[name];
    console.log(`${name.padEnd(11)}${f(r.rps, 1)}  ${f(r.records)} ${f(r.p50, 1)} ${f(r.p99, 1)} ${f(r.cpuMs, 1)}`);
  }
  if (results.basalt && results.pocketbase) {
    const ratio = results.basalt.rps / results.pocketbase.rps;
    const verdict = ratio >= TARGET_RATIO ? "meets" : "below";
    console.log(`\nBasalt ÷ PocketBase: ${ratio.toFixed(2)}× (${verdict} the ${TARGET_RATIO}× target)`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
