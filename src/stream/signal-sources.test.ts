import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sourceSignalsOf } from "./signal-sources.js";

describe("sourceSignalsOf", () => {
  it("gives the signals AbortSignal.any() follows, so a caller can hold them", () => {
    const controller = new AbortController();
    const timeout = AbortSignal.timeout(60_000);
    const held = sourceSignalsOf(AbortSignal.any([controller.signal, timeout]));
    assert.equal(held.length, 2);
    assert.ok(held.includes(controller.signal) && held.includes(timeout));
  });

  it("gives nothing for a plain or aborted signal, or for anything else", () => {
    assert.deepEqual(sourceSignalsOf(new AbortController().signal), []);
    assert.deepEqual(sourceSignalsOf(AbortSignal.abort()), []);
    assert.deepEqual(sourceSignalsOf(AbortSignal.any([AbortSignal.abort()])), []);
    assert.deepEqual(sourceSignalsOf(undefined), []);
    assert.deepEqual(sourceSignalsOf({ aborted: false }), []);
  });
});
