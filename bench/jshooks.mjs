#!/usr/bin/env node
// JS hooks benchmark: a `routerAdd` hello route in pb_hooks, Basalt (QuickJS pool) vs the
// reference PocketBase (goja JSVM pool), the same hooks file, with wrk.
//
//   node bench/jshooks.mjs --basalt target/release/basalt --reference PB_BIN
//                          [--duration 10] [--warmup 3] [--connections 32] [--threads 2]
//                          [--rounds 2]
//
// Both servers start on fresh temp dirs (loopback only) with pb_hooks/hello.pb.js:
//   routerAdd("GET", "/hello/{name}", (e) => e.json(200, { message: "Hello " + e.request.pathValue("name") }))
// Then, per round and server in turns: a warm-up, then DURATION seconds of
// `GET /hello/world`; every answer must be 200. The table shows requests/s, p50/p99 latency,
// the server's CPU cores, and Basalt ÷ PocketBase against the 1× target. See bench/README.md.
import { spawnSync } from "node:child_process";
import { procCpu, startServer } from "./servers.mjs";

const TARGET_RATIO = 1;
const HOOKS = `routerAdd("GET", "/hello/{name}", (e) => {
  return e.json(200, { message: "Hello " + e.request.pathValue("name") });
});
`;

function parseArgs(argv) {
  const o = { duration: 10, warmup: 3, connections: 32, threads: 2, rounds: 2 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--basalt") o.basalt = argv[++i];
    else if (a === "--reference") o.reference = argv[++i];
    else if (a === "--duration") o.duration = Number(argv[++i]);
    else if (a === "--warmup") o.warmup = Number(argv[++i]);
    else if (a === "--connections") o.connections = Number(argv[++i]);
    else if (a === "--threads") o.threads = Number(argv[++i]);
    else if (a === "--rounds") o.rounds = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  if (!o.basalt && !o.reference) {
    throw new Error("usage: jshooks.mjs --basalt BIN [--reference PB_BIN] [--duration S] [--connections N]");
  }
  return o;
}

function toMs(s) {
  const m = s.match(/^([\d.]+)(us|ms|s|m)$/);
  if (!m) return NaN;
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60000 }[m[2]];
}

function wrk(srv, o, seconds) {
  const args = ["-t", String(o.threads), "-c", String(o.connections), "-d", `${seconds}s`, "--timeout", "5s", "--latency"];
  args.push(`${srv.url}/hello/world`);
  const cpu0 = procCpu(srv.pid);
  const t0 = Date.now();
  const r = spawnSync("wrk", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}${r.stdout}`);
  const out = r.stdout;
  const num = (re) => Number(out.match(re)?.[1] ?? NaN);
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50: toMs(out.match(/^\s+50%\s+(\S+)/m)?.[1] ?? ""),
    p99: toMs(out.match(/^\s+99%\s+(\S+)/m)?.[1] ?? ""),
    errors: (num(/Non-2xx or 3xx responses:\s+(\d+)/) || 0) + (out.includes("Socket errors") ? 1 : 0),
    cores: (procCpu(srv.pid) - cpu0) / 100 / ((Date.now() - t0) / 1000),
  };
}

async function check(srv) {
  const res = await fetch(`${srv.url}/hello/world`);
  const body = await res.json();
  if (res.status !== 200 || body.message !== "Hello world") {
    throw new Error(`${srv.name}: GET /hello/world -> ${res.status} ${JSON.stringify(body)}`);
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const servers = [];
  if (o.basalt) servers.push(await startServer("basalt", o.basalt, "jshooks", { "pb_hooks/hello.pb.js": HOOKS }));
  if (o.reference) servers.push(await startServer("pocketbase", o.reference, "jshooks", { "pb_hooks/hello.pb.js": HOOKS }));
  const best = {};
  try {
    for (const s of servers) await check(s);
    for (let round = 0; round < o.rounds; round++) {
      for (const s of servers) {
        if (o.warmup > 0) wrk(s, o, o.warmup);
        const r = wrk(s, o, o.duration);
        if (r.errors) throw new Error(`${s.name}: ${r.errors} failed requests`);
        console.log(`round ${round + 1} ${s.name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.cores.toFixed(2)} cores`);
        if (!best[s.name] || r.rps > best[s.name].rps) best[s.name] = r;
      }
    }
  } finally {
    for (const s of servers) await s.stop();
  }
  console.log(`\nwrk: ${o.threads} threads, ${o.connections} connections, ${o.warmup} s warm-up + ${o.duration} s, best of ${o.rounds} rounds\n`);
  console.log("| server | req/s | p50 ms | p99 ms | server cores |");
  console.log("|---|---:|---:|---:|---:|");
  for (const [name, r] of Object.entries(best)) {
    console.log(`| ${name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.cores.toFixed(2)} |`);
  }
  if (best.basalt && best.pocketbase) {
    const ratio = best.basalt.rps / best.pocketbase.rps;
    console.log(`\nBasalt ÷ PocketBase: ${ratio.toFixed(2)}× (target ≥ ${TARGET_RATIO}×: ${ratio >= TARGET_RATIO ? "met" : "NOT met"})`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
