// File fields end to end through the official JS SDK against the server in $BASALT_BIN: multipart
// uploads (FormData and the SDK's plain-object form), stored-name normalisation, serving (bytes,
// headers, Range, HEAD, conditional GET), the `+`/`-` modifiers, thumbs, protected files with file
// tokens, rejected uploads, and deletes. The reference is PocketBase 0.40.6 (apis/file.go,
// core/field_file.go, tools/filesystem/{file,filesystem}.go): every assertion holds against it.
// Test images are generated in-process by ./images.mjs (no image dependency).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import PocketBase from "pocketbase";
import { rejectsWith } from "./assertions.mjs";
import { decodePng, imageInfo, makeBrokenPng, makeGif, makeJpeg, makePng } from "./images.mjs";
import { requireBin, startServer, SUPERUSER_EMAIL, SUPERUSER_PASSWORD } from "./server.mjs";

requireBin();

const R10 = "[a-z0-9]{10}"; // the random part PocketBase appends to every stored name
const CSP = "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox";
const CACHE_CONTROL = "max-age=2592000, stale-while-revalidate=86400";
const NOT_FOUND = { data: {}, message: "The requested resource wasn't found.", status: 404 };
const NO_COLLECTION = { data: {}, message: "Missing or invalid collection context.", status: 404 };
const TEXT_PLAIN = "text/plain; charset=utf-8";
const ONE_MIB = 1 << 20;
const THUMBS = ["50x50", "50x50t", "50x50b", "50x50f", "0x40", "40x0", "70x30"];

const RED = [255, 0, 0];
const GREEN = [0, 255, 0];
const BLUE = [0, 0, 255];
const WHITE = [255, 255, 255];
/** 100x300, three horizontal bands: red (top), green, blue (bottom). */
const TALL_PNG = makePng(100, 300, (x, y) => (y < 100 ? RED : y < 200 ? GREEN : BLUE));
/** 200x100, three vertical bands: red (left), green (x 50..149), blue (right). */
const WIDE_PNG = makePng(200, 100, (x) => (x < 50 ? RED : x < 150 ? GREEN : BLUE));
const WIDE_JPEG = makeJpeg(200, 100, (x) => (x < 96 ? 40 : 210));
const TALL_GIF = makeGif(100, 300, [RED, GREEN, BLUE, WHITE], (x, y) => (y < 100 ? 0 : y < 200 ? 1 : 2));
const BROKEN_PNG = makeBrokenPng();

let server;
/** @type {PocketBase} client authenticated as the superuser */
let su;
/** @type {PocketBase} a guest (docs' create/update/delete rules are "") */
let guest;
let docsId;

function client() {
  const pb = new PocketBase(server.url);
  pb.autoCancellation(false);
  return pb;
}

const docs = () => guest.collection("docs");

/** GET (or `method`) a URL; returns { status, headers, body: Buffer }. */
async function get(url, headers = {}, method = "GET") {
  const res = await fetch(url, { method, headers });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body };
}

/** Asserts the file `name` of `record` is not served (404 with PocketBase's JSON body). */
async function assertGone(record, name, query = {}, body = NOT_FOUND) {
  const res = await get(guest.files.getURL(record, name, query));
  assert.equal(res.status, 404, `${name} should be gone`);
  assert.deepEqual(JSON.parse(res.body.toString()), body);
}

/** Asserts the file is served with exactly `bytes`; returns the response. */
async function assertServed(record, name, bytes, query = {}) {
  const res = await get(guest.files.getURL(record, name, query));
  assert.equal(res.status, 200, `${name}: ${res.body.toString().slice(0, 200)}`);
  assert.ok(res.body.equals(Buffer.from(bytes)), `${name}: served bytes differ from the upload`);
  return res;
}

/** [dir, name] of every file under `dir` (entries vanishing meanwhile are skipped). */
function walk(dir) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    if (e.code === "ENOENT") return [];
    throw e;
  }
  return entries.flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : d.isFile() ? [[dir, d.name]] : []));
}

/** All file names (basenames) anywhere under the server's temp dir. */
function filesOnDisk() {
  return walk(server.dir).map(([, name]) => name);
}

/** Waits up to 5 s for no file name on disk to match `pred`; returns the ones still there. */
async function leftOnDisk(pred) {
  for (let i = 0; i < 50 && filesOnDisk().some(pred); i++) await new Promise((r) => setTimeout(r, 100));
  return filesOnDisk().filter(pred);
}

/** Asserts nothing named like an upload of `base` (e.g. "toolarge" → toolarge_xxxxxxxxxx.txt) is on disk. */
function assertNotOnDisk(base) {
  const found = filesOnDisk().filter((n) => n.startsWith(`${base}_`) || n === base);
  assert.deepEqual(found, [], `no stored file for ${base}`);
}

async function totalDocs() {
  return (await su.collection("docs").getList(1, 1)).totalItems;
}

function file(bytes, name) {
  return new File([bytes], name);
}

/** Builds a FormData from [key, value] pairs (values: string | File). */
function form(...entries) {
  const fd = new FormData();
  for (const [k, v] of entries) fd.append(k, v);
  return fd;
}

/** "red" | "green" | "blue" | "white" | "mixed" for an [r, g, b] sample. */
function colour([r, g, b]) {
  const hi = (v) => v >= 200;
  const lo = (v) => v <= 55;
  if (hi(r) && lo(g) && lo(b)) return "red";
  if (lo(r) && hi(g) && lo(b)) return "green";
  if (lo(r) && lo(g) && hi(b)) return "blue";
  if (hi(r) && hi(g) && hi(b)) return "white";
  return `mixed(${r},${g},${b})`;
}

