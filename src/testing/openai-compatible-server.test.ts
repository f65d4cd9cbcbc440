// The test server itself: its wire format (checked byte by byte and through the openai SDK) and its scripting.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import OpenAI from "openai";
import { WeftError } from "../errors.js";
import { startOpenAICompatibleServer } from "./openai-compatible-server.js";

async function post(url: string, body: unknown) {
  const response = await fetch(`${url}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe("startOpenAICompatibleServer", () => {
  it("streams chat-completion chunks as SSE: role first, one chunk per token, finish, usage only when asked, [DONE]", async () => {
    const server = await startOpenAICompatibleServer({ responses: [{ text: ["Hi", "!"] }] });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const messages = [{ role: "user", content: "say hi" }];
      const withUsage = await post(server.url, { model: "m", messages, stream: true, stream_options: { include_usage: true } });
      assert.equal(withUsage.status, 200);
      assert.equal(withUsage.headers.get("content-type"), "text/event-stream");
      const events = withUsage.text.split("\n\n").filter((event) => event !== "");
      assert.ok(events.every((event) => event.startsWith("data: ")));
      assert.equal(events.at(-1), "data: [DONE]");
      const chunks = events.slice(0, -1).map((event) => JSON.parse(event.slice("data: ".length)));
      assert.deepEqual(
        chunks.map((chunk) => [chunk.object, chunk.model, chunk.choices[0]?.delta ?? null, chunk.choices[0]?.finish_reason ?? null, chunk.usage ?? null]),
        [
          ["chat.completion.chunk", "m", { role: "assistant", content: "" }, null, null],
          ["chat.completion.chunk", "m", { content: "Hi" }, null, null],
          ["chat.completion.chunk", "m", { content: "!" }, null, null],
          ["chat.completion.chunk", "m", {}, "stop", null],
          ["chat.completion.chunk", "m", null, null, { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 }],
        ],
      );
      const withoutUsage = await post(server.url, { model: "m", messages, stream: true });
      assert.ok(!withoutUsage.text.includes('"usage"'));
      assert.deepEqual(server.requests.map((request) => request.body.stream_options ?? null), [{ include_usage: true }, null]);
    } finally {
      await server.close();
    }
  });

  it("answers stream: false with one JSON completion, tool calls assembled", async () => {
    const server = await startOpenAICompatibleServer({
      responses: [{ text: "Let me check.", toolCalls: [{ id: "call_1", name: "lookup", arguments: ['{"q":', '"cats"}'] }] }],
    });
    try {
      const client = new OpenAI({ apiKey: "k", baseURL: server.url });
      const completion = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "look up cats" }] });
      assert.equal(completion.object, "chat.completion");
      assert.deepEqual(completion.choices[0]!.message, {
        role: "assistant",
        content: "Let me check.",
        tool_calls: [{ id: "call_1", type: "function", function: { name: "lookup", arguments: '{"q":"cats"}' } }],
      });
      assert.equal(completion.choices[0]!.finish_reason, "tool_calls");
      assert.deepEqual(completion.usage, { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    } finally {
      await server.close();
    }
  });

  it("echoes the last user message by default, honours `times`, cycles, and lists a model", async () => {
    const echo = await startOpenAICompatibleServer();
    const scripted = await startOpenAICompatibleServer({ responses: [{ status: 503, times: 2 }, { text: ["ok"] }] });
    try {
      const client = new OpenAI({ apiKey: "k", baseURL: echo.url });
      const answer = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hello there" }] });
      assert.equal(answer.choices[0]!.message.content, "hello there");
      assert.equal((await client.models.list()).data[0]!.id, "test-model");
      const statuses: number[] = [];
      for (let request = 0; request < 4; request++) statuses.push((await post(scripted.url, { model: "m", messages: [] })).status);
      assert.deepEqual(statuses, [503, 503, 200, 503]);
      const rejected = await post(scripted.url, { model: "m" });
      assert.equal(rejected.status, 400);
      assert.match(JSON.parse(rejected.text).error.message, /`messages` array/);
      assert.equal((await fetch(`${scripted.url}/embeddings`, { method: "POST" })).status, 404);
    } finally {
      await Promise.all([echo.close(), scripted.close()]);
    }
  });

  it("waitForRequest resolves when a request arrives; bad options are INVALID_OPTIONS", async () => {
    const server = await startOpenAICompatibleServer();
    try {
      const second = server.waitForRequest(1);
      await post(server.url, { model: "m", messages: [{ role: "user", content: "one" }] });
      await post(server.url, { model: "m", messages: [{ role: "user", content: "two" }] });
      assert.equal((await second).body.messages[0].content, "two");
      assert.equal((await (await second).closed).completed, true);
    } finally {
      await server.close();
    }
    await assert.rejects(startOpenAICompatibleServer({ responses: [] }), (error: unknown) => WeftError.isInstance(error) && error.code === "INVALID_OPTIONS");
    await assert.rejects(startOpenAICompatibleServer({ randomFaults: { seed: 1.5 } }), (error: unknown) => WeftError.isInstance(error) && /seed must be an integer/.test(error.message));
  });
});
