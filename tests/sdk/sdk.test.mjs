// End-to-end tests that drive the server in $BASALT_BIN with the official
// PocketBase JS SDK. The real PocketBase binary is the reference: every
// assertion here holds against it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import PocketBase from "pocketbase";
import { rejectsWith } from "./assertions.mjs";
import { requireBin, startServer, SUPERUSER_EMAIL, SUPERUSER_PASSWORD } from "./server.mjs";

// fail the whole file at once (not eleven cancelled tests) when BASALT_BIN is missing
requireBin();

const ID_RE = /^[a-z0-9]{15}$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const JWT_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

let server;
/** @type {PocketBase} client authenticated as the superuser */
let su;
let usersCollection;
let user; // the record created in `users`
const USER_EMAIL = "alice@example.com";
const USER_PASSWORD = "alice-Secret-123";

function client() {
  const pb = new PocketBase(server.url);
  pb.autoCancellation(false);
  return pb;
}

function jwtPayload(token) {
  assert.match(token, JWT_RE);
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));
}

/** Milliseconds between a PocketBase datetime string and now. */
function ageMs(dt) {
  assert.match(dt, DATE_RE);
  return Math.abs(Date.now() - Date.parse(dt.replace(" ", "T")));
}

function field(collection, name) {
  const f = collection.fields.find((f) => f.name === name);
  assert.ok(f, `field ${name} missing from ${collection.name}: ${collection.fields.map((f) => f.name)}`);
  return f;
}

