// Assertions the SDK suites share.
import assert from "node:assert/strict";
import { ClientResponseError } from "pocketbase";

/** Awaits `promise`, asserts it rejects with a ClientResponseError of `status`, returns the error. */
export async function rejectsWith(promise, status) {
  let err;
  await assert.rejects(promise, (e) => {
    err = e;
    return true;
  });
  assert.ok(err instanceof ClientResponseError, `expected ClientResponseError, got ${err}`);
  assert.equal(err.status, status, `expected status ${status}, got ${err.status}: ${JSON.stringify(err.response)}`);
  assert.equal(err.response.status, status);
  assert.equal(typeof err.response.message, "string");
  assert.ok(err.response.message.length > 0);
  assert.deepEqual(typeof err.response.data, "object");
  return err;
}
