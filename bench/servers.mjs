// What the benchmarks share: starting a server (Basalt or PocketBase, driven the same way)
// on a fresh temp dir and a free loopback port, its CPU and memory from /proc, the
// superuser's JSON API calls, and a pool of concurrent workers.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const EMAIL = "admin@example.com";
export const PASSWORD = "Passw0rd!1234";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A port that was free a moment ago (listen on 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `bin` as server `name` (`basalt` or `pocketbase`): `superuser upsert`, then `serve`
 * on a free loopback port in a temp dir prefixed `bench-{tag}-{name}-` (with `files` written
 * into it first); resolves once `/api/health` answers. `stop()` ends it and removes the dir.
 */
export async function startServer(name, bin, tag, files = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${tag}-${name}-`));
  // files next to pb_data (pb_hooks/*.pb.js, ...): {relative path: content}
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
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
    host: "127.0.0.1",
    port,
    pid: child.pid,
    dir,
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

/** CPU jiffies (1/100 s) of a process (user + system). */
export function procCpu(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const v = f.slice(f.lastIndexOf(")") + 2).split(" ").map(Number);
  return v[11] + v[12];
}

/** CPU jiffies of a process's waited-for children (cutime + cstime): wrk, once reaped. */
export function childCpu(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const v = f.slice(f.lastIndexOf(")") + 2).split(" ").map(Number);
  return v[13] + v[14];
}

/** Busy jiffies of the whole machine (all cores). */
export function machineBusy() {
  const v = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = v;
  return user + nice + system + irq + softirq + steal;
}

/** VmHWM / VmRSS of a process, in MiB. */
export function memory(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k) => Number(status.match(new RegExp(`^${k}:\\s+(\\d+) kB`, "m"))?.[1] ?? NaN);
  return { hwm: kb("VmHWM") / 1024, rss: kb("VmRSS") / 1024 };
}

/** A JSON API call that must answer 200 (as `token`, the superuser's by default). */
export async function api(srv, method, p, body, token = srv.token) {
  const res = await fetch(srv.url + p, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${srv.name}: ${method} ${p} -> ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/** Runs `job(i, worker)` for i in 0..count with `n` workers. */
export async function pool(n, count, job) {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async (_, worker) => {
      while (next < count) await job(next++, worker);
    }),
  );
}
