// A record create / list / view / update / delete scenario through a client generated from
// the OpenAPI document: `generated/schema.d.ts` comes from openapi-typescript (run.sh), the
// runtime is openapi-fetch, and tsc --strict checks this file against the generated types.
//
//   node dist/scenario.js URL SUPERUSER_EMAIL SUPERUSER_PASSWORD
//
// It creates its own user and tag, so it does not depend on what the fuzzer left behind;
// the `posts` and `tags` collections come from seed.mjs.
import assert from "node:assert/strict";
import createClient from "openapi-fetch";
import type { paths } from "./generated/schema.js";

// ---------------------------------------------------------------------------------------
// The record operations driven, and their types: posts' own paths of the live document,
// whose bodies and records are typed by posts' fields (tsc rejects a wrong field name or
// type below); the generic `/collections/{collection}/records` operations work untyped.
// ---------------------------------------------------------------------------------------
const RECORDS = "/collections/posts/records";
const RECORD = "/collections/posts/records/{id}";

/** The JSON content of a response (whatever its media type is called). */
type JsonOf<R> = R extends { content: infer C } ? C[keyof C] : never;
/** The JSON request body of an operation. */
type BodyOf<Op> = Op extends { requestBody?: { content: { "application/json": infer B } } }
  ? B
  : never;

type PostBody = BodyOf<paths[typeof RECORDS]["post"]>;
type PostPatch = BodyOf<paths[typeof RECORD]["patch"]>;
type PostRecord = JsonOf<paths[typeof RECORD]["get"]["responses"][200]>;
/** A post as read here: posts' type once the document has one, else any JSON object. */
type Post = unknown extends PostRecord ? Record<string, unknown> : PostRecord;

/** `value` as a record object (asserted at run time: the generic document says `unknown`). */
function record(value: PostRecord | undefined): Post {
  assert.ok(value !== null && typeof value === "object" && !Array.isArray(value), "a record object");
  return value as Post;
}

/** `value` as a JSON object. */
function object(value: unknown): Record<string, unknown> {
  assert.ok(value !== null && typeof value === "object" && !Array.isArray(value), "an object");
  return value as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------

const [url, email, password] = process.argv.slice(2);
if (!url || !email || !password) {
  console.error("usage: scenario.js URL SUPERUSER_EMAIL SUPERUSER_PASSWORD");
  process.exit(2);
}
const client = createClient<paths>({ baseUrl: `${url}/api` });
const ID = /^[a-z0-9]{15}$/;
const DATE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/;
const stamp = Date.now().toString(36);

// A superuser token, then a user and a tag of our own (through the generic operations).
const su = await client.POST("/collections/{collection}/auth-with-password", {
  params: { path: { collection: "_superusers" } },
  body: { identity: email, password },
});
assert.equal(su.response.status, 200, JSON.stringify(su.error));
const suToken: string = su.data?.token ?? "";
assert.match(suToken, /^[\w-]+\.[\w-]+\.[\w-]+$/);
assert.equal(object(su.data?.record).email, email);
const asSuperuser = { Authorization: suToken };

const userEmail = `client-${stamp}@example.com`;
const user = await client.POST("/collections/{collection}/records", {
  params: { path: { collection: "users" } },
  body: { email: userEmail, password: "Passw0rd!1234", passwordConfirm: "Passw0rd!1234", name: "Typed" },
});
assert.equal(user.response.status, 200, JSON.stringify(user.error));
const userId = object(user.data).id;
assert.ok(typeof userId === "string" && ID.test(userId));

const login = await client.POST("/collections/{collection}/auth-with-password", {
  params: { path: { collection: "users" } },
  body: { identity: userEmail, password: "Passw0rd!1234" },
});
assert.equal(login.response.status, 200, JSON.stringify(login.error));
assert.equal(object(login.data?.record).id, userId);
const asUser = { Authorization: login.data?.token ?? "" };

const tag = await client.POST("/collections/{collection}/records", {
  params: { path: { collection: "tags" } },
  body: { name: `tag-${stamp}` },
  headers: asSuperuser,
});
assert.equal(tag.response.status, 200, JSON.stringify(tag.error));
const tagId = object(tag.data).id;
assert.ok(typeof tagId === "string");

// Create, as the user.
const title = `Typed client ${stamp}`;
const created = await client.POST(RECORDS, {
  headers: asUser,
  body: {
    title,
    views: 7,
    published: true,
    status: "live",
    author: userId,
    tags: [tagId],
    published_at: "2024-05-01 12:00:00.000Z",
    meta: { nested: [1, "two"], ok: true },
  } satisfies PostBody,
});
assert.equal(created.response.status, 200, JSON.stringify(created.error));
const post = record(created.data);
assert.ok(typeof post.id === "string" && ID.test(post.id), `id ${String(post.id)}`);
const id: string = post.id;
assert.equal(post.collectionName, "posts");
assert.equal(post.title, title);
assert.equal(post.views, 7);
assert.equal(post.published, true);
assert.equal(post.status, "live");
assert.equal(post.author, userId);
assert.deepEqual(post.tags, [tagId]);
assert.equal(post.published_at, "2024-05-01 12:00:00.000Z");
assert.deepEqual(post.meta, { nested: [1, "two"], ok: true });
assert.match(String(post.created), DATE);
assert.equal(post.updated, post.created);

// List: the filter finds exactly it.
const list = await client.GET(RECORDS, {
  params: { query: { filter: `title = "${title}"`, sort: "-created", perPage: 5 } },
});
assert.equal(list.response.status, 200, JSON.stringify(list.error));
assert.ok(list.data);
assert.equal(list.data.page, 1);
assert.equal(list.data.perPage, 5);
assert.equal(list.data.totalItems, 1);
assert.equal(list.data.totalPages, 1);
assert.equal(list.data.items.length, 1);
assert.deepEqual(list.data.items[0], post);

// View: the same record.
const viewed = await client.GET(RECORD, { params: { path: { id } } });
assert.equal(viewed.response.status, 200, JSON.stringify(viewed.error));
assert.deepEqual(record(viewed.data), post);

// Update.
const patch: PostPatch = { title: `${title} (edited)`, views: 8, published: false, status: "draft", tags: [] };
const updated = await client.PATCH(RECORD, { params: { path: { id } }, body: patch });
assert.equal(updated.response.status, 200, JSON.stringify(updated.error));
const edited = record(updated.data);
assert.equal(edited.id, id);
assert.equal(edited.title, `${title} (edited)`);
assert.equal(edited.views, 8);
assert.equal(edited.published, false);
assert.equal(edited.status, "draft");
assert.deepEqual(edited.tags, []);
assert.equal(edited.author, userId);
assert.deepEqual(edited.meta, { nested: [1, "two"], ok: true });
assert.equal(edited.created, post.created);
assert.ok(String(edited.updated) >= String(post.updated));
const reread = await client.GET(RECORD, { params: { path: { id } } });
assert.deepEqual(record(reread.data), edited);

// Delete: 204, then the record is gone (a typed error body).
const deleted = await client.DELETE(RECORD, { params: { path: { id } } });
assert.equal(deleted.response.status, 204, JSON.stringify(deleted.error));
const gone = await client.GET(RECORD, { params: { path: { id } } });
assert.equal(gone.response.status, 404);
assert.deepEqual(gone.error, { status: 404, message: "The requested resource wasn't found.", data: {} });
const empty = await client.GET(RECORDS, { params: { query: { filter: `title ~ "${title}"` } } });
assert.equal(empty.data?.totalItems, 0);

console.log(`typed client: create/list/view/update/delete of posts ${id} passed`);
