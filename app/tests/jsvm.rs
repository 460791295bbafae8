//! JS hooks (`pb_hooks/*.pb.js`) and migrations on a test app, through its real HTTP stack:
//! router middlewares, `$apis` middlewares, the response helpers, body binding, request
//! info, record enrich, `$app` finds and saves, `$dbx` bound params, `$security`,
//! `require`, `cronRemove`, and JS errors.

use basalt::jshooks::{JsvmConfig, attach};
use basalt::testing::{ApiScenario, TestApp};
use serde_json::json;
use std::path::Path;

const MIGRATION: &str = r#"
migrate((app) => {
  const c = new Collection({
    type: "base", name: "items", listRule: "", viewRule: "", createRule: "",
    fields: [{ name: "title", type: "text" }, { name: "secret", type: "text" }, { name: "n", type: "number" }],
  });
  app.save(c);
}, (app) => {
  app.delete(app.findCollectionByNameOrId("items"));
});
"#;

const UTILS: &str = r#"
module.exports = { shout: (s) => s.toUpperCase() + "!" };
"#;

const HOOKS: &str = r#"
const utils = require("./lib/utils.js");

routerUse((e) => {
  e.response.header().set("X-Js", "yes");
  e.next();
});

routerAdd("GET", "/js/string", (e) => e.string(201, utils.shout("hi")));
routerAdd("GET", "/js/html", (e) => e.html(200, "<b>bold</b>"));
routerAdd("GET", "/js/admin", (e) => e.json(200, { ok: true }), $apis.requireSuperuserAuth());

routerAdd("POST", "/js/echo", (e) => {
  const body = {};
  e.bindBody(body);
  const info = e.requestInfo();
  return e.json(200, { name: body.name, query: info.query.q, method: info.method, header: e.request.header.get("X-Test") });
});

routerAdd("GET", "/js/find/{title}", (e) => {
  const r = $app.findFirstRecordByFilter("items", "title = {:t}", { t: e.request.pathValue("title") });
  const again = $app.findRecordById("items", r.id);
  const rows = $app.db().newQuery("SELECT title FROM items WHERE n > {:min} ORDER BY n").bind({ min: 1 }).all();
  const all = $app.findRecordsByFilter("items", "", "-n", 10, 0);
  return e.json(200, { id: again.id === r.id, n: r.getInt("n"), rows: rows.map((x) => x.title), count: all.length });
});

routerAdd("POST", "/js/save", (e) => {
  const r = new Record($app.findCollectionByNameOrId("items"), { title: "saved", n: 7 });
  $app.save(r);
  const back = $app.findRecordById("items", r.id);
  back.set("n", 8);
  $app.save(back);
  const rnd = $security.randomString(12);
  return e.json(200, { id: r.id.length, n: $app.findRecordById("items", r.id).getInt("n"), rnd: rnd.length });
});

routerAdd("DELETE", "/js/items/{id}", (e) => {
  $app.delete($app.findRecordById("items", e.request.pathValue("id")));
  return e.noContent(204);
});

routerAdd("GET", "/js/notfound", (e) => { throw new NotFoundError("nothing here"); });
routerAdd("GET", "/js/missing", (e) => $app.findRecordById("items", "nope"));

onRecordEnrich((e) => {
  e.record.hide("secret");
  e.next();
}, "items");

onRecordAfterCreateSuccess((e) => {
  if (e.record.get("title") === "count me") {
    $app.db().newQuery("UPDATE items SET n = n + 100 WHERE id = {:id}").bind({ id: e.record.id }).execute();
  }
  e.next();
}, "items");

cronAdd("gone", "* * * * *", () => {});
cronAdd("kept", "0 5 * * *", () => {});
cronRemove("gone");
"#;

fn write(dir: &Path, rel: &str, content: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, content).expect("write");
}

async fn app() -> (TestApp, tempfile::TempDir) {
    let t = TestApp::new().await.expect("test app");
    let files = tempfile::tempdir().expect("temp dir");
    write(files.path(), "pb_hooks/main.pb.js", HOOKS);
    write(files.path(), "pb_hooks/lib/utils.js", UTILS);
    write(files.path(), "pb_migrations/1700000000_items.js", MIGRATION);
    let mut config = JsvmConfig::new(&files.path().join("pb_data"));
    config.pool_size = 2;
    config.hooks_watch = false;
    attach(&t.app, &config).expect("attach");
    let applied = t.app.run_migrations_up().await.expect("migrations");
    assert!(
        applied.contains(&"1700000000_items.js".to_owned()),
        "{applied:?}"
    );
    (t, files)
}

