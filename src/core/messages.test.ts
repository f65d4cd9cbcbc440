import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AIMessageChunk as LangChainAIMessageChunk,
  AIMessage as LangChainAIMessage,
  HumanMessage as LangChainHumanMessage,
  SystemMessage as LangChainSystemMessage,
  ToolMessage as LangChainToolMessage,
  coerceMessageLikeToMessage,
} from "@langchain/core/messages";
import { WeftError } from "../errors.js";
import { AIMessage, AIMessageChunk, HumanMessage, SystemMessage, ToolMessage } from "./messages.js";

function refused(make: () => unknown, pattern: RegExp) {
  assert.throws(make, (error: unknown) => {
    assert.ok(WeftError.isInstance(error), String(error));
    assert.equal(error.code, "INVALID_MESSAGES");
    assert.match(error.message, pattern);
    return true;
  });
}

describe("LangChain reads Weft messages (coerceMessageLikeToMessage, as every LangChain chat model does)", () => {
  it("gives the LangChain message of the same kind with tool calls, tool call id, name, status and content blocks", () => {
    const calls = [{ id: "call_1", name: "get_weather", args: { city: "Paris" } }];
    const image = { type: "image" as const, url: "https://example.com/cat.png" };
    const cases: Array<[unknown, unknown]> = [
      [new SystemMessage("Be brief."), new LangChainSystemMessage({ content: "Be brief." })],
      [new HumanMessage([{ type: "text", text: "What is this?" }, image], { id: "h1" }), new LangChainHumanMessage({ content: [{ type: "text", text: "What is this?" }, image], id: "h1" })],
      [new AIMessage("Let me check.", { id: "a1", toolCalls: calls }), new LangChainAIMessage({ content: "Let me check.", id: "a1", tool_calls: calls })],
      [
        new ToolMessage("Sunny", "call_1", { name: "get_weather", id: "t1", status: "error", artifact: { raw: 1 } }),
        new LangChainToolMessage({ content: "Sunny", tool_call_id: "call_1", name: "get_weather", id: "t1", status: "error", artifact: { raw: 1 } }),
      ],
    ];
    for (const [weft, langChain] of cases) {
      const read = coerceMessageLikeToMessage(weft as never);
      const expected = langChain as { type: string; content: unknown; id?: string; name?: string; tool_calls?: unknown };
      assert.equal(read.type, expected.type);
      assert.deepEqual(read.content, expected.content);
      assert.equal(read.id, expected.id);
      assert.equal(read.name, expected.name);
      if (expected.type === "ai") assert.deepEqual((read as LangChainAIMessage).tool_calls, expected.tool_calls);
      if (expected.type === "tool") {
        const [got, want] = [read as unknown as LangChainToolMessage, langChain as LangChainToolMessage];
        assert.deepEqual([got.tool_call_id, got.status, got.artifact], [want.tool_call_id, want.status, want.artifact]);
      }
    }
  });

  it("the camelCase names are the same values as the own snake_case fields, both ways", () => {
    const message = new AIMessage("", { toolCalls: [{ id: "c1", name: "f", args: {} }], additionalKwargs: { a: 1 }, responseMetadata: { model: "m" } });
    assert.equal(message.toolCalls, message.tool_calls);
    assert.equal(message.additionalKwargs, message.additional_kwargs);
    assert.equal(message.responseMetadata, message.response_metadata);
    message.toolCalls = [];
    assert.deepEqual(message.tool_calls, []);
    const answer = new ToolMessage("x", "c1");
    answer.toolCallId = "c2";
    assert.deepEqual([answer.tool_call_id, { ...answer }.tool_call_id], ["c2", "c2"]);
  });
});

describe("AIMessageChunk as LangChain.js 1.x names it", () => {
  it("type is \"ai\" like LangChain's chunk; tool_call_chunks and usage_metadata read as there; the wire form says AIMessageChunk", () => {
    const fragment = { index: 0, id: "c1", name: "f", args: "{" };
    const chunk = new AIMessageChunk("", "run-1", [fragment], { inputTokens: 3, outputTokens: 4, totalTokens: 7 });
    const langChain = new LangChainAIMessageChunk({
      content: "",
      tool_call_chunks: [{ ...fragment, type: "tool_call_chunk" }],
      usage_metadata: { input_tokens: 3, output_tokens: 4, total_tokens: 7 },
    });
    assert.equal(chunk.type, langChain.type);
    assert.equal(chunk.type, "ai");
    assert.deepEqual(chunk.tool_call_chunks, [fragment]);
    assert.equal(chunk.tool_call_chunks, chunk.toolCallChunks);
    assert.deepEqual(chunk.usage_metadata, langChain.usage_metadata);
    assert.equal(new AIMessageChunk("x", "run-1").usage_metadata, undefined);
    assert.equal(chunk.toJSON().type, "AIMessageChunk");
    // Aliases live on the prototype: a chunk made per token has only its own few fields.
    assert.deepEqual(Object.keys(new AIMessageChunk("x", "run-1")), ["role", "content", "id", "toolCallChunks", "usage", "reasoning"]);
  });
});

describe("message constructors check their content", () => {
  it("positional content that is not a string or content blocks is an INVALID_MESSAGES error naming the constructor", () => {
    refused(() => new HumanMessage(42 as never), /new HumanMessage\(\) has content 42; content must be a string or an array of content blocks/);
    refused(() => new SystemMessage(undefined as never), /new SystemMessage\(\) has content undefined/);
    refused(() => new ToolMessage(null as never, "c1"), /new ToolMessage\(\) has content null/);
    refused(() => new AIMessage(7 as never), /new AIMessage\(\) has content 7/);
  });

  it("a base64 image block without a mime type is refused (it would be sent as data:undefined)", () => {
    refused(() => new HumanMessage([{ type: "image", data: "AAAA" }]), /new HumanMessage\(\), content block 0, is a base64 image block without `mimeType`/);
    refused(() => new HumanMessage({ content: [{ type: "image" } as never] }), /content block 0, is an image block with neither `url` nor base64 `data`/);
    refused(() => new AIMessage([{ type: "tool_use" } as never] as never), /new AIMessage\(\), content block 0, has type "tool_use"/);
  });

  it("valid content is kept as given", () => {
    const blocks = [{ type: "text" as const, text: "Look:" }, { type: "image" as const, data: "AAAA", mimeType: "image/png" }];
    assert.deepEqual(new HumanMessage(blocks).content, blocks);
    assert.equal(new AIMessage([{ type: "text", text: "a" }, { type: "text", text: "b" }] as never).content, "ab");
  });
});
