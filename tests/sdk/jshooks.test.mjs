// JS hooks and migrations (pb_hooks/*.pb.js, pb_migrations/*.js) through the official JS
// SDK: a custom route with a path param, a hook that changes a record before create and
// one that rejects, a transaction that rolls back, a cron job, a migration that creates a
// collection and its down (`migrate down`) that removes it; a hook error's answer and log,
// and a syntax error that stops the server. The same files run on PocketBase 0.40.6.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import PocketBase from "pocketbase";
import { rejectsWith } from "./assertions.mjs";
import { requireBin, startServer, SUPERUSER_EMAIL, SUPERUSER_PASSWORD } from "./server.mjs";

requireBin();

const MIGRATION = `migrate((app) => {
  const c = new Collection({
    type: "base",
    name: "notes",
    listRule: "",
    viewRule: "",
    createRule: "",
    fields: [{ name: "title", type: "text" }],
  });
  app.save(c);
}, (app) => {
  app.delete(app.findCollectionByNameOrId("notes"));
});
`;

const HOOKS = `routerAdd("GET", "/hello/{name}", (e) => {
  return e.json(200, { message: "Hello " + e.request.pathValue("name") });
});

onRecordCreate((e) => {
  e.record.set("title", e.record.get("title").toUpperCase());
  e.next();
}, "notes");

onRecordCreate((e) => {
  if (e.record.get("title") === "FORBIDDEN") {
    throw new BadRequestError("Forbidden titles are rejected.", {
      title: new ValidationError("validation_forbidden_title", "Pick another title."),
    });
  }
  e.next();
}, "notes");

routerAdd("POST", "/tx", (e) => {
  let failed = "";
  try {
    $app.runInTransaction((txApp) => {
      const r = new Record(txApp.findCollectionByNameOrId("notes"), { title: "in tx" });
      txApp.save(r);
      throw new Error("roll it back");
    });
  } catch (err) {
    failed = "yes";
  }
  const found = $app.findRecordsByFilter("notes", "title = {:t}", "", 10, 0, { t: "IN TX" });
  return e.json(200, { failed, found: found.length });
});

cronAdd("jsjob", "0 0 1 1 *", () => {
  const r = new Record($app.findCollectionByNameOrId("notes"), { title: "from cron" });
  $app.save(r);
});

onBootstrap((e) => {
  e.next();
  $os.writeFile(__hooks + "/../bootstrapped.txt", "yes", 0o644);
});

// onServe is Basalt's (PocketBase 0.40's JSVM has none)
if (typeof onServe === "function") {
  onServe((e) => {
    $os.writeFile(__hooks + "/../served.txt", "yes", 0o644);
    e.next();
  });
}

routerAdd("GET", "/boom", (e) => {
  const x = null;
  return e.json(200, { v: x.missing });
});
`;

let server;
/** @type {PocketBase} */
let su;

function client() {
  const pb = new PocketBase(server.url);
  pb.autoCancellation(false);
  return pb;
}

