// ChatOpenAI against a real chat-completions server on 127.0.0.1: request format, options, tools.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { z } from "zod";
import { WeftError } from "../../errors.js";
import { AIMessage, ToolMessage } from "../../core/messages.js";
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from "../../testing/openai-compatible-server.js";
import { ChatOpenAI } from "./chat-openai.js";

function expectInvalidOptions(create: () => unknown, pattern: RegExp) {
  assert.throws(create, (error: unknown) => WeftError.isInstance(error) && error.code === "INVALID_OPTIONS" && pattern.test(error.message));
}

describe("ChatOpenAI options", () => {
  it("rejects bad options with INVALID_OPTIONS and says what to pass", () => {
    const baseURL = "http://127.0.0.1:1/v1";
    expectInvalidOptions(() => new ChatOpenAI(undefined as never), /options object/);
    expectInvalidOptions(() => new ChatOpenAI({ model: "", baseURL }), /`model` must be a model name/);
    expectInvalidOptions(() => new ChatOpenAI({ model: "m", baseURL, temperature: 3 }), /`temperature` must be a number from 0 to 2/);
    expectInvalidOptions(() => new ChatOpenAI({ model: "m", baseURL, maxTokens: 0.5 }), /`maxTokens` must be a whole number/);
    expectInvalidOptions(() => new ChatOpenAI({ model: "m", baseURL, timeout: -1 }), /`timeout`/);
    expectInvalidOptions(() => new ChatOpenAI({ model: "m", baseURL, maxRetries: -1 }), /`maxRetries`/);
    expectInvalidOptions(() => new ChatOpenAI({ model: "m", baseURL: "not a url" }), /`baseURL` must be a URL/);
    expectInvalidOptions(() => new ChatOpenAI({ model: "m", baseURL, tags: "joke" as never }), /tags/);
    expectInvalidOptions(() => new ChatOpenAI({ model: "m", client: {} as never }), /`client` must be an OpenAI client/);
    const client = new OpenAI({ apiKey: "k", baseURL });
    expectInvalidOptions(() => new ChatOpenAI({ model: "m", client, apiKey: "k" }), /either `client` or/);
  });

  it("without a key or base URL, names the environment variables to set", () => {
    const saved = { key: process.env.OPENAI_API_KEY, url: process.env.OPENAI_BASE_URL };
    delete process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_BASE_URL;
    try {
      expectInvalidOptions(() => new ChatOpenAI({ model: "gpt-4o-mini" }), /set the OPENAI_API_KEY environment variable.*OPENAI_BASE_URL/);
      // A local server needs no key: the base URL alone is enough.
      assert.equal(new ChatOpenAI({ model: "llama3.2", baseURL: "http://127.0.0.1:11434/v1" }).baseURL, "http://127.0.0.1:11434/v1");
      process.env.OPENAI_BASE_URL = "http://127.0.0.1:8000/v1";
      assert.equal(new ChatOpenAI({ model: "m" }).baseURL, "http://127.0.0.1:8000/v1");
      process.env.OPENAI_API_KEY = "sk-from-env";
      assert.equal(new ChatOpenAI({ model: "m" }).client.apiKey, "sk-from-env");
    } finally {
      if (saved.key === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved.key;
      if (saved.url === undefined) delete process.env.OPENAI_BASE_URL;
      else process.env.OPENAI_BASE_URL = saved.url;
    }
  });

  it("reports provider and model name", () => {
    const model = new ChatOpenAI({ model: "gpt-4o-mini", apiKey: "k" });
    assert.equal(model.provider, "openai");
    assert.equal(model.modelName, "gpt-4o-mini");
    assert.equal(model.baseURL, "https://api.openai.com/v1");
  });
});

describe("ChatOpenAI requests", () => {
  let server: OpenAICompatibleServer;
  before(async () => {
    server = await startOpenAICompatibleServer({
      respond: (request) => (request.body.tools ? { toolCalls: [{ id: "call_a", name: "get_weather", arguments: ['{"city":', '"Paris"}'] }] } : { text: ["Hi", " there"] }),
    });
  });
  after(() => server.close());

  it("sends messages, options and stream_options, and returns the whole answer with usage", async () => {
    const model = new ChatOpenAI({ model: "test-model", baseURL: server.url, apiKey: "sk-test", temperature: 0.2, maxTokens: 50 });
    const message = await model.invoke([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Weather in Paris?" },
      new AIMessage("", { toolCalls: [{ id: "call_1", name: "get_weather", args: { city: "Paris" } }] }),
      new ToolMessage("18C and sunny", "call_1"),
    ]);
    const request = server.requests.at(-1)!;
    assert.equal(request.path, "/v1/chat/completions");
    assert.equal(request.headers.authorization, "Bearer sk-test");
    assert.deepEqual(request.body, {
      model: "test-model",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Weather in Paris?" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
        { role: "tool", content: "18C and sunny", tool_call_id: "call_1" },
      ],
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.2,
      max_tokens: 50,
    });
    assert.equal(message.content, "Hi there");
    assert.equal(message.id, `chatcmpl-test-${request.index}`);
    assert.deepEqual(message.usage, { inputTokens: 8, outputTokens: 2, totalTokens: 10 });
    assert.equal(message.responseMetadata.finishReason, "stop");
  });

  it("on OpenAI itself maxTokens is sent as max_completion_tokens (newer models refuse max_tokens)", async () => {
    let sent: any;
    // A fetch that answers locally, so the request to api.openai.com never leaves the process.
    const fetch = async (_url: RequestInfo | URL, init?: RequestInit) => {
      sent = JSON.parse(String(init!.body));
      const body = 'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n';
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    };
    const client = new OpenAI({ apiKey: "sk-test", fetch });
    const model = new ChatOpenAI({ model: "gpt-4o-mini", client, maxTokens: 20 });
    assert.equal((await model.invoke("hi")).content, "ok");
    assert.equal(sent.max_completion_tokens, 20);
    assert.equal(sent.max_tokens, undefined);
  });

  it("a tool message without toolCallId is INVALID_MESSAGES, before any request", async () => {
    const model = new ChatOpenAI({ model: "m", baseURL: server.url });
    const before = server.requests.length;
    await assert.rejects(model.invoke([{ role: "tool", content: "x" }]), (error: unknown) => WeftError.isInstance(error) && /without `toolCallId`/.test(error.message));
    assert.equal(server.requests.length, before);
  });

  it("model.stream() yields each chunk and returns the assembled message", async () => {
    const model = new ChatOpenAI({ model: "m", baseURL: server.url });
    const contents: string[] = [];
    const iterator = model.stream("hello");
    let result = await iterator.next();
    while (!result.done) {
      contents.push(result.value.content);
      result = await iterator.next();
    }
    assert.deepEqual(contents.filter((content) => content !== ""), ["Hi", " there"]);
    assert.equal(result.value.content, "Hi there");
  });

  it("uses a client passed in", async () => {
    const client = new OpenAI({ apiKey: "sk-own", baseURL: server.url });
    const model = new ChatOpenAI({ model: "m", client });
    assert.equal((await model.invoke("hi")).content, "Hi there");
    assert.equal(server.requests.at(-1)!.headers.authorization, "Bearer sk-own");
  });

  it("bindTools: JSON schema, zod schema and OpenAI's own format all reach the server as function tools", async () => {
    const parameters = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
    const model = new ChatOpenAI({ model: "m", baseURL: server.url }).bindTools([
      { name: "get_weather", description: "Weather for a city", parameters },
      { name: "get_time", description: "Time in a city", schema: z.object({ city: z.string().describe("City name") }) },
      { type: "function", function: { name: "noop", parameters: { type: "object", properties: {} } } },
    ]);
    const message = await model.invoke("Weather in Paris?");
    assert.deepEqual(server.requests.at(-1)!.body.tools, [
      { type: "function", function: { name: "get_weather", description: "Weather for a city", parameters } },
      {
        type: "function",
        function: {
          name: "get_time",
          description: "Time in a city",
          parameters: { type: "object", properties: { city: { type: "string", description: "City name" } }, required: ["city"] },
        },
      },
      { type: "function", function: { name: "noop", parameters: { type: "object", properties: {} } } },
    ]);
    assert.deepEqual(message.toolCalls, [{ id: "call_a", name: "get_weather", args: { city: "Paris" } }]);
    assert.equal(message.responseMetadata.finishReason, "tool_calls");
  });

  it("bindTools rejects tools OpenAI would reject, saying why", () => {
    const model = new ChatOpenAI({ model: "m", baseURL: server.url });
    expectInvalidOptions(() => model.bindTools([{ name: "has space", parameters: {} }]), /1-64 letters/);
    expectInvalidOptions(() => model.bindTools([{ name: "t", schema: { parse() {} } }]), /cannot describe itself as JSON Schema/);
    expectInvalidOptions(() => model.bindTools([{ name: "t", parameters: [] as never }]), /JSON-schema object/);
    expectInvalidOptions(() => model.bindTools("nope" as never), /array of tool definitions/);
  });

  it("bindTools' tool_choice and parallel_tool_calls reach the request as OpenAI's tool_choice and parallel_tool_calls", async () => {
    const weather = { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } };
    const model = new ChatOpenAI({ model: "m", baseURL: server.url });
    const cases: Array<[Parameters<typeof model.bindTools>[1], unknown, unknown]> = [
      [{ tool_choice: "required" }, "required", undefined],
      [{ tool_choice: "any" }, "required", undefined],
      [{ tool_choice: "none", parallel_tool_calls: false }, "none", false],
      [{ tool_choice: "get_weather" }, { type: "function", function: { name: "get_weather" } }, undefined],
      [{ tool_choice: { type: "function", function: { name: "get_weather" } }, parallel_tool_calls: true }, { type: "function", function: { name: "get_weather" } }, true],
      [{}, undefined, undefined],
    ];
    for (const [options, toolChoice, parallel] of cases) {
      await model.bindTools([weather], options).invoke("Weather?");
      const body = server.requests.at(-1)!.body;
      assert.deepEqual([body.tool_choice, body.parallel_tool_calls], [toolChoice, parallel], JSON.stringify(options));
    }
    expectInvalidOptions(() => model.bindTools([weather], { tool_choice: "get_time" }), /names tool "get_time", which is not one of the tools bound \("get_weather"\)/);
    expectInvalidOptions(() => model.bindTools([weather], { tool_choice: 3 as never }), /`tool_choice` must be "auto", "none", "required", a tool's name/);
    expectInvalidOptions(() => model.bindTools([weather], { strict: true } as never), /no option "strict"; it takes tool_choice and parallel_tool_calls/);
  });

  it("withStructuredOutput makes the model call the schema's tool and returns its checked arguments", async () => {
    const model = new ChatOpenAI({ model: "m", baseURL: server.url });
    const answer = await model.withStructuredOutput(z.object({ city: z.string() }), { name: "get_weather", description: "The city asked about" }).invoke("Weather in Paris?");
    assert.deepEqual(answer, { city: "Paris" });
    const body = server.requests.at(-1)!.body;
    assert.deepEqual(body.tool_choice, { type: "function", function: { name: "get_weather" } });
    assert.deepEqual(body.tools.map((definition: { function: { name: string; description: string } }) => [definition.function.name, definition.function.description]), [["get_weather", "The city asked about"]]);
    await assert.rejects(model.withStructuredOutput(z.object({ city: z.number() }), { name: "get_weather" }).invoke("Weather?"), /answered with an object the schema refuses \(city: /);
  });

  it("image blocks reach the request as image_url parts: by URL, base64 as a data URL, OpenAI's own form", async () => {
    const model = new ChatOpenAI({ model: "m", baseURL: server.url });
    await model.invoke([
      {
        role: "user",
        content: [
          { type: "text", text: "Compare:" },
          { type: "image", url: "https://example.com/a.png" },
          { type: "image", data: "iVBORw0KGgo=", mimeType: "image/png" },
          { type: "image", data: "R0lGOD", mime_type: "image/gif", source_type: "base64" },
          { type: "image_url", image_url: { url: "https://example.com/b.jpg", detail: "low" } },
          { type: "image_url", image_url: "https://example.com/c.jpg" },
        ],
      },
    ]);
    assert.deepEqual(server.requests.at(-1)!.body.messages, [
      {
        role: "user",
        content: [
          { type: "text", text: "Compare:" },
          { type: "image_url", image_url: { url: "https://example.com/a.png" } },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          { type: "image_url", image_url: { url: "data:image/gif;base64,R0lGOD" } },
          { type: "image_url", image_url: { url: "https://example.com/b.jpg", detail: "low" } },
          { type: "image_url", image_url: { url: "https://example.com/c.jpg" } },
        ],
      },
    ]);
  });
});

describe("ChatOpenAI tool-call streaming", () => {
  it("two parallel tool calls keep their arguments apart, sequential or interleaved", async () => {
    const server = await startOpenAICompatibleServer({
      responses: [
        {
          toolCalls: [
            { id: "call_paris", name: "get_weather", arguments: ['{"ci', 'ty": "Pa', 'ris"}'] },
            { id: "call_tokyo", name: "get_weather", arguments: ['{"city"', ': "Tokyo"}'] },
          ],
        },
        {
          deltas: [
            { tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "add", arguments: "" } }] },
            { tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "multiply", arguments: "" } }] },
            { tool_calls: [{ index: 0, function: { arguments: '{"a": 1' } }] },
            { tool_calls: [{ index: 1, function: { arguments: '{"a": 3' } }] },
            { tool_calls: [{ index: 0, function: { arguments: ', "b": 2}' } }] },
            { tool_calls: [{ index: 1, function: { arguments: ', "b": 4}' } }] },
          ],
          finishReason: "tool_calls",
        },
      ],
    });
    try {
      const model = new ChatOpenAI({ model: "m", baseURL: server.url }).bindTools([
        { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
      ]);
      const fragments: unknown[] = [];
      const iterator = model.stream("Weather in Paris and Tokyo?");
      let result = await iterator.next();
      while (!result.done) {
        fragments.push(...result.value.toolCallChunks);
        result = await iterator.next();
      }
      assert.deepEqual(fragments, [
        { index: 0, id: "call_paris", name: "get_weather" },
        { index: 0, id: "call_paris", args: '{"ci' },
        { index: 0, id: "call_paris", args: 'ty": "Pa' },
        { index: 0, id: "call_paris", args: 'ris"}' },
        { index: 1, id: "call_tokyo", name: "get_weather" },
        { index: 1, id: "call_tokyo", args: '{"city"' },
        { index: 1, id: "call_tokyo", args: ': "Tokyo"}' },
      ]);
      assert.deepEqual(result.value.toolCalls, [
        { id: "call_paris", name: "get_weather", args: { city: "Paris" } },
        { id: "call_tokyo", name: "get_weather", args: { city: "Tokyo" } },
      ]);
      const interleaved = await model.invoke("Add and multiply");
      assert.deepEqual(interleaved.toolCalls, [
        { id: "call_a", name: "add", args: { a: 1, b: 2 } },
        { id: "call_b", name: "multiply", args: { a: 3, b: 4 } },
      ]);
    } finally {
      await server.close();
    }
  });
});

