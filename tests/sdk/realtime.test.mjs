// Realtime through the official JS SDK (`pb.collection(...).subscribe`) against the server in
// $BASALT_BIN. Every assertion holds against the real PocketBase too.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { EventSource } from "eventsource";
import PocketBase from "pocketbase";
import { requireBin, startServer, SUPERUSER_EMAIL, SUPERUSER_PASSWORD } from "./server.mjs";

// Node 20 has no EventSource; the SDK uses the global one.
globalThis.EventSource = EventSource;
requireBin();

const PASSWORD = "realtime-Secret-123";
const QUIET_MS = 400;
const EVENT_TIMEOUT_MS = 5000;

let server;
/** @type {PocketBase} */
let su;
/** @type {Record<string, {pb: PocketBase, record: any}>} */
const users = {};
const clients = [];

function client() {
  const pb = new PocketBase(server.url);
  pb.autoCancellation(false);
  clients.push(pb);
  return pb;
}

async function signedIn(name) {
  const pb = client();
  await pb.collection("users").authWithPassword(`${name}@example.com`, PASSWORD);
  return pb;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Subscribes and collects the events; `next()` awaits the next one, `quiet()` asserts none. */
async function listen(pb, collection, topic, options) {
  const events = [];
  let waiter = null;
  const unsubscribe = await pb.collection(collection).subscribe(
    topic,
    (e) => {
      events.push(e);
      waiter?.();
    },
    options,
  );
  let read = 0;
  return {
    events,
    unsubscribe,
    async next() {
      const deadline = Date.now() + EVENT_TIMEOUT_MS;
      while (events.length <= read) {
        if (Date.now() > deadline) assert.fail(`no event on ${collection}/${topic} within ${EVENT_TIMEOUT_MS} ms`);
        await new Promise((r) => {
          waiter = r;
          setTimeout(r, 50);
        });
      }
      return events[read++];
    },
    async quiet(ms = QUIET_MS) {
      await sleep(ms);
      assert.deepEqual(events.slice(read), [], `unexpected events on ${collection}/${topic}`);
    },
  };
}

describe("realtime through the JS SDK", () => {
  before(async () => {
    server = await startServer();
    su = client();
    await su.collection("_superusers").authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
    for (const name of ["ann", "bob"]) {
      const record = await su.collection("users").create({
        email: `${name}@example.com`,
        password: PASSWORD,
        passwordConfirm: PASSWORD,
        name,
      });
      users[name] = { record };
    }
    await su.collections.create({
      name: "posts",
      type: "base",
      listRule: "",
      viewRule: "",
      fields: [
        { name: "title", type: "text" },
        { name: "views", type: "number" },
        { name: "author", type: "relation", collectionId: "_pb_users_auth_", maxSelect: 1 },
      ],
    });
    await su.collections.create({
      name: "notes",
      type: "base",
      listRule: "owner = @request.auth.id",
      viewRule: "owner = @request.auth.id",
      fields: [
        { name: "text", type: "text" },
        { name: "owner", type: "relation", collectionId: "_pb_users_auth_", maxSelect: 1 },
      ],
    });
  });

  after(async () => {
    for (const pb of clients) pb.realtime.unsubscribe().catch(() => {});
    await sleep(100);
    await server?.stop();
  });

  test("create, update and delete events on a collection", async () => {
    const guest = client();
    const sub = await listen(guest, "posts", "*");
    assert.match(guest.realtime.clientId, /^\w{40}$/);

    const created = await su.collection("posts").create({ title: "hello", views: 1 });
    let e = await sub.next();
    assert.equal(e.action, "create");
    assert.equal(e.record.id, created.id);
    assert.equal(e.record.title, "hello");
    assert.equal(e.record.views, 1);
    assert.equal(e.record.collectionName, "posts");

    await su.collection("posts").update(created.id, { title: "renamed" });
    e = await sub.next();
    assert.equal(e.action, "update");
    assert.equal(e.record.title, "renamed");

    await su.collection("posts").delete(created.id);
    e = await sub.next();
    assert.equal(e.action, "delete");
    assert.equal(e.record.id, created.id);
    assert.equal(e.record.title, "renamed");
    await sub.quiet();
    await sub.unsubscribe();
  });

  test("a record topic gets only that record's events", async () => {
    const a = await su.collection("posts").create({ title: "a" });
    const b = await su.collection("posts").create({ title: "b" });
    const guest = client();
    const sub = await listen(guest, "posts", a.id);
    await su.collection("posts").update(b.id, { title: "b2" });
    await su.collection("posts").update(a.id, { title: "a2" });
    const e = await sub.next();
    assert.equal(e.action, "update");
    assert.equal(e.record.id, a.id);
    assert.equal(e.record.title, "a2");
    await sub.quiet();
    await sub.unsubscribe();
  });

  test("the rules are evaluated per subscriber", async () => {
    const guest = await listen(client(), "notes", "*");
    const ann = await listen(await signedIn("ann"), "notes", "*");
    const bob = await listen(await signedIn("bob"), "notes", "*");
    const admin = await listen(su, "notes", "*");

    const annNote = await su.collection("notes").create({ text: "ann's", owner: users.ann.record.id });
    const bobNote = await su.collection("notes").create({ text: "bob's", owner: users.bob.record.id });

    assert.equal((await ann.next()).record.id, annNote.id);
    assert.equal((await bob.next()).record.id, bobNote.id);
    const seen = [(await admin.next()).record.id, (await admin.next()).record.id].sort();
    assert.deepEqual(seen, [annNote.id, bobNote.id].sort());
    await Promise.all([guest.quiet(), ann.quiet(0), bob.quiet(0), admin.quiet(0)]);

    // delete events go to those who could see the record before it was deleted
    await su.collection("notes").delete(annNote.id);
    const gone = await ann.next();
    assert.equal(gone.action, "delete");
    assert.equal(gone.record.id, annNote.id);
    assert.equal((await admin.next()).action, "delete");
    await Promise.all([guest.quiet(), bob.quiet(0)]);
    for (const s of [guest, ann, bob, admin]) await s.unsubscribe();
  });

  test("subscription options: filter, expand and fields", async () => {
    // signed in as ann: users' view rule (`id = @request.auth.id`) lets her expand herself
    const filtered = await listen(await signedIn("ann"), "posts", "*", { filter: "views > 10", expand: "author" });
    const picked = await listen(client(), "posts", "*", { fields: "id,title" });

    await su.collection("posts").create({ title: "few views", views: 3, author: users.ann.record.id });
    const many = await su.collection("posts").create({ title: "many", views: 30, author: users.ann.record.id });

    const e = await filtered.next();
    assert.equal(e.record.id, many.id);
    assert.equal(e.record.expand.author.id, users.ann.record.id);
    assert.equal(e.record.expand.author.name, "ann");
    assert.equal(e.record.expand.author.email, "ann@example.com", "her own email");
    await filtered.quiet();

    const first = await picked.next();
    assert.deepEqual(Object.keys(first.record).sort(), ["id", "title"]);
    assert.equal(first.record.title, "few views");
    assert.equal((await picked.next()).record.title, "many");
    await filtered.unsubscribe();
    await picked.unsubscribe();
  });

  test("auth records keep the email hidden from others", async () => {
    const bob = await listen(await signedIn("bob"), "users", "*");
    const ann = await listen(await signedIn("ann"), "users", "*");
    // users' default list rule is `id = @request.auth.id`: each sees only their own record
    await su.collection("users").update(users.ann.record.id, { name: "Ann" });
    const own = await ann.next();
    assert.equal(own.record.id, users.ann.record.id);
    assert.equal(own.record.email, "ann@example.com");
    assert.equal("password" in own.record, false);
    assert.equal("tokenKey" in own.record, false);
    await bob.quiet();

    // with a public list rule, others get the record without the email
    await su.collections.update("users", { listRule: "" });
    await su.collection("users").update(users.ann.record.id, { name: "Ann B." });
    const seenByBob = await bob.next();
    assert.equal(seenByBob.record.id, users.ann.record.id);
    assert.equal(seenByBob.record.name, "Ann B.");
    assert.equal("email" in seenByBob.record, false);
    assert.equal((await ann.next()).record.email, "ann@example.com");
    await su.collections.update("users", { listRule: "id = @request.auth.id" });
    await bob.unsubscribe();
    await ann.unsubscribe();
  });

  test("unsubscribe stops the events", async () => {
    const pb = client();
    const sub = await listen(pb, "posts", "*");
    await su.collection("posts").create({ title: "before" });
    assert.equal((await sub.next()).record.title, "before");
    await sub.unsubscribe();
    assert.equal(pb.realtime.isConnected, false);
    await su.collection("posts").create({ title: "after" });
    await sub.quiet();
  });

  test("another identity cannot take over a client", async () => {
    const ann = await signedIn("ann");
    const sub = await listen(ann, "notes", "*");
    const bob = await signedIn("bob");
    const res = await fetch(`${server.url}/api/realtime`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: bob.authStore.token },
      body: JSON.stringify({ clientId: ann.realtime.clientId, subscriptions: ["notes/*"] }),
    });
    assert.equal(res.status, 403);
    const body = await res.json();
    assert.equal(body.status, 403);
    assert.equal(body.message, "The current and the previous request authorization don't match.");

    const missing = await fetch(`${server.url}/api/realtime`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ clientId: "nope", subscriptions: [] }),
    });
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).message, "Missing or invalid client id.");

    // ann's client still has her subscription and identity
    const note = await su.collection("notes").create({ text: "still ann's", owner: users.ann.record.id });
    assert.equal((await sub.next()).record.id, note.id);
    await sub.unsubscribe();
  });
});
