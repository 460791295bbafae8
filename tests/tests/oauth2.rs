//! OAuth2 sign-in against a real OpenID provider (npm `oidc-provider`, started by
//! `scripts/oidc.sh`, whose issuer URL is in `BASALT_TEST_OIDC`): the collection option,
//! `auth-methods`, the code flow with PKCE (`auth-with-oauth2`), `_externalAuths` links,
//! new-user creation and its rules, and `/api/oauth2-redirect` over realtime.
//!
//! The provider signs in the account its authorization URL's `login_hint` names; its
//! `/test/login?url=` endpoint drives that browser flow and answers with the redirect back.

mod common;

use common::sse::SseClient;
use common::*;

const REDIRECT: &str = "http://127.0.0.1/callback";
const MSG_FORM: &str = "An error occurred while loading the submitted data.";

/// The provider's issuer URL, or `None` (test skipped) when the script did not start one.
fn oidc() -> Option<String> {
    match std::env::var("BASALT_TEST_OIDC") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("BASALT_REQUIRE_OIDC").is_err(),
                "BASALT_REQUIRE_OIDC is set but BASALT_TEST_OIDC is not"
            );
            eprintln!("skipped: BASALT_TEST_OIDC unset (scripts/oidc.sh starts one)");
            None
        }
    }
}

/// `oidc` with the provider's endpoints and client.
fn oidc_provider(issuer: &str) -> Value {
    json!({
        "name": "oidc",
        "clientId": "basalt",
        "clientSecret": "basalt-secret",
        "authURL": format!("{issuer}/auth"),
        "tokenURL": format!("{issuer}/token"),
        "userInfoURL": format!("{issuer}/me"),
        "displayName": "Test OIDC"
    })
}

