//! `static_dir`: files, directories, redirects, SPA fallback, and traversal attempts.

use crate::support::*;
use basalt_http::router::{Router, static_dir};
use poem::http::StatusCode;

fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let public = root.path().join("pb_public");
    std::fs::create_dir_all(public.join("sub")).unwrap();
    std::fs::create_dir_all(public.join("empty")).unwrap();
    std::fs::write(public.join("index.html"), "<h1>root</h1>").unwrap();
    std::fs::write(public.join("a.txt"), "text a").unwrap();
    std::fs::write(public.join("sub/index.html"), "<h1>sub</h1>").unwrap();
    std::fs::write(public.join("sub/style.css"), "body{}").unwrap();
    std::fs::write(root.path().join("secret.txt"), "do not serve").unwrap();
    (root, public)
}

#[tokio::test]
async fn serves_files_and_directories() {
    let (_root, public) = setup();
    let mut r = Router::new();
    r.get("/{path...}", static_dir(&public, false));
    let cli = client(r);

    let res = send(cli.get("/a.txt")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(res.text(), "text a");
    let res = send(cli.get("/sub/style.css")).await;
    assert_eq!(res.header("content-type"), Some("text/css; charset=utf-8"));
    assert_eq!(send(cli.get("/")).await.text(), "<h1>root</h1>");
    assert_eq!(send(cli.get("/sub/")).await.text(), "<h1>sub</h1>");

    let res = send(cli.get("/sub")).await;
    assert_eq!(res.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(res.header("location"), Some("/sub/"));
    let res = send(cli.get("/sub/index.html")).await;
    assert_eq!(res.header("location"), Some("/sub/"));
    let res = send(cli.get("/a.txt/")).await;
    assert_eq!(res.header("location"), Some("/a.txt"));

    let res = send(cli.get("/missing.txt")).await;
    assert_eq!(res.json(), error_body(404, "File not found."));
    assert_eq!(send(cli.get("/empty/")).await.status, StatusCode::NOT_FOUND);
    // The built-in API routes are more specific than the catch-all: still served.
    let res = send(cli.get("/api/health")).await;
    assert_eq!(res.json()["message"], "API is healthy.");
    // Other `/api/...` paths are the catch-all's, as in PocketBase.
    let res = send(cli.get("/api/nothing-here")).await;
    assert_eq!(res.json(), error_body(404, "File not found."));
}

#[tokio::test]
async fn traversal_attempts_are_not_found() {
    let (_root, public) = setup();
    let mut r = Router::new();
    r.get("/static/{path...}", static_dir(&public, false));
    let cli = client(r);
    assert_eq!(send(cli.get("/static/a.txt")).await.text(), "text a");
    for path in [
        "/static/..%2fsecret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/%2e%2e%2fsecret.txt",
        "/static/sub/..%2f..%2fsecret.txt",
        "/static/..%5csecret.txt",
    ] {
        let res = send(cli.get(path)).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!res.text().contains("do not serve"), "{path}");
    }
    // A literal `..` is resolved by the router before matching: `/secret.txt` is no
    // static path (and unknown to the API).
    let res = send(cli.get("/static/../secret.txt")).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(!res.text().contains("do not serve"));
    // Within the route, it redirects to the clean path.
    let res = send(cli.get("/static/sub/../a.txt")).await;
    assert_eq!(res.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(res.header("location"), Some("/static/a.txt"));
}

#[tokio::test]
async fn index_fallback_for_single_page_apps() {
    let (_root, public) = setup();
    let mut r = Router::new();
    r.get("/{path...}", static_dir(&public, true));
    let cli = client(r);
    assert_eq!(
        send(cli.get("/some/client/route")).await.text(),
        "<h1>root</h1>"
    );
    assert_eq!(
        send(cli.get("/..%2fsecret.txt")).await.text(),
        "<h1>root</h1>"
    );
    assert_eq!(send(cli.get("/a.txt")).await.text(), "text a");
}
