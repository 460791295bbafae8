// The batch API through the official JS SDK (`pb.createBatch()`) against the server in
// $BASALT_BIN: creates, updates, upserts and deletes in one transaction, files uploaded per
// request, rollback of a failing batch (named in `data.requests`), and `settings.batch`.
// The reference is PocketBase 0.40.6 (apis/batch.go): every assertion holds against it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import PocketBase from "pocketbase";
import { rejectsWith } from "./assertions.mjs";
import { requireBin, startServer, SUPERUSER_EMAIL, SUPERUSER_PASSWORD } from "./server.mjs";

requireBin();

const ID_RE = /^[a-z0-9]{15}$/;

let server;
/** @type {PocketBase} client authenticated as the superuser */
let su;
/** @type {PocketBase} a guest (posts' rules are "") */
let guest;

function client() {
  const pb = new PocketBase(server.url);
  pb.autoCancellation(false);
  return pb;
}

async function setBatch(batch) {
  await su.settings.update({ batch: { enabled: true, maxRequests: 50, timeout: 10, maxBodySize: 0, ...batch } });
}

async function titles() {
  const list = await su.collection("posts").getFullList({ sort: "title" });
  return list.map((r) => r.title);
}

describe("batch API through the JS SDK", () => {
  before(async () => {
    server = await startServer();
    su = client();
    guest = client();
    await su.collection("_superusers").authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
    await su.collections.create({
      name: "posts",
      type: "base",
      listRule: "",
      viewRule: "",
      createRule: "",
      updateRule: "",
      deleteRule: "",
      fields: [
        { name: "title", type: "text", required: true },
        { name: "doc", type: "file", maxSelect: 3, maxSize: 100000 },
      ],
    });
    await su.collections.create({
      name: "secrets",
      type: "base",
      fields: [{ name: "title", type: "text" }],
    });
  });

  after(async () => {
    await server?.stop();
  });

  test("batches are off by default: 403", async () => {
    const batch = guest.createBatch();
    batch.collection("posts").create({ title: "x" });
    const err = await rejectsWith(batch.send(), 403);
    assert.deepEqual(err.response, { data: {}, message: "Batch requests are not allowed.", status: 403 });
  });

  test("create, update, upsert and delete in one batch", async () => {
    await setBatch({});
    const kept = await su.collection("posts").create({ title: "kept" });
    const gone = await su.collection("posts").create({ title: "gone" });

    const batch = guest.createBatch();
    const posts = batch.collection("posts");
    posts.create({ title: "new" }, { fields: "title" });
    posts.update(kept.id, { title: "kept2" });
    posts.upsert({ id: "upsertnew000001", title: "inserted" }, { fields: "id,title" });
    posts.upsert({ id: kept.id, title: "kept3" }, { fields: "id,title" });
    posts.delete(gone.id);
    const res = await batch.send();

    assert.equal(res.length, 5);
    assert.deepEqual(res[0], { status: 200, body: { title: "new" } });
    assert.equal(res[1].status, 200);
    assert.equal(res[1].body.id, kept.id);
    assert.equal(res[1].body.title, "kept2");
    assert.equal(res[1].body.collectionName, "posts");
    assert.deepEqual(res[1].body.doc, []);
    assert.deepEqual(res[2], { status: 200, body: { id: "upsertnew000001", title: "inserted" } });
    assert.deepEqual(res[3], { status: 200, body: { id: kept.id, title: "kept3" } });
    assert.deepEqual(res[4], { status: 204, body: null });
    assert.deepEqual(await titles(), ["inserted", "kept3", "new"]);
  });

  test("a failing request rolls the whole batch back and is named", async () => {
    await setBatch({});
    const before = await titles();
    const batch = guest.createBatch();
    batch.collection("posts").create({ title: "r1" });
    batch.collection("posts").create({ title: "r2" });
    batch.collection("posts").create({ title: "" });
    const err = await rejectsWith(batch.send(), 400);
    assert.deepEqual(err.response, {
      status: 400,
      message: "Batch transaction failed.",
      data: {
        requests: {
          2: {
            code: "batch_request_failed",
            message: "Batch request failed.",
            response: {
              status: 400,
              message: "Failed to create record.",
              data: { title: { code: "validation_required", message: "Cannot be blank." } },
            },
          },
        },
      },
    });
    assert.deepEqual(await titles(), before);
  });

  test("rules apply per request: a guest cannot write a superusers-only collection", async () => {
    await setBatch({});
    const batch = guest.createBatch();
    batch.collection("posts").create({ title: "ok" });
    batch.collection("secrets").create({ title: "no" });
    const err = await rejectsWith(batch.send(), 400);
    assert.deepEqual(err.response.data.requests["1"].response, {
      data: {},
      message: "Only superusers can perform this action.",
      status: 403,
    });
    assert.equal((await su.collection("posts").getList(1, 1, { filter: 'title="ok"' })).totalItems, 0);

    const asSu = su.createBatch();
    asSu.collection("secrets").create({ title: "yes" });
    const res = await asSu.send();
    assert.equal(res[0].status, 200);
    assert.match(res[0].body.id, ID_RE);
  });

  test("files per request, stored on success and not on failure", async () => {
    await setBatch({});
    const batch = guest.createBatch();
    batch.collection("posts").create({
      title: "with files",
      doc: [new Blob(["one"], { type: "text/plain" }), new File(["two"], "two.txt", { type: "text/plain" })],
    });
    batch.collection("posts").create({ title: "one file", doc: new File(["three"], "three.txt") });
    const res = await batch.send();
    assert.equal(res[0].body.doc.length, 2);
    assert.equal(res[1].body.doc.length, 1);
    // PocketBase re-submits each file under its stored name, so the random part comes twice
    assert.match(res[1].body.doc[0], /^three_[a-z0-9]{10}_[a-z0-9]{10}\.txt$/);
    const url = su.files.getURL(res[1].body, res[1].body.doc[0]);
    const served = await fetch(url);
    assert.equal(served.status, 200);
    assert.equal(await served.text(), "three");

    const failing = guest.createBatch();
    failing.collection("posts").create({ title: "never", doc: new File(["four"], "four.txt") });
    failing.collection("posts").create({ title: "" });
    const err = await rejectsWith(failing.send(), 400);
    assert.equal(err.response.data.requests["1"].code, "batch_request_failed");
    assert.equal((await su.collection("posts").getList(1, 1, { filter: 'title="never"' })).totalItems, 0);
  });

  test("maxRequests and maxBodySize", async () => {
    await setBatch({ maxRequests: 2 });
    const batch = guest.createBatch();
    for (const t of ["a", "b", "c"]) batch.collection("posts").create({ title: t });
    const err = await rejectsWith(batch.send(), 400);
    assert.deepEqual(err.response, {
      status: 400,
      message: "Invalid batch request data.",
      data: {
        requests: {
          code: "validation_length_too_long",
          message: "The length must be no more than 2.",
          params: { max: 2, min: 0 },
        },
      },
    });

    await setBatch({ maxBodySize: 10 });
    const small = guest.createBatch();
    small.collection("posts").create({ title: "too large" });
    const tooLarge = await rejectsWith(small.send(), 413);
    assert.deepEqual(tooLarge.response, { data: {}, message: "Request entity too large.", status: 413 });
    await setBatch({});
  });
});
