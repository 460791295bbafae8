// What deleting a record does to the records whose relation fields point at it, driven through
// the official JS SDK against the server in $BASALT_BIN. The reference is PocketBase 0.40
// (core/record_model.go: onRecordDeleteExecute -> cascadeRecordDelete -> deleteRefRecords): for
// each referencing record, the deleted id is removed from the relation; if the list is then empty
// and the field has cascadeDelete the record is deleted (recursively), else if the field is
// required the whole delete fails and is rolled back, else the record is saved with the id removed
// (without validation, touching `updated`). Every assertion here holds against PocketBase 0.40.6.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { EventSource } from "eventsource";
import PocketBase from "pocketbase";
import { rejectsWith } from "./assertions.mjs";
import { requireBin, startServer, SUPERUSER_EMAIL, SUPERUSER_PASSWORD } from "./server.mjs";

// Node 20 has no EventSource; the SDK uses the global one.
globalThis.EventSource = EventSource;
requireBin();

const BLOCKED_DELETE = {
  status: 400,
  message: "Failed to delete record. Make sure that the record is not part of a required relation reference.",
  data: {},
};
const BLOCKED_TRUNCATE = {
  status: 400,
  message: "Failed to truncate collection (most likely due to required cascade delete record references).",
  data: {},
};
const EVENT_TIMEOUT_MS = 5000;
const QUIET_MS = 400;

let server;
/** @type {PocketBase} client authenticated as the superuser */
let su;
const clients = [];
let seq = 0;

function client() {
  const pb = new PocketBase(server.url);
  pb.autoCancellation(false);
  clients.push(pb);
  return pb;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A collection name no other test uses. */
function uniq(prefix) {
  seq += 1;
  return `${prefix}_${seq}_${Date.now().toString(36)}`;
}

function rel(name, collectionId, opts = {}) {
  return { name, type: "relation", collectionId, maxSelect: 1, ...opts };
}

const TEXT = { name: "t", type: "text" };
const AUTODATES = [
  { name: "created", type: "autodate", onCreate: true },
  { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
];

/** Creates a base collection named `prefix_<unique>` with a text field `t` and `fields`. */
async function collection(prefix, fields = [], opts = {}) {
  return su.collections.create({ name: uniq(prefix), type: "base", fields: [TEXT, ...fields], ...opts });
}

/** Adds `fields` to an existing collection (for relations pointing at the collection itself). */
async function addFields(col, fields) {
  const current = await su.collections.getOne(col.id);
  return su.collections.update(col.id, { fields: [...current.fields, ...fields] });
}

/** Creates one record per entry; returns them keyed by their `t`. */
async function records(col, rows) {
  const out = {};
  for (const row of rows) out[row.t] = await su.collection(col.name).create(row);
  return out;
}

/** Every record of the collection, sorted by `t`. */
async function all(col) {
  return su.collection(col.name).getFullList({ sort: "t" });
}

/** The `t` of every record of the collection, sorted. */
async function names(col) {
  return (await all(col)).map((r) => r.t);
}

async function assertGone(col, id) {
  await rejectsWith(su.collection(col.name).getOne(id), 404);
}

/**
 * One superuser realtime connection subscribed to several collections; every event of every
 * subscription lands in one list, in arrival order, as [action, collectionName, t].
 */
async function recorder(cols) {
  const pb = client();
  await pb.collection("_superusers").authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
  const events = [];
  for (const col of cols) {
    await pb.collection(col.name).subscribe("*", (e) => events.push({ action: e.action, record: e.record }));
  }
  return {
    events,
    /** Waits for exactly `n` events (then a quiet period), returns them as [action, collection, t]. */
    async take(n) {
      const deadline = Date.now() + EVENT_TIMEOUT_MS;
      while (events.length < n) {
        if (Date.now() > deadline) {
          assert.fail(`got ${events.length} of ${n} events: ${JSON.stringify(events.map(short))}`);
        }
        await sleep(20);
      }
      await sleep(QUIET_MS);
      const got = events.splice(0);
      assert.equal(got.length, n, `unexpected extra events: ${JSON.stringify(got.map(short))}`);
      return got;
    },
    async quiet() {
      await sleep(QUIET_MS);
      assert.deepEqual(events.splice(0).map(short), []);
    },
    close: () => pb.realtime.unsubscribe(),
  };
}

const short = (e) => [e.action, e.record.collectionName, e.record.t];

/** JSON with object keys sorted, so that values compare whatever order the server wrote them in. */
function canon(v) {
  const sortKeys = (x) =>
    Array.isArray(x)
      ? x.map(sortKeys)
      : x && typeof x === "object"
        ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sortKeys(x[k])]))
        : x;
  return JSON.stringify(sortKeys(v));
}

