#!/usr/bin/env node
// Seeds a running server for the OpenAPI harness through its HTTP API, as the superuser:
// a `tags` collection, a `posts` collection with text/number/bool/select/relation/date/json
// fields and open rules (`""`: anyone), a `scratch` collection that the fuzzer may update,
// truncate or delete, a user, and records with fixed ids (schemathesis.toml names them).
// Prints the superuser's token on stdout.
//
//   node tests/openapi/seed.mjs URL EMAIL PASSWORD
const [url, email, password] = process.argv.slice(2);
if (!url || !email || !password) {
  console.error("usage: seed.mjs URL EMAIL PASSWORD");
  process.exit(2);
}

async function call(method, path, body, token) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = token;
  const res = await fetch(url + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// Wait for the server (up to 10 s).
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${url}/api/health`)).ok) break;
  } catch {
    // not listening yet
  }
  if (i >= 100) throw new Error(`${url} did not answer /api/health within 10 s`);
  await new Promise((r) => setTimeout(r, 100));
}

const { token } = await call("POST", "/api/collections/_superusers/auth-with-password", {
  identity: email,
  password,
});
const open = { listRule: "", viewRule: "", createRule: "", updateRule: "", deleteRule: "" };

const tags = await call("POST", "/api/collections", {
  name: "tags", type: "base", ...open, fields: [{ name: "name", type: "text" }],
}, token);
await call("POST", "/api/collections", {
  name: "posts",
  type: "base",
  ...open,
  fields: [
    { name: "title", type: "text", max: 200 },
    { name: "views", type: "number" },
    { name: "published", type: "bool" },
    { name: "status", type: "select", maxSelect: 1, values: ["draft", "live", "archived"] },
    { name: "author", type: "relation", maxSelect: 1, collectionId: "_pb_users_auth_" },
    { name: "tags", type: "relation", maxSelect: 5, collectionId: tags.id },
    { name: "published_at", type: "date" },
    { name: "meta", type: "json" },
    { name: "created", type: "autodate", onCreate: true, onUpdate: false },
    { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
  ],
}, token);
await call("POST", "/api/collections", {
  name: "scratch", type: "base", ...open, fields: [{ name: "note", type: "text" }],
}, token);

await call("POST", "/api/collections/users/records", {
  id: "user00000000001",
  email: "user@example.com",
  password: "Passw0rd!1234",
  passwordConfirm: "Passw0rd!1234",
  name: "User One",
}, token);
for (const [id, name] of [["tag000000000001", "red"], ["tag000000000002", "blue"]]) {
  await call("POST", "/api/collections/tags/records", { id, name }, token);
}
const posts = [
  ["post00000000001", "Hello", 10, true, "live", ["tag000000000001"], { a: 1 }],
  ["post00000000002", "Draft", 0, false, "draft", [], null],
  ["post00000000003", "Old news", 500, true, "archived", ["tag000000000001", "tag000000000002"], [1, 2]],
  ["post00000000004", "Bye", 3, false, "", [], "text"],
];
for (const [id, title, views, published, status, tagIds, meta] of posts) {
  await call("POST", "/api/collections/posts/records", {
    id, title, views, published, status, author: "user00000000001", tags: tagIds,
    published_at: "2024-01-02 03:04:05.000Z", meta,
  }, token);
}
await call("POST", "/api/collections/scratch/records", { id: "scratch00000001", note: "x" }, token);

process.stdout.write(token);
