import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { WeftError } from "../errors.js";
import { Send } from "./send.js";
import { AIMessageChunk, SystemMessage, ToolMessage } from "./messages.js";
import { jsonSerde } from "./serde.js";

const roundTrip = (value: unknown) => jsonSerde.parse(jsonSerde.stringify(value));

function failsAt(value: unknown, path: RegExp) {
  assert.throws(() => jsonSerde.stringify(value, "state"), (error: unknown) => {
    assert.ok(WeftError.isInstance(error));
    assert.equal(error.code, "SERIALIZATION");
    assert.match(error.message, path);
    return true;
  });
}

describe("jsonSerde", () => {
  it("restores message classes, chunks and Sends", () => {
    const chunk = new AIMessageChunk("tok", "run-1", [{ index: 0, id: "c1", name: "f", args: "{" }]);
    const values = [new SystemMessage("be brief"), new ToolMessage("42", "call_1"), chunk, new Send("write", { topic: "cats" })];
    const restored = roundTrip(values) as unknown[];
    assert.deepEqual(restored, values);
    assert.ok(restored[0] instanceof SystemMessage);
    assert.equal((restored[1] as ToolMessage).toolCallId, "call_1");
    assert.ok(restored[2] instanceof AIMessageChunk);
    assert.equal((restored[2] as AIMessageChunk).type, "AIMessageChunk");
    assert.ok(restored[3] instanceof Send);
  });

  it("keeps -0, NaN, infinities, sparse undefined and objects that use the tag key", () => {
    const value = { list: [Number.NaN, Infinity, -Infinity, undefined], __weft: { __weft: 1 }, nothing: undefined };
    assert.deepEqual(roundTrip(value), value);
  });

  it("names the path of what it cannot keep", () => {
    failsAt({ a: { b: [1, () => 2] } }, /state\.a\.b\[1\].*a function/);
    failsAt({ when: new (class Custom {})() }, /state\.when.*class Custom/);
    failsAt({ map: new Map([["k", Symbol("s")]]) }, /state\.map.*a symbol/);
    const cycle: unknown[] = [];
    cycle.push(cycle);
    failsAt({ cycle }, /state\.cycle\[0\].*cycle/);
  });

  it("allows the same object twice when it is not a cycle", () => {
    const shared = { x: 1 };
    assert.deepEqual(roundTrip({ a: shared, b: shared }), { a: { x: 1 }, b: { x: 1 } });
  });

  it("refuses tags it does not know", () => {
    assert.throws(() => jsonSerde.parse('{"__weft":"Future"}'), { code: "SERIALIZATION" });
  });
});
