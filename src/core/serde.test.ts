import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AIMessageChunk as LangChainAIMessageChunk } from "@langchain/core/messages";
import { WeftError } from "../errors.js";
import { Send } from "./send.js";
import { AIMessage, AIMessageChunk, SystemMessage, ToolMessage } from "./messages.js";
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
    assert.equal((restored[2] as AIMessageChunk).type, "ai");
    assert.ok(restored[3] instanceof Send);
  });

  it("keeps a LangChain message (a LangChain model's answer a node returned) as the Weft message the reducer makes of it", () => {
    const answer = new LangChainAIMessageChunk({ content: "hi", id: "msg_1", tool_calls: [{ id: "c1", name: "f", args: { a: 1 }, type: "tool_call" }] });
    const [restored] = roundTrip([answer]) as [AIMessage];
    assert.ok(restored instanceof AIMessage);
    assert.deepEqual([restored.id, restored.content, restored.toolCalls], ["msg_1", "hi", [{ id: "c1", name: "f", args: { a: 1 } }]]);
  });

  it("reads messages saved before their LangChain-named fields (toolCalls, toolCallId, responseMetadata as own keys)", () => {
    const calls = [{ id: "c1", name: "f", args: { a: 1 } }];
    const saved = JSON.stringify([
      { __weft: "message", c: "AIMessage", v: { role: "assistant", content: "", id: "m1", toolCalls: calls, responseMetadata: { model: "x" } } },
      { __weft: "message", c: "ToolMessage", v: { role: "tool", content: "1", id: "m2", toolCalls: [], toolCallId: "c1", status: "success" } },
    ]);
    const [ai, answer] = jsonSerde.parse(saved) as [AIMessage, ToolMessage];
    assert.ok(ai instanceof AIMessage && answer instanceof ToolMessage);
    assert.deepEqual(ai.toJSON(), new AIMessage("", { id: "m1", toolCalls: calls, responseMetadata: { model: "x" } }).toJSON());
    assert.deepEqual([ai.tool_calls, ai.toolCalls, ai.response_metadata], [calls, calls, { model: "x" }]);
    assert.deepEqual([answer.tool_call_id, answer.toolCallId, Object.keys(answer).includes("toolCallId")], ["c1", "c1", false]);
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