describe("relation delete semantics", () => {
  before(async () => {
    server = await startServer();
    su = client();
    await su.collection("_superusers").authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
  });

  after(async () => {
    for (const pb of clients) pb.realtime.unsubscribe().catch(() => {});
    await sleep(100);
    await server?.stop();
  });

  test("cascadeDelete on a single relation deletes the referencing records", async () => {
    const A = await collection("a");
    const B = await collection("b", [rel("a", A.id, { cascadeDelete: true })]);
    const a = await records(A, [{ t: "a1" }, { t: "a2" }]);
    const b = await records(B, [
      { t: "b1", a: a.a1.id },
      { t: "b2", a: a.a1.id },
      { t: "b3", a: a.a2.id },
      { t: "b4" },
    ]);
    assert.equal(b.b1.a, a.a1.id);

    assert.equal(await su.collection(A.name).delete(a.a1.id), true);

    await assertGone(A, a.a1.id);
    await assertGone(B, b.b1.id);
    await assertGone(B, b.b2.id);
    assert.deepEqual(await names(A), ["a2"]);
    assert.deepEqual(
      (await all(B)).map((r) => [r.id, r.t, r.a]),
      [
        [b.b3.id, "b3", a.a2.id],
        [b.b4.id, "b4", ""],
      ],
    );
  });

  test("cascades are followed through several collections: A <- B <- C", async () => {
    const A = await collection("a");
    const B = await collection("b", [rel("a", A.id, { cascadeDelete: true })]);
    const C = await collection("c", [rel("b", B.id, { cascadeDelete: true })]);
    const a = await records(A, [{ t: "a1" }, { t: "a2" }]);
    const b = await records(B, [
      { t: "b1", a: a.a1.id },
      { t: "b2", a: a.a1.id },
      { t: "b3", a: a.a2.id },
    ]);
    const c = await records(C, [
      { t: "c1", b: b.b1.id },
      { t: "c2", b: b.b1.id },
      { t: "c3", b: b.b2.id },
      { t: "c4", b: b.b3.id },
      { t: "c5" },
    ]);

    await su.collection(A.name).delete(a.a1.id);

    assert.deepEqual(await names(A), ["a2"]);
    assert.deepEqual(await names(B), ["b3"]);
    assert.deepEqual(await names(C), ["c4", "c5"]);
    for (const id of [c.c1.id, c.c2.id, c.c3.id]) await assertGone(C, id);
    assert.equal((await su.collection(C.name).getOne(c.c4.id)).b, b.b3.id);
  });

  test("multi relation with cascadeDelete: only records left with no ids are deleted", async () => {
    const A = await collection("a");
    const B = await collection("b", [rel("m", A.id, { maxSelect: 5, cascadeDelete: true })]);
    const a = await records(A, [{ t: "a1" }, { t: "a2" }, { t: "a3" }]);
    const b = await records(B, [
      { t: "b1", m: [a.a1.id] },
      { t: "b2", m: [a.a1.id, a.a2.id] },
      { t: "b3", m: [a.a2.id, a.a1.id, a.a3.id] },
      { t: "b4", m: [a.a3.id] },
    ]);

    await su.collection(A.name).delete(a.a1.id);

    await assertGone(B, b.b1.id);
    assert.deepEqual(
      (await all(B)).map((r) => [r.id, r.m]),
      [
        [b.b2.id, [a.a2.id]],
        [b.b3.id, [a.a2.id, a.a3.id]],
        [b.b4.id, [a.a3.id]],
      ],
    );

    // deleting a2 empties b2 (deleted) and shortens b3 (kept)
    await su.collection(A.name).delete(a.a2.id);
    assert.deepEqual(
      (await all(B)).map((r) => [r.t, r.m]),
      [
        ["b3", [a.a3.id]],
        ["b4", [a.a3.id]],
      ],
    );
  });

  test("a required relation without cascade blocks the delete and nothing changes", async () => {
    const A = await collection("a");
    const B = await collection("b", [rel("a", A.id, { required: true }), ...AUTODATES]);
    // an optional and a cascading reference too: neither may be applied when the delete fails
    const O = await collection("o", [rel("a", A.id), rel("m", A.id, { maxSelect: 3 }), ...AUTODATES]);
    const K = await collection("k", [rel("a", A.id, { cascadeDelete: true })]);
    const a = await records(A, [{ t: "a1" }, { t: "a2" }]);
    await records(B, [
      { t: "b1", a: a.a1.id },
      { t: "b2", a: a.a2.id },
    ]);
    await records(O, [{ t: "o1", a: a.a1.id, m: [a.a2.id, a.a1.id] }]);
    await records(K, [{ t: "k1", a: a.a1.id }]);
    const before = await Promise.all([A, B, O, K].map(all));
    await sleep(20);

    const err = await rejectsWith(su.collection(A.name).delete(a.a1.id), 400);
    assert.deepEqual(err.response, BLOCKED_DELETE);

    assert.deepEqual(await Promise.all([A, B, O, K].map(all)), before);

    // a2 is held by b2 the same way
    const err2 = await rejectsWith(su.collection(A.name).delete(a.a2.id), 400);
    assert.deepEqual(err2.response, BLOCKED_DELETE);
    assert.deepEqual(await Promise.all([A, B, O, K].map(all)), before);
  });

  test("a required reference reached through a cascade blocks the whole chain: A <- B (cascade) <- C (required)", async () => {
    const A = await collection("a");
    const B = await collection("b", [rel("a", A.id, { cascadeDelete: true })]);
    const C = await collection("c", [rel("b", B.id, { required: true })]);
    const D = await collection("d", [rel("a", A.id), ...AUTODATES]);
    const a = await records(A, [{ t: "a1" }]);
    const b = await records(B, [
      { t: "b1", a: a.a1.id },
      { t: "b2", a: a.a1.id },
    ]);
    await records(C, [{ t: "c1", b: b.b2.id }]);
    await records(D, [{ t: "d1", a: a.a1.id }]);
    const before = await Promise.all([A, B, C, D].map(all));
    await sleep(20);

    const err = await rejectsWith(su.collection(A.name).delete(a.a1.id), 400);
    assert.deepEqual(err.response, BLOCKED_DELETE);
    assert.deepEqual(await Promise.all([A, B, C, D].map(all)), before);
    assert.deepEqual(
      before.map((rs) => rs.map((r) => r.t)),
      [["a1"], ["b1", "b2"], ["c1"], ["d1"]],
    );

    // deleting b2 directly is blocked as well; b1 has no required reference
    assert.deepEqual((await rejectsWith(su.collection(B.name).delete(b.b2.id), 400)).response, BLOCKED_DELETE);
    assert.equal(await su.collection(B.name).delete(b.b1.id), true);
    assert.deepEqual(await names(B), ["b2"]);
  });

  test("a required multi relation only blocks when its last id would go; required + cascade deletes", async () => {
    const A = await collection("a");
    const R = await collection("r", [rel("m", A.id, { required: true, maxSelect: 3 })]);
    const Q = await collection("q", [rel("a", A.id, { required: true, cascadeDelete: true })]);
    const a = await records(A, [{ t: "a1" }, { t: "a2" }, { t: "a3" }]);
    const r = await records(R, [{ t: "r1", m: [a.a1.id, a.a2.id] }]);
    const q = await records(Q, [{ t: "q1", a: a.a3.id }]);

    await su.collection(A.name).delete(a.a1.id);
    assert.deepEqual((await su.collection(R.name).getOne(r.r1.id)).m, [a.a2.id]);

    const err = await rejectsWith(su.collection(A.name).delete(a.a2.id), 400);
    assert.deepEqual(err.response, BLOCKED_DELETE);
    assert.deepEqual((await su.collection(R.name).getOne(r.r1.id)).m, [a.a2.id]);
    assert.deepEqual(await names(A), ["a2", "a3"]);

    // cascadeDelete wins over required
    await su.collection(A.name).delete(a.a3.id);
    await assertGone(Q, q.q1.id);
    assert.deepEqual(await names(A), ["a2"]);
  });

  test("optional relations without cascade are cleared: single to \"\", multi keeps the other ids in order", async () => {
    const A = await collection("a");
    const B = await collection("b", [rel("one", A.id), rel("many", A.id, { maxSelect: 5 })]);
    const a = await records(A, [{ t: "a1" }, { t: "a2" }, { t: "a3" }, { t: "a4" }]);
    const b = await records(B, [
      { t: "b1", one: a.a1.id, many: [a.a3.id, a.a1.id, a.a2.id, a.a4.id] },
      { t: "b2", one: a.a2.id, many: [a.a1.id] },
      { t: "b3", one: a.a3.id, many: [a.a2.id] },
    ]);
    assert.deepEqual(b.b1.many, [a.a3.id, a.a1.id, a.a2.id, a.a4.id]);

    assert.equal(await su.collection(A.name).delete(a.a1.id), true);

    assert.deepEqual(
      (await all(B)).map((r) => [r.id, r.one, r.many]),
      [
        [b.b1.id, "", [a.a3.id, a.a2.id, a.a4.id]],
        [b.b2.id, a.a2.id, []],
        [b.b3.id, a.a3.id, [a.a2.id]],
      ],
    );
  });

  test("clearing a relation touches `updated` (and not `created`); untouched records keep theirs", async () => {
    const A = await collection("a");
    const B = await collection("b", [rel("a", A.id), rel("m", A.id, { maxSelect: 3, cascadeDelete: true }), ...AUTODATES]);
    const a = await records(A, [{ t: "a1" }, { t: "a2" }]);
    const b = await records(B, [
      { t: "b1", a: a.a1.id },
      { t: "b2", m: [a.a1.id, a.a2.id] },
      { t: "b3", a: a.a2.id, m: [a.a2.id] },
    ]);
    for (const r of Object.values(b)) assert.equal(r.updated, r.created);
    await sleep(30);

    await su.collection(A.name).delete(a.a1.id);

    const after = Object.fromEntries((await all(B)).map((r) => [r.t, r]));
    for (const t of ["b1", "b2"]) {
      assert.equal(after[t].created, b[t].created);
      assert.notEqual(after[t].updated, b[t].updated, `${t}.updated should change`);
      assert.ok(after[t].updated > b[t].updated, `${t}.updated moves forward`);
    }
    assert.equal(after.b1.a, "");
    assert.deepEqual(after.b2.m, [a.a2.id]);
    assert.deepEqual(after.b3, b.b3);
  });

  test("cascades and clears ignore the referencing collections' API rules and field validation", async () => {
    // anyone may delete from A; nobody but superusers may touch B or M
    const A = await collection("a", [], { deleteRule: "" });
    const B = await collection("b", [rel("a", A.id, { cascadeDelete: true })]);
    const M = await collection("m", [rel("m", A.id, { minSelect: 2, maxSelect: 3 })]);
    const a = await records(A, [{ t: "a1" }, { t: "a2" }]);
    const b = await records(B, [{ t: "b1", a: a.a1.id }]);
    const m = await records(M, [{ t: "m1", m: [a.a1.id, a.a2.id] }]);
    // m1 with a single id would not validate (minSelect 2), nor would `t` once it is required with min 5
    const refused = await rejectsWith(su.collection(M.name).create({ t: "bad", m: [a.a2.id] }), 400);
    assert.deepEqual(Object.keys(refused.response.data), ["m"]);
    const fields = (await su.collections.getOne(M.id)).fields.map((f) => (f.name === "t" ? { ...f, required: true, min: 5 } : f));
    await su.collections.update(M.id, { fields });

    assert.equal(await client().collection(A.name).delete(a.a1.id), true);

    await assertGone(B, b.b1.id);
    const m1 = await su.collection(M.name).getOne(m.m1.id);
    assert.deepEqual([m1.t, m1.m], ["m1", [a.a2.id]]);
  });

  test("a self-referencing cascade deletes a whole subtree", async () => {
    const S = await collection("s");
    await addFields(S, [rel("parent", S.id, { cascadeDelete: true })]);
    const root = await su.collection(S.name).create({ t: "root" });
    const x = await su.collection(S.name).create({ t: "x", parent: root.id });
    const x1 = await su.collection(S.name).create({ t: "x1", parent: x.id });
    await su.collection(S.name).create({ t: "x1a", parent: x1.id });
    await su.collection(S.name).create({ t: "x2", parent: x.id });
    const y = await su.collection(S.name).create({ t: "y", parent: root.id });
    await su.collection(S.name).create({ t: "y1", parent: y.id });

    await su.collection(S.name).delete(x.id);
    assert.deepEqual(
      (await all(S)).map((r) => [r.t, r.parent]),
      [
        ["root", ""],
        ["y", root.id],
        ["y1", y.id],
      ],
    );

    await su.collection(S.name).delete(root.id);
    assert.deepEqual(await all(S), []);
  });

  test("a cascading cycle terminates and deletes every record on it; a record may point at itself", async () => {
    const S = await collection("s");
    await addFields(S, [rel("next", S.id, { cascadeDelete: true })]);
    const s1 = await su.collection(S.name).create({ t: "s1" });
    const s2 = await su.collection(S.name).create({ t: "s2", next: s1.id });
    const s3 = await su.collection(S.name).create({ t: "s3", next: s2.id });
    await su.collection(S.name).update(s1.id, { next: s3.id }); // s1 -> s3 -> s2 -> s1
    const other = await su.collection(S.name).create({ t: "other" });
    const self = await su.collection(S.name).create({ t: "self" });
    // a record cannot name itself on create (it does not exist yet), but can on update
    const selfRef = await rejectsWith(su.collection(S.name).create({ id: "selfselfselfsel", t: "x", next: "selfselfselfsel" }), 400);
    assert.equal(selfRef.response.data.next.code, "validation_missing_rel_records");
    assert.equal((await su.collection(S.name).update(self.id, { next: self.id })).next, self.id);

    assert.equal(await su.collection(S.name).delete(s2.id), true);
    assert.deepEqual(
      (await all(S)).map((r) => [r.id, r.next]),
      [
        [other.id, ""],
        [self.id, self.id],
      ],
    );

    assert.equal(await su.collection(S.name).delete(self.id), true);
    assert.deepEqual(await names(S), ["other"]);
  });

  test("a non-cascading cycle is cleared, and a required self reference blocks", async () => {
    const S = await collection("s");
    await addFields(S, [rel("p", S.id)]);
    const s1 = await su.collection(S.name).create({ t: "s1" });
    const s2 = await su.collection(S.name).create({ t: "s2", p: s1.id });
    await su.collection(S.name).update(s1.id, { p: s2.id });
    await su.collection(S.name).delete(s1.id);
    assert.deepEqual((await all(S)).map((r) => [r.id, r.p]), [[s2.id, ""]]);

    const R = await collection("r");
    await addFields(R, [rel("p", R.id, { required: true })]);
    // a first record cannot satisfy `required` (it cannot name itself on create): make the
    // field optional to set the records up, then required again
    const missing = await rejectsWith(su.collection(R.name).create({ t: "r0" }), 400);
    assert.equal(missing.response.data.p.code, "validation_required");
    await su.collections.update(R.id, {
      fields: (await su.collections.getOne(R.id)).fields.map((f) => (f.name === "p" ? { ...f, required: false } : f)),
    });
    const r0 = await su.collection(R.name).create({ t: "r0" });
    await su.collection(R.name).update(r0.id, { p: r0.id });
    const r1 = await su.collection(R.name).create({ t: "r1", p: r0.id });
    await su.collections.update(R.id, {
      fields: (await su.collections.getOne(R.id)).fields.map((f) => (f.name === "p" ? { ...f, required: true } : f)),
    });
    const before = await all(R);

    // r0's reference to itself is not looked at (PocketBase leaves the deleted record out of
    // the self-collection lookup), but r1 -> r0 is required
    assert.deepEqual((await rejectsWith(su.collection(R.name).delete(r0.id), 400)).response, BLOCKED_DELETE);
    assert.deepEqual(await all(R), before);
    // r1 is referenced by nobody
    assert.equal(await su.collection(R.name).delete(r1.id), true);
    // and now r0 only references itself
    assert.equal(await su.collection(R.name).delete(r0.id), true);
    assert.deepEqual(await all(R), []);
  });

  test("truncating a collection applies the same rules to the records referencing it", async () => {
    const A = await collection("a");
    const B = await collection("b", [rel("a", A.id, { cascadeDelete: true })]);
    const C = await collection("c", [rel("b", B.id, { cascadeDelete: true })]);
    const O = await collection("o", [rel("a", A.id), rel("m", A.id, { maxSelect: 3 }), ...AUTODATES]);
    const U = await collection("u"); // unrelated
    const a = await records(A, [{ t: "a1" }, { t: "a2" }]);
    const b = await records(B, [
      { t: "b1", a: a.a1.id },
      { t: "b2", a: a.a2.id },
      { t: "b3" },
    ]);
    await records(C, [
      { t: "c1", b: b.b1.id },
      { t: "c2", b: b.b3.id },
    ]);
    const o = await records(O, [
      { t: "o1", a: a.a1.id, m: [a.a2.id, a.a1.id] },
      { t: "o2", m: [a.a2.id] },
    ]);
    await records(U, [{ t: "u1" }]);
    await sleep(20);

    assert.equal(await su.collections.truncate(A.name), true);

    assert.deepEqual(await all(A), []);
    assert.deepEqual(await names(B), ["b3"]);
    assert.deepEqual(await names(C), ["c2"]);
    const left = await all(O);
    assert.deepEqual(
      left.map((r) => [r.id, r.a, r.m]),
      [
        [o.o1.id, "", []],
        [o.o2.id, "", []],
      ],
    );
    assert.ok(left[0].updated > o.o1.updated);
    assert.deepEqual(await names(U), ["u1"]);
  });

  test("truncate is blocked by a required reference and then changes nothing", async () => {
    const A = await collection("a");
    const B = await collection("b", [rel("a", A.id, { cascadeDelete: true })]);
    const C = await collection("c", [rel("b", B.id, { required: true })]);
    const O = await collection("o", [rel("a", A.id), ...AUTODATES]);
    const a = await records(A, [{ t: "a1" }, { t: "a2" }]);
    const b = await records(B, [
      { t: "b1", a: a.a1.id },
      { t: "b2", a: a.a2.id },
    ]);
    await records(C, [{ t: "c1", b: b.b2.id }]);
    await records(O, [
      { t: "o1", a: a.a1.id },
      { t: "o2", a: a.a2.id },
    ]);
    const before = await Promise.all([A, B, C, O].map(all));
    await sleep(20);

    const err = await rejectsWith(su.collections.truncate(A.name), 400);
    assert.deepEqual(err.response, BLOCKED_TRUNCATE);
    assert.deepEqual(await Promise.all([A, B, C, O].map(all)), before);

    // once C is empty nothing stands in the way
    assert.equal(await su.collections.truncate(C.name), true);
    assert.equal(await su.collections.truncate(A.name), true);
    assert.deepEqual(await Promise.all([A, B, C].map(all)), [[], [], []]);
    assert.deepEqual((await all(O)).map((r) => [r.t, r.a]), [
      ["o1", ""],
      ["o2", ""],
    ]);
  });

  test("truncating a self-referencing collection deletes everything", async () => {
    const S = await collection("s");
    await addFields(S, [rel("parent", S.id, { cascadeDelete: true }), rel("peer", S.id)]);
    const r = await su.collection(S.name).create({ t: "r" });
    const c1 = await su.collection(S.name).create({ t: "c1", parent: r.id, peer: r.id });
    await su.collection(S.name).create({ t: "c2", parent: c1.id, peer: c1.id });
    await su.collection(S.name).update(r.id, { parent: c1.id, peer: c1.id }); // a cycle
    await su.collection(S.name).create({ t: "lone", peer: c1.id });

    assert.equal(await su.collections.truncate(S.name), true);
    assert.deepEqual(await all(S), []);
  });

  test("a collection referenced by another collection's relation cannot be deleted", async () => {
    const A = await collection("a");
    const B = await collection("b", [rel("a", A.id, { cascadeDelete: true })]);
    const a = await records(A, [{ t: "a1" }]);
    await records(B, [{ t: "b1", a: a.a1.id }]);
    const [colA, colB] = await Promise.all([su.collections.getOne(A.id), su.collections.getOne(B.id)]);
    const before = await Promise.all([A, B].map(all));

    const err = await rejectsWith(su.collections.delete(A.name), 400);
    assert.deepEqual(err.response, {
      status: 400,
      message: `Failed to delete collection probably due to existing reference in ${B.name}.`,
      data: {},
    });
    assert.deepEqual(await su.collections.getOne(A.id), colA);
    assert.deepEqual(await su.collections.getOne(B.id), colB);
    assert.deepEqual(await Promise.all([A, B].map(all)), before);

    // the reference is schema-level: an empty referencing collection blocks too
    const C = await collection("c", [rel("a", A.id, { maxSelect: 2 })]);
    const err2 = await rejectsWith(su.collections.delete(A.id), 400);
    const m = err2.response.message.match(/^Failed to delete collection probably due to existing reference in (.*)\.$/);
    assert.ok(m, err2.response.message);
    // PocketBase lists the referencing collections in no fixed order
    assert.deepEqual(m[1].split(", ").sort(), [B.name, C.name].sort());
    assert.deepEqual(err2.response.data, {});
    assert.deepEqual(await Promise.all([A, B].map(all)), before);

    // once nothing references it, it goes
    assert.equal(await su.collections.delete(C.name), true);
    assert.equal(await su.collections.delete(B.name), true);
    assert.equal(await su.collections.delete(A.name), true);
    await rejectsWith(su.collections.getOne(A.id), 404);
  });

  test("a collection referenced only by itself can be deleted", async () => {
    const S = await collection("s");
    await addFields(S, [rel("parent", S.id, { required: true, maxSelect: 1 })]);
    assert.equal(await su.collections.delete(S.name), true);
    await rejectsWith(su.collections.getOne(S.id), 404);
  });

  // PocketBase sends each realtime message from its own goroutine, so events of one delete may
  // arrive in any order: these tests compare them as sets.
  test("realtime: delete events for cascaded records, update events for cleared ones, none when blocked", async () => {
    const open = { listRule: "", viewRule: "" };
    const A = await collection("a", [], open);
    const B = await collection("b", [rel("a", A.id, { cascadeDelete: true })], open);
    const O = await collection("o", [rel("a", A.id), rel("m", A.id, { maxSelect: 3 })], open);
    const R = await collection("r", [rel("a", A.id, { required: true })], open);
    const a = await records(A, [{ t: "a1" }, { t: "a2" }]);
    const b = await records(B, [{ t: "b1", a: a.a1.id }]);
    const o = await records(O, [{ t: "o1", a: a.a1.id, m: [a.a2.id, a.a1.id] }]);
    await records(R, [{ t: "r1", a: a.a2.id }]);

    // a guest subscriber (rules "") gets them as well as the superuser
    const guest = client();
    const guestEvents = [];
    await guest.collection(B.name).subscribe("*", (e) => guestEvents.push(short(e)));
    await guest.collection(O.name).subscribe("*", (e) => guestEvents.push(short(e)));
    const rec = await recorder([A, B, O, R]);

    await su.collection(A.name).delete(a.a1.id);
    const got = await rec.take(4);
    const sorted = got.map((e) => canon([e.action, e.record])).sort();
    const expected = [
      ["delete", { ...a.a1 }],
      // the cascaded record is sent as it was stored (still naming the deleted record)
      ["delete", { ...b.b1 }],
      // o1 is saved once per relation field that named a1: `a` first, then `m`
      ["update", { ...o.o1, a: "" }],
      ["update", { ...o.o1, a: "", m: [a.a2.id] }],
    ].map(canon);
    assert.deepEqual(sorted, expected.sort());
    assert.deepEqual(guestEvents.sort(), [
      ["delete", B.name, "b1"],
      ["update", O.name, "o1"],
      ["update", O.name, "o1"],
    ]);

    // a blocked delete is rolled back: no event at all
    guestEvents.length = 0;
    await rejectsWith(su.collection(A.name).delete(a.a2.id), 400);
    await rec.quiet();
    assert.deepEqual(guestEvents, []);
    await rec.close();
  });

  test("realtime: every step of a nested cascade is an event", async () => {
    const A = await collection("a");
    const B = await collection("b", [rel("a", A.id, { cascadeDelete: true })]);
    const C = await collection("c", [rel("b", B.id, { cascadeDelete: true })]);
    // z1 is first cleared through `a`, then deleted through `m` (fields are handled in order)
    const Z = await collection("z", [rel("a", A.id), rel("m", A.id, { maxSelect: 3, cascadeDelete: true })]);
    const a = await records(A, [{ t: "a1" }, { t: "a2" }]);
    const b = await records(B, [
      { t: "b1", a: a.a1.id },
      { t: "b2", a: a.a1.id },
    ]);
    await records(C, [
      { t: "c1", b: b.b1.id },
      { t: "c2", b: b.b2.id },
      { t: "c3" },
    ]);
    await records(Z, [
      { t: "z1", a: a.a1.id, m: [a.a1.id] },
      { t: "z2", a: a.a1.id, m: [a.a1.id, a.a2.id] },
      { t: "z3", m: [a.a2.id, a.a1.id] },
    ]);
    const rec = await recorder([A, B, C, Z]);

    await su.collection(A.name).delete(a.a1.id);
    const got = await rec.take(10);
    const rels = (r) => ({ a: r.a, b: r.b, m: r.m });
    assert.deepEqual(
      got.map((e) => canon([...short(e), rels(e.record)])).sort(),
      [
        ["delete", A.name, "a1", {}],
        ["delete", B.name, "b1", { a: a.a1.id }],
        ["delete", B.name, "b2", { a: a.a1.id }],
        ["delete", C.name, "c1", { b: b.b1.id }],
        ["delete", C.name, "c2", { b: b.b2.id }],
        ["update", Z.name, "z1", { a: "", m: [a.a1.id] }],
        // z1's delete carries the already cleared `a` and the untouched `m`
        ["delete", Z.name, "z1", { a: "", m: [a.a1.id] }],
        ["update", Z.name, "z2", { a: "", m: [a.a1.id, a.a2.id] }],
        ["update", Z.name, "z2", { a: "", m: [a.a2.id] }],
        ["update", Z.name, "z3", { a: "", m: [a.a2.id] }],
      ]
        .map(canon)
        .sort(),
    );
    assert.deepEqual(await names(B), []);
    assert.deepEqual(await names(C), ["c3"]);
    assert.deepEqual(await names(Z), ["z2", "z3"]);
    await rec.close();
  });
});
