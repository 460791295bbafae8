// Backups through the official JS SDK (`pb.backups.*`): create, list, download with a
// superuser file token, upload, delete, and a restore after which the server (restarted
// in place) shows the records as they were. Checked against PocketBase 0.40.6.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import PocketBase from "pocketbase";
import { rejectsWith } from "./assertions.mjs";
import { requireBin, startServer, SUPERUSER_EMAIL, SUPERUSER_PASSWORD } from "./server.mjs";

requireBin();

const DATE_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let server;
/** @type {PocketBase} */
let su;

function client() {
  const pb = new PocketBase(server.url);
  pb.autoCancellation(false);
  return pb;
}

/** The keys of the stored backups. */
async function keys() {
  return (await su.backups.getFullList()).map((b) => b.key);
}

describe("backups through the JS SDK", () => {
  before(async () => {
    server = await startServer();
    su = client();
    await su.collection("_superusers").authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
    await su.collections.create({
      name: "notes",
      type: "base",
      listRule: "",
      fields: [{ name: "title", type: "text" }],
    });
  });

  after(async () => {
    await server?.stop();
  });

  test("only superusers", async () => {
    await rejectsWith(client().backups.getFullList(), 401);
    await rejectsWith(client().backups.create("guest.zip"), 401);
  });

  test("create, list and download", async () => {
    await su.backups.create("first.zip");
    await su.backups.create(""); // a generated name
    const list = await su.backups.getFullList();
    assert.equal(list.length, 2);
    // sorted by key
    assert.equal(list[0].key, "first.zip");
    assert.match(list[1].key, /^pb_backup_acme_\d{14}\.zip$/);
    for (const b of list) {
      assert.ok(b.size > 1000, JSON.stringify(b));
      assert.match(b.modified, DATE_RE);
    }

    const token = await su.files.getToken();
    const res = await fetch(su.backups.getDownloadURL(token, "first.zip"));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/zip");
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(bytes.length, list[0].size);
    assert.equal(bytes.subarray(0, 4).toString("hex"), "504b0304"); // a zip
    assert.ok(bytes.includes(Buffer.from("data.db")), "the zip holds data.db");

    const denied = await fetch(su.backups.getDownloadURL("", "first.zip"));
    assert.equal(denied.status, 403);
    const missing = await fetch(su.backups.getDownloadURL(token, "missing.zip"));
    assert.equal(missing.status, 404);
  });

  test("bad names and duplicates", async () => {
    let err = await rejectsWith(su.backups.create("!bad.zip"), 400);
    assert.equal(err.response.data.name.code, "validation_match_invalid");
    err = await rejectsWith(su.backups.create("first.zip"), 400);
    assert.equal(err.response.data.name.code, "validation_backup_name_exists");
  });

  test("upload and delete", async () => {
    const token = await su.files.getToken();
    const zip = await (await fetch(su.backups.getDownloadURL(token, "first.zip"))).arrayBuffer();
    const form = new FormData();
    form.append("file", new File([zip], "uploaded.zip", { type: "application/zip" }));
    await su.backups.upload(form);
    assert.ok((await keys()).includes("uploaded.zip"));

    const notZip = new FormData();
    notZip.append("file", new File(["hello"], "hello.txt", { type: "text/plain" }));
    const err = await rejectsWith(su.backups.upload(notZip), 400);
    assert.equal(err.response.data.file.code, "validation_invalid_mime_type");

    await su.backups.delete("uploaded.zip");
    assert.ok(!(await keys()).includes("uploaded.zip"));
    await rejectsWith(su.backups.delete("uploaded.zip"), 400);
  });

  test("restore brings the records back", async () => {
    const a = await su.collection("notes").create({ title: "kept" });
    const b = await su.collection("notes").create({ title: "before" });
    const snapshot = await su.collection("notes").getFullList({ sort: "id" });
    await su.backups.create("snap.zip");

    await su.collection("notes").update(b.id, { title: "after" });
    await su.collection("notes").delete(a.id);
    await su.collection("notes").create({ title: "added" });
    assert.notDeepEqual(await su.collection("notes").getFullList({ sort: "id" }), snapshot);

    await su.backups.restore("snap.zip");
    // the server restarts on the same port with the restored data dir
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const now = await client().collection("notes").getFullList({ sort: "id" });
        if (JSON.stringify(now) === JSON.stringify(snapshot)) break;
      } catch {
        // restarting
      }
      assert.ok(Date.now() < deadline, "the records did not come back");
      await sleep(200);
    }
    assert.ok((await keys()).includes("snap.zip"));
    await rejectsWith(su.backups.restore("missing.zip"), 400);
  });
});
