import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AIMessageChunk } from "../core/messages.js";
import { eventDataJson } from "./event-json.js";
import { messageChunkJson, messageChunkToWire, wireEventOf } from "./wire-format.js";

describe("wire format of message chunks", () => {
  const chunks = (): AIMessageChunk[] => {
    const reasoning = new AIMessageChunk("", "run-1");
    reasoning.reasoning = "think \"hard\"";
    return [
      new AIMessageChunk("plain", "run-1"),
      new AIMessageChunk("quotes \" and \\ backslash\nnew line \u2028 and 🌧️ 雨", "id-\"odd\""),
      new AIMessageChunk("", "run-2"),
      new AIMessageChunk("", "run-3", [{ index: 0, id: "call_1", name: "get_weather", args: '{"city":' }]),
      new AIMessageChunk("", "run-4", undefined, { inputTokens: 3, outputTokens: 5, totalTokens: 8 }),
      reasoning,
    ];
  };

  it("messageChunkJson is exactly JSON.stringify of the wire object, for every kind of chunk", () => {
    for (const chunk of chunks()) assert.equal(messageChunkJson(chunk), JSON.stringify(messageChunkToWire(chunk)), JSON.stringify(chunk));
  });

  it("a messages event carries its data's JSON, equal to serializing its data, and its data on demand", () => {
    const metadata = { langgraph_node: "agent", tags: ["joke"], ls_provider: "fake" };
    for (const chunk of chunks()) {
      const wire = wireEventOf(["messages", [chunk, metadata]], { subgraphs: false, routeMessagesByTag: true, runTags: [] });
      assert.equal(wire.event, "messages|joke");
      assert.equal(wire.json, eventDataJson(wire.event, wire.data));
      assert.deepEqual(wire.data, [messageChunkToWire(chunk), metadata]);
    }
  });
});