describe("PocketBase JS SDK", () => {
  before(async () => {
    server = await startServer();
    su = client();
  });

  after(async () => {
    await server?.stop();
  });

  test("health endpoint", async () => {
    const h = await client().health.check();
    assert.equal(h.code, 200);
    assert.equal(typeof h.message, "string");
  });

  test("superuser login", async () => {
    const auth = await su.collection("_superusers").authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
    assert.match(auth.token, JWT_RE);
    assert.equal(su.authStore.token, auth.token);
    assert.equal(su.authStore.isValid, true);
    assert.equal(su.authStore.isSuperuser, true);
    assert.equal(auth.record.email, SUPERUSER_EMAIL);
    assert.equal(su.authStore.record.email, SUPERUSER_EMAIL);
    assert.equal(auth.record.collectionName, "_superusers");
    assert.match(auth.record.id, ID_RE);
    assert.equal(auth.record.verified, true);
    assert.equal("password" in auth.record, false);
    assert.equal("tokenKey" in auth.record, false);

    const claims = jwtPayload(auth.token);
    assert.equal(claims.id, auth.record.id);
    assert.equal(claims.type, "auth");
    assert.equal(claims.collectionId, auth.record.collectionId);
    assert.ok(claims.exp * 1000 > Date.now());

    const bad = await rejectsWith(
      client().collection("_superusers").authWithPassword(SUPERUSER_EMAIL, "wrong-password"),
      400,
    );
    assert.equal(bad.response.message, "Failed to authenticate.");
  });

  test("the default users auth collection exists", async () => {
    usersCollection = await su.collections.getOne("users");
    assert.equal(usersCollection.name, "users");
    assert.equal(usersCollection.type, "auth");
    assert.equal(usersCollection.id, "_pb_users_auth_");
    assert.equal(usersCollection.createRule, "");
    for (const [name, type] of [
      ["id", "text"],
      ["password", "password"],
      ["tokenKey", "text"],
      ["email", "email"],
      ["emailVisibility", "bool"],
      ["verified", "bool"],
      ["name", "text"],
      ["created", "autodate"],
      ["updated", "autodate"],
    ]) {
      assert.equal(field(usersCollection, name).type, type, name);
    }
    assert.equal(field(usersCollection, "password").hidden, true);
    assert.equal(field(usersCollection, "id").primaryKey, true);
    assert.deepEqual(usersCollection.passwordAuth, { enabled: true, identityFields: ["email"] });
  });

  test("create an auth collection", async () => {
    const members = await su.collections.create({
      name: "members",
      type: "auth",
      fields: [{ name: "nickname", type: "text", max: 50 }],
    });
    assert.match(members.id, /^pbc_\d+$/);
    assert.equal(members.name, "members");
    assert.equal(members.type, "auth");
    assert.equal(members.system, false);
    // rules not given -> null (superusers only)
    for (const r of ["listRule", "viewRule", "createRule", "updateRule", "deleteRule"]) {
      assert.equal(members[r], null, r);
    }
    const nickname = field(members, "nickname");
    assert.equal(nickname.type, "text");
    assert.equal(nickname.max, 50);
    assert.equal(nickname.required, false);
    assert.equal(nickname.system, false);
    assert.match(nickname.id, /^text\d+$/);
    // auth system fields are added automatically (no autodate fields though)
    for (const [name, type] of [
      ["id", "text"],
      ["password", "password"],
      ["tokenKey", "text"],
      ["email", "email"],
      ["emailVisibility", "bool"],
      ["verified", "bool"],
    ]) {
      const f = field(members, name);
      assert.equal(f.type, type, name);
      assert.equal(f.system, true, name);
    }
    assert.equal(members.fields[0].name, "id");
    assert.equal(members.passwordAuth.enabled, true);
    assert.deepEqual(members.passwordAuth.identityFields, ["email"]);
    assert.match(members.created, DATE_RE);
    assert.match(members.updated, DATE_RE);
  });

  test("create a base collection with many field types", async () => {
    const posts = await su.collections.create({
      name: "posts",
      type: "base",
      listRule: "",
      viewRule: "",
      createRule: "",
      updateRule: null,
      deleteRule: null,
      fields: [
        { name: "title", type: "text", required: true, max: 100 },
        { name: "views", type: "number" },
        { name: "published", type: "bool" },
        { name: "contact", type: "email" },
        { name: "website", type: "url" },
        { name: "publishedAt", type: "date" },
        { name: "status", type: "select", values: ["draft", "published", "archived"], maxSelect: 1 },
        { name: "tags", type: "select", values: ["a", "b", "c", "d"], maxSelect: 4 },
        { name: "meta", type: "json" },
        { name: "author", type: "relation", collectionId: usersCollection.id, maxSelect: 1 },
        { name: "created", type: "autodate", onCreate: true, onUpdate: false },
        { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
      ],
    });
    assert.match(posts.id, /^pbc_\d+$/);
    assert.equal(posts.name, "posts");
    assert.equal(posts.type, "base");
    assert.equal(posts.system, false);
    assert.equal(posts.listRule, "");
    assert.equal(posts.viewRule, "");
    assert.equal(posts.createRule, "");
    assert.equal(posts.updateRule, null);
    assert.equal(posts.deleteRule, null);
    assert.deepEqual(posts.indexes, []);
    assert.equal("passwordAuth" in posts, false);

    // an `id` field is prepended, the rest keep the order given
    assert.deepEqual(
      posts.fields.map((f) => [f.name, f.type]),
      [
        ["id", "text"],
        ["title", "text"],
        ["views", "number"],
        ["published", "bool"],
        ["contact", "email"],
        ["website", "url"],
        ["publishedAt", "date"],
        ["status", "select"],
        ["tags", "select"],
        ["meta", "json"],
        ["author", "relation"],
        ["created", "autodate"],
        ["updated", "autodate"],
      ],
    );
    const id = field(posts, "id");
    assert.equal(id.primaryKey, true);
    assert.equal(id.system, true);
    assert.equal(id.min, 15);
    assert.equal(id.max, 15);
    assert.equal(id.autogeneratePattern, "[a-z0-9]{15}");

    const title = field(posts, "title");
    assert.equal(title.required, true);
    assert.equal(title.max, 100);
    assert.equal(title.min, 0);
    assert.equal(title.system, false);
    assert.equal(title.hidden, false);

    const views = field(posts, "views");
    assert.equal(views.onlyInt, false);
    assert.equal(views.min, null);
    assert.equal(views.max, null);

    assert.deepEqual(field(posts, "contact").onlyDomains, []);
    assert.deepEqual(field(posts, "website").exceptDomains, []);
    assert.equal(field(posts, "publishedAt").min, "");

    const status = field(posts, "status");
    assert.deepEqual(status.values, ["draft", "published", "archived"]);
    assert.equal(status.maxSelect, 1);
    const tags = field(posts, "tags");
    assert.deepEqual(tags.values, ["a", "b", "c", "d"]);
    assert.equal(tags.maxSelect, 4);

    assert.equal(field(posts, "meta").maxSize, 0);

    const author = field(posts, "author");
    assert.equal(author.collectionId, usersCollection.id);
    assert.equal(author.maxSelect, 1);
    assert.equal(author.minSelect, 0);
    assert.equal(author.cascadeDelete, false);

    const created = field(posts, "created");
    assert.equal(created.onCreate, true);
    assert.equal(created.onUpdate, false);
    const updated = field(posts, "updated");
    assert.equal(updated.onCreate, true);
    assert.equal(updated.onUpdate, true);

    // every field gets an id `<type><digits>`
    for (const f of posts.fields) assert.match(f.id, new RegExp(`^${f.type}\\d+$`), f.name);

    // a second collection with the same name is rejected
    const dup = await rejectsWith(su.collections.create({ name: "posts", type: "base" }), 400);
    assert.equal(dup.response.data.name.code, "validation_collection_name_exists");
  });

  test("list, view, update and delete collections", async () => {
    const list = await su.collections.getList(1, 100);
    assert.equal(list.page, 1);
    assert.equal(list.perPage, 100);
    assert.equal(list.totalItems, list.items.length);
    assert.equal(list.totalPages, 1);
    const names = list.items.map((c) => c.name);
    for (const n of ["_superusers", "users", "members", "posts"]) assert.ok(names.includes(n), `${n} in ${names}`);

    const small = await su.collections.getList(1, 2);
    assert.equal(small.items.length, 2);
    assert.equal(small.perPage, 2);
    assert.equal(small.totalItems, list.totalItems);
    assert.equal(small.totalPages, Math.ceil(list.totalItems / 2));

    const posts = await su.collections.getOne("posts");
    assert.equal(posts.name, "posts");
    assert.equal(posts.type, "base");
    // also addressable by id
    const byId = await su.collections.getOne(posts.id);
    assert.equal(byId.name, "posts");
    assert.deepEqual(byId.fields, posts.fields);

    // add a field: send the whole field list back with one more entry
    const updated = await su.collections.update("posts", {
      fields: [...posts.fields, { name: "subtitle", type: "text", max: 20 }],
    });
    assert.equal(updated.id, posts.id);
    assert.equal(updated.name, "posts");
    assert.equal(updated.fields.length, posts.fields.length + 1);
    const subtitle = field(updated, "subtitle");
    assert.equal(subtitle.type, "text");
    assert.equal(subtitle.max, 20);
    assert.equal(updated.created, posts.created);
    assert.ok(updated.updated >= posts.updated);
    assert.deepEqual(
      updated.fields.filter((f) => f.name !== "subtitle").map((f) => f.id),
      posts.fields.map((f) => f.id),
    );
    assert.equal(field(await su.collections.getOne("posts"), "subtitle").max, 20);

    // delete a throw-away collection
    const tmp = await su.collections.create({ name: "throwaway", type: "base", fields: [{ name: "x", type: "text" }] });
    assert.equal(tmp.name, "throwaway");
    assert.equal(await su.collections.delete("throwaway"), true);
    await rejectsWith(su.collections.getOne("throwaway"), 404);
    await rejectsWith(su.collections.getOne(tmp.id), 404);

    // the collections API is superuser-only
    const guestErr = await rejectsWith(client().collections.getList(1, 5), 401);
    assert.equal(guestErr.response.message, "The request requires valid record authorization token.");
  });

  test("users: sign up, log in, refresh, wrong password", async () => {
    const guest = client();
    user = await guest.collection("users").create({
      email: USER_EMAIL,
      password: USER_PASSWORD,
      passwordConfirm: USER_PASSWORD,
      name: "Alice",
    });
    assert.match(user.id, ID_RE);
    assert.equal(user.collectionName, "users");
    assert.equal(user.collectionId, usersCollection.id);
    assert.equal(user.name, "Alice");
    assert.equal(user.verified, false);
    assert.equal(user.emailVisibility, false);
    assert.equal(user.avatar, "");
    // the email is hidden from a guest (emailVisibility false); secrets never leak
    assert.equal("email" in user, false);
    assert.equal("password" in user, false);
    assert.equal("passwordConfirm" in user, false);
    assert.equal("tokenKey" in user, false);
    assert.equal(user.created, user.updated);
    assert.ok(ageMs(user.created) < 60_000);

    // duplicate email / mismatched confirmation
    const dup = await rejectsWith(
      guest.collection("users").create({ email: USER_EMAIL, password: USER_PASSWORD, passwordConfirm: USER_PASSWORD }),
      400,
    );
    assert.equal(dup.response.data.email.code, "validation_not_unique");
    const mismatch = await rejectsWith(
      guest.collection("users").create({
        email: "other@example.com",
        password: USER_PASSWORD,
        passwordConfirm: USER_PASSWORD + "x",
      }),
      400,
    );
    assert.equal(mismatch.response.data.passwordConfirm.code, "validation_values_mismatch");

    // log in with a brand new client
    const pb = client();
    assert.equal(pb.authStore.isValid, false);
    const auth = await pb.collection("users").authWithPassword(USER_EMAIL, USER_PASSWORD);
    assert.match(auth.token, JWT_RE);
    assert.equal(pb.authStore.isValid, true);
    assert.equal(pb.authStore.isSuperuser, false);
    assert.equal(pb.authStore.token, auth.token);
    assert.equal(pb.authStore.record.email, USER_EMAIL);
    assert.equal(pb.authStore.record.id, user.id);
    assert.equal(auth.record.collectionName, "users");
    assert.equal(auth.record.name, "Alice");
    assert.equal("password" in auth.record, false);
    const claims = jwtPayload(auth.token);
    assert.equal(claims.id, user.id);
    assert.equal(claims.collectionId, usersCollection.id);
    assert.equal(claims.type, "auth");
    assert.equal(claims.refreshable, true);

    // the owner may view itself (viewRule: id = @request.auth.id), a guest gets 404
    const self = await pb.collection("users").getOne(user.id);
    assert.equal(self.email, USER_EMAIL);
    await rejectsWith(client().collection("users").getOne(user.id), 404);

    // exp has second resolution: wait so that the refreshed token differs
    await new Promise((r) => setTimeout(r, 1100));
    const refreshed = await pb.collection("users").authRefresh();
    assert.match(refreshed.token, JWT_RE);
    assert.notEqual(refreshed.token, auth.token);
    assert.equal(pb.authStore.token, refreshed.token);
    assert.equal(pb.authStore.isValid, true);
    assert.equal(refreshed.record.id, user.id);
    assert.equal(refreshed.record.email, USER_EMAIL);
    assert.ok(jwtPayload(refreshed.token).exp > claims.exp);

    // refresh without a token is refused
    await rejectsWith(client().collection("users").authRefresh(), 401);

    // wrong password / unknown identity
    const fresh = client();
    const wrong = await rejectsWith(fresh.collection("users").authWithPassword(USER_EMAIL, "not-the-password"), 400);
    assert.equal(wrong.response.message, "Failed to authenticate.");
    assert.deepEqual(wrong.response.data, {});
    assert.equal(fresh.authStore.isValid, false);
    const unknown = await rejectsWith(
      fresh.collection("users").authWithPassword("nobody@example.com", USER_PASSWORD),
      400,
    );
    assert.equal(unknown.response.message, "Failed to authenticate.");

    // a members account logs in against its own collection only
    await su.collection("members").create({
      email: "m@example.com",
      password: USER_PASSWORD,
      passwordConfirm: USER_PASSWORD,
      nickname: "emm",
    });
    const m = client();
    const mAuth = await m.collection("members").authWithPassword("m@example.com", USER_PASSWORD);
    assert.equal(mAuth.record.collectionName, "members");
    assert.equal(mAuth.record.nickname, "emm");
    assert.equal(m.authStore.record.email, "m@example.com");
    await rejectsWith(client().collection("users").authWithPassword("m@example.com", USER_PASSWORD), 400);
  });

  test("records CRUD", async () => {
    const pb = client();
    await pb.collection("users").authWithPassword(USER_EMAIL, USER_PASSWORD);
    const posts = pb.collection("posts");

    const input = {
      title: "Hello world",
      subtitle: "sub",
      views: 3,
      published: true,
      contact: "contact@example.com",
      website: "https://example.com/hello",
      publishedAt: "2024-01-02 03:04:05.678Z",
      status: "draft",
      tags: ["a", "b"],
      meta: { nested: { list: [1, 2, 3] }, s: "x", n: null, ok: true },
      author: user.id,
    };
    const rec = await posts.create(input);
    assert.match(rec.id, ID_RE);
    assert.equal(rec.collectionName, "posts");
    assert.match(rec.collectionId, /^pbc_\d+$/);
    for (const [k, v] of Object.entries(input)) assert.deepEqual(rec[k], v, k);
    assert.match(rec.created, DATE_RE);
    assert.match(rec.updated, DATE_RE);
    assert.equal(rec.created, rec.updated);
    assert.ok(ageMs(rec.created) < 60_000);
    assert.deepEqual(
      Object.keys(rec).sort(),
      [...Object.keys(input), "id", "collectionId", "collectionName", "created", "updated"].sort(),
    );

    // zero values of fields that are not given
    const bare = await posts.create({ title: "bare" });
    assert.deepEqual(
      { ...bare, id: 0, created: 0, updated: 0, collectionId: 0 },
      {
        id: 0,
        collectionId: 0,
        collectionName: "posts",
        created: 0,
        updated: 0,
        title: "bare",
        subtitle: "",
        views: 0,
        published: false,
        contact: "",
        website: "",
        publishedAt: "",
        status: "",
        tags: [],
        meta: null,
        author: "",
      },
    );

    // a guest can read (rules "")
    const got = await client().collection("posts").getOne(rec.id);
    assert.deepEqual(got, rec);

    // update with modifiers, as superuser (updateRule null)
    const upd = await su.collection("posts").update(rec.id, {
      title: "Hello again",
      "views+": 5,
      "tags+": "c",
      published: false,
    });
    assert.equal(upd.id, rec.id);
    assert.equal(upd.title, "Hello again");
    assert.equal(upd.views, 8);
    assert.deepEqual(upd.tags, ["a", "b", "c"]);
    assert.equal(upd.published, false);
    assert.equal(upd.status, "draft");
    assert.deepEqual(upd.meta, input.meta);
    assert.equal(upd.author, user.id);
    assert.equal(upd.created, rec.created);
    assert.match(upd.updated, DATE_RE);
    assert.ok(upd.updated >= rec.updated);

    const upd2 = await su.collection("posts").update(rec.id, { "views-": 2, "tags+": ["d"], "tags-": "a" });
    assert.equal(upd2.views, 6);
    assert.deepEqual(upd2.tags, ["b", "c", "d"]);

    const again = await posts.getOne(rec.id);
    assert.deepEqual(again, upd2);

    // delete, then it is gone
    assert.equal(await su.collection("posts").delete(rec.id), true);
    const gone = await rejectsWith(posts.getOne(rec.id), 404);
    assert.equal(gone.response.message, "The requested resource wasn't found.");
    await rejectsWith(su.collection("posts").getOne(rec.id), 404);
    await rejectsWith(su.collection("posts").delete(rec.id), 404);
    await rejectsWith(su.collection("posts").getOne("doesnotexist123"), 404);
  });

  test("validation errors", async () => {
    const posts = client().collection("posts");
    const missing = await rejectsWith(posts.create({ views: 1 }), 400);
    assert.equal(missing.response.message, "Failed to create record.");
    assert.equal(missing.response.data.title.code, "validation_required");
    assert.equal(missing.response.data.title.message, "Cannot be blank.");
    assert.deepEqual(Object.keys(missing.response.data), ["title"]);

    const tooLong = await rejectsWith(posts.create({ title: "x".repeat(101) }), 400);
    assert.equal(tooLong.response.data.title.code, "validation_max_text_constraint");
    assert.deepEqual(tooLong.response.data.title.params, { max: 100 });

    const bad = await rejectsWith(posts.create({ title: "ok", contact: "not-an-email", status: "bogus" }), 400);
    assert.equal(bad.response.data.contact.code, "validation_is_email");
    assert.equal(bad.response.data.status.code, "validation_invalid_value");
    assert.deepEqual(Object.keys(bad.response.data).sort(), ["contact", "status"]);

    // a failed create stores nothing
    const all = await su.collection("posts").getFullList();
    assert.equal(
      all.some((r) => r.title === "ok" || r.views === 1),
      false,
    );
  });

  test("API rules", async () => {
    const guest = client().collection("posts");
    const rec = await guest.create({ title: "guarded", views: 1 });
    assert.match(rec.id, ID_RE);

    const upd = await rejectsWith(guest.update(rec.id, { title: "hacked" }), 403);
    assert.equal(upd.response.message, "Only superusers can perform this action.");
    const del = await rejectsWith(guest.delete(rec.id), 403);
    assert.equal(del.response.message, "Only superusers can perform this action.");

    // a logged-in (non-superuser) user is refused too
    const pb = client();
    await pb.collection("users").authWithPassword(USER_EMAIL, USER_PASSWORD);
    await rejectsWith(pb.collection("posts").update(rec.id, { title: "hacked" }), 403);
    await rejectsWith(pb.collection("posts").delete(rec.id), 403);

    assert.equal((await guest.getOne(rec.id)).title, "guarded");

    const ok = await su.collection("posts").update(rec.id, { title: "updated by superuser" });
    assert.equal(ok.title, "updated by superuser");
    assert.equal(await su.collection("posts").delete(rec.id), true);
    await rejectsWith(guest.getOne(rec.id), 404);

    // members has null rules: guests can neither list nor create
    await rejectsWith(client().collection("members").getList(1, 10), 403);
    await rejectsWith(
      client().collection("members").create({ email: "x@example.com", password: USER_PASSWORD, passwordConfirm: USER_PASSWORD }),
      403,
    );
  });

  test("sorting and pagination", async () => {
    await su.collections.create({
      name: "ranked",
      type: "base",
      listRule: "",
      viewRule: "",
      createRule: "",
      fields: [
        { name: "label", type: "text" },
        { name: "score", type: "number" },
      ],
    });
    const ranked = client().collection("ranked");
    // distinct scores, inserted in a shuffled order
    const scores = Array.from({ length: 25 }, (_, i) => ((i * 7) % 25) * 10 + 5);
    assert.equal(new Set(scores).size, 25);
    await Promise.all(scores.map((score) => ranked.create({ label: `item ${score}`, score })));
    const desc = [...scores].sort((a, b) => b - a);
    const asc = [...scores].sort((a, b) => a - b);

    const p1 = await ranked.getList(1, 10, { sort: "-score" });
    assert.equal(p1.page, 1);
    assert.equal(p1.perPage, 10);
    assert.equal(p1.totalItems, 25);
    assert.equal(p1.totalPages, 3);
    assert.equal(p1.items.length, 10);
    assert.deepEqual(
      p1.items.map((r) => r.score),
      desc.slice(0, 10),
    );
    assert.equal(p1.items[0].label, `item ${desc[0]}`);
    assert.equal(p1.items[0].collectionName, "ranked");

    const p2 = await ranked.getList(2, 10, { sort: "-score" });
    assert.equal(p2.page, 2);
    assert.deepEqual(
      p2.items.map((r) => r.score),
      desc.slice(10, 20),
    );

    const p3 = await ranked.getList(3, 10, { sort: "-score" });
    assert.equal(p3.page, 3);
    assert.equal(p3.totalItems, 25);
    assert.equal(p3.totalPages, 3);
    assert.equal(p3.items.length, 5);
    assert.deepEqual(
      p3.items.map((r) => r.score),
      desc.slice(20),
    );

    const p4 = await ranked.getList(4, 10, { sort: "-score" });
    assert.equal(p4.page, 4);
    assert.deepEqual(p4.items, []);
    assert.equal(p4.totalItems, 25);

    const full = await ranked.getFullList({ sort: "score" });
    assert.equal(full.length, 25);
    assert.deepEqual(
      full.map((r) => r.score),
      asc,
    );
    for (const r of full) assert.match(r.id, ID_RE);
    assert.equal(new Set(full.map((r) => r.id)).size, 25);

    // multi-key sort: label text sort of "item N" is lexicographic
    const byLabel = await ranked.getFullList({ sort: "-label,score" });
    assert.deepEqual(
      byLabel.map((r) => r.label),
      scores.map((s) => `item ${s}`).sort().reverse(),
    );

    const skip = await ranked.getList(1, 10, { skipTotal: true, sort: "score" });
    assert.equal(skip.page, 1);
    assert.equal(skip.perPage, 10);
    assert.equal(skip.totalItems, -1);
    assert.equal(skip.totalPages, -1);
    assert.deepEqual(
      skip.items.map((r) => r.score),
      asc.slice(0, 10),
    );

    // defaults: page 1, perPage 30
    const def = await ranked.getList();
    assert.equal(def.page, 1);
    assert.equal(def.perPage, 30);
    assert.equal(def.totalItems, 25);
    assert.equal(def.totalPages, 1);
    assert.equal(def.items.length, 25);
  });
});