describe("files via the PocketBase JS SDK", () => {
  before(async () => {
    server = await startServer();
    su = client();
    await su.collection("_superusers").authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
    guest = client();
  });

  after(async () => {
    await server?.stop();
  });

  test("create the docs collection with file fields", async () => {
    const col = await su.collections.create({
      name: "docs",
      type: "base",
      listRule: "",
      viewRule: "",
      createRule: "",
      updateRule: "",
      deleteRule: "",
      fields: [
        { name: "title", type: "text" },
        {
          name: "one",
          type: "file",
          maxSelect: 1,
          maxSize: ONE_MIB,
          mimeTypes: ["image/png", "image/jpeg", "image/gif", "text/plain"],
          thumbs: THUMBS,
        },
        { name: "many", type: "file", maxSelect: 3 },
        { name: "secret", type: "file", protected: true },
      ],
    });
    docsId = col.id;
    const byName = Object.fromEntries(col.fields.map((f) => [f.name, f]));
    const { id: oneId, ...one } = byName.one;
    assert.match(oneId, /^file\d+$/);
    assert.deepEqual(one, {
      help: "",
      hidden: false,
      maxSelect: 1,
      maxSize: ONE_MIB,
      mimeTypes: ["image/png", "image/jpeg", "image/gif", "text/plain"],
      name: "one",
      presentable: false,
      protected: false,
      required: false,
      system: false,
      thumbs: THUMBS,
      type: "file",
    });
    // options left out come back as 0 / [] (maxSize 0 means the 5 MiB default, maxSelect 0 means single)
    const { id: _m, ...many } = byName.many;
    assert.deepEqual(many, { ...one, name: "many", maxSelect: 3, maxSize: 0, mimeTypes: [], thumbs: [] });
    const { id: _s, ...secret } = byName.secret;
    assert.deepEqual(secret, {
      ...one,
      name: "secret",
      maxSelect: 0,
      maxSize: 0,
      mimeTypes: [],
      thumbs: [],
      protected: true,
    });

    // a thumb size that is not WxH[tbf] is rejected, and so is 0x0 (the error is keyed by the
    // field's index in the stored list: 1, after the implicit `id` field)
    for (const [thumb, code, message] of [
      ["0x0", "validation_not_in_invalid", "Must not be in list."],
      ["big", "validation_match_invalid", "Must be in a valid format."],
    ]) {
      const bad = await rejectsWith(
        su.collections.create({
          name: "badthumbs",
          type: "base",
          fields: [{ name: "f", type: "file", thumbs: [thumb] }],
        }),
        400,
      );
      assert.deepEqual(bad.response, {
        data: { fields: { 1: { thumbs: { 0: { code, message } } } } },
        message: "Failed to create collection.",
        status: 400,
      });
    }
  });

  test("multipart create: one file and several files in one request, bytes served back", async () => {
    const notes = "hello world\n";
    const rec = await docs().create(
      form(
        ["title", "first"],
        ["one", file(WIDE_PNG, "My File.PNG")],
        ["many", file(notes, "notes.txt")],
        ["many", file(WIDE_JPEG, "photo.jpg")],
      ),
    );
    assert.equal(rec.title, "first");
    assert.equal(rec.collectionId, docsId);
    // spaces → "_", lower-cased base name, the extension keeps its case
    assert.match(rec.one, new RegExp(`^my_file_${R10}\\.PNG$`));
    assert.equal(rec.many.length, 2);
    assert.match(rec.many[0], new RegExp(`^notes_${R10}\\.txt$`));
    assert.match(rec.many[1], new RegExp(`^photo_${R10}\\.jpg$`));
    assert.equal(rec.secret, ""); // empty single file field
    assert.deepEqual(Object.keys(rec).sort(), [
      "collectionId",
      "collectionName",
      "id",
      "many",
      "one",
      "secret",
      "title",
    ]);

    const fetched = await docs().getOne(rec.id);
    assert.deepEqual(fetched, rec);

    await assertServed(rec, rec.one, WIDE_PNG);
    await assertServed(rec, rec.many[0], notes);
    await assertServed(rec, rec.many[1], WIDE_JPEG);
    // collection name works in the URL as well as the id
    const byName = await get(`${server.url}/api/files/docs/${rec.id}/${rec.one}`);
    assert.equal(byName.status, 200);
    assert.ok(byName.body.equals(WIDE_PNG));

    // unknown names, records and collections are 404
    await assertGone(rec, "nope.png");
    await assertGone(rec, rec.one.toLowerCase()); // names are case-sensitive
    await assertGone({ ...rec, id: "aaaaaaaaaaaaaaa" }, rec.one);
    // an unknown collection fails earlier, in the collection-path middleware
    await assertGone({ ...rec, collectionId: "nope" }, rec.one, {}, NO_COLLECTION);
    // a name from another record does not resolve
    const other = await docs().create({ title: "other" });
    await assertGone(other, rec.one);

    // the same upload twice gets two different random suffixes
    const again = await docs().create(form(["one", file(WIDE_PNG, "My File.PNG")]));
    assert.notEqual(again.one, rec.one);
    assert.match(again.one, new RegExp(`^my_file_${R10}\\.PNG$`));
  });

  test("SDK plain-object form: Blob / File values become multipart", async () => {
    const text = "plain object text\n";
    const rec = await docs().create({
      title: "plain",
      one: new Blob([WIDE_PNG]),
      many: [new Blob([text]), new File([TALL_GIF], "anim.gif")],
    });
    assert.equal(rec.title, "plain");
    // a bare Blob is sent with the filename "blob"; the extension is then sniffed from the content
    assert.match(rec.one, new RegExp(`^blob_${R10}\\.png$`));
    assert.match(rec.many[0], new RegExp(`^blob_${R10}\\.txt$`));
    assert.match(rec.many[1], new RegExp(`^anim_${R10}\\.gif$`));
    await assertServed(rec, rec.one, WIDE_PNG);
    await assertServed(rec, rec.many[0], text);
    await assertServed(rec, rec.many[1], TALL_GIF);
  });

  test("stored names: normalisation examples", async () => {
    const txt = "some text\n";
    const a = await docs().create(
      form(
        ["many", file(txt, "ab.txt")],
        ["many", file(txt, "a.b.c.txt")],
        ["many", file(txt, "Ünïcödé file.txt")],
      ),
    );
    // a base name shorter than 3 chars gets an extra random part: "ab" + 10 + "_" + 10
    assert.match(a.many[0], new RegExp(`^ab${R10}_${R10}\\.txt$`));
    // a double extension is kept whole (".c.txt"); dots in the base become "_"
    assert.match(a.many[1], new RegExp(`^a_b_${R10}\\.c\\.txt$`));
    // non-ASCII letters are separators (\W is ASCII-only)
    assert.match(a.many[2], new RegExp(`^n_c_d_file_${R10}\\.txt$`));

    const b = await docs().create(
      form(
        ["many", file(txt, ".hidden")],
        ["many", file(txt, "README")],
        ["many", file(txt, "myTestDB.tar.gz")],
      ),
    );
    // ".hidden" is all extension: the empty base becomes 10 random chars
    assert.match(b.many[0], new RegExp(`^${R10}_${R10}\\.hidden$`));
    // no extension: detected from the content
    assert.match(b.many[1], new RegExp(`^readme_${R10}\\.txt$`));
    // camelCase is split, "DB" kept together
    assert.match(b.many[2], new RegExp(`^my_test_db_${R10}\\.tar\\.gz$`));

    const c = await docs().create(
      form(
        ["many", file(WIDE_JPEG, "Photo.JPEG")],
        ["many", file(txt, "weird name!.t x t")],
        ["many", file(txt, `${"x".repeat(150)}.txt`)],
      ),
    );
    assert.match(c.many[0], new RegExp(`^photo_${R10}\\.JPEG$`));
    // characters outside [\w.*\-+=#] are dropped from the extension
    assert.match(c.many[1], new RegExp(`^weird_name_${R10}\\.txt$`));
    // the base name is cut to 100 chars
    assert.match(c.many[2], new RegExp(`^x{100}_${R10}\\.txt$`));
    for (const rec of [a, b]) for (const n of rec.many) await assertServed(rec, n, txt);
    await assertServed(c, c.many[0], WIDE_JPEG);
  });

  test("served file headers, download=1, HEAD, Range and conditional GET", async () => {
    const text = "0123456789 plain text\n";
    const rec = await docs().create(
      form(
        ["one", file(WIDE_PNG, "pic.png")],
        ["many", file(text, "doc.txt")],
        ["many", file(TALL_GIF, "gif.gif")],
        ["many", file(WIDE_JPEG, "jpg.jpg")],
      ),
    );
    const [txtName, gifName, jpgName] = rec.many;

    const png = await assertServed(rec, rec.one, WIDE_PNG);
    assert.equal(png.headers.get("content-type"), "image/png");
    assert.equal(png.headers.get("content-disposition"), `inline; filename="${rec.one}"`);
    assert.equal(png.headers.get("content-security-policy"), CSP);
    assert.equal(png.headers.get("cache-control"), CACHE_CONTROL);
    assert.equal(png.headers.get("content-length"), String(WIDE_PNG.length));
    assert.equal(png.headers.get("accept-ranges"), "bytes");
    assert.equal(png.headers.get("x-content-type-options"), "nosniff");
    assert.ok(png.headers.get("last-modified"), "last-modified is set");
    // the global X-Frame-Options is removed for files (it is on other API responses)
    assert.equal(png.headers.get("x-frame-options"), null);
    const health = await get(`${server.url}/api/health`);
    assert.equal(health.headers.get("x-frame-options"), "SAMEORIGIN");

    const txt = await assertServed(rec, txtName, text);
    assert.equal(txt.headers.get("content-type"), TEXT_PLAIN);
    assert.equal(txt.headers.get("content-disposition"), `attachment; filename="${txtName}"`);
    assert.equal(txt.headers.get("content-security-policy"), CSP);
    assert.equal(txt.headers.get("cache-control"), CACHE_CONTROL);
    assert.equal(txt.headers.get("x-frame-options"), null);

    const gif = await assertServed(rec, gifName, TALL_GIF);
    assert.equal(gif.headers.get("content-type"), "image/gif");
    assert.equal(gif.headers.get("content-disposition"), `inline; filename="${gifName}"`);
    const jpg = await assertServed(rec, jpgName, WIDE_JPEG);
    assert.equal(jpg.headers.get("content-type"), "image/jpeg");
    assert.equal(jpg.headers.get("content-disposition"), `inline; filename="${jpgName}"`);

    // the stored content type is sniffed from the bytes (a few are overridden by the extension when
    // served: .svg .css .js .mjs .xlsx .docx .pptx); only images, audio, video and PDF are inline
    const HTML = "text/html; charset=utf-8";
    const kinds = [
      ["page.html", "<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", HTML, "attachment"],
      ["pic.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"></svg>', "image/svg+xml", "attachment"],
      ["data.json", '{"a": 1, "b": [1, 2, 3]}', "application/json", "attachment"],
      ["doc.pdf", "%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n", "application/pdf", "inline"],
      ["style.css", "body { color: red; }\n", "text/css", "attachment"],
      ["app.js", "console.log('hi');\n", "text/javascript", "attachment"],
      ["table.csv", "a,b,c\n1,2,3\n4,5,6\n", "text/csv", "attachment"],
      ["blob.dat", Buffer.from([0, 1, 2, 3, 4, 5, 0, 0, 0xff]), "application/octet-stream", "attachment"],
      // no extension and nothing recognisable: the stored name has no extension at all
      ["noext", Buffer.from([0, 1, 2, 3, 4, 5, 0, 0, 0xfe]), "application/octet-stream", "attachment"],
    ];
    for (let i = 0; i < kinds.length; i += 3) {
      const batch = kinds.slice(i, i + 3);
      const kr = await docs().create(form(...batch.map(([n, bytes]) => ["many", file(bytes, n)])));
      for (const [j, [n, bytes, type, disposition]] of batch.entries()) {
        const stored = kr.many[j];
        const [base, ext] = n.includes(".") ? n.split(".") : [n, null];
        assert.match(stored, new RegExp(`^${base}_${R10}${ext ? `\\.${ext}` : ""}$`));
        const res = await assertServed(kr, stored, bytes);
        assert.equal(res.headers.get("content-type"), type, n);
        assert.equal(res.headers.get("content-disposition"), `${disposition}; filename="${stored}"`, n);
        assert.equal(res.headers.get("content-security-policy"), CSP, n);
      }
    }

    // download=1 (any strconv.ParseBool true value) forces attachment; false values keep inline
    for (const download of ["1", "true", "t"]) {
      const res = await assertServed(rec, rec.one, WIDE_PNG, { download });
      assert.equal(res.headers.get("content-disposition"), `attachment; filename="${rec.one}"`, download);
      assert.equal(res.headers.get("content-type"), "image/png");
    }
    assert.equal(guest.files.getURL(rec, rec.one, { download: true }).endsWith("?download=true"), true);
    for (const download of ["0", "false", "nonsense"]) {
      const res = await assertServed(rec, rec.one, WIDE_PNG, { download });
      assert.equal(res.headers.get("content-disposition"), `inline; filename="${rec.one}"`, download);
    }

    // HEAD: same headers, no body
    const head = await get(guest.files.getURL(rec, rec.one), {}, "HEAD");
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(head.headers.get("content-length"), String(WIDE_PNG.length));
    assert.equal(head.headers.get("content-type"), "image/png");
    assert.equal(head.headers.get("content-disposition"), `inline; filename="${rec.one}"`);

    // Range
    const url = guest.files.getURL(rec, rec.one);
    const part = await get(url, { Range: "bytes=2-5" });
    assert.equal(part.status, 206);
    assert.deepEqual([...part.body], [...WIDE_PNG.subarray(2, 6)]);
    assert.equal(part.headers.get("content-range"), `bytes 2-5/${WIDE_PNG.length}`);
    assert.equal(part.headers.get("content-length"), "4");
    assert.equal(part.headers.get("content-type"), "image/png");
    assert.equal(part.headers.get("content-disposition"), `inline; filename="${rec.one}"`);
    const tail = await get(url, { Range: "bytes=-3" });
    assert.equal(tail.status, 206);
    assert.deepEqual([...tail.body], [...WIDE_PNG.subarray(WIDE_PNG.length - 3)]);
    const size = WIDE_PNG.length;
    assert.equal(tail.headers.get("content-range"), `bytes ${size - 3}-${size - 1}/${size}`);
    const open = await get(url, { Range: `bytes=${WIDE_PNG.length - 2}-` });
    assert.equal(open.status, 206);
    assert.equal(open.body.length, 2);
    const unsatisfiable = await get(url, { Range: `bytes=${WIDE_PNG.length + 10}-` });
    assert.equal(unsatisfiable.status, 416);
    assert.equal(unsatisfiable.headers.get("content-range"), `bytes */${WIDE_PNG.length}`);

    // conditional GET on Last-Modified
    const notModified = await get(url, { "If-Modified-Since": png.headers.get("last-modified") });
    assert.equal(notModified.status, 304);
    assert.equal(notModified.body.length, 0);
  });

  test("modifiers on update: many+, +many, many-, replace, clear", async () => {
    const t = (s) => `content of ${s}\n`;
    let rec = await docs().create(
      form(
        ["title", "mods"],
        ["one", file(WIDE_PNG, "first.png")],
        ["many", file(t("a"), "aaa.txt")],
        ["many", file(t("b"), "bbb.txt")],
      ),
    );
    const [a, b] = rec.many;
    const firstOne = rec.one;
    // warm a thumb of the original `one` so that it exists before the replace
    assert.equal((await get(guest.files.getURL(rec, firstOne, { thumb: "50x50" }))).status, 200);

    // many+ appends (the SDK sends the "many+" key of a plain object as multipart)
    rec = await docs().update(rec.id, { "many+": file(t("c"), "ccc.txt") });
    assert.equal(rec.many.length, 3);
    assert.deepEqual(rec.many.slice(0, 2), [a, b]);
    const c = rec.many[2];
    assert.match(c, new RegExp(`^ccc_${R10}\\.txt$`));
    await assertServed(rec, c, t("c"));

    // appending beyond maxSelect: 400, nothing changed, nothing stored
    const before = await docs().getOne(rec.id);
    const tooMany = await rejectsWith(docs().update(rec.id, form(["many+", file(t("d"), "dddd.txt")])), 400);
    assert.deepEqual(tooMany.response, {
      data: {
        many: {
          code: "validation_too_many_files",
          message: "The maximum allowed files is 3.",
          params: { maxSelect: 3 },
        },
      },
      message: "Failed to update record.",
      status: 400,
    });
    assert.deepEqual(await docs().getOne(rec.id), before);
    assertNotOnDisk("dddd");

    // many- removes by name (JSON body); the removed file is deleted
    rec = await docs().update(rec.id, { "many-": [b] });
    assert.deepEqual(rec.many, [a, c]);
    await assertGone(rec, b);
    await assertServed(rec, a, t("a"));
    // removing a name that is not there is a no-op
    rec = await docs().update(rec.id, { "many-": "not_there.txt" });
    assert.deepEqual(rec.many, [a, c]);

    // +many prepends (FormData)
    rec = await docs().update(rec.id, form(["+many", file(t("z"), "z.txt")]));
    assert.equal(rec.many.length, 3);
    const z = rec.many[0];
    assert.match(z, new RegExp(`^z${R10}_${R10}\\.txt$`)); // "z" is shorter than 3 chars
    assert.deepEqual(rec.many.slice(1), [a, c]);

    // many- in a multipart body is a plain string part
    rec = await docs().update(rec.id, form(["many-", z]));
    assert.deepEqual(rec.many, [a, c]);
    await assertGone(rec, z);

    // reordering / keeping a subset of the existing names through JSON
    rec = await docs().update(rec.id, { many: [c, a] });
    assert.deepEqual(rec.many, [c, a]);

    // multipart `many` = existing name (string part) + a new file: the listed names are kept,
    // the new file appended, the unlisted existing files deleted
    rec = await docs().update(rec.id, form(["many", a], ["many", file(t("e"), "eee.txt")]));
    assert.equal(rec.many.length, 2);
    assert.equal(rec.many[0], a);
    assert.match(rec.many[1], new RegExp(`^eee_${R10}\\.txt$`));
    await assertGone(rec, c);
    const e = rec.many[1];

    // multipart `many` with only new files replaces the whole list
    rec = await docs().update(rec.id, form(["many", file(t("f"), "fff.txt")]));
    assert.equal(rec.many.length, 1);
    assert.match(rec.many[0], new RegExp(`^fff_${R10}\\.txt$`));
    await assertGone(rec, a);
    await assertGone(rec, e);

    // setting the single `one` to a new file replaces it: the old file (and its thumbs) is deleted
    rec = await docs().update(rec.id, { one: file(TALL_PNG, "second.png") });
    assert.match(rec.one, new RegExp(`^second_${R10}\\.png$`));
    await assertServed(rec, rec.one, TALL_PNG);
    await assertGone(rec, firstOne);
    await assertGone(rec, firstOne, { thumb: "50x50" });
    // the old file and its thumb are removed from disk
    assert.deepEqual(await leftOnDisk((n) => n.includes(firstOne)), []);

    // "one+" on a single field: the new file is appended and the last one wins
    const second = rec.one;
    rec = await docs().update(rec.id, form(["one+", file(WIDE_PNG, "third.png")]));
    assert.match(rec.one, new RegExp(`^third_${R10}\\.png$`));
    await assertGone(rec, second);

    // clearing: null for the single field, "" for the multiple one
    const third = rec.one;
    const fff = rec.many[0];
    rec = await docs().update(rec.id, { one: null });
    assert.equal(rec.one, "");
    await assertGone(rec, third);
    rec = await docs().update(rec.id, { many: "" });
    assert.deepEqual(rec.many, []);
    await assertGone(rec, fff);
    assert.equal(rec.title, "mods");

    // and [] / "" clear as well
    rec = await docs().update(rec.id, form(["one", file(WIDE_PNG, "again.png")], ["many", file(t("g"), "ggg.txt")]));
    const again = rec.one;
    rec = await docs().update(rec.id, { one: "", many: [] });
    assert.equal(rec.one, "");
    assert.deepEqual(rec.many, []);
    await assertGone(rec, again);
  });

  test("thumbs: sizes, crop anchors, formats, fallbacks", async () => {
    const tall = await docs().create(form(["one", file(TALL_PNG, "tall.png")], ["many", file(TALL_PNG, "tall.png")]));
    const wide = await docs().create(form(["one", file(WIDE_PNG, "wide.png")]));

    const thumb = async (rec, name, size) => {
      const res = await get(guest.files.getURL(rec, name, { thumb: size }));
      assert.equal(res.status, 200, `${size}: ${res.body.toString().slice(0, 200)}`);
      return res;
    };

    // [size, width, height, {[x,y]: colour}] for the 100x300 red/green/blue (top→bottom) image
    const tallCases = [
      // scaled to 50x150 to cover the box, then the middle / top / bottom 50 rows are kept
      ["50x50", 50, 50, { "25,2": "green", "25,25": "green", "25,47": "green" }],
      ["50x50t", 50, 50, { "25,2": "red", "25,25": "red", "25,47": "red" }],
      ["50x50b", 50, 50, { "25,2": "blue", "25,25": "blue", "25,47": "blue" }],
      ["50x50f", 16, 50, { "8,8": "red", "8,25": "green", "8,42": "blue" }], // fit, width = int(50 * 100/300)
      ["0x40", 13, 40, { "6,6": "red", "6,20": "green", "6,34": "blue" }], // width = round(40 * 100/300)
      ["40x0", 40, 120, { "20,20": "red", "20,60": "green", "20,100": "blue" }],
      ["70x30", 70, 30, { "35,15": "green" }],
      ["100x100", 100, 100, { "50,50": "green", "50,5": "green", "50,95": "green" }], // the default size
    ];
    for (const [size, w, h, samples] of tallCases) {
      const res = await thumb(tall, tall.one, size);
      assert.equal(res.headers.get("content-type"), "image/png", size);
      assert.equal(res.headers.get("content-disposition"), `inline; filename="${size}_${tall.one}"`, size);
      assert.equal(res.headers.get("cache-control"), CACHE_CONTROL);
      assert.equal(res.headers.get("content-security-policy"), CSP);
      assert.equal(res.headers.get("x-frame-options"), null);
      const img = decodePng(res.body);
      assert.deepEqual([img.width, img.height], [w, h], size);
      for (const [xy, want] of Object.entries(samples)) {
        const [x, y] = xy.split(",").map(Number);
        assert.equal(colour(img.rgb(x, y)), want, `${size} pixel ${xy}`);
      }
    }

    // 200x100 red/green/blue (left→right): a wide source is cropped horizontally around the centre
    // whatever the t/b anchor
    const wideCases = [
      ["50x50", 50, 50, { "25,25": "green", "2,25": "green", "47,25": "green" }],
      ["50x50t", 50, 50, { "25,25": "green", "2,25": "green", "47,25": "green" }],
      ["50x50b", 50, 50, { "25,25": "green", "2,25": "green", "47,25": "green" }],
      ["50x50f", 50, 25, { "5,12": "red", "25,12": "green", "45,12": "blue" }],
      ["0x40", 80, 40, { "5,20": "red", "40,20": "green", "75,20": "blue" }],
      ["40x0", 40, 20, { "3,10": "red", "20,10": "green", "37,10": "blue" }],
      ["70x30", 70, 30, { "3,15": "red", "35,15": "green", "66,15": "blue" }],
      ["100x100", 100, 100, { "2,50": "green", "50,50": "green", "97,50": "green" }],
    ];
    for (const [size, w, h, samples] of wideCases) {
      const res = await thumb(wide, wide.one, size);
      assert.equal(res.headers.get("content-type"), "image/png", size);
      const img = decodePng(res.body);
      assert.deepEqual([img.width, img.height], [w, h], size);
      for (const [xy, want] of Object.entries(samples)) {
        const [x, y] = xy.split(",").map(Number);
        assert.equal(colour(img.rgb(x, y)), want, `wide ${size} pixel ${xy}`);
      }
    }

    // a thumb is generated once and then served from storage: same bytes again
    const firstFetch = await thumb(tall, tall.one, "50x50");
    const secondFetch = await thumb(tall, tall.one, "50x50");
    assert.ok(firstFetch.body.equals(secondFetch.body));

    // JPEG in → JPEG thumbs, GIF in → GIF thumbs
    const jpg = await docs().create(form(["one", file(WIDE_JPEG, "photo.jpg")]));
    for (const [size, w, h] of [
      ["50x50", 50, 50],
      ["50x50f", 50, 25],
      ["0x40", 80, 40],
      ["40x0", 40, 20],
      ["70x30", 70, 30],
      ["100x100", 100, 100],
    ]) {
      const res = await thumb(jpg, jpg.one, size);
      assert.equal(res.headers.get("content-type"), "image/jpeg", size);
      assert.equal(res.headers.get("content-disposition"), `inline; filename="${size}_${jpg.one}"`);
      assert.deepEqual(imageInfo(res.body), { type: "jpeg", width: w, height: h }, size);
    }
    const gif = await docs().create(form(["one", file(TALL_GIF, "anim.gif")]));
    for (const [size, w, h] of [
      ["50x50t", 50, 50],
      ["50x50f", 16, 50],
      ["40x0", 40, 120],
      ["100x100", 100, 100],
    ]) {
      const res = await thumb(gif, gif.one, size);
      assert.equal(res.headers.get("content-type"), "image/gif", size);
      assert.deepEqual(imageInfo(res.body), { type: "gif", width: w, height: h }, size);
    }

    // sizes not listed in the field's thumbs (nor 100x100) serve the original, unprefixed
    for (const size of ["33x33", "50x50x", "abc", "0x0", "100x100f", "200x100"]) {
      const res = await assertServed(tall, tall.one, TALL_PNG, { thumb: size });
      assert.equal(res.headers.get("content-disposition"), `inline; filename="${tall.one}"`, size);
      assert.equal(res.headers.get("content-type"), "image/png");
    }
    // `many` has no thumbs: only the default 100x100 is generated there
    const many100 = await thumb(tall, tall.many[0], "100x100");
    assert.deepEqual(imageInfo(many100.body), { type: "png", width: 100, height: 100 });
    await assertServed(tall, tall.many[0], TALL_PNG, { thumb: "50x50" });

    // a non-image (text/plain is allowed in `one`) with a thumb: the original as it is
    const text = "not an image\n";
    const txt = await docs().create(form(["one", file(text, "note.txt")]));
    const txtRes = await assertServed(txt, txt.one, text, { thumb: "50x50" });
    assert.equal(txtRes.headers.get("content-type"), TEXT_PLAIN);
    assert.equal(txtRes.headers.get("content-disposition"), `attachment; filename="${txt.one}"`);

    // text content under an image name: sniffed as text, no thumb
    const fake = await docs().create(form(["one", file(text, "fake.png")]));
    assert.match(fake.one, new RegExp(`^fake_${R10}\\.png$`));
    const fakeRes = await assertServed(fake, fake.one, text, { thumb: "50x50" });
    assert.equal(fakeRes.headers.get("content-type"), TEXT_PLAIN);

    // a broken PNG (valid signature + IHDR, garbage after): thumb generation fails → the original, 200
    const broken = await docs().create(form(["one", file(BROKEN_PNG, "broken.png")]));
    for (let i = 0; i < 2; i++) {
      const res = await assertServed(broken, broken.one, BROKEN_PNG, { thumb: "50x50" });
      assert.equal(res.headers.get("content-type"), "image/png");
      assert.equal(res.headers.get("content-disposition"), `inline; filename="${broken.one}"`);
    }
  });

  test("protected files: file tokens and the view rule", async () => {
    const USER_PASSWORD = "alice-Secret-123";
    const alice = await su.collection("users").create({
      email: "alice@example.com",
      password: USER_PASSWORD,
      passwordConfirm: USER_PASSWORD,
      verified: true,
    });
    const asAlice = client();
    await asAlice.collection("users").authWithPassword("alice@example.com", USER_PASSWORD);

    const secretBytes = "top secret\n";
    const shared = await docs().create(form(["title", "shared"], ["secret", file(secretBytes, "secret.txt")]));
    const hidden = await docs().create(
      form(["title", "private"], ["secret", file(WIDE_PNG, "hidden.png")], ["many", file("public\n", "pub.txt")]),
    );
    assert.match(shared.secret, new RegExp(`^secret_${R10}\\.txt$`));

    // surprising but true: with a public ("") view rule a protected file needs no token at all
    await assertServed(shared, shared.secret, secretBytes);

    await su.collections.update("docs", { viewRule: '@request.auth.id != "" && title != "private"' });

    // no token → 404 (the generic not-found body)
    await assertGone(shared, shared.secret);
    await assertGone(hidden, hidden.secret);
    // the file names are still listed to whoever may list the records (listRule is "")
    const listed = await guest.collection("docs").getFullList({ filter: `id = "${shared.id}"` });
    assert.equal(listed[0].secret, shared.secret);

    // a signed-in user's file token
    const token = await asAlice.files.getToken();
    const parts = token.split(".");
    assert.equal(parts.length, 3);
    const claims = JSON.parse(Buffer.from(parts[1], "base64url").toString());
    assert.equal(claims.type, "file");
    assert.equal(claims.id, alice.id);
    assert.equal(claims.collectionId, "_pb_users_auth_");
    const ttl = claims.exp - Math.floor(Date.now() / 1000);
    assert.ok(ttl > 170 && ttl <= 180, `file token lifetime ~180 s, got ${ttl}`); // users.fileToken.duration default

    const url = asAlice.files.getURL(shared, shared.secret, { token });
    assert.ok(url.endsWith(`?token=${token}`));
    const ok = await get(url);
    assert.equal(ok.status, 200);
    assert.equal(ok.body.toString(), secretBytes);
    assert.equal(ok.headers.get("content-type"), TEXT_PLAIN);
    assert.equal(ok.headers.get("content-disposition"), `attachment; filename="${shared.secret}"`);
    assert.equal(ok.headers.get("cache-control"), CACHE_CONTROL);
    // the token is reusable while it is valid
    assert.equal((await get(url)).status, 200);

    // the token's user fails the view rule for the "private" record → 404
    const denied = await get(asAlice.files.getURL(hidden, hidden.secret, { token }));
    assert.equal(denied.status, 404);
    assert.deepEqual(JSON.parse(denied.body.toString()), NOT_FOUND);
    // a protected image's thumb needs the token as well
    await assertGone(hidden, hidden.secret, { thumb: "100x100" });

    // a superuser file token passes any rule
    const suToken = await su.files.getToken();
    assert.equal(JSON.parse(Buffer.from(suToken.split(".")[1], "base64url").toString()).type, "file");
    const suRes = await get(su.files.getURL(hidden, hidden.secret, { token: suToken }));
    assert.equal(suRes.status, 200);
    assert.ok(suRes.body.equals(WIDE_PNG));
    const suThumb = await get(su.files.getURL(hidden, hidden.secret, { token: suToken, thumb: "100x100" }));
    assert.equal(suThumb.status, 200);
    assert.deepEqual(imageInfo(suThumb.body), { type: "png", width: 100, height: 100 });

    // an auth token (type "auth") is not a file token; garbage neither
    await assertGone(shared, shared.secret, { token: asAlice.authStore.token });
    await assertGone(shared, shared.secret, { token: "not-a-token" });
    // nor is the file token accepted as an Authorization header
    const viaHeader = await get(guest.files.getURL(shared, shared.secret), { Authorization: token });
    assert.equal(viaHeader.status, 404);
    // ...but a real auth header does not help either: only ?token= counts for protected files
    const authHeader = await get(guest.files.getURL(shared, shared.secret), { Authorization: asAlice.authStore.token });
    assert.equal(authHeader.status, 404);

    // non-protected files are served whatever the view rule says
    await assertServed(hidden, hidden.many[0], "public\n");

    // guests cannot get a file token
    const noAuth = await rejectsWith(client().files.getToken(), 401);
    assert.deepEqual(noAuth.response, {
      data: {},
      message: "The request requires valid record authorization token.",
      status: 401,
    });

    // superuser-only view rule (null): the user's token no longer works, the superuser's does
    await su.collections.update("docs", { viewRule: null });
    await assertGone(shared, shared.secret, { token });
    assert.equal((await get(su.files.getURL(shared, shared.secret, { token: suToken }))).status, 200);

    await su.collections.update("docs", { viewRule: "" });
    await assertServed(hidden, hidden.secret, WIDE_PNG);
  });

  test("rejected uploads store nothing", async () => {
    const count = await totalDocs();
    const BIN = Buffer.from([0x00, 0x01, 0x02, 0x03, 0xfe, 0xff, 0x00, 0x10, 0x20]);

    // wrong mime type (content is sniffed; the name does not matter)
    const mime = await rejectsWith(docs().create(form(["title", "x"], ["one", file(BIN, "badmime.png")])), 400);
    assert.equal(mime.response.message, "Failed to create record.");
    assert.deepEqual(Object.keys(mime.response.data), ["one"]);
    assert.equal(mime.response.data.one.code, "validation_invalid_mime_type");
    // the message names the normalised (random-suffixed) name
    assert.match(
      mime.response.data.one.message,
      new RegExp(`^"badmime_${R10}\\.png" mime type must be one of: image/png, image/jpeg, image/gif, text/plain\\.$`),
    );
    assertNotOnDisk("badmime");

    // `one` allows text/plain: the sniffed type must match exactly (no parent types), so HTML, JSON
    // and CSV are refused while CSS and JS (sniffed as text/plain) pass
    for (const [n, bytes] of [
      ["mimehtml.html", "<!DOCTYPE html><html><body>hi</body></html>"],
      ["mimejson.txt", '{"a": 1}'],
      ["mimecsv.txt", "a,b,c\n1,2,3\n4,5,6\n"],
    ]) {
      const err = await rejectsWith(docs().create(form(["one", file(bytes, n)])), 400);
      assert.equal(err.response.data.one.code, "validation_invalid_mime_type", n);
      assertNotOnDisk(n.split(".")[0]);
    }
    assert.equal(await totalDocs(), count);
    for (const n of ["okstyle.css", "okscript.js"]) {
      const ok = await docs().create(form(["one", file("body { color: red; }\n", n)]));
      await docs().delete(ok.id);
    }

    // over maxSize (1 MiB + 1 byte)
    const big = await rejectsWith(docs().create(form(["one", file("x".repeat(ONE_MIB + 1), "toolarge.txt")])), 400);
    assert.deepEqual(big.response, {
      data: {
        one: {
          code: "validation_file_size_limit",
          message: "Failed to upload toolarge.txt - the maximum allowed file size is 1048576 bytes.",
          params: { file: "toolarge.txt", maxSize: 1048576 },
        },
      },
      message: "Failed to create record.",
      status: 400,
    });
    assertNotOnDisk("toolarge");
    // exactly maxSize is fine
    const exact = await docs().create(form(["one", file("y".repeat(ONE_MIB), "exact.txt")]));
    assert.match(exact.one, new RegExp(`^exact_${R10}\\.txt$`));
    await docs().delete(exact.id);

    // too many files for maxSelect
    const four = form(...["f1", "f2", "f3", "f4"].map((n) => ["many", file(`${n}\n`, `toomany${n}.txt`)]));
    const tooMany = await rejectsWith(docs().create(four), 400);
    assert.equal(tooMany.response.data.many.code, "validation_too_many_files");
    assert.equal(tooMany.response.data.many.message, "The maximum allowed files is 3.");
    assert.deepEqual(tooMany.response.data.many.params, { maxSelect: 3 });
    assert.equal(filesOnDisk().filter((n) => n.startsWith("toomany")).length, 0);

    // several errors at once are all reported
    const both = await rejectsWith(
      docs().create(
        form(["one", file(BIN, "badmime2.png")], ...["1", "2", "3", "4"].map((n) => ["many", file(n, `m${n}x.txt`)])),
      ),
      400,
    );
    assert.deepEqual(Object.keys(both.response.data).sort(), ["many", "one"]);

    // a plain string that is not one of the record's files
    const str = await rejectsWith(docs().create({ one: "nonexistent.png" }), 400);
    assert.deepEqual(str.response, {
      data: {
        one: {
          code: "validation_invalid_file",
          message: "Invalid new files: [nonexistent.png].",
          params: { invalidFiles: ["nonexistent.png"] },
        },
      },
      message: "Failed to create record.",
      status: 400,
    });
    // ...also in a multipart body, and for the multiple field
    const strMany = await rejectsWith(docs().create(form(["many", "a.txt"], ["many", "b.txt"])), 400);
    assert.equal(strMany.response.data.many.code, "validation_invalid_file");
    assert.deepEqual(strMany.response.data.many.params, { invalidFiles: ["a.txt", "b.txt"] });
    assert.equal(await totalDocs(), count);

    // the same rules on update, and the record is left as it was
    const rec = await docs().create(
      form(["title", "keep"], ["one", file(WIDE_PNG, "keep.png")], ["many", file("m\n", "keepm.txt")]),
    );
    const snapshot = await docs().getOne(rec.id);
    const updMime = await rejectsWith(docs().update(rec.id, form(["one", file(BIN, "updmime.bin")])), 400);
    assert.equal(updMime.response.message, "Failed to update record.");
    assert.equal(updMime.response.data.one.code, "validation_invalid_mime_type");
    const updBig = await rejectsWith(docs().update(rec.id, { one: file("x".repeat(ONE_MIB + 1), "updbig.txt") }), 400);
    assert.equal(updBig.response.data.one.code, "validation_file_size_limit");
    const updTitle = await rejectsWith(
      docs().update(
        rec.id,
        form(["title", "changed"], ...["u1", "u2", "u3"].map((n) => ["many+", file(n, `${n}.txt`)])),
      ),
      400,
    );
    assert.equal(updTitle.response.data.many.code, "validation_too_many_files");
    // a file name of another record is not accepted either
    const foreign = await rejectsWith(docs().update(rec.id, { one: snapshot.many[0] }), 400);
    assert.equal(foreign.response.data.one.code, "validation_invalid_file");
    const otherRec = await docs().create(form(["one", file(WIDE_PNG, "elsewhere.png")]));
    const stolen = await rejectsWith(docs().update(rec.id, { one: otherRec.one }), 400);
    assert.deepEqual(stolen.response.data.one.params, { invalidFiles: [otherRec.one] });
    assert.deepEqual(await docs().getOne(rec.id), snapshot);
    await assertServed(rec, snapshot.one, WIDE_PNG);
    for (const base of ["updmime", "updbig", "u1", "u2", "u3"]) assertNotOnDisk(base);
  });

  test("uploads PocketBase accepts with a twist", async () => {
    // a file part under an unknown field name is ignored: the record is created without it
    const count = await totalDocs();
    const stray = await docs().create(form(["title", "stray"], ["nope", file("stray\n", "stray.txt")]));
    assert.equal(stray.title, "stray");
    assert.equal("nope" in stray, false);
    assert.equal(await totalDocs(), count + 1);
    assertNotOnDisk("stray");

    // two files for the single `one` field: no error, the last one wins, the first is never stored
    const two = await docs().create(
      form(["one", file("first\n", "firstpick.txt")], ["one", file("last\n", "lastpick.txt")]),
    );
    assert.match(two.one, new RegExp(`^lastpick_${R10}\\.txt$`));
    await assertServed(two, two.one, "last\n");
    assertNotOnDisk("firstpick");

    // path traversal in the part's filename: only the base name is used, the file stays in the record's dir
    const trav = await docs().create(
      form(
        ["many", file(WIDE_PNG, "../x.png")],
        ["many", file("etc\n", "../../../../etc/passwd.txt")],
        ["many", file("win\n", "..\\..\\evil.png")],
      ),
    );
    // "x" is shorter than 3 chars: x + 10 random + "_" + 10 random
    assert.match(trav.many[0], new RegExp(`^x${R10}_${R10}\\.png$`));
    assert.match(trav.many[1], new RegExp(`^passwd_${R10}\\.txt$`));
    // backslashes are not separators on the server: "..\..\evil.png" has the double extension
    // ".\evil.png" → ".evil.png", and an empty base name → random
    assert.match(trav.many[2], new RegExp(`^${R10}_${R10}\\.evil\\.png$`));
    await assertServed(trav, trav.many[0], WIDE_PNG);
    await assertServed(trav, trav.many[1], "etc\n");
    await assertServed(trav, trav.many[2], "win\n");
    const names = filesOnDisk();
    for (const bad of ["x.png", "passwd.txt", "passwd", "evil.png"]) assert.equal(names.includes(bad), false, bad);
    // each stored file sits next to the other files of the same record
    const dirs = new Set(walk(server.dir).filter(([, n]) => trav.many.includes(n)).map(([dir]) => dir));
    assert.equal(dirs.size, 1);
    assert.equal(path.basename([...dirs][0]), trav.id);
  });

  test("deleting a record or the collection makes the files 404", async () => {
    const rec = await docs().create(
      form(["one", file(WIDE_PNG, "gone.png")], ["many", file("a\n", "gone_a.txt")], ["many", file("b\n", "gonebb.txt")]),
    );
    const keep = await docs().create(form(["one", file(TALL_PNG, "kept.png")]));
    assert.equal((await get(guest.files.getURL(rec, rec.one, { thumb: "50x50" }))).status, 200);

    await docs().delete(rec.id);
    await assertGone(rec, rec.one);
    await assertGone(rec, rec.one, { thumb: "50x50" });
    for (const n of rec.many) await assertGone(rec, n);
    // the files (and the thumb) are removed from storage too (PocketBase does it after the delete)
    assert.deepEqual(await leftOnDisk((n) => n.includes(rec.one) || rec.many.includes(n)), []);
    await assertServed(keep, keep.one, TALL_PNG);

    await su.collections.delete("docs");
    await assertGone(keep, keep.one, {}, NO_COLLECTION);
    await assertGone({ ...keep, collectionId: undefined, collectionName: "docs" }, keep.one, {}, NO_COLLECTION);
    assert.deepEqual(await leftOnDisk((n) => n.includes(keep.one)), []);
  });
});
