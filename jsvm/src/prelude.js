// The JS API of pb_hooks and pb_migrations (PocketBase's JSVM globals), over one native
// function, `__host(op, json) -> json`, which the Rust side answers (see host.rs). Values
// cross as JSON; models (Record, Collection) are plain JS objects rebuilt on each side.
(function (g) {
  "use strict";
  const host = g.__host;
  delete g.__host;

  function call(op, args) {
    const out = host(op, JSON.stringify(args === undefined ? null : args));
    return out === "" ? undefined : JSON.parse(out);
  }

  // ---- handlers (the same ids in every runtime: every runtime loads the same files) ----
  const handlers = [];
  function reg(fn) {
    if (typeof fn !== "function") throw new TypeError("the handler must be a function");
    handlers.push(fn);
    return handlers.length - 1;
  }

  // ---- errors (PocketBase's router.ApiError and its constructors) ----
  class ApiError extends Error {
    constructor(status, message, data) {
      super(message || "");
      this.name = "ApiError";
      this.status = status | 0;
      this.message = message || "";
      this.data = data || {};
    }
  }
  const apiErr = (name, status, fallback) =>
    class extends ApiError {
      constructor(message, data) {
        super(status, message || fallback, data);
        this.name = name;
      }
    };
  g.ApiError = ApiError;
  g.BadRequestError = apiErr("BadRequestError", 400, "Something went wrong while processing your request.");
  g.UnauthorizedError = apiErr("UnauthorizedError", 401, "Missing or invalid authentication.");
  g.ForbiddenError = apiErr("ForbiddenError", 403, "You are not allowed to perform this request.");
  g.NotFoundError = apiErr("NotFoundError", 404, "The requested resource wasn't found.");
  g.TooManyRequestsError = apiErr("TooManyRequestsError", 429, "Too Many Requests.");
  g.InternalServerError = apiErr("InternalServerError", 500, "Something went wrong while processing your request.");

  class ValidationError extends Error {
    constructor(code, message) {
      super(message || "");
      this.name = "ValidationError";
      this.code = code || "";
      this.message = message || "";
    }
    toJSON() { return { __ve: true, code: this.code, message: this.message }; }
  }
  g.ValidationError = ValidationError;

  // An error of the Rust side, thrown into JS: `__rid` gives the original back if uncaught.
  g.__hostError = function (json) {
    const e = JSON.parse(json);
    const err = new ApiError(e.status, e.message, e.data);
    err.__rid = e.rid;
    return err;
  };

  // ---- models ----
  class Collection {
    constructor(data) {
      Object.assign(this, { id: "", name: "", type: "base", system: false, fields: [], indexes: [] }, data || {});
      this.fields = fieldsList(this.fields || []);
    }
    isAuth() { return this.type === "auth"; }
    isBase() { return this.type === "base"; }
    isView() { return this.type === "view"; }
    tableName() { return this.name; }
  }
  function fieldsList(arr) {
    const list = Array.from(arr, (f) => (f instanceof Field ? f : new Field(f)));
    Object.defineProperties(list, {
      add: { value: (...fs) => { for (const f of fs) { const i = list.findIndex((x) => (f.id && x.id === f.id) || x.name === f.name); const v = f instanceof Field ? f : new Field(f); if (i >= 0) list[i] = v; else list.push(v); } } },
      getByName: { value: (n) => list.find((f) => f.name === n) },
      getById: { value: (id) => list.find((f) => f.id === id) },
      removeByName: { value: (n) => { const i = list.findIndex((f) => f.name === n); if (i >= 0) list.splice(i, 1); } },
      removeById: { value: (id) => { const i = list.findIndex((f) => f.id === id); if (i >= 0) list.splice(i, 1); } },
      fieldNames: { value: () => list.map((f) => f.name) },
    });
    return list;
  }
  class Field {
    constructor(data) { Object.assign(this, data || {}); }
  }
  g.Collection = Collection;
  g.Field = Field;
  for (const t of ["text", "number", "bool", "email", "url", "editor", "date", "autodate", "select", "file", "relation", "json", "password", "geoPoint"]) {
    const name = t[0].toUpperCase() + t.slice(1) + "Field";
    g[name] = class extends Field { constructor(data) { super(Object.assign({ type: t }, data || {})); } };
  }

  class Record {
    constructor(collection, data) {
      const c = typeof collection === "string" ? call("app.collection", { h: 0, name: collection }) : collection;
      if (!c) throw new Error("new Record: missing collection");
      this.__c = { id: c.id, name: c.name };
      this.__d = {};
      this.__ch = {};
      this.__new = true;
      this.__pw = null;
      this.__shape = {};
      if (data) this.load(data);
    }
    static __from(s) {
      const r = Object.create(Record.prototype);
      r.__reset(s);
      return r;
    }
    __reset(s) {
      this.__c = { id: s.collectionId, name: s.collectionName };
      this.__d = s.data || {};
      this.__ch = {};
      this.__new = !!s.isNew;
      this.__pw = null;
      this.__shape = this.__shape || {};
    }
    __export() {
      return { collection: this.__c.id || this.__c.name, isNew: this.__new, id: this.__d.id || "", data: this.__d, changes: this.__ch, password: this.__pw, shape: this.__shape };
    }
    get id() { return this.__d.id || ""; }
    set id(v) { this.set("id", v); }
    collection() { return call("app.collection", { h: 0, name: this.__c.id || this.__c.name }); }
    tableName() { return this.__c.name; }
    isNew() { return this.__new; }
    markAsNew() { this.__new = true; }
    get(k) { const v = this.__d[k]; return v === undefined ? null : v; }
    set(k, v) {
      if (k === "password") { this.__pw = String(v); return; }
      this.__d[k] = v;
      this.__ch[k] = v;
    }
    setIfFieldExists(k, v) { if (k in this.__d) this.set(k, v); }
    load(obj) { for (const k of Object.keys(obj || {})) this.set(k, obj[k]); }
    getString(k) { const v = this.get(k); return v === null ? "" : typeof v === "string" ? v : String(v); }
    getInt(k) { const v = Number(this.get(k)); return Number.isFinite(v) ? Math.trunc(v) : 0; }
    getFloat(k) { const v = Number(this.get(k)); return Number.isFinite(v) ? v : 0; }
    getBool(k) { const v = this.get(k); return v === true || v === 1 || v === "true" || v === "1"; }
    getStringSlice(k) { const v = this.get(k); return Array.isArray(v) ? v.map(String) : v ? [String(v)] : []; }
    getDateTime(k) { return this.getString(k); }
    email() { return this.getString("email"); }
    setEmail(v) { this.set("email", v); }
    verified() { return this.getBool("verified"); }
    setVerified(v) { this.set("verified", !!v); }
    emailVisibility() { return this.getBool("emailVisibility"); }
    setEmailVisibility(v) { this.set("emailVisibility", !!v); }
    setPassword(p) { this.__pw = String(p); }
    validatePassword(p) { return call("record.validatePassword", { record: this.__export(), password: String(p) }); }
    hide(...f) { this.__shape.hide = (this.__shape.hide || []).concat(f); }
    unhide(...f) { this.__shape.unhide = (this.__shape.unhide || []).concat(f); }
    withCustomData(on) { this.__shape.custom = !!on; }
    publicExport() { return Object.assign({ collectionId: this.__c.id, collectionName: this.__c.name }, this.__d); }
    toJSON() { return this.publicExport(); }
    fieldsData() { return Object.assign({}, this.__d); }
  }
  g.Record = Record;

  // PocketBase's mailer.Message.
  class MailerMessage {
    constructor(data) {
      Object.assign(this, { from: { address: "", name: "" }, to: [], cc: [], bcc: [], subject: "", html: "", text: "", headers: {} }, data || {});
    }
  }
  g.MailerMessage = MailerMessage;

  class DynamicModel {
    constructor(shape) { Object.assign(this, shape || {}); }
  }
  g.DynamicModel = DynamicModel;
  // PocketBase's arrayOf(model): a slice `all()` fills with rows.
  g.arrayOf = () => [];

  const exportModel = (m) =>
    m instanceof Record ? { kind: "record", record: m.__export() }
      : { kind: "collection", collection: JSON.parse(JSON.stringify(m)) };
  const applyModel = (m, out) => {
    if (m instanceof Record) m.__reset(out);
    else { Object.assign(m, out); if (m.fields) m.fields = fieldsList(m.fields); }
  };

  // ---- $app ----
  function appFor(h) {
    return {
      findRecordById: (c, id) => Record.__from(call("app.findRecordById", { h, c: String(c.name || c), id: String(id) })),
      findFirstRecordByFilter: (c, filter, params) => {
        const r = call("app.findFirstRecordByFilter", { h, c: String(c.name || c), filter: filter || "", params: params || {} });
        if (!r) throw new ApiError(404, "sql: no rows in result set", {});
        return Record.__from(r);
      },
      findRecordsByFilter: (c, filter, sort, limit, offset, params) =>
        call("app.findRecordsByFilter", { h, c: String(c.name || c), filter: filter || "", sort: sort || "", limit: limit | 0, offset: offset | 0, params: params || {} }).map(Record.__from),
      findAllRecords: (c) => call("app.findRecordsByFilter", { h, c: String(c.name || c), filter: "", sort: "", limit: 0, offset: 0, params: {} }).map(Record.__from),
      countRecords: (c, filter, params) => call("app.countRecords", { h, c: String(c.name || c), filter: filter || "", params: params || {} }),
      findCollectionByNameOrId: (n) => {
        const c = call("app.collection", { h, name: String(n) });
        if (!c) throw new ApiError(404, "sql: no rows in result set", {});
        return new Collection(c);
      },
      importCollections: (list, deleteMissing) => { call("app.importCollections", { h, list, deleteMissing: !!deleteMissing }); },
      findAllCollections: () => call("app.collections", { h }).map((c) => new Collection(c)),
      save: (m) => applyModel(m, call("app.save", { h, model: exportModel(m), validate: true })),
      saveNoValidate: (m) => applyModel(m, call("app.save", { h, model: exportModel(m), validate: false })),
      delete: (m) => { call("app.delete", { h, model: exportModel(m) }); },
      runInTransaction: (fn) => {
        const id = txFns.push(fn) - 1;
        try { call("app.runInTransaction", { h, fn: id }); } finally { txFns[id] = undefined; }
      },
      settings: () => call("app.settings", { h }),
      newMailClient: () => ({ send: (m) => { call("app.sendMail", { h, message: JSON.parse(JSON.stringify(m)) }); } }),
      db: () => dbx(h),
      logger: () => logger,
      cron: () => ({ add: g.cronAdd, remove: g.cronRemove }),
    };
  }
  g.$app = appFor(0);
  const txFns = [];
  g.__txCall = function (id, h) { txFns[id](appFor(h)); };

  function dbx(h) {
    return {
      newQuery: (sql) => {
        let params = {};
        const q = {
          bind: (p) => { params = Object.assign(params, p || {}); return q; },
          execute: () => call("db.execute", { h, sql, params }),
          all: (target) => { const rows = call("db.all", { h, sql, params }); if (Array.isArray(target)) { target.length = 0; for (const r of rows) target.push(r); } return rows; },
          one: (target) => { const rows = call("db.all", { h, sql, params }); if (!rows.length) throw new ApiError(404, "sql: no rows in result set", {}); if (target && typeof target === "object") Object.assign(target, rows[0]); return rows[0]; },
        };
        return q;
      },
    };
  }

  const logger = {
    debug: (msg, ...a) => call("log", { level: "debug", msg: String(msg), attrs: a }),
    info: (msg, ...a) => call("log", { level: "info", msg: String(msg), attrs: a }),
    warn: (msg, ...a) => call("log", { level: "warn", msg: String(msg), attrs: a }),
    error: (msg, ...a) => call("log", { level: "error", msg: String(msg), attrs: a }),
  };
  g.console = {
    log: (...a) => call("log", { level: "info", msg: a.map(fmt).join(" "), attrs: [] }),
    info: (...a) => call("log", { level: "info", msg: a.map(fmt).join(" "), attrs: [] }),
    warn: (...a) => call("log", { level: "warn", msg: a.map(fmt).join(" "), attrs: [] }),
    error: (...a) => call("log", { level: "error", msg: a.map(fmt).join(" "), attrs: [] }),
    debug: (...a) => call("log", { level: "debug", msg: a.map(fmt).join(" "), attrs: [] }),
  };
  function fmt(v) { if (typeof v === "string") return v; try { return JSON.stringify(v); } catch (_) { return String(v); } }
  g.toString = (v) => (typeof v === "string" ? v : v instanceof Uint8Array ? String.fromCharCode(...v) : JSON.stringify(v));
  g.sleep = (ms) => { call("sleep", { ms: ms | 0 }); };

  // ---- events (methods on prototypes: an event costs a few fields, not closures) ----
  const EventProto = {
    get app() { return this.__app || (this.__app = appFor(this.__h)); },
    set app(v) { this.__app = v; },
    next() { update(this, call("next", exportEvent(this))); },
  };
  // Plain values of the auth and mail events, read and written back as they are.
  const plainFields = ["token", "meta", "authMethod", "identity", "identityField", "password", "newEmail", "providerName", "oauth2User", "createData", "isNewRecord"];
  function makeEvent(s, h) {
    const e = Object.create(s.req ? RequestProto : EventProto);
    e.__h = h;
    if (s.record) e.record = Record.__from(s.record);
    if (s.collectionRef) e.collection = new Collection(s.collectionRef);
    if (s.collection) e.collection = new Collection(s.collection);
    if (s.error) e.error = s.error;
    if (s.records) e.records = s.records.map(Record.__from);
    if (s.req) { e.__req = s.req; e.request = new Request(e); }
    if (s.message) e.message = s.message.subject !== undefined ? new MailerMessage(s.message) : s.message;
    if (s.otp) e.otp = Record.__from(s.otp);
    for (const k of plainFields) if (s[k] !== undefined) e[k] = s[k];
    if (s.subscriptions) e.subscriptions = s.subscriptions;
    if (s.name !== undefined) e.name = s.name;
    return e;
  }
  function exportEvent(e) {
    const out = {};
    if (e.record instanceof Record) out.record = e.record.__export();
    if (e.collection instanceof Collection && !e.__req) out.collection = JSON.parse(JSON.stringify(e.collection));
    if (e.__resp) { out.response = e.__resp; e.__resp = null; }
    if (e.__headers) { out.headers = e.__headers; e.__headers = null; }
    if (e.subscriptions) out.subscriptions = e.subscriptions;
    if (e.message) out.message = e.message;
    for (const k of plainFields) if (e[k] !== undefined) out[k] = e[k];
    return out;
  }
  function update(e, s) {
    if (!s) return;
    if (s.record && e.record instanceof Record) e.record.__reset(s.record);
    if (s.collection && e.collection instanceof Collection) { Object.assign(e.collection, s.collection); e.collection.fields = fieldsList(e.collection.fields || []); }
    if (s.req) e.__req = s.req;
  }

  const op = (name, args) => call("event", { op: name, args: args === undefined ? null : args });
  class Request {
    constructor(e) { this.__e = e; this.method = e.__req.method; }
    pathValue(n) { return (this.__e.__req.pathParams || {})[n] || ""; }
    get url() {
      const r = this.__e.__req;
      return { path: r.path, rawQuery: r.query, query: () => ({ get: (k) => op("query", String(k)) || "" }), string: () => r.path + (r.query ? "?" + r.query : "") };
    }
    get header() { return { get: (n) => op("header", String(n)) || "" }; }
  }
  const RequestProto = Object.create(EventProto, Object.getOwnPropertyDescriptors({
    get auth() {
      if (this.__auth === undefined) { const a = op("auth"); this.__auth = a ? Record.__from(a) : null; }
      return this.__auth;
    },
    set auth(v) { this.__auth = v; },
    hasSuperuserAuth() { return !!op("hasSuperuserAuth"); },
    isTLS() { return false; },
    realIP() { return op("realIP") || ""; },
    remoteIP() { return op("remoteIP") || ""; },
    requestInfo() {
      const i = op("requestInfo");
      i.auth = i.auth ? Record.__from(i.auth) : null;
      i.hasSuperuserAuth = () => !!(i.auth && i.auth.__c.name === "_superusers");
      return i;
    },
    bindBody(target) { const b = op("body"); if (target && typeof target === "object") Object.assign(target, b); return b; },
    json(status, data) { this.__resp = { status, kind: "json", body: data === undefined ? null : data }; },
    string(status, text) { this.__resp = { status, kind: "string", body: String(text) }; },
    html(status, text) { this.__resp = { status, kind: "html", body: String(text) }; },
    noContent(status) { this.__resp = { status, kind: "noContent" }; },
    redirect(status, url) { this.__resp = { status, kind: "redirect", body: String(url) }; },
    blob(status, type, bytes) { this.__resp = { status, kind: "blob", type: String(type), body: Array.from(bytes || []) }; },
    get response() {
      const e = this;
      return { header: () => ({ set: (k, v) => { (e.__headers = e.__headers || []).push([String(k), String(v)]); } }) };
    },
    badRequestError(m, d) { return new g.BadRequestError(m, d); },
    notFoundError(m, d) { return new g.NotFoundError(m, d); },
    forbiddenError(m, d) { return new g.ForbiddenError(m, d); },
    unauthorizedError(m, d) { return new g.UnauthorizedError(m, d); },
    internalServerError(m, d) { return new g.InternalServerError(m, d); },
  }));

  // Called by the worker: runs handler `id` on an event; returns the final state.
  g.__dispatch = function (id, stateJson, h) {
    const e = makeEvent(JSON.parse(stateJson), h);
    handlers[id](e);
    return JSON.stringify(exportEvent(e));
  };
  // Called by the worker: runs handler `id` with the app (cron jobs, migrations).
  g.__call = function (id, h) {
    handlers[id](appFor(h));
    return "";
  };

  // ---- registration ----
  const register = (what) => call("register", what);
  const mw = (m) => {
    if (typeof m === "function") return { kind: "js", handler: reg(m), id: "", priority: 0 };
    if (m && m.__builtin) return { kind: "builtin", name: m.__builtin, args: m.args || [] };
    if (m instanceof Middleware) return { kind: "js", handler: reg(m.func), id: m.id || "", priority: m.priority | 0 };
    throw new TypeError("a middleware must be a function, a Middleware or one of $apis' middlewares");
  };
  class Middleware {
    constructor(func, priority, id) { this.func = func; this.priority = priority | 0; this.id = id || ""; }
  }
  g.Middleware = Middleware;
  g.routerAdd = (method, path, handler, ...mws) =>
    register({ kind: "route", method: String(method), path: String(path), handler: reg(handler), middlewares: mws.map(mw) });
  g.routerUse = (...mws) => { for (const m of mws) register({ kind: "use", middleware: mw(m) }); };
  g.cronAdd = (id, expr, fn) => register({ kind: "cron", id: String(id), expr: String(expr), handler: reg(fn) });
  g.cronRemove = (id) => register({ kind: "cronRemove", id: String(id) });
  g.migrate = (up, down) =>
    register({ kind: "migration", up: reg(up || (() => {})), down: reg(down || (() => {})) });

  const hookNames = [
    "onBootstrap", "onServe", "onTerminate", "onSettingsReload",
    "onRecordValidate", "onRecordCreate", "onRecordCreateExecute", "onRecordAfterCreateSuccess", "onRecordAfterCreateError",
    "onRecordUpdate", "onRecordUpdateExecute", "onRecordAfterUpdateSuccess", "onRecordAfterUpdateError",
    "onRecordDelete", "onRecordDeleteExecute", "onRecordAfterDeleteSuccess", "onRecordAfterDeleteError",
    "onCollectionValidate", "onCollectionCreate", "onCollectionCreateExecute", "onCollectionAfterCreateSuccess", "onCollectionAfterCreateError",
    "onCollectionUpdate", "onCollectionUpdateExecute", "onCollectionAfterUpdateSuccess", "onCollectionAfterUpdateError",
    "onCollectionDelete", "onCollectionDeleteExecute", "onCollectionAfterDeleteSuccess", "onCollectionAfterDeleteError",
    "onRecordEnrich", "onRecordsListRequest", "onRecordViewRequest", "onRecordCreateRequest", "onRecordUpdateRequest", "onRecordDeleteRequest",
    "onRealtimeConnectRequest", "onRealtimeSubscribeRequest", "onRealtimeMessageSend",
    "onBackupCreate", "onBackupRestore",
    "onRecordAuthRequest", "onRecordAuthWithPasswordRequest", "onRecordAuthRefreshRequest", "onRecordAuthWithOAuth2Request",
    "onRecordRequestOTPRequest", "onRecordAuthWithOTPRequest",
    "onRecordRequestVerificationRequest", "onRecordConfirmVerificationRequest",
    "onRecordRequestPasswordResetRequest", "onRecordConfirmPasswordResetRequest",
    "onRecordRequestEmailChangeRequest", "onRecordConfirmEmailChangeRequest",
    "onMailerSend", "onMailerRecordVerificationSend", "onMailerRecordPasswordResetSend", "onMailerRecordEmailChangeSend",
    "onMailerRecordOTPSend", "onMailerRecordAuthAlertSend",
  ];
  for (const name of hookNames) {
    g[name] = (handler, ...tags) => register({ kind: "hook", name, handler: reg(handler), tags: tags.map(String) });
  }

  // ---- $apis ----
  const builtin = (name, args) => ({ __builtin: name, args });
  g.$apis = {
    requireAuth: (...c) => builtin("requireAuth", c),
    requireSuperuserAuth: () => builtin("requireSuperuserAuth", []),
    requireGuestOnly: () => builtin("requireGuestOnly", []),
    requireSuperuserOrOwnerAuth: (p) => builtin("requireSuperuserOrOwnerAuth", [p || "id"]),
    bodyLimit: (n) => builtin("bodyLimit", [n | 0]),
    gzip: () => builtin("gzip", []),
    skipSuccessActivityLog: () => builtin("skipSuccessActivityLog", []),
  };

  // ---- $security, $os, $http ----
  g.$security = {
    randomString: (n) => call("security.randomString", { n: n | 0, alphabet: "" }),
    randomStringWithAlphabet: (n, a) => call("security.randomString", { n: n | 0, alphabet: String(a) }),
    randomStringByRegex: (p) => call("security.randomStringByRegex", { pattern: String(p) }),
    createJWT: (payload, secret, duration) => call("security.createJWT", { payload: payload || {}, secret: String(secret), duration: Number(duration) || 0 }),
    parseUnverifiedJWT: (token) => call("security.parseJWT", { token: String(token), secret: null }),
    parseJWT: (token, secret) => call("security.parseJWT", { token: String(token), secret: String(secret) }),
    md5: (s) => call("security.hash", { alg: "md5", text: String(s) }),
    sha256: (s) => call("security.hash", { alg: "sha256", text: String(s) }),
    sha512: (s) => call("security.hash", { alg: "sha512", text: String(s) }),
    hs256: (s, k) => call("security.hmac", { alg: "sha256", text: String(s), key: String(k) }),
    hs512: (s, k) => call("security.hmac", { alg: "sha512", text: String(s), key: String(k) }),
    equal: (a, b) => String(a) === String(b),
  };
  g.$os = {
    getenv: (k) => call("os.getenv", { key: String(k) }),
    readFile: (p) => call("os.readFile", { path: String(p) }),
    writeFile: (p, data) => call("os.writeFile", { path: String(p), data: typeof data === "string" ? data : String.fromCharCode(...data) }),
    readDir: (p) => call("os.readDir", { path: String(p) }),
    mkdirAll: (p) => call("os.mkdirAll", { path: String(p) }),
    remove: (p) => call("os.remove", { path: String(p) }),
    removeAll: (p) => call("os.remove", { path: String(p) }),
    exec: () => { throw new Error("$os.exec is disabled in Basalt"); },
    cmd: () => { throw new Error("$os.cmd is disabled in Basalt"); },
    exit: () => { throw new Error("$os.exit is disabled in Basalt"); },
  };
  g.$http = {
    send: (o) => {
      const r = call("http.send", { url: String(o.url), method: String(o.method || "GET"), headers: o.headers || {}, body: o.body === undefined ? "" : typeof o.body === "string" ? o.body : JSON.stringify(o.body), timeout: o.timeout || 120 });
      let json = null;
      try { json = r.body ? JSON.parse(r.body) : null; } catch (_) { json = null; }
      return { statusCode: r.status, headers: r.headers, raw: r.body, body: Array.from(r.body, (c) => c.charCodeAt(0) & 255), json, cookies: {} };
    },
  };

  // ---- require (CommonJS, from pb_hooks) ----
  const modules = {};
  g.require = function (name) {
    const found = call("module.resolve", { name: String(name) });
    if (modules[found]) return modules[found].exports;
    const module = { exports: {} };
    modules[found] = module;
    const wrapper = g.__loadModule(found);
    wrapper(module, module.exports, g.require);
    return module.exports;
  };
  g.__hooks = call("hooks.dir", null);
})(globalThis);
