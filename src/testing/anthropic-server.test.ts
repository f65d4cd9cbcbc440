// The Anthropic test server itself: its event stream and error JSON, checked on the wire.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startAnthropicServer } from "./anthropic-server.js";

async function post(url: string, body: unknown) {
  const response = await fetch(`${url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const ASK = { model: "claude-test", max_tokens: 100, messages: [{ role: "user", content: "say hi" }] };

describe("startAnthropicServer", () => {
  it("streams Anthropic's events: message_start, ping, thinking, text and tool_use blocks, message_delta, message_stop", async () => {
    const server = await startAnthropicServer({
      responses: [{ thinking: ["Hm."], signature: "sig", text: ["Hi", "!"], toolUses: [{ id: "toolu_1", name: "lookup", input: ['{"q":', '"x"}'] }] }],
    });
    try {
      const { status, headers, text } = await post(server.url, { ...ASK, stream: true });
      assert.equal(status, 200);
      assert.equal(headers.get("content-type"), "text/event-stream");
      assert.equal(headers.get("request-id"), "req_test_0");
      const events = text.split("\n\n").filter((event) => event !== "").map((event) => {
        const [name, data] = event.split("\n");
        const parsed = JSON.parse(data!.slice("data: ".length));
        assert.equal(name, `event: ${parsed.type}`);
        return parsed;
      });
      assert.deepEqual(events, [
        {
          type: "message_start",
          message: {
            id: "msg_test_0",
            type: "message",
            role: "assistant",
            model: "claude-test",
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 2, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 },
          },
        },
        { type: "ping" },
        { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } },
        { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "Hm." } },
        { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "sig" } },
        { type: "content_block_stop", index: 0 },
        { type: "content_block_start", index: 1, content_block: { type: "text", text: "" } },
        { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "Hi" } },
        { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "!" } },
        { type: "content_block_stop", index: 1 },
        { type: "content_block_start", index: 2, content_block: { type: "tool_use", id: "toolu_1", name: "lookup", input: {} } },
        { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: '{"q":' } },
        { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: '"x"}' } },
        { type: "content_block_stop", index: 2 },
        { type: "message_delta", delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 6 } },
        { type: "message_stop" },
      ]);
      assert.deepEqual(await server.requests[0]!.closed.then(({ completed, chunksSent }) => ({ completed, chunksSent })), { completed: true, chunksSent: 6 });
    } finally {
      await server.close();
    }
  });

  it("answers stream: false with one message; errors with Anthropic's error JSON and Retry-After; echoes by default", async () => {
    const scripted = await startAnthropicServer({ responses: [{ text: ["Hello", " there"] }, { status: 529, retryAfterSeconds: 2 }, { status: 429, errorMessage: "Slow down" }] });
    const echo = await startAnthropicServer();
    try {
      const whole = await post(scripted.url, ASK);
      assert.deepEqual(JSON.parse(whole.text), {
        id: "msg_test_0",
        type: "message",
        role: "assistant",
        model: "claude-test",
        content: [{ type: "text", text: "Hello there" }],
        stop_reason: "end_turn",
        stop_sequence: null,
        usage: { input_tokens: 2, output_tokens: 2 },
      });
      const overloaded = await post(scripted.url, ASK);
      assert.deepEqual([overloaded.status, overloaded.headers.get("retry-after"), JSON.parse(overloaded.text)], [
        529,
        "2",
        { type: "error", error: { type: "overloaded_error", message: "Injected HTTP 529." }, request_id: "req_test_1" },
      ]);
      const limited = await post(scripted.url, ASK);
      assert.deepEqual([limited.status, JSON.parse(limited.text).error], [429, { type: "rate_limit_error", message: "Slow down" }]);
      const missing = await post(scripted.url, { messages: [] });
      assert.deepEqual([missing.status, JSON.parse(missing.text).error.message], [400, "max_tokens: Field required"]);
      assert.equal((await fetch(`${scripted.url}/v1/complete`, { method: "POST" })).status, 404);
      const echoed = JSON.parse((await post(echo.url, { ...ASK, messages: [{ role: "user", content: [{ type: "text", text: "hello you" }] }] })).text);
      assert.deepEqual(echoed.content, [{ type: "text", text: "hello you" }]);
    } finally {
      await Promise.all([scripted.close(), echo.close()]);
    }
  });

  it("cuts the stream where a fault says: a reset after N content chunks", async () => {
    const server = await startAnthropicServer({ responses: [{ text: ["a", "b", "c"], resetAfterChunks: 2 }] });
    try {
      await assert.rejects(post(server.url, { ...ASK, stream: true }));
      const closed = await server.requests[0]!.closed;
      assert.deepEqual([closed.completed, closed.chunksSent], [false, 2]);
    } finally {
      await server.close();
    }
  });
});