/// Turns OAuth2 on for `users`, with extra fields the mapping fills.
async fn setup(srv: &TestServer, issuer: &str) {
    let (_, users) = srv.su(Method::GET, "/api/collections/users", None).await;
    let mut fields = users["fields"].as_array().cloned().unwrap_or_default();
    fields.push(json!({"name": "oidcId", "type": "text"}));
    fields.push(json!({"name": "handle", "type": "text"}));
    fields.push(json!({"name": "picture", "type": "url"}));
    let (status, body) = srv
        .su(
            Method::PATCH,
            "/api/collections/users",
            Some(json!({
                "fields": fields,
                "oauth2": {
                    "enabled": true,
                    "mappedFields": {"id": "oidcId", "name": "name", "username": "handle", "avatarURL": "picture"},
                    "providers": [oidc_provider(issuer)]
                }
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The provider entry `name` of `auth-methods`.
async fn method(srv: &TestServer, name: &str) -> Value {
    let (status, m) = srv
        .req(
            Method::GET,
            "/api/collections/users/auth-methods",
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{m}");
    m["oauth2"]["providers"]
        .as_array()
        .and_then(|a| a.iter().find(|p| p["name"] == name).cloned())
        .unwrap_or_else(|| panic!("no provider {name} in {m}"))
}

/// Signs `login` in at the provider from `auth_url` (completed with `redirect`) and returns
/// the URL the provider redirects back to.
async fn provider_sign_in(issuer: &str, auth_url: &str, redirect: &str, login: &str) -> String {
    let url = format!(
        "{auth_url}{}&login_hint={login}",
        encode_query(&[("x", redirect)]).trim_start_matches("x=")
    );
    let res = reqwest::Client::new()
        .get(format!(
            "{issuer}/test/login?{}",
            encode_query(&[("url", &url)])
        ))
        .send()
        .await
        .expect("provider sign-in");
    let body: Value = res.json().await.expect("provider answer");
    body["location"]
        .as_str()
        .unwrap_or_else(|| panic!("no location: {body}"))
        .to_owned()
}

/// The value of query parameter `key` of `url`.
fn query_param(url: &str, key: &str) -> String {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.replace('+', " ").replace("%40", "@"))
        .unwrap_or_default()
}

/// The code `login` gets for provider `name` (redirecting to [`REDIRECT`]), with the code
/// verifier `auth-methods` handed out.
async fn code_for(srv: &TestServer, issuer: &str, name: &str, login: &str) -> (String, String) {
    let p = method(srv, name).await;
    let back = provider_sign_in(issuer, p["authURL"].as_str().unwrap_or(""), REDIRECT, login).await;
    assert!(back.starts_with(REDIRECT), "{back}");
    assert_eq!(
        query_param(&back, "state"),
        p["state"].as_str().unwrap_or("")
    );
    (
        query_param(&back, "code"),
        p["codeVerifier"].as_str().unwrap_or("").to_owned(),
    )
}

/// A full sign-in of `login` with provider `name`: `(status, body)` of auth-with-oauth2.
async fn sign_in(
    srv: &TestServer,
    issuer: &str,
    name: &str,
    login: &str,
    extra: Value,
) -> (StatusCode, Value) {
    let (code, verifier) = code_for(srv, issuer, name, login).await;
    let mut body =
        json!({"provider": name, "code": code, "codeVerifier": verifier, "redirectURL": REDIRECT});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    srv.req(
        Method::POST,
        "/api/collections/users/auth-with-oauth2",
        None,
        Some(body),
    )
    .await
}

/// [`sign_in`] with the caller's auth `token`.
async fn sign_in_as(
    srv: &TestServer,
    issuer: &str,
    login: &str,
    token: &str,
) -> (StatusCode, Value) {
    let (code, verifier) = code_for(srv, issuer, "oidc", login).await;
    srv.req(
        Method::POST,
        "/api/collections/users/auth-with-oauth2",
        Some(token),
        Some(json!({"provider": "oidc", "code": code, "codeVerifier": verifier, "redirectURL": REDIRECT})),
    )
    .await
}

/// The `_externalAuths` rows, as the superuser sees them.
async fn links(srv: &TestServer) -> Vec<Value> {
    let (status, body) = srv
        .su(
            Method::GET,
            "/api/collections/_externalAuths/records?sort=created",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn auth_methods_list_the_provider_with_state_and_pkce() {
    let Some(issuer) = oidc() else { return };
    let srv = TestServer::start().await;
    setup(&srv, &issuer).await;
    let (_, m) = srv
        .req(
            Method::GET,
            "/api/collections/users/auth-methods",
            None,
            None,
        )
        .await;
    assert_eq!(m["oauth2"]["enabled"], true);
    let p = &m["oauth2"]["providers"][0];
    assert_eq!(p["name"], "oidc");
    assert_eq!(p["displayName"], "Test OIDC");
    assert!(p["logo"].as_str().unwrap_or("").starts_with("<svg"), "{p}");
    let state = p["state"].as_str().unwrap_or("");
    let verifier = p["codeVerifier"].as_str().unwrap_or("");
    assert_eq!((state.len(), verifier.len()), (30, 43), "{p}");
    assert_eq!(p["codeChallengeMethod"], "S256");
    let url = p["authURL"].as_str().unwrap_or("");
    assert_eq!(
        url,
        format!(
            "{issuer}/auth?client_id=basalt&code_challenge={}&code_challenge_method=S256&response_type=code&scope=openid+email+profile&state={state}&redirect_uri=",
            p["codeChallenge"].as_str().unwrap_or("")
        )
    );
    assert_eq!(p["authUrl"], p["authURL"]);
    let legacy = &m["authProviders"][0];
    assert_eq!(
        (legacy["name"].clone(), legacy["logo"].clone()),
        (json!("oidc"), json!(""))
    );
    assert_eq!(legacy["state"], p["state"]);
}

#[tokio::test]
async fn the_code_flow_creates_the_user_then_finds_it_again() {
    let Some(issuer) = oidc() else { return };
    let srv = TestServer::start().await;
    setup(&srv, &issuer).await;
    let before = srv.count("users").await;
    let (status, body) = sign_in(&srv, &issuer, "oidc", "alice", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}\n{}", srv.logs());
    let meta = &body["meta"];
    assert_eq!(meta["isNew"], true);
    assert_eq!(meta["id"], "alice");
    assert_eq!(meta["name"], "User alice");
    assert_eq!(meta["username"], "alice");
    assert_eq!(meta["email"], "alice@example.test");
    assert_eq!(meta["avatarURL"], format!("{issuer}/avatar/alice.png"));
    assert_eq!(meta["avatarUrl"], meta["avatarURL"]);
    assert_eq!(meta["rawUser"]["preferred_username"], "alice");
    assert_eq!(meta["refreshToken"], "");
    assert!(!meta["accessToken"].as_str().unwrap_or("").is_empty());
    assert_eq!(meta["expiry"].as_str().unwrap_or("").len(), 24, "{meta}");
    let record = &body["record"];
    assert_eq!(record["email"], "alice@example.test");
    assert_eq!(record["verified"], true);
    assert_eq!(record["name"], "User alice");
    assert_eq!(record["oidcId"], "alice");
    assert_eq!(record["handle"], "alice");
    assert_eq!(record["picture"], format!("{issuer}/avatar/alice.png"));
    assert_eq!(srv.count("users").await, before + 1);
    let id = record["id"].as_str().unwrap_or("").to_owned();
    let l = links(&srv).await;
    assert_eq!(l.len(), 1, "{l:?}");
    assert_eq!(
        (
            &l[0]["collectionRef"],
            &l[0]["recordRef"],
            &l[0]["provider"],
            &l[0]["providerId"]
        ),
        (
            &json!("_pb_users_auth_"),
            &json!(id),
            &json!("oidc"),
            &json!("alice")
        )
    );
    // the token is a real auth token
    let token = body["token"].as_str().unwrap_or("");
    let (status, refreshed) = srv
        .req(
            Method::POST,
            "/api/collections/users/auth-refresh",
            Some(token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    assert_eq!(refreshed["record"]["id"], json!(id));

    // a second sign-in finds the same record through its link
    let (status, again) = sign_in(&srv, &issuer, "oidc", "alice", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["meta"]["isNew"], false);
    assert_eq!(again["record"]["id"], json!(id));
    assert_eq!(srv.count("users").await, before + 1);
    assert_eq!(links(&srv).await.len(), 1);
}

#[tokio::test]
async fn a_wrong_code_verifier_is_refused_and_creates_nothing() {
    let Some(issuer) = oidc() else { return };
    let srv = TestServer::start().await;
    setup(&srv, &issuer).await;
    let before = srv.count("users").await;
    let (code, _) = code_for(&srv, &issuer, "oidc", "mallory").await;
    let (status, body) = srv
        .req(
            Method::POST,
            "/api/collections/users/auth-with-oauth2",
            None,
            Some(json!({"provider": "oidc", "code": code, "codeVerifier": "x".repeat(43), "redirectURL": REDIRECT})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, err_body(400, "Failed to fetch OAuth2 token."));
    assert_eq!(srv.count("users").await, before);
    assert!(links(&srv).await.is_empty());
    // a code is good once: the right verifier no longer helps either
    let (status, _) = srv
        .req(
            Method::POST,
            "/api/collections/users/auth-with-oauth2",
            None,
            Some(json!({"provider": "oidc", "code": code, "codeVerifier": "y", "redirectUrl": REDIRECT})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn bad_forms_unknown_providers_and_a_disabled_collection() {
    let Some(issuer) = oidc() else { return };
    let srv = TestServer::start().await;
    let path = "/api/collections/users/auth-with-oauth2";
    let (status, body) = srv
        .req(
            Method::POST,
            path,
            None,
            Some(json!({"provider": "oidc", "code": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body,
        err_body(
            403,
            "The collection is not configured to allow OAuth2 authentication."
        )
    );
    setup(&srv, &issuer).await;
    let (status, body) = srv.req(Method::POST, path, None, Some(json!({}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], MSG_FORM);
    assert_eq!(
        body["data"]["provider"],
        field_err("validation_required", "Cannot be blank.")
    );
    assert_eq!(
        body["data"]["code"],
        field_err("validation_required", "Cannot be blank.")
    );
    let (status, body) = srv
        .req(
            Method::POST,
            path,
            None,
            Some(json!({"provider": "google", "code": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["data"]["provider"],
        json!({"code": "validation_invalid_provider", "message": "Provider with name google is missing or is not enabled.", "params": {"name": "google"}})
    );
    let (status, body) = srv
        .req(
            Method::POST,
            path,
            None,
            Some(json!({"provider": "oidc", "code": "not-a-code", "codeVerifier": "v"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, err_body(400, "Failed to fetch OAuth2 token."));
    let (status, body) = srv
        .req(
            Method::POST,
            "/api/collections/_superusers/auth-with-oauth2",
            None,
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
}

#[tokio::test]
async fn the_collection_option_is_validated_and_its_secret_never_shown() {
    let Some(issuer) = oidc() else { return };
    let srv = TestServer::start().await;
    let (status, body) = srv
        .su(
            Method::PATCH,
            "/api/collections/users",
            Some(json!({"oauth2": {"enabled": true, "providers": [
                {"name": "nope", "clientId": "a"},
                {"name": "oidc"},
                {"name": "google", "clientId": "x", "clientSecret": "y", "authURL": "notaurl"}
            ]}})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let p = &body["data"]["oauth2"]["providers"];
    assert_eq!(
        p["0"]["name"],
        json!({"code": "validation_missing_provider", "message": "Invalid or missing provider with name nope.", "params": {"name": "nope"}})
    );
    assert_eq!(p["0"]["clientSecret"]["code"], "validation_required");
    assert_eq!(p["1"]["clientId"]["code"], "validation_required");
    assert_eq!(
        p["2"]["authURL"],
        field_err("validation_is_url", "Must be a valid URL.")
    );
    // disabled: not checked
    let (status, body) = srv
        .su(
            Method::PATCH,
            "/api/collections/users",
            Some(json!({"oauth2": {"enabled": false, "providers": [{"name": "nope"}]}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    setup(&srv, &issuer).await;
    let (_, c) = srv.su(Method::GET, "/api/collections/users", None).await;
    let provider = &c["oauth2"]["providers"][0];
    assert_eq!(provider["clientId"], "basalt");
    assert!(provider.get("clientSecret").is_none(), "{provider}");
    assert_eq!(provider["pkce"], Value::Null);
    assert_eq!(provider["extra"], json!({}));
    assert!(!c.to_string().contains("basalt-secret"));
    // an update without the secret (as the UI sends it back) keeps it
    let mut p = provider.clone();
    p["displayName"] = json!("Renamed");
    let (status, body) = srv
        .su(
            Method::PATCH,
            "/api/collections/users",
            Some(json!({"oauth2": {"providers": [p]}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(method(&srv, "oidc").await["displayName"], "Renamed");
    let (status, body) = sign_in(&srv, &issuer, "oidc", "erin", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!srv.logs().contains("basalt-secret"));
}

#[tokio::test]
async fn an_email_already_used_signs_in_that_user() {
    let Some(issuer) = oidc() else { return };
    let srv = TestServer::start().await;
    setup(&srv, &issuer).await;
    // an unverified user who registered bob's address with a password: the sign-in takes
    // the record over, verifies it and resets the password (pre-hijacking protection)
    let (_, bob) = srv.create_user("bob@example.test", "bobs-password").await;
    let (status, body) = sign_in(&srv, &issuer, "oidc", "bob", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["meta"]["isNew"], false);
    assert_eq!(body["record"]["id"], bob["id"]);
    assert_eq!(body["record"]["verified"], true);
    let (status, _) = srv
        .req(
            Method::POST,
            "/api/collections/users/auth-with-password",
            None,
            Some(json!({"identity": "bob@example.test", "password": "bobs-password"})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the old password must be gone"
    );
    // a verified user keeps the password
    let carol = srv
        .create_record(
            "users",
            json!({"email": "carol@example.test", "password": "carols-password", "passwordConfirm": "carols-password", "verified": true}),
        )
        .await;
    let (status, body) = sign_in(&srv, &issuer, "oidc", "carol", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["record"]["id"], carol["id"]);
    srv.login("users", "carol@example.test", "carols-password")
        .await;
    let l = links(&srv).await;
    assert_eq!(l.len(), 2);
    assert_eq!(l[0]["recordRef"], bob["id"]);
    assert_eq!(l[1]["recordRef"], carol["id"]);
}

#[tokio::test]
async fn a_signed_in_user_links_the_provider_account_to_itself() {
    let Some(issuer) = oidc() else { return };
    let srv = TestServer::start().await;
    setup(&srv, &issuer).await;
    let (token, me) = srv.create_user("zed@elsewhere.test", "zeds-password").await;
    let (status, body) = sign_in_as(&srv, &issuer, "pat", &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["meta"]["isNew"], false);
    assert_eq!(body["record"]["id"], me["id"]);
    assert_eq!(body["record"]["email"], "zed@elsewhere.test");
    assert_eq!(
        body["record"]["verified"], false,
        "another email: not verified by the provider"
    );
    // the caller's own password is kept
    srv.login("users", "zed@elsewhere.test", "zeds-password")
        .await;
    let l = links(&srv).await;
    assert_eq!(l.len(), 1);
    assert_eq!(
        (&l[0]["recordRef"], &l[0]["providerId"]),
        (&me["id"], &json!("pat"))
    );
    // later sign-ins without a token find the same record through the link
    let (status, body) = sign_in(&srv, &issuer, "oidc", "pat", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["record"]["id"], me["id"]);
}

#[tokio::test]
async fn creation_follows_the_create_rule_and_create_data() {
    let Some(issuer) = oidc() else { return };
    let srv = TestServer::start().await;
    setup(&srv, &issuer).await;
    // dave is linked while creating is allowed
    let (status, dave) = sign_in(
        &srv,
        &issuer,
        "oidc",
        "dave",
        json!({"createData": {"name": "Dave D", "emailVisibility": true}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{dave}");
    assert_eq!(
        dave["record"]["name"], "Dave D",
        "createData wins over the mapping"
    );
    assert_eq!(dave["record"]["emailVisibility"], true);
    let (status, body) = srv
        .su(
            Method::PATCH,
            "/api/collections/users",
            Some(json!({"createRule": null})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let before = srv.count("users").await;
    let (status, body) = sign_in(&srv, &issuer, "oidc", "frank", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, err_body(403, MSG_ONLY_SUPERUSERS));
    assert_eq!(srv.count("users").await, before);
    assert_eq!(links(&srv).await.len(), 1);
    // a linked user still signs in
    let (status, body) = sign_in(&srv, &issuer, "oidc", "dave", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["record"]["id"], dave["record"]["id"]);
    // createData is validated as a record create
    srv.su(
        Method::PATCH,
        "/api/collections/users",
        Some(json!({"createRule": ""})),
    )
    .await;
    let (status, body) = sign_in(
        &srv,
        &issuer,
        "oidc",
        "gina",
        json!({"createData": {"verified": true}}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["message"], "Failed to create record.");
    // no verified email from the provider: the required email is missing
    let (status, body) = sign_in(&srv, &issuer, "oidc", "unverified1", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], "Failed to create record.");
    assert_eq!(
        body["data"]["email"],
        field_err("validation_required", "Cannot be blank.")
    );
    assert_eq!(srv.count("users").await, before);
}

#[tokio::test]
async fn the_create_rule_sees_the_oauth2_request_context() {
    let Some(issuer) = oidc() else { return };
    let srv = TestServer::start().await;
    setup(&srv, &issuer).await;
    let (status, body) = srv
        .su(
            Method::PATCH,
            "/api/collections/users",
            Some(json!({"createRule": "@request.context = \"oauth2\""})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = srv
        .req(
            Method::POST,
            "/api/collections/users/records",
            None,
            Some(json!({"email": "plain@example.test", "password": "12345678", "passwordConfirm": "12345678"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = sign_in(&srv, &issuer, "oidc", "quinn", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["meta"]["isNew"], true);
}

#[tokio::test]
async fn the_id_token_path_checks_the_signature() {
    let Some(issuer) = oidc() else { return };
    let srv = TestServer::start().await;
    let mut p = oidc_provider(&issuer);
    p["name"] = json!("oidc2");
    p["userInfoURL"] = json!("");
    p["extra"] = json!({"jwksURL": format!("{issuer}/jwks"), "issuers": [issuer]});
    let (status, body) = srv
        .su(
            Method::PATCH,
            "/api/collections/users",
            Some(json!({"oauth2": {"enabled": true, "providers": [p]}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = sign_in(&srv, &issuer, "oidc2", "hana", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}\n{}", srv.logs());
    assert_eq!(body["meta"]["rawUser"]["aud"], "basalt");
    assert_eq!(body["meta"]["rawUser"]["iss"], json!(issuer));
    assert_eq!(body["record"]["email"], "hana@example.test");
    // an issuer the token does not have
    p["extra"] =
        json!({"jwksURL": format!("{issuer}/jwks"), "issuers": ["https://elsewhere.example"]});
    srv.su(
        Method::PATCH,
        "/api/collections/users",
        Some(json!({"oauth2": {"providers": [p]}})),
    )
    .await;
    let (status, body) = sign_in(&srv, &issuer, "oidc2", "hana", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, err_body(400, "Failed to fetch OAuth2 user."));
}

/// A client that does not follow redirects.
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

#[tokio::test]
async fn the_realtime_redirect_flow() {
    let Some(issuer) = oidc() else { return };
    let srv = TestServer::start().await;
    setup(&srv, &issuer).await;
    let mut sse = SseClient::connect(&srv).await;
    sse.subscribe_ok(&srv, None, &["@oauth2"]).await;
    let p = method(&srv, "oidc").await;
    let redirect = srv.url("/api/oauth2-redirect");
    // the SDK puts the realtime client id in the state
    let auth_url = p["authURL"]
        .as_str()
        .unwrap_or("")
        .replace(p["state"].as_str().unwrap_or("-"), &sse.client_id);
    let back = provider_sign_in(&issuer, &auth_url, &redirect, "ivan").await;
    assert!(back.starts_with(&redirect), "{back}");
    let res = no_redirects().get(&back).send().await.expect("redirect");
    assert_eq!(res.status(), StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(
        res.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("../_/#/auth/oauth2-redirect-success")
    );
    let (name, data) = sse.expect_event("@oauth2 message").await;
    assert_eq!(name, "@oauth2");
    let code = data["code"].as_str().unwrap_or("").to_owned();
    assert_eq!(data, json!({"state": sse.client_id, "code": code}));
    let (status, body) = srv
        .req(
            Method::POST,
            "/api/collections/users/auth-with-oauth2",
            None,
            Some(json!({"provider": "oidc", "code": code, "codeVerifier": p["codeVerifier"], "redirectURL": redirect})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["record"]["email"], "ivan@example.test");
    // the subscription is gone: the same redirect again fails
    let res = no_redirects().get(&back).send().await.expect("redirect");
    assert_eq!(
        res.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("../_/#/auth/oauth2-redirect-failure")
    );
}

#[tokio::test]
async fn redirects_with_a_wrong_state_or_an_error_fail() {
    let Some(_issuer) = oidc() else { return };
    let srv = TestServer::start().await;
    let client = no_redirects();
    let location = |res: &reqwest::Response| {
        res.headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let failure = "../_/#/auth/oauth2-redirect-failure";
    for query in ["", "?state=not-a-client&code=x", "?code=x"] {
        let res = client
            .get(srv.url(&format!("/api/oauth2-redirect{query}")))
            .send()
            .await
            .expect("GET");
        assert_eq!(res.status(), StatusCode::TEMPORARY_REDIRECT, "{query}");
        assert_eq!(location(&res), failure, "{query}");
    }
    // a client that is connected but not waiting on @oauth2
    let mut sse = SseClient::connect(&srv).await;
    sse.subscribe_ok(&srv, None, &["users/*"]).await;
    let res = client
        .post(srv.url("/api/oauth2-redirect"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("state={}&code=abc", sse.client_id))
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), failure);
    sse.expect_none(std::time::Duration::from_millis(300), "no @oauth2 message")
        .await;
    // the provider's error reaches the waiting client, and the page is the failure one
    sse.subscribe_ok(&srv, None, &["@oauth2"]).await;
    let res = client
        .post(srv.url("/api/oauth2-redirect"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("state={}&error=access_denied", sse.client_id))
        .send()
        .await
        .expect("POST");
    assert_eq!(location(&res), failure);
    let (name, data) = sse.expect_event("@oauth2 error").await;
    assert_eq!(name, "@oauth2");
    assert_eq!(
        data,
        json!({"state": sse.client_id, "code": "", "error": "access_denied"})
    );
}

/// A P-256 key for the Apple client secret tests only (PKCS#8 PEM).
const TEST_EC_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgCaY1ZKdTSvC3h+Ml
LCnD73dsSrxdW0stS07p3jLwfqmhRANCAARomSrzHahNMRR9jGR5iUkIujKOBBw7
6OnXSwIlC05MRXquqVBkvPOFvGpIag6Ag4lCMlzwD5KaE8/Zn2uvT8Vw
-----END PRIVATE KEY-----";

/// Decodes unpadded base64url (a JWT segment).
fn b64url(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        _ => 63,
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes() {
        acc = (acc << 6) | u32::from(val(c));
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

#[tokio::test]
async fn apple_client_secrets_are_generated_for_superusers() {
    let srv = TestServer::start().await;
    let path = "/api/settings/apple/generate-client-secret";
    let (status, body) = srv.req(Method::POST, path, None, Some(json!({}))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, err_body(401, MSG_REQUIRES_AUTH));
    let (status, body) = srv.su(Method::POST, path, Some(json!({}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], "Invalid client secret data.");
    for key in ["clientId", "teamId", "keyId", "privateKey", "duration"] {
        assert_eq!(
            body["data"][key],
            field_err("validation_required", "Cannot be blank."),
            "{key}"
        );
    }
    let (_, body) = srv
        .su(
            Method::POST,
            path,
            Some(json!({"clientId": "c", "teamId": "123", "keyId": "12345678901", "privateKey": "nope", "duration": 99999999})),
        )
        .await;
    assert_eq!(
        body["data"]["teamId"],
        json!({"code": "validation_length_invalid", "message": "The length must be exactly 10.", "params": {"max": 10, "min": 10}})
    );
    assert_eq!(
        body["data"]["privateKey"],
        field_err("validation_match_invalid", "Must be in a valid format.")
    );
    assert_eq!(
        body["data"]["duration"],
        json!({"code": "validation_max_less_equal_than_required", "message": "Must be no greater than 15777000.", "params": {"threshold": 15777000}})
    );
    let (status, body) = srv
        .su(
            Method::POST,
            path,
            Some(json!({"clientId": "c", "teamId": "1234567890", "keyId": "1234567890", "privateKey": "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----", "duration": 100})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        err_body(
            400,
            "Failed to generate client secret. Raw error: \ninvalid key: Key must be a PEM encoded PKCS1 or PKCS8 key."
        )
    );
    let (status, body) = srv
        .su(
            Method::POST,
            path,
            Some(json!({"clientId": "com.example.web", "teamId": "TEAM123456", "keyId": "KEY1234567", "privateKey": TEST_EC_KEY, "duration": 3600})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let secret = body["secret"].as_str().unwrap_or("");
    let parts: Vec<&str> = secret.split('.').collect();
    assert_eq!(parts.len(), 3, "{secret}");
    let header: Value = serde_json::from_slice(&b64url(parts[0])).expect("header");
    assert_eq!(
        (&header["alg"], &header["kid"]),
        (&json!("ES256"), &json!("KEY1234567"))
    );
    let claims: Value = serde_json::from_slice(&b64url(parts[1])).expect("claims");
    assert_eq!(claims["iss"], "TEAM123456");
    assert_eq!(claims["sub"], "com.example.web");
    assert_eq!(claims["aud"], json!(["https://appleid.apple.com"]));
    assert_eq!(
        claims["exp"].as_i64().unwrap_or(0) - claims["iat"].as_i64().unwrap_or(0),
        3600
    );
    assert_eq!(b64url(parts[2]).len(), 64, "a P-256 signature (r || s)");
}
