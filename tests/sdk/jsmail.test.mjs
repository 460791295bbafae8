// Mail and auth hooks of pb_hooks through the official JS SDK: onMailerRecordPasswordResetSend
// changing the reset mail a real SMTP server receives, onMailerRecordVerificationSend not
// calling e.next() (nothing is sent), a custom route sending with $app.newMailClient() and
// new MailerMessage (through onMailerSend, which adds a header), and onRecordAuthRequest
// adding `meta` to the auth answer or rejecting. The SMTP catcher is scripts/mailcatcher.sh
// (BASALT_TEST_SMTP_HOST, BASALT_TEST_SMTP_PORT, BASALT_TEST_MAIL_API). The same hooks file
// passes against PocketBase 0.40.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import PocketBase from "pocketbase";
import { rejectsWith } from "./assertions.mjs";
import { requireBin, startServer, SUPERUSER_EMAIL, SUPERUSER_PASSWORD } from "./server.mjs";
import { address, catcher, messagesTo, sleep, waitMail } from "./mailcatcher.mjs";

requireBin();

const PASSWORD = "Passw0rd!1234";

const HOOKS = `onMailerRecordPasswordResetSend((e) => {
  e.message.subject = "[js] " + e.message.subject + " for " + e.record.email();
  e.message.html += "<p>token length " + String(e.meta.token).length + "</p>";
  e.next();
}, "users");

onMailerRecordVerificationSend((e) => {
  if (e.record.email().startsWith("silent-")) return; // no e.next(): nothing is sent
  e.next();
});

onMailerSend((e) => {
  if (e.message.subject.startsWith("Hello from JS")) {
    e.message.headers["X-Js-Hook"] = "onMailerSend";
  }
  e.next();
});

routerAdd("POST", "/send-mail", (e) => {
  const body = e.requestInfo().body;
  const meta = $app.settings().meta;
  const message = new MailerMessage({
    from: { address: meta.senderAddress, name: meta.senderName },
    to: [{ address: body.to }],
    subject: "Hello from JS",
    html: "<p>Hi " + body.to + "</p>",
    text: "Hi",
    headers: {},
  });
  $app.newMailClient().send(message);
  return e.json(200, { sent: true });
});

onRecordAuthRequest((e) => {
  if (e.record.email().startsWith("blocked-")) {
    throw new ForbiddenError("Blocked by a hook.");
  }
  e.meta = { js: true, method: e.authMethod };
  e.next();
}, "users");
`;

let server;
/** @type {PocketBase} */
let su;

function client() {
  const pb = new PocketBase(server.url);
  pb.autoCancellation(false);
  return pb;
}

async function newUser(label) {
  const email = address(label);
  await client()
    .collection("users")
    .create({ email, password: PASSWORD, passwordConfirm: PASSWORD });
  return email;
}

describe("JS mail and auth hooks through the JS SDK", () => {
  before(async () => {
    server = await startServer({ files: { "pb_hooks/mail.pb.js": HOOKS } });
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

  test("onMailerRecordPasswordResetSend changes the reset mail", async () => {
    const email = await newUser("jsreset");
    assert.equal(await client().collection("users").requestPasswordReset(email), true);
    const m = await waitMail(email);
    assert.equal(m.subject, `[js] Reset your Acme password for ${email}`);
    assert.deepEqual(m.from, { address: "noreply@acme.test", name: "Acme Support" });
    assert.match(m.html, /\/confirm-password-reset\/[A-Za-z0-9._-]+/);
    assert.match(m.html, /<p>token length \d{2,}<\/p>/);
  });

  test("onMailerRecordVerificationSend without e.next() sends nothing", async () => {
    const silent = await newUser("silent");
    const loud = await newUser("loud");
    assert.equal(await client().collection("users").requestVerification(silent), true);
    assert.equal(await client().collection("users").requestVerification(loud), true);
    const m = await waitMail(loud);
    assert.equal(m.subject, "Verify your Acme email");
    await sleep(500);
    assert.deepEqual(await messagesTo(silent), []);
  });

  test("$app.newMailClient().send(new MailerMessage(...)) from a route", async () => {
    const to = address("jsroute");
    const res = await client().send("/send-mail", { method: "POST", body: { to } });
    assert.deepEqual(res, { sent: true });
    const m = await waitMail(to);
    assert.equal(m.subject, "Hello from JS");
    assert.deepEqual(m.from, { address: "noreply@acme.test", name: "Acme Support" });
    assert.equal(m.html, `<p>Hi ${to}</p>`);
    assert.equal(m.text.trim(), "Hi");
    assert.equal(m.headers["x-js-hook"], "onMailerSend");
  });

  test("onRecordAuthRequest adds meta to the auth answer", async () => {
    const email = await newUser("jsauth");
    const auth = await client().collection("users").authWithPassword(email, PASSWORD);
    assert.equal(auth.record.email, email);
    assert.ok(auth.token.length > 20);
    assert.deepEqual(auth.meta, { js: true, method: "password" });
  });

  test("onRecordAuthRequest rejects", async () => {
    const email = await newUser("blocked");
    const err = await rejectsWith(
      client().collection("users").authWithPassword(email, PASSWORD),
      403,
    );
    assert.equal(err.response.message, "Blocked by a hook.");
  });
});
