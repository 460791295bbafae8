// The SMTP catcher the mail suites read (scripts/mailcatcher.sh; BASALT_TEST_SMTP_HOST,
// BASALT_TEST_SMTP_PORT and BASALT_TEST_MAIL_API name it): where it is, fresh addresses, and
// the messages it received.
import assert from "node:assert/strict";

/** The running catcher: its SMTP host and port and its HTTP API. */
export function catcher() {
  const { BASALT_TEST_SMTP_HOST: host, BASALT_TEST_SMTP_PORT: port, BASALT_TEST_MAIL_API: api } =
    process.env;
  if (!host || !port || !api) {
    throw new Error(
      'the SMTP catcher is not running: eval "$(bash scripts/mailcatcher.sh start)" first',
    );
  }
  return { host, port: Number(port), api };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let n = 0;
/** A fresh address (the catcher is shared). */
export const address = (label) => `${label}-${process.pid}-${Date.now()}-${n++}@example.com`;

/** The messages the catcher received for `to`. */
export async function messagesTo(to) {
  const res = await fetch(`${catcher().api}/messages?to=${encodeURIComponent(to)}`);
  return res.json();
}

/** The first message for `to`, waiting up to 15 s. */
export async function waitMail(to) {
  const deadline = Date.now() + 15000;
  for (;;) {
    const [first] = await messagesTo(to);
    if (first) return first;
    assert.ok(Date.now() < deadline, `no mail reached ${to}`);
    await sleep(100);
  }
}
