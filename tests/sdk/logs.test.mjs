// Request logs through the official JS SDK: pb.logs.getList, getOne and getStats.
// Logs are written in the background, so the tests poll until their requests show up.
// Every assertion holds against PocketBase 0.40.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import PocketBase from "pocketbase";
import { rejectsWith } from "./assertions.mjs";
import { requireBin, startServer, SUPERUSER_EMAIL, SUPERUSER_PASSWORD } from "./server.mjs";

requireBin();

const ID_RE = /^[a-z0-9]{15}$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const HOUR_RE = /^\d{4}-\d{2}-\d{2} \d{2}:00:00\.000Z$/;

let server;
/** @type {PocketBase} */
let su;

function client() {
  const pb = new PocketBase(server.url);
  pb.autoCancellation(false);
  return pb;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls pb.logs.getList with `filter` until it has at least `n` items (15 s at most). */
async function waitForLogs(filter, n, options = {}) {
  const deadline = Date.now() + 15000;
  for (;;) {
    const page = await su.logs.getList(1, 100, { filter, ...options });
    if (page.totalItems >= n || Date.now() > deadline) return page;
    await sleep(100);
  }
}

describe("logs through the JS SDK", () => {
  before(async () => {
    server = await startServer();
    su = client();
    await su.collection("_superusers").authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
    // a few requests to log: two successes, two failures
    const guest = client();
    await guest.health.check({ query: { sdk: "one" } });
    await guest.health.check({ query: { sdk: "two" } });
    await rejectsWith(guest.collection("missing").getList(1, 1, { query: { sdk: "404" } }), 404);
    await rejectsWith(guest.collection("missing").getList(1, 1, { query: { sdk: "404b" } }), 404);
  });

  after(async () => {
    await server?.stop();
  });

  test("getList returns the request logs with PocketBase's fields", async () => {
    const page = await waitForLogs('data.url ~ "sdk="', 4, { sort: "data.url" });
    assert.equal(page.totalItems, 4);
    assert.equal(page.page, 1);
    assert.equal(page.perPage, 100);
    assert.equal(page.totalPages, 1);
    const urls = page.items.map((l) => l.data.url);
    assert.deepEqual(urls, [
      "/api/collections/missing/records?page=1&perPage=1&sdk=404",
      "/api/collections/missing/records?page=1&perPage=1&sdk=404b",
      "/api/health?sdk=one",
      "/api/health?sdk=two",
    ]);
    for (const log of page.items) {
      assert.match(log.id, ID_RE);
      assert.match(log.created, DATE_RE);
      assert.equal(log.data.type, "request");
      assert.equal(log.data.method, "GET");
      assert.equal(typeof log.data.execTime, "number");
      assert.equal(log.data.auth, "");
      assert.equal(log.data.remoteIP, "127.0.0.1");
      assert.equal(log.message, `GET ${log.data.url}`);
    }
    const [missing] = page.items;
    assert.equal(missing.level, 8);
    assert.equal(missing.data.status, 404);
    assert.equal(missing.data.error, "Missing collection context.");
    assert.equal(page.items[2].level, 0);
    assert.equal(page.items[2].data.status, 200);

    const failed = await su.logs.getList(1, 10, {
      filter: 'data.url ~ "sdk=" && data.status >= 400',
      sort: "-data.url",
    });
    assert.deepEqual(
      failed.items.map((l) => l.data.url),
      [
        "/api/collections/missing/records?page=1&perPage=1&sdk=404b",
        "/api/collections/missing/records?page=1&perPage=1&sdk=404",
      ],
    );
  });

  test("getOne returns one log, and a missing id is 404", async () => {
    const page = await waitForLogs('data.url = "/api/health?sdk=one"', 1);
    const log = await su.logs.getOne(page.items[0].id);
    assert.deepEqual(log, page.items[0]);
    await rejectsWith(su.logs.getOne("missing000000000"), 404);
  });

  test("getStats counts logs per hour", async () => {
    await waitForLogs('data.url ~ "sdk="', 4);
    const stats = await su.logs.getStats({ filter: 'data.url ~ "sdk=" && level = 8' });
    assert.ok(Array.isArray(stats));
    const total = stats.reduce((n, s) => n + s.total, 0);
    assert.equal(total, 2);
    for (const s of stats) {
      assert.match(s.date, HOUR_RE);
      assert.deepEqual(Object.keys(s).sort(), ["date", "total"]);
    }
    const err = await rejectsWith(su.logs.getStats({ filter: "bad ==" }), 400);
    assert.equal(err.response.message, "Invalid filter format.");
  });

  test("guests get 401 and bad filters 400", async () => {
    const guest = client();
    await rejectsWith(guest.logs.getList(1, 10), 401);
    await rejectsWith(guest.logs.getStats(), 401);
    await rejectsWith(su.logs.getList(1, 10, { filter: "unknownField = 1" }), 400);
    await rejectsWith(su.logs.getList(1, 10, { sort: "unknownField" }), 400);
  });
});