describe("ChatOpenAI reasoning deltas", () => {
  it("`reasoning_content` (DeepSeek, llama.cpp) and `reasoning` (vLLM) stream as chunk.reasoning, apart from the text", async () => {
    const server = await startOpenAICompatibleServer({
      responses: [
        { reasoning: ["The user ", "greets."], text: ["Hi", "!"] },
        { reasoning: ["Short."], reasoningField: "reasoning", text: ["Hello"] },
      ],
    });
    try {
      const model = new ChatOpenAI({ model: "deepseek-reasoner", baseURL: server.url });
      const seen: Array<[string, string | undefined]> = [];
      const iterator = model.stream("hi");
      let result = await iterator.next();
      while (!result.done) {
        if (result.value.content !== "" || result.value.reasoning !== undefined) seen.push([result.value.content, result.value.reasoning]);
        result = await iterator.next();
      }
      assert.deepEqual(seen, [
        ["", "The user "],
        ["", "greets."],
        ["Hi", undefined],
        ["!", undefined],
      ]);
      assert.equal(result.value.content, "Hi!");
      assert.equal(result.value.reasoning, "The user greets.");
      const second = await model.invoke("hi");
      assert.deepEqual([second.content, second.reasoning], ["Hello", "Short."]);
    } finally {
      await server.close();
    }
  });
});
