// Starts a throw-away server (Basalt or the real PocketBase) for the SDK tests.
//
// The binary comes from $BASALT_BIN; it is driven exactly like PocketBase:
//   $BASALT_BIN superuser upsert EMAIL PASS --dir D/pb_data
//   $BASALT_BIN serve --http=127.0.0.1:PORT --dir D/pb_data
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const SUPERUSER_EMAIL = "admin@example.com";
export const SUPERUSER_PASSWORD = "Passw0rd!1234";

const HEALTH_TIMEOUT_MS = 30_000;
const KILL_GRACE_MS = 5_000;

/** The server binary from $BASALT_BIN; throws a clear error when unset or missing. */
export function requireBin() {
  const bin = process.env.BASALT_BIN;
  if (!bin) {
    throw new Error(
      "BASALT_BIN is not set: point it at the server binary to test, e.g.\n" +
        "  BASALT_BIN=$PWD/../../target/debug/basalt npm test\n" +
        "  BASALT_BIN=$(bash /work/shared/tools/refpb bin) npm test   # reference PocketBase",
    );
  }
  // a bare name is looked up on PATH; a relative path is taken from where `npm test` was typed
  if (!bin.includes("/")) return bin;
  const abs = path.resolve(process.env.INIT_CWD ?? process.cwd(), bin);
  if (!fs.existsSync(abs)) {
    throw new Error(`BASALT_BIN=${bin} does not exist (resolved to ${abs})`);
  }
  return abs;
}

/** Runs a command to completion; rejects with its output unless it exits 0. */
function run(bin, args, opts) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { ...opts, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (code === 0) resolve(out);
      else
        reject(
          new Error(
            `\`${bin} ${args.join(" ")}\` exited with ${code ?? signal}:\n${out}`,
          ),
        );
    });
  });
}

/** A port that was free a moment ago (listen on 0, read it, close). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Creates a fresh data dir with a superuser, starts `serve` on a free port and
 * waits for /api/health. Returns { url, dir, stop(), output(), halt(), cli(args), resume() }.
 * `options.files` ({relative path: content}) are written next to pb_data first (pb_hooks,
 * pb_migrations), `options.args` are added to `serve`'s; `halt` stops the server keeping the dir, `cli` runs the binary on it and
 * `resume` serves it again on the same port.
 */
export async function startServer(options = {}) {
  const bin = requireBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "basalt-sdk-"));
  for (const [rel, content] of Object.entries(options.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  const dataDir = path.join(dir, "pb_data");
  let child;
  let output = "";

  const stop = async () => {
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    await run(bin, ["superuser", "upsert", SUPERUSER_EMAIL, SUPERUSER_PASSWORD, "--dir", dataDir], {
      cwd: dir,
    });

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const serve = async () => {
      child = spawn(bin, ["serve", `--http=127.0.0.1:${port}`, "--dir", dataDir, ...(options.args ?? [])], {
        cwd: dir,
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
      // safety net if the test process dies without running `stop`
      const onExit = () => {
        child.kill("SIGKILL");
        fs.rmSync(dir, { recursive: true, force: true });
      };
      process.once("exit", onExit);
      child.once("exit", () => process.removeListener("exit", onExit));
      const closed = new Promise((r) => child.once("close", r));
      let spawnError;
      child.on("error", (e) => (spawnError = e));

      const deadline = Date.now() + HEALTH_TIMEOUT_MS;
      let lastErr = "no response";
      for (;;) {
        if (spawnError) throw spawnError;
        if (child.exitCode !== null || child.signalCode !== null) {
          await closed; // let stdout/stderr drain so the output below is complete
          throw new Error(`\`serve\` exited early (${child.exitCode ?? child.signalCode})`);
        }
        try {
          const res = await fetch(`${url}/api/health`);
          if (res.status === 200) break;
          lastErr = `status ${res.status}`;
        } catch (e) {
          lastErr = e.cause?.code ?? e.message;
        }
        if (Date.now() > deadline) {
          throw new Error(`GET ${url}/api/health not 200 after ${HEALTH_TIMEOUT_MS} ms (${lastErr})`);
        }
        await sleep(50);
      }
    };
    await serve();
    const halt = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
    };
    // "y": PocketBase asks before `migrate down`
    const cli = (args) => {
      const res = spawnSync(bin, [...args, "--dir", dataDir], { cwd: dir, input: "y\n", encoding: "utf8" });
      if (res.status !== 0) throw new Error(`\`${bin} ${args.join(" ")}\` exited with ${res.status}:\n${res.stdout}${res.stderr}`);
      return res.stdout + res.stderr;
    };
    return { url, dir, stop, output: () => output, halt, cli, resume: serve };
  } catch (e) {
    await stop();
    e.message += `\n--- server output ---\n${output}`;
    throw e;
  }
}
