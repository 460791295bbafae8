//! Files through the library API on a real data dir: a record saved with files made from
//! bytes, served through the files API with `on_file_download_request` changing the answer,
//! `on_file_token_request` changing the token, a rolled-back save leaving nothing behind,
//! and a committed replacement removing the old file.

use basalt::AppError;
use basalt::ports::files_api::FileRequest;
use basalt::ports::hook::Event;
use basalt::ports::{Auth, CollectionsApi, FilesApi, RequestContext};
use futures_util::StreamExt;
use serde_json::json;
use std::path::Path;

fn superuser() -> Auth {
    Auth::Record {
        collection_id: String::new(),
        collection_name: "_superusers".into(),
        id: String::new(),
        superuser: true,
    }
}

/// The file names stored in a record's directory, sorted.
fn stored(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn files_from_library_code_and_the_file_hooks() -> Result<(), AppError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = basalt::open(dir.path()).await?;
    app.create_collection(
        &superuser(),
        json!({"name": "docs", "type": "base", "viewRule": "", "fields": [
            {"name": "doc", "type": "file", "maxSelect": 1}
        ]}),
    )
    .await
    .expect("docs");
    let c = app.find_collection("docs").expect("collection");

    let mut rec = app.new_record("docs")?;
    let file = basalt::files::new_file_from_bytes(&app, b"hello world".to_vec(), "Hello.txt")?;
    rec.set_files(&c, "doc", vec![file]);
    app.save(&mut rec).await?;
    let id = rec.id().to_owned();
    let name = rec.text("doc").to_owned();
    assert!(
        name.starts_with("hello_") && name.ends_with(".txt"),
        "{name}"
    );
    let record_dir = dir.path().join("storage").join(&c.id).join(&id);
    assert_eq!(stored(&record_dir), std::slice::from_ref(&name));
    assert_eq!(
        std::fs::read(record_dir.join(&name)).expect("stored bytes"),
        b"hello world"
    );

    app.on_file_download_request(&["docs"]).bind_func(|e| {
        Box::pin(async move {
            e.headers
                .push(("x-served-as".into(), e.served_name.clone()));
            e.served_name = "renamed.txt".into();
            e.next().await
        })
    });
    let served = app
        .download(
            &RequestContext::with_auth(Auth::Guest),
            FileRequest {
                collection: "docs".into(),
                record_id: id.clone(),
                filename: name.clone(),
                ..FileRequest::default()
            },
        )
        .await
        .expect("served");
    assert_eq!(served.name, "renamed.txt");
    assert_eq!(served.headers, [("x-served-as".to_owned(), name.clone())]);
    assert_eq!(served.content_type, "text/plain; charset=utf-8");
    let mut body = Vec::new();
    let mut stream = served.body;
    while let Some(chunk) = stream.next().await {
        body.extend_from_slice(&chunk.expect("chunk"));
    }
    assert_eq!(body, b"hello world");

    // a save whose transaction rolls back stores nothing and removes nothing
    let (app2, id2) = (app.clone(), id.clone());
    let failed = app2
        .run_in_transaction(|tx| async move {
            let c = tx.find_collection("docs").expect("collection");
            let mut rec = tx.find_record_by_id("docs", &id2).await?;
            let file = basalt::files::new_file_from_bytes(&tx, b"second".to_vec(), "two.txt")?;
            rec.set_files(&c, "doc", vec![file]);
            tx.save(&mut rec).await?;
            Err::<(), _>(AppError::other("rolled back on purpose"))
        })
        .await;
    assert!(failed.is_err());
    assert_eq!(stored(&record_dir), std::slice::from_ref(&name));
    assert_eq!(app.find_record_by_id("docs", &id).await?.text("doc"), name);

    // a committed replacement removes the old file
    let mut rec = app.find_record_by_id("docs", &id).await?;
    let file = basalt::files::new_file_from_bytes(&app, b"third".to_vec(), "three.txt")?;
    rec.set_files(&c, "doc", vec![file]);
    app.save(&mut rec).await?;
    let third = rec.text("doc").to_owned();
    assert_eq!(stored(&record_dir), std::slice::from_ref(&third));

    // a plain name that is not one of the record's files is refused
    let mut rec = app.find_record_by_id("docs", &id).await?;
    rec.set("doc", json!("someone_elses.txt"));
    match app.save(&mut rec).await {
        Err(AppError::Validation(errs)) => {
            let v = serde_json::to_value(&errs).expect("json");
            assert_eq!(v["doc"]["code"], "validation_invalid_file", "{v}");
        }
        other => panic!("expected a validation error, got {other:?}"),
    }

    // the file token hook can change the token
    let users = app.find_collection("users").expect("users");
    let mut user = app.new_record("users")?;
    user.set("email", json!("u@example.com"));
    user.set_password("Passw0rd!1234");
    app.save(&mut user).await?;
    app.on_file_token_request(&["users"]).bind_func(|e| {
        Box::pin(async move {
            e.token = format!("{}-{}", e.record.text("email"), e.token.len());
            e.next().await
        })
    });
    let req = RequestContext::with_auth(Auth::Record {
        collection_id: users.id.clone(),
        collection_name: users.name.clone(),
        id: user.id().to_owned(),
        superuser: false,
    });
    let token = app.file_token(&req).await.expect("token");
    assert!(token.starts_with("u@example.com-"), "{token}");
    let guest = app
        .file_token(&RequestContext::with_auth(Auth::Guest))
        .await;
    assert!(matches!(
        guest,
        Err(basalt::ports::ServiceError::AuthRequired)
    ));
    Ok(())
}
