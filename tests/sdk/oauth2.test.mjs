// OAuth2 through the official JS SDK against the server in $BASALT_BIN and the real OpenID
// provider in $BASALT_TEST_OIDC (scripts/oidc.sh): `authWithOAuth2Code` and the realtime
// `authWithOAuth2({provider, urlCallback})` flow, whose urlCallback drives the provider's
// sign-in and follows its redirect to the server's /api/oauth2-redirect. Every assertion
// holds against the real PocketBase too.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { EventSource } from "eventsource";
import PocketBase from "pocketbase";
import { requireBin, startServer, SUPERUSER_EMAIL, SUPERUSER_PASSWORD } from "./server.mjs";

// Node 20 has no EventSource; the SDK uses the global one.
globalThis.EventSource = EventSource;
requireBin();

const OIDC = process.env.BASALT_TEST_OIDC;
if (!OIDC && process.env.BASALT_REQUIRE_OIDC) {
  throw new Error("BASALT_REQUIRE_OIDC is set but BASALT_TEST_OIDC is not (scripts/oidc.sh starts one)");
}
const REDIRECT = "http://127.0.0.1/callback";

let server;
/** @type {PocketBase} */
let su;
const clients = [];

function client() {
  const pb = new PocketBase(server.url);
  pb.autoCancellation(false);
  clients.push(pb);
  return pb;
}

/** Signs `login` in at the provider from `url`; returns where the provider redirects back. */
async function providerSignIn(url, login) {
  const res = await fetch(`${OIDC}/test/login?url=${encodeURIComponent(`${url}&login_hint=${login}`)}`);
  assert.equal(res.status, 200, await res.clone().text());
  return new URL((await res.json()).location);
}

describe("OAuth2 through the JS SDK", { skip: OIDC ? false : "BASALT_TEST_OIDC unset" }, () => {
  before(async () => {
    server = await startServer();
    su = client();
    await su.collection("_superusers").authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
    const users = await su.collections.getOne("users");
    await su.collections.update("users", {
      fields: [...users.fields, { name: "handle", type: "text" }],
      oauth2: {
        enabled: true,
        mappedFields: { name: "name", username: "handle" },
        providers: [
          {
            name: "oidc",
            clientId: "basalt",
            clientSecret: "basalt-secret",
            authURL: `${OIDC}/auth`,
            tokenURL: `${OIDC}/token`,
            userInfoURL: `${OIDC}/me`,
            displayName: "Test OIDC",
          },
        ],
      },
    });
  });

  after(async () => {
    for (const pb of clients) pb.realtime.unsubscribe().catch(() => {});
    await server?.stop();
  });

  test("listAuthMethods shows the provider with its PKCE values", async () => {
    const methods = await client().collection("users").listAuthMethods();
    assert.equal(methods.oauth2.enabled, true);
    const [p] = methods.oauth2.providers;
    assert.equal(p.name, "oidc");
    assert.equal(p.displayName, "Test OIDC");
    assert.equal(p.codeChallengeMethod, "S256");
    assert.equal(p.codeVerifier.length, 43);
    assert.ok(p.authURL.startsWith(`${OIDC}/auth?client_id=basalt&`), p.authURL);
    assert.ok(p.authURL.endsWith("&redirect_uri="), p.authURL);
    const su2 = await su.collections.getOne("users");
    assert.equal(su2.oauth2.providers[0].clientSecret, undefined);
  });

  test("authWithOAuth2Code creates the user, then signs it in again", async () => {
    const pb = client();
    const signIn = async () => {
      const { oauth2 } = await pb.collection("users").listAuthMethods();
      const p = oauth2.providers[0];
      const back = await providerSignIn(p.authURL + encodeURIComponent(REDIRECT), "lena");
      assert.equal(back.searchParams.get("state"), p.state);
      return pb
        .collection("users")
        .authWithOAuth2Code("oidc", back.searchParams.get("code"), p.codeVerifier, REDIRECT, {
          emailVisibility: true,
        });
    };
    const first = await signIn();
    assert.equal(first.meta.isNew, true);
    assert.equal(first.meta.email, "lena@example.test");
    assert.equal(first.meta.username, "lena");
    assert.equal(first.record.email, "lena@example.test");
    assert.equal(first.record.name, "User lena");
    assert.equal(first.record.handle, "lena");
    assert.equal(first.record.verified, true);
    assert.equal(first.record.emailVisibility, true);
    assert.ok(pb.authStore.isValid);
    assert.equal(pb.authStore.record.id, first.record.id);
    const again = await signIn();
    assert.equal(again.meta.isNew, false);
    assert.equal(again.record.id, first.record.id);
    const links = await su.collection("_externalAuths").getFullList({ filter: `recordRef = "${first.record.id}"` });
    assert.deepEqual(
      links.map((l) => [l.provider, l.providerId]),
      [["oidc", "lena"]],
    );
  });

  test("a wrong code verifier is a 400 and signs nobody in", async () => {
    const pb = client();
    const { oauth2 } = await pb.collection("users").listAuthMethods();
    const p = oauth2.providers[0];
    const back = await providerSignIn(p.authURL + encodeURIComponent(REDIRECT), "otto");
    const before = (await su.collection("users").getList(1, 1)).totalItems;
    await assert.rejects(
      pb.collection("users").authWithOAuth2Code("oidc", back.searchParams.get("code"), "x".repeat(43), REDIRECT),
      (err) => {
        assert.equal(err.status, 400);
        assert.equal(err.response.message, "Failed to fetch OAuth2 token.");
        return true;
      },
    );
    assert.equal(pb.authStore.isValid, false);
    assert.equal((await su.collection("users").getList(1, 1)).totalItems, before);
  });

  test("authWithOAuth2 over realtime: the urlCallback signs in at the provider", async () => {
    const pb = client();
    const redirects = [];
    const result = await pb.collection("users").authWithOAuth2({
      provider: "oidc",
      createData: { name: "Realtime Mia" },
      urlCallback: async (url) => {
        const back = await providerSignIn(url, "mia");
        assert.equal(back.origin + back.pathname, `${server.url}/api/oauth2-redirect`);
        const res = await fetch(back, { redirect: "manual" });
        redirects.push([res.status, res.headers.get("location")]);
      },
    });
    assert.deepEqual(redirects, [[307, "../_/#/auth/oauth2-redirect-success"]]);
    assert.equal(result.meta.isNew, true);
    assert.equal(result.record.email, "mia@example.test");
    assert.equal(result.record.name, "Realtime Mia");
    assert.ok(pb.authStore.isValid);
  });

  test("a provider error reaches authWithOAuth2 as a rejection", async () => {
    const pb = client();
    await assert.rejects(
      pb.collection("users").authWithOAuth2({
        provider: "oidc",
        urlCallback: async (url) => {
          const state = new URL(url).searchParams.get("state");
          const res = await fetch(`${server.url}/api/oauth2-redirect?state=${state}&error=access_denied`, {
            redirect: "manual",
          });
          assert.equal(res.headers.get("location"), "../_/#/auth/oauth2-redirect-failure");
        },
      }),
      (err) => {
        assert.match(String(err.originalError?.message), /OAuth2 redirect error or missing code: access_denied/);
        return true;
      },
    );
    assert.equal(pb.authStore.isValid, false);
  });
});