async fn create(t: &TestApp, title: &str, n: i64) -> String {
    let mut r = t.app.new_record("items").expect("record");
    r.set("title", json!(title));
    r.set("secret", json!("s3cret"));
    r.set("n", json!(n));
    t.app.save(&mut r).await.expect("save");
    r.id().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_middlewares_and_require() {
    let (t, _files) = app().await;
    let res = ApiScenario {
        url: "/js/string".into(),
        expected_status: 201,
        expected_content: vec!["HI!".into()],
        ..ApiScenario::default()
    }
    .test(&t)
    .await;
    assert_eq!(res.header("x-js"), Some("yes"));
    let res = ApiScenario {
        url: "/js/html".into(),
        expected_content: vec!["<b>bold</b>".into()],
        ..ApiScenario::default()
    }
    .test(&t)
    .await;
    assert!(
        res.header("content-type")
            .unwrap_or("")
            .starts_with("text/html")
    );
    ApiScenario {
        url: "/js/admin".into(),
        expected_status: 401,
        expected_content: vec![r#""status":401"#.into()],
        ..ApiScenario::default()
    }
    .test(&t)
    .await;
    let res = ApiScenario {
        method: "POST".into(),
        url: "/js/echo?q=search".into(),
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("x-test".into(), "hdr".into()),
        ],
        body: Some(br#"{"name":"ann"}"#.to_vec()),
        ..ApiScenario::default()
    }
    .test(&t)
    .await;
    assert_eq!(
        res.json(),
        json!({"name": "ann", "query": "search", "method": "POST", "header": "hdr"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_finds_saves_deletes_and_dbx() {
    let (t, _files) = app().await;
    create(&t, "one", 1).await;
    create(&t, "two", 2).await;
    create(&t, "three", 3).await;
    let res = ApiScenario {
        url: "/js/find/two".into(),
        ..ApiScenario::default()
    }
    .test(&t)
    .await;
    assert_eq!(
        res.json(),
        json!({"id": true, "n": 2, "rows": ["two", "three"], "count": 3})
    );
    let res = ApiScenario {
        method: "POST".into(),
        url: "/js/save".into(),
        ..ApiScenario::default()
    }
    .test(&t)
    .await;
    assert_eq!(res.json(), json!({"id": 15, "n": 8, "rnd": 12}));
    let id = create(&t, "doomed", 0).await;
    ApiScenario {
        method: "DELETE".into(),
        url: format!("/js/items/{id}"),
        expected_status: 204,
        ..ApiScenario::default()
    }
    .test(&t)
    .await;
    assert!(t.app.find_record_by_id("items", &id).await.is_err());
    // an after-create hook writing through $dbx
    let id = create(&t, "count me", 1).await;
    let r = t.app.find_record_by_id("items", &id).await.expect("record");
    assert_eq!(r.get("n"), &json!(101));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrich_errors_and_cron() {
    let (t, _files) = app().await;
    let id = create(&t, "hidden", 1).await;
    ApiScenario {
        url: format!("/api/collections/items/records/{id}"),
        expected_content: vec![r#""title":"hidden""#.into()],
        not_expected_content: vec!["s3cret".into(), "secret".into()],
        ..ApiScenario::default()
    }
    .test(&t)
    .await;
    ApiScenario {
        url: "/js/notfound".into(),
        expected_status: 404,
        expected_content: vec![r#""message":"Nothing here.""#.into()],
        ..ApiScenario::default()
    }
    .test(&t)
    .await;
    ApiScenario {
        url: "/js/missing".into(),
        expected_status: 404,
        ..ApiScenario::default()
    }
    .test(&t)
    .await;
    let ids: Vec<String> = t
        .app
        .cron()
        .jobs()
        .iter()
        .map(|j| j.id().to_owned())
        .collect();
    assert!(ids.contains(&"kept".to_owned()), "{ids:?}");
    assert!(!ids.contains(&"gone".to_owned()), "{ids:?}");
    // the migration's down drops the collection
    t.app.run_migrations_down(1).await.expect("down");
    assert!(t.app.find_collection("items").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_helpers() {
    let t = TestApp::new().await.expect("test app");
    let files = tempfile::tempdir().expect("temp dir");
    write(
        files.path(),
        "pb_hooks/sec.pb.js",
        r#"
routerAdd("GET", "/sec", (e) => {
  const token = $security.createJWT({ sub: "abc" }, "secret-key", 60);
  const claims = $security.parseJWT(token, "secret-key");
  const unverified = $security.parseUnverifiedJWT(token);
  let bad = "";
  try { $security.parseJWT(token, "other-key"); } catch (err) { bad = "rejected"; }
  return e.json(200, {
    sub: claims.sub, sub2: unverified.sub, bad,
    md5: $security.md5("abc"), sha256: $security.sha256("abc"),
    hs256: $security.hs256("abc", "key"),
    alpha: $security.randomStringWithAlphabet(8, "ab"),
  });
});
"#,
    );
    let mut config = JsvmConfig::new(&files.path().join("pb_data"));
    config.pool_size = 1;
    attach(&t.app, &config).expect("attach");
    let res = ApiScenario {
        url: "/sec".into(),
        ..ApiScenario::default()
    }
    .test(&t)
    .await;
    let v = res.json();
    assert_eq!(v["sub"], "abc");
    assert_eq!(v["sub2"], "abc");
    assert_eq!(v["bad"], "rejected");
    assert_eq!(v["md5"], "900150983cd24fb0d6963f7d28e17f72");
    assert_eq!(
        v["sha256"],
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        v["hs256"],
        "9c196e32dc0175f86f4b1cb89289d6619de6bee699e4c378e68309ed97a1a6ab"
    );
    let alpha = v["alpha"].as_str().expect("alpha");
    assert_eq!(alpha.len(), 8);
    assert!(alpha.chars().all(|c| c == 'a' || c == 'b'));
}

/// A one-shot HTTP server answering `body` to the first request; returns its address.
async fn one_shot_server(body: &'static str) -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        if let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            let res = format!(
                "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\nx-from: test\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = sock.write_all(res.as_bytes()).await;
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_send_os_guard_and_dynamic_models() {
    let t = TestApp::new().await.expect("test app");
    let addr = one_shot_server(r#"{"pong":true}"#).await;
    let files = tempfile::tempdir().expect("temp dir");
    write(
        files.path(),
        "pb_hooks/misc.pb.js",
        &format!(
            r#"
routerAdd("GET", "/misc", (e) => {{
  const res = $http.send({{ url: "http://{addr}/ping", method: "POST", body: {{ a: 1 }}, headers: {{ "content-type": "application/json" }} }});
  let exec = "";
  try {{ $os.exec("ls"); }} catch (err) {{ exec = "refused"; }}
  const rows = arrayOf(new DynamicModel({{ n: 0 }}));
  $app.db().newQuery("SELECT 1 AS n UNION SELECT 2 ORDER BY n").all(rows);
  const one = new DynamicModel({{ total: 0 }});
  $app.db().newQuery("SELECT COUNT(*) AS total FROM _superusers WHERE email = {{:e}}").bind({{ e: "x'; DROP TABLE _superusers; --" }}).one(one);
  return e.json(200, {{ status: res.statusCode, pong: res.json.pong, header: res.headers["x-from"][0], exec, rows: rows.map((r) => r.n), total: one.total }});
}});
"#
        ),
    );
    let mut config = JsvmConfig::new(&files.path().join("pb_data"));
    config.pool_size = 1;
    attach(&t.app, &config).expect("attach");
    let res = ApiScenario {
        url: "/misc".into(),
        ..ApiScenario::default()
    }
    .test(&t)
    .await;
    assert_eq!(
        res.json(),
        json!({"status": 201, "pong": true, "header": "test", "exec": "refused", "rows": [1, 2], "total": 0})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_and_collection_hooks() {
    let t = TestApp::new().await.expect("test app");
    let files = tempfile::tempdir().expect("temp dir");
    write(files.path(), "pb_migrations/1700000000_items.js", MIGRATION);
    write(
        files.path(),
        "pb_hooks/req.pb.js",
        r#"
onCollectionCreate((e) => {
  if (e.collection.name === "items") e.collection.fields.add(new TextField({ name: "added_by_hook" }));
  e.next();
});
onRecordCreateRequest((e) => {
  const info = e.requestInfo();
  e.record.set("secret", "from " + (info.body.title || "?"));
  e.next();
}, "items");
onRecordUpdate((e) => {
  e.record.set("n", e.record.getInt("n") * 10);
  e.next();
}, "items");
onRecordAfterDeleteSuccess((e) => {
  $app.db().newQuery("CREATE TABLE IF NOT EXISTS deleted_log (rid TEXT)").execute();
  $app.db().newQuery("INSERT INTO deleted_log (rid) VALUES ({:id})").bind({ id: e.record.id }).execute();
  e.next();
}, "items");
"#,
    );
    let mut config = JsvmConfig::new(&files.path().join("pb_data"));
    config.pool_size = 1;
    attach(&t.app, &config).expect("attach");
    t.app.run_migrations_up().await.expect("migrations");
    let items = t.app.find_collection("items").expect("items");
    assert!(items.fields.iter().any(|f| f.name == "added_by_hook"));
    let res = ApiScenario {
        method: "POST".into(),
        url: "/api/collections/items/records".into(),
        headers: vec![("content-type".into(), "application/json".into())],
        body: Some(br#"{"title":"via api","n":2}"#.to_vec()),
        ..ApiScenario::default()
    }
    .test(&t)
    .await;
    let id = res.json()["id"].as_str().expect("id").to_owned();
    let mut r = t.app.find_record_by_id("items", &id).await.expect("record");
    assert_eq!(r.get("secret"), &json!("from via api"));
    r.set("n", json!(3));
    t.app.save(&mut r).await.expect("update");
    let r = t.app.find_record_by_id("items", &id).await.expect("record");
    assert_eq!(r.get("n"), &json!(30));
    let mut r = r;
    t.app.delete(&mut r).await.expect("delete");
    let rows = t
        .app
        .db()
        .query("SELECT rid FROM deleted_log", &[])
        .await
        .expect("log");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].text("rid"), id);
}
