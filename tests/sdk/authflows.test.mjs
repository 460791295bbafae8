// The auth flows through the official JS SDK against the server in $BASALT_BIN: OTP
// (`requestOTP`, `authWithOTP`), MFA (the 401's `response.mfaId`, then a second method with
// `{ mfaId }`), `impersonate` (a non-refreshable token) and the collection's `authRule`.
// The OTP mail is read from the SMTP catcher scripts/test.sh starts (scripts/mailcatcher.sh).
// The reference is PocketBase 0.40.6: every assertion holds against it.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import PocketBase, { ClientResponseError } from "pocketbase";
import { rejectsWith } from "./assertions.mjs";
import { requireBin, startServer, SUPERUSER_EMAIL, SUPERUSER_PASSWORD } from "./server.mjs";

requireBin();

const ID_RE = /^[a-z0-9]{15}$/;
const PASSWORD = "Passw0rd!1234";

let server;
/** @type {PocketBase} the superuser */
let su;

function client() {
  const pb = new PocketBase(server.url);
  pb.autoCancellation(false);
  return pb;
}

/** `superuser otp EMAIL` on the server's data dir: { otpId, password }. */
function cliOtp(email) {
  const out = execFileSync(requireBin(), ["superuser", "otp", email, "--dir", path.join(server.dir, "pb_data")], {
    encoding: "utf8",
  });
  // eslint-disable-next-line no-control-regex
  const plain = out.replace(/\x1b\[[0-9;]*m/g, "");
  const word = (label) => plain.split("\n").find((l) => l.includes(label)).trim().split(/\s+/).pop();
  return { otpId: word("Id:"), password: word("Pass:") };
}

/** JWT claims. */
function claims(token) {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));
}

describe("auth flows through the JS SDK", () => {
  before(async () => {
    server = await startServer();
    su = client();
    await su.collection("_superusers").authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD);
    await su.collection("users").create({ email: "sdk@example.com", password: PASSWORD, passwordConfirm: PASSWORD });
  });

  after(async () => {
    await server?.stop();
  });

  test("requestOTP answers the same shape for an unknown email; OTP off is 403", async () => {
    const guest = client();
    const off = await rejectsWith(guest.collection("users").requestOTP("sdk@example.com"), 403);
    assert.equal(off.response.message, "The collection is not configured to allow OTP authentication.");
    await su.collections.update("users", { otp: { enabled: true, duration: 180, length: 6 } });
    const res = await guest.collection("users").requestOTP("nobody@example.com");
    assert.deepEqual(Object.keys(res), ["otpId"]);
    assert.match(res.otpId, ID_RE);
    const bad = await rejectsWith(guest.collection("users").authWithOTP(res.otpId, "123456"), 400);
    assert.equal(bad.response.message, "Invalid or expired OTP.");
  });

  test("MFA: password answers 401 with mfaId, the OTP with that mfaId signs in", async () => {
    await su.collections.update("_superusers", { otp: { enabled: true, duration: 180, length: 8 } });
    const pb = client();
    let mfaId;
    await assert.rejects(pb.collection("_superusers").authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD), (e) => {
      assert.ok(e instanceof ClientResponseError);
      assert.equal(e.status, 401);
      mfaId = e.response.mfaId;
      return true;
    });
    assert.match(mfaId, ID_RE);
    assert.equal(pb.authStore.isValid, false);

    const same = await rejectsWith(
      pb.collection("_superusers").authWithPassword(SUPERUSER_EMAIL, SUPERUSER_PASSWORD, { mfaId }),
      400,
    );
    assert.equal(same.response.message, "A different authentication method is required.");

    const { otpId, password } = cliOtp(SUPERUSER_EMAIL);
    assert.match(password, /^[0-9]{8}$/);
    const auth = await pb.collection("_superusers").authWithOTP(otpId, password, { mfaId });
    assert.equal(auth.record.email, SUPERUSER_EMAIL);
    assert.equal(pb.authStore.isValid, true);
    assert.equal(pb.authStore.isSuperuser, true);
    const mfas = await su.collection("_mfas").getFullList();
    assert.equal(mfas.length, 0);
  });

  test("impersonate: a non-refreshable token of the given duration", async () => {
    const user = await su.collection("users").getFirstListItem('email = "sdk@example.com"');
    const imp = await su.collection("users").impersonate(user.id, 120);
    assert.equal(imp.authStore.record.id, user.id);
    const c = claims(imp.authStore.token);
    assert.equal(c.refreshable, false);
    assert.ok(Math.abs(c.exp - Math.floor(Date.now() / 1000) - 120) <= 5, JSON.stringify(c));
    const token = imp.authStore.token;
    const refreshed = await imp.collection("users").authRefresh();
    assert.equal(refreshed.token, token);
    const me = await imp.collection("users").getOne(user.id);
    assert.equal(me.email, "sdk@example.com");

    const guest = client();
    await rejectsWith(guest.collection("users").impersonate(user.id, 10), 401);
    await rejectsWith(imp.collection("users").impersonate(user.id, 10), 403);
  });

  test("requestOTP mails the OTP; authWithOTP signs in and verifies the email", async () => {
    const { BASALT_TEST_SMTP_HOST: host, BASALT_TEST_SMTP_PORT: port, BASALT_TEST_MAIL_API: api } = process.env;
    assert.ok(host && port && api, 'the SMTP catcher is not running: eval "$(bash scripts/mailcatcher.sh start)" first');
    await su.settings.update({ smtp: { enabled: true, host, port: Number(port), username: "", password: "", tls: false } });
    await su.collections.update("users", { otp: { enabled: true, duration: 180, length: 6 } });
    const email = `otp-${process.pid}-${Date.now()}@example.com`;
    await su.collection("users").create({ email, password: PASSWORD, passwordConfirm: PASSWORD });
    const pb = client();
    const { otpId } = await pb.collection("users").requestOTP(email);
    assert.match(otpId, ID_RE);
    const deadline = Date.now() + 15000;
    let mail;
    while (!mail) {
      const res = await fetch(`${api}/messages?to=${encodeURIComponent(email)}`);
      [mail] = await res.json();
      if (!mail) {
        assert.ok(Date.now() < deadline, `no OTP mail reached ${email}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    // The server marks the OTP as sent to the email (`sentTo`, which verifies it) right
    // after the SMTP delivery, as PocketBase does; give it that moment.
    await new Promise((r) => setTimeout(r, 300));
    const code = mail.html.match(/<strong>([0-9]+)<\/strong>/)?.[1];
    assert.match(code ?? "", /^[0-9]{6}$/, mail.html);
    const auth = await pb.collection("users").authWithOTP(otpId, code);
    assert.equal(auth.record.email, email);
    assert.equal(auth.record.verified, true);
    assert.equal(pb.authStore.isValid, true);
    await rejectsWith(pb.collection("users").authWithOTP(otpId, code), 400);
  });

  test("authRule: a record failing it gets 403", async () => {
    await su.collections.update("users", { authRule: "verified = true" });
    const pb = client();
    const err = await rejectsWith(pb.collection("users").authWithPassword("sdk@example.com", PASSWORD), 403);
    assert.equal(err.response.message, "The request doesn't satisfy the collection requirements to authenticate.");
    await su.collections.update("users", { authRule: "" });
    const ok = await pb.collection("users").authWithPassword("sdk@example.com", PASSWORD);
    assert.equal(ok.record.email, "sdk@example.com");
  });
});
