// The mail flows through the official JS SDK: requestVerification / confirmVerification,
// requestPasswordReset / confirmPasswordReset then a login with the new password, and
// requestEmailChange / confirmEmailChange, each following the token of the mail a real SMTP
// server received (scripts/mailcatcher.sh; BASALT_TEST_SMTP_HOST, BASALT_TEST_SMTP_PORT and
// BASALT_TEST_MAIL_API name it). Every assertion holds against PocketBase 0.40.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import PocketBase from "pocketbase";
import { rejectsWith } from "./assertions.mjs";
import { requireBin, startServer, SUPERUSER_EMAIL, SUPERUSER_PASSWORD } from "./server.mjs";
import { address, catcher, messagesTo, waitMail } from "./mailcatcher.mjs";

requireBin();

const PASSWORD = "Passw0rd!1234";
const NEW_PASSWORD = "N3w-Passw0rd!";

let server;
/** @type {PocketBase} */
let su;

function client() {
  const pb = new PocketBase(server.url);
  pb.autoCancellation(false);
  return pb;
}

/** The token of the link to `/{path}/` in a mail's HTML. */
function tokenIn(html, path) {
  const m = html.match(new RegExp(`/${path}/([A-Za-z0-9._-]+)`));
  assert.ok(m, `no ${path} link in ${html}`);
  return m[1];
}

/** A new user of `users` (unverified). */
async function newUser(label) {
  const email = address(label);
  const record = await client()
    .collection("users")
    .create({ email, password: PASSWORD, passwordConfirm: PASSWORD });
  return { email, record };
}

describe("mail flows through the JS SDK", () => {
  before(async () => {
    server = await startServer();
    su = client();
    await su.collection("_superusers").authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
    const { host, port } = catcher();
    await su.settings.update({
      smtp: { enabled: true, host, port, username: "", password: "", tls: false },
      meta: {
        appName: "Acme",
        appURL: "https://acme.test",
        senderName: "Acme Support",
        senderAddress: "noreply@acme.test",
      },
    });
  });

  after(async () => {
    await server?.stop();
  });

  test("settings.testEmail sends the chosen template", async () => {
    const to = address("sdk-test");
    assert.equal(await su.settings.testEmail("users", to, "password-reset"), true);
    const m = await waitMail(to);
    assert.equal(m.subject, "Reset your Acme password");
    assert.deepEqual(m.from, { address: "noreply@acme.test", name: "Acme Support" });
    const err = await rejectsWith(su.settings.testEmail("users", "nope", "welcome"), 400);
    assert.deepEqual(Object.keys(err.response.data).sort(), ["email", "template"]);
  });

  test("requestVerification + confirmVerification", async () => {
    const { email, record } = await newUser("sdk-verify");
    assert.equal(record.verified, false);
    const pb = client();
    assert.equal(await pb.collection("users").requestVerification(email), true);
    const m = await waitMail(email);
    assert.equal(m.subject, "Verify your Acme email");
    const token = tokenIn(m.html, "confirm-verification");

    await rejectsWith(pb.collection("users").confirmVerification(`${token}x`), 400);
    assert.equal(await pb.collection("users").confirmVerification(token), true);

    const auth = await pb.collection("users").authWithPassword(email, PASSWORD);
    assert.equal(auth.record.verified, true);
    // unknown emails get the same answer
    assert.equal(await pb.collection("users").requestVerification(address("sdk-none")), true);
  });

  test("requestPasswordReset + confirmPasswordReset, then the new password", async () => {
    const { email } = await newUser("sdk-reset");
    const pb = client();
    const before = await pb.collection("users").authWithPassword(email, PASSWORD);
    const oldToken = before.token;

    assert.equal(await pb.collection("users").requestPasswordReset(email), true);
    const m = await waitMail(email);
    assert.equal(m.subject, "Reset your Acme password");
    const token = tokenIn(m.html, "confirm-password-reset");

    const mismatch = await rejectsWith(
      pb.collection("users").confirmPasswordReset(token, NEW_PASSWORD, "different"),
      400,
    );
    assert.equal(mismatch.response.data.passwordConfirm.code, "validation_values_mismatch");
    assert.equal(
      await pb.collection("users").confirmPasswordReset(token, NEW_PASSWORD, NEW_PASSWORD),
      true,
    );

    const fresh = client();
    const auth = await fresh.collection("users").authWithPassword(email, NEW_PASSWORD);
    assert.equal(auth.record.email, email);
    assert.equal(auth.record.verified, true);
    await rejectsWith(client().collection("users").authWithPassword(email, PASSWORD), 400);

    // the token from before the reset no longer works
    const stale = client();
    stale.authStore.save(oldToken, before.record);
    await rejectsWith(stale.collection("users").authRefresh(), 401);
  });

  test("requestEmailChange + confirmEmailChange, then the new email", async () => {
    const { email } = await newUser("sdk-change-old");
    const newEmail = address("sdk-change-new");
    const pb = client();
    await pb.collection("users").authWithPassword(email, PASSWORD);

    await rejectsWith(client().collection("users").requestEmailChange(newEmail), 401);
    assert.equal(await pb.collection("users").requestEmailChange(newEmail), true);
    const m = await waitMail(newEmail);
    assert.equal(m.subject, "Confirm your Acme new email address");
    assert.deepEqual(await messagesTo(email), []);
    const token = tokenIn(m.html, "confirm-email-change");

    const wrong = await rejectsWith(pb.collection("users").confirmEmailChange(token, "wrong"), 400);
    assert.equal(wrong.response.data.password.code, "validation_invalid_password");
    assert.equal(await pb.collection("users").confirmEmailChange(token, PASSWORD), true);
    assert.equal(pb.authStore.isValid, false, "the SDK signs the changed record out");

    const auth = await client().collection("users").authWithPassword(newEmail, PASSWORD);
    assert.equal(auth.record.email, newEmail);
    assert.equal(auth.record.verified, true);
    await rejectsWith(client().collection("users").authWithPassword(email, PASSWORD), 400);
  });
});