describe("JS hooks and migrations through the JS SDK", () => {
  before(async () => {
    server = await startServer({
      files: {
        "pb_hooks/main.pb.js": HOOKS,
        "pb_migrations/1700000000_created_notes.js": MIGRATION,
      },
    });
    su = client();
    await su.collection("_superusers").authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
  });

  after(async () => {
    await server?.stop();
  });

  test("the migration created the collection", async () => {
    const c = await su.collections.getOne("notes");
    assert.equal(c.type, "base");
    assert.deepEqual(
      c.fields.map((f) => f.name),
      ["id", "title"],
    );
  });

  test("routerAdd: a custom route with a path param", async () => {
    const res = await client().send("/hello/ann", {});
    assert.deepEqual(res, { message: "Hello ann" });
  });

  test("onRecordCreate changes the record before create", async () => {
    const rec = await client().collection("notes").create({ title: "hello" });
    assert.equal(rec.title, "HELLO");
    const stored = await client().collection("notes").getOne(rec.id);
    assert.equal(stored.title, "HELLO");
  });

  test("onRecordCreate rejects with PocketBase's error answer", async () => {
    const err = await rejectsWith(client().collection("notes").create({ title: "forbidden" }), 400);
    assert.equal(err.response.message, "Forbidden titles are rejected.");
    assert.deepEqual(err.response.data, {
      title: { code: "validation_forbidden_title", message: "Pick another title." },
    });
    const list = await client().collection("notes").getFullList({ filter: 'title = "FORBIDDEN"' });
    assert.equal(list.length, 0);
  });

  test("$app.runInTransaction rolls back when its function throws", async () => {
    const res = await client().send("/tx", { method: "POST" });
    assert.deepEqual(res, { failed: "yes", found: 0 });
  });

  test("cronAdd: the job runs (through the crons API)", async () => {
    const jobs = await su.crons.getFullList();
    assert.ok(jobs.some((j) => j.id === "jsjob" && j.expression === "0 0 1 1 *"));
    await su.crons.run("jsjob");
    let found = [];
    for (let i = 0; i < 50 && found.length === 0; i++) {
      found = await client().collection("notes").getFullList({ filter: 'title = "FROM CRON"' });
      if (!found.length) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(found.length, 1);
  });

  test("a hook error: PocketBase's answer to the client, the JS stack in the log", async () => {
    const err = await rejectsWith(client().send("/boom", {}), 400);
    assert.equal(err.response.message, "Something went wrong while processing your request.");
    if (!process.env.BASALT_BIN.includes("pocketbase")) {
      assert.match(server.output(), /main\.pb\.js:\d+/);
    }
  });

  test("onBootstrap and onServe ran", () => {
    assert.equal(fs.readFileSync(path.join(server.dir, "bootstrapped.txt"), "utf8"), "yes");
    if (!process.env.BASALT_BIN.includes("pocketbase")) {
      assert.equal(fs.readFileSync(path.join(server.dir, "served.txt"), "utf8"), "yes");
    }
  });

  test("--hooksWatch: a changed hooks file is reloaded", async () => {
    const file = path.join(server.dir, "pb_hooks", "watched.pb.js");
    fs.writeFileSync(file, 'routerAdd("GET", "/watched", (e) => e.string(200, "v1"));\n');
    let text = "";
    for (let i = 0; i < 100 && text !== "v1"; i++) {
      await new Promise((r) => setTimeout(r, 200));
      text = await fetch(`${server.url}/watched`).then((r) => r.text()).catch(() => "");
    }
    assert.equal(text, "v1");
    fs.writeFileSync(file, 'routerAdd("GET", "/watched", (e) => e.string(200, "v2"));\n');
    for (let i = 0; i < 100 && text !== "v2"; i++) {
      await new Promise((r) => setTimeout(r, 200));
      text = await fetch(`${server.url}/watched`).then((r) => r.text()).catch(() => "");
    }
    assert.equal(text, "v2");
    await su.collection("_superusers").authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
  });

  test("serve writes pb_data/types.d.ts", () => {
    const types = fs.readFileSync(path.join(server.dir, "pb_data", "types.d.ts"), "utf8");
    assert.match(types, /routerAdd/);
    assert.match(types, /onRecordCreate/);
  });

  test("migrate create writes a JS migration (--templateLang js)", { skip: process.env.BASALT_BIN.includes("pocketbase") }, () => {
    const out = server.cli(["migrate", "create", "add_things", "--templateLang", "js"]);
    assert.match(out, /Successfully created file/);
    const files = fs.readdirSync(path.join(server.dir, "pb_migrations")).filter((f) => f.endsWith("_add_things.js"));
    assert.equal(files.length, 1);
    const text = fs.readFileSync(path.join(server.dir, "pb_migrations", files[0]), "utf8");
    assert.match(text, /^\/\/\/ <reference path="..\/pb_data\/types.d.ts" \/>\nmigrate\(\(app\) => \{/);
    fs.rmSync(path.join(server.dir, "pb_migrations", files[0]));
  });

  test("migrate down reverts the JS migration: the collection is gone", async () => {
    await server.halt();
    const out = server.cli(["migrate", "down"]);
    assert.match(out, /Reverted 1700000000_created_notes\.js/);
    // serve would apply the pending migration again: take it away first
    fs.rmSync(path.join(server.dir, "pb_migrations"), { recursive: true, force: true });
    await server.resume();
    await su.collection("_superusers").authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
    await rejectsWith(su.collections.getOne("notes"), 404);
  });
});

describe("--automigrate", () => {
  test("a collection change writes a JS snapshot migration", async () => {
    const srv = await startServer({ args: ["--automigrate"] });
    try {
      const pb = new PocketBase(srv.url);
      await pb.collection("_superusers").authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
      await pb.collections.create({ name: "auto_things", type: "base", fields: [{ name: "title", type: "text" }] });
      const dir = path.join(srv.dir, "pb_migrations");
      let files = [];
      for (let i = 0; i < 50 && files.length === 0; i++) {
        files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /_auto_things\.js$/.test(f)) : [];
        if (!files.length) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(files.length, 1);
      assert.match(files[0], /^\d+_created_auto_things\.js$/);
      const text = fs.readFileSync(path.join(dir, files[0]), "utf8");
      assert.match(text, /migrate\(\(app\) =>/);
      assert.match(text, /"name": ?"auto_things"/);
    } finally {
      await srv.stop();
    }
  });
});

describe("a syntax error in pb_hooks", () => {
  test("is reported and the file skipped with --hooksWatch (the default)", async () => {
    const broken = await startServer({
      files: {
        "pb_hooks/broken.pb.js": 'routerAdd("GET", "/x", (e) => {\n  return e.json(200, {;\n});\n',
        "pb_hooks/ok.pb.js": 'routerAdd("GET", "/ok", (e) => e.string(200, "ok"));\n',
      },
    });
    try {
      assert.match(broken.output(), /failed to execute (pb_hooks\/)?broken\.pb\.js/);
      assert.match(broken.output(), /SyntaxError/);
      const res = await fetch(`${broken.url}/ok`);
      assert.equal(await res.text(), "ok");
    } finally {
      await broken.stop();
    }
  });

  test("stops the server with the message with --hooksWatch=false", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "basalt-sdk-"));
    try {
      fs.mkdirSync(path.join(dir, "pb_hooks"));
      fs.writeFileSync(path.join(dir, "pb_hooks", "broken.pb.js"), 'routerAdd("GET", "/x", (e) => {\n  return e.json(200, {;\n});\n');
      const res = spawnSync(
        requireBin(),
        ["serve", "--http=127.0.0.1:0", "--hooksWatch=false", "--dir", path.join(dir, "pb_data")],
        { cwd: dir, encoding: "utf8", timeout: 20_000 },
      );
      assert.notEqual(res.status, 0);
      const out = res.stdout + res.stderr;
      assert.match(out, /broken\.pb\.js/);
      assert.match(out, /SyntaxError|unexpected token/i);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
