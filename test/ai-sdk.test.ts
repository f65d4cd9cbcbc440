// fromAISDK over the real @ai-sdk/anthropic provider (every major this Node can run: LanguageModelV2,
// V3, V4) pointed at the loopback Anthropic server: tokens, reasoning, parallel tool calls, usage,
// request format, every fault of the plan, and aborts that close the request within 50 ms.
// npm test runs this file alone (scripts/run-tests.mjs): its abort checks bound a latency.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AIMessage, ToolMessage } from "weft";
import { fromAISDK } from "weft/ai-sdk";
import { anthropicErrorEvent, startAnthropicServer } from "weft/testing";
import {
  JOKE,
  MODEL,
  POEM,
  anthropicProviders,
  assertAbortCloses,
  contents,
  drain,
  isWeftError,
  nodeMetadata,
  oneNodeGraph,
  texts,
  withAnthropicServer,
  type AnthropicProvider,
} from "./support/providers.js";

const providers = await anthropicProviders();
const WEATHER = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };

it("runs every AI SDK provider major on every Node (V4's packages declare Node >= 22 in engines, and pass on Node 20 too)", () => {
  assert.deepEqual(
    providers.map((provider) => provider.specificationVersion),
    ["v2", "v3", "v4"],
  );
});

for (const provider of providers) {
  const label = `${provider.packageName}@${provider.version} (LanguageModel${provider.specificationVersion.toUpperCase()})`;
  const modelAt = (url: string, options: Parameters<typeof fromAISDK>[1] = {}) =>
    fromAISDK(provider.createAnthropic({ baseURL: url, apiKey: "sk-test" })(MODEL), options);

  describe(`fromAISDK over ${label}`, () => {
    it("is a Weft chat model named after the provider", () => {
      const model = modelAt("http://127.0.0.1:1/v1", { tags: ["joke"] });
      assert.equal(model.languageModel.specificationVersion, provider.specificationVersion);
      assert.deepEqual([model.provider, model.modelName, model.tags], ["anthropic", MODEL, ["joke"]]);
    });

    it("streams each text delta as one token into messages mode, with Weft's metadata, then usage", async () => {
      await withAnthropicServer([{ text: JOKE }], async (server) => {
        const model = modelAt(server.apiURL, { tags: ["joke"], metadata: { team: "a", langgraph_node: "not-this" } });
        const graph = oneNodeGraph(async (config) => (await model.invoke([{ role: "user", content: "Write a joke about cats" }], config)).content);
        const { chunks, error } = await drain(graph.stream({ result: "" }, { streamMode: "messages", tags: ["run"] }));
        assert.equal(error, undefined);
        assert.deepEqual(texts(chunks), JOKE);
        const checkpointNs = chunks[0]![1].langgraph_checkpoint_ns;
        for (const [chunk, metadata] of chunks) {
          assert.equal(chunk.id, "msg_test_0");
          assert.deepEqual(metadata, {
            ...nodeMetadata(checkpointNs),
            team: "a",
            tags: ["run", "joke"],
            ls_provider: "anthropic",
            ls_model_name: MODEL,
            ls_model_type: "chat",
            ls_temperature: undefined,
          });
        }
        const last = chunks.at(-1)![0];
        assert.deepEqual([last.content, last.usage], ["", { inputTokens: 5, outputTokens: JOKE.length, totalTokens: 5 + JOKE.length }]);
        assert.equal(chunks.length, JOKE.length + 1);
        const request = server.requests[0]!;
        assert.equal(request.path, "/v1/messages");
        assert.equal(request.headers["x-api-key"], "sk-test");
        assert.deepEqual(request.body.messages, [{ role: "user", content: [{ type: "text", text: "Write a joke about cats" }] }]);
        assert.equal(request.body.stream, true);
      });
    });

    it("returns the whole answer: text, id, usage and the unified finish reason", async () => {
      await withAnthropicServer([{ text: ["Hi", " there"] }], async (server) => {
        const message = await modelAt(server.apiURL, { temperature: 0.5, maxTokens: 100 }).invoke("hello");
        assert.deepEqual(
          [message.content, message.id, message.usage, message.responseMetadata, message.reasoning],
          ["Hi there", "msg_test_0", { inputTokens: 1, outputTokens: 2, totalTokens: 3 }, { model: MODEL, provider: "anthropic", finishReason: "stop" }, undefined],
        );
        assert.deepEqual([server.requests[0]!.body.temperature, server.requests[0]!.body.max_tokens], [0.5, 100]);
      });
    });

    it("streams thinking deltas as chunk.reasoning, apart from the text", async () => {
      await withAnthropicServer([{ thinking: ["Cats ", "like ", "naps."], signature: "sig-1", text: ["Meow", "."] }], async (server) => {
        const seen: Array<[string, string | undefined]> = [];
        const iterator = modelAt(server.apiURL).stream("Think, then answer");
        let result = await iterator.next();
        while (!result.done) {
          if (result.value.content !== "" || result.value.reasoning !== undefined) seen.push([result.value.content, result.value.reasoning]);
          result = await iterator.next();
        }
        assert.deepEqual(seen, [
          ["", "Cats "],
          ["", "like "],
          ["", "naps."],
          ["Meow", undefined],
          [".", undefined],
        ]);
        assert.deepEqual([result.value.content, result.value.reasoning], ["Meow.", "Cats like naps."]);
      });
    });

    it("two parallel tool calls stream as fragments per call and assemble into toolCalls; tools reach the server", async () => {
      await withAnthropicServer(
        [{ text: ["Checking."], toolUses: [{ id: "toolu_paris", name: "get_weather", input: ['{"city":', ' "Paris"}'] }, { id: "toolu_oslo", name: "get_weather", input: ['{"city": "Oslo"}'] }] }],
        async (server) => {
          const model = modelAt(server.apiURL).bindTools([{ name: "get_weather", description: "Weather for a city", parameters: WEATHER }]);
          const graph = oneNodeGraph(async (config) => model.invoke("Weather in Paris and Oslo?", config));
          const { chunks, error } = await drain(graph.stream({ result: "" }, { streamMode: "messages" }));
          assert.equal(error, undefined);
          assert.deepEqual(
            chunks.flatMap(([chunk]) => chunk.toolCallChunks),
            [
              { index: 0, id: "toolu_paris", name: "get_weather" },
              { index: 0, id: "toolu_paris", args: '{"city":' },
              { index: 0, id: "toolu_paris", args: ' "Paris"}' },
              { index: 1, id: "toolu_oslo", name: "get_weather" },
              { index: 1, id: "toolu_oslo", args: '{"city": "Oslo"}' },
            ],
          );
          const answer = (await graph.invoke({ result: "" })).result as AIMessage;
          assert.deepEqual(answer.toolCalls, [
            { id: "toolu_paris", name: "get_weather", args: { city: "Paris" } },
            { id: "toolu_oslo", name: "get_weather", args: { city: "Oslo" } },
          ]);
          assert.equal(answer.responseMetadata.finishReason, "tool-calls");
          const { name, description, input_schema } = server.requests[0]!.body.tools[0];
          assert.deepEqual({ name, description, input_schema }, { name: "get_weather", description: "Weather for a city", input_schema: WEATHER });
          assert.deepEqual(server.requests[0]!.body.tool_choice, { type: "auto" });
        },
      );
    });

    it("interleaved tool-input deltas of two calls stay apart (mapped by call id)", async () => {
      const start = (index: number, id: string, name: string) => ({ type: "content_block_start", index, content_block: { type: "tool_use", id, name, input: {} } });
      const delta = (index: number, partial_json: string) => ({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json } });
      const events = [
        start(0, "toolu_add", "add"),
        start(1, "toolu_mul", "multiply"),
        delta(0, '{"a": 1'),
        delta(1, '{"a": 3'),
        delta(0, ', "b": 2}'),
        delta(1, ', "b": 4}'),
        { type: "content_block_stop", index: 0 },
        { type: "content_block_stop", index: 1 },
      ];
      await withAnthropicServer([{ events }], async (server) => {
        const model = modelAt(server.apiURL).bindTools([
          { name: "add", parameters: { type: "object", properties: {} } },
          { name: "multiply", parameters: { type: "object", properties: {} } },
        ]);
        const answer = await model.invoke("Add and multiply");
        assert.deepEqual(answer.toolCalls, [
          { id: "toolu_add", name: "add", args: { a: 1, b: 2 } },
          { id: "toolu_mul", name: "multiply", args: { a: 3, b: 4 } },
        ]);
      });
    });

    it("sends the conversation in the provider's format: system, tool calls and tool results", async () => {
      await withAnthropicServer([{ text: ["18C."] }], async (server) => {
        await modelAt(server.apiURL).invoke([
          { role: "system", content: "Be brief." },
          { role: "user", content: "Weather in Paris?" },
          new AIMessage("Checking.", { toolCalls: [{ id: "toolu_1", name: "get_weather", args: { city: "Paris" } }] }),
          new ToolMessage("18C", "toolu_1"),
        ]);
        const body = server.requests[0]!.body;
        assert.deepEqual(body.system, [{ type: "text", text: "Be brief." }]);
        assert.deepEqual(body.messages, [
          { role: "user", content: [{ type: "text", text: "Weather in Paris?" }] },
          { role: "assistant", content: [{ type: "text", text: "Checking." }, { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "18C" }] },
        ]);
      });
    });

    describe("failures", () => {
      it("429 then 529 before the answer are retried (Retry-After honoured) and the call succeeds", async () => {
        await withAnthropicServer([{ status: 429, retryAfterMs: 1 }, { status: 529, retryAfterSeconds: 0.001 }, { text: ["ok"] }], async (server) => {
          assert.equal((await modelAt(server.apiURL, { maxRetries: 2 }).invoke("hi")).content, "ok");
          assert.equal(server.requests.length, 3);
        });
      });

      it("when retries run out: MODEL_CALL with the status, isRetryable, the APICallError, and maxRetries + 1 requests", async () => {
        await withAnthropicServer([{ status: 529, times: 3, retryAfterMs: 1, errorMessage: "Overloaded" }], async (server) => {
          const error = await modelAt(server.apiURL, { maxRetries: 2 }).invoke("hi").catch((caught: unknown) => caught);
          assert.ok(isWeftError(error, "MODEL_CALL"), String(error));
          assert.deepEqual([error.details.status, error.details.isRetryable, error.details.partialText, error.details.provider], [529, true, "", "anthropic"]);
          assert.match(error.message, /anthropic model "claude-sonnet-4-5" answered HTTP 529: Overloaded\. .*raise `maxRetries`/);
          assert.equal((error.cause as { statusCode?: number }).statusCode, 529);
          assert.equal(server.requests.length, 3);
        });
      });

      it("a 400 is not retried and not retryable; a 401 says to check the key", async () => {
        await withAnthropicServer([{ status: 400, errorMessage: "max_tokens: too large" }, { status: 401, errorMessage: "invalid x-api-key" }], async (server) => {
          const model = modelAt(server.apiURL, { maxRetries: 3 });
          const bad = await model.invoke("hi").catch((caught: unknown) => caught);
          assert.ok(isWeftError(bad, "MODEL_CALL"));
          assert.deepEqual([bad.details.status, bad.details.isRetryable], [400, false]);
          assert.match(bad.message, /HTTP 400: max_tokens: too large/);
          const unauthorized = await model.invoke("hi").catch((caught: unknown) => caught);
          assert.ok(isWeftError(unauthorized, "MODEL_CALL"));
          assert.match(unauthorized.message, /HTTP 401: invalid x-api-key\. Check the API key/);
          assert.equal(server.requests.length, 2);
        });
      });

      it("a reset after 4 tokens: the graph's caller gets those 4, then MODEL_CALL with partialText, retryable", async () => {
        await withAnthropicServer([{ text: POEM, resetAfterChunks: 4 }], async (server) => {
          const model = modelAt(server.apiURL, { maxRetries: 0 });
          const graph = oneNodeGraph(async (config) => model.invoke("Write a short poem about cats", config));
          const { chunks, error } = await drain(graph.stream({ result: "" }, { streamMode: "messages" }));
          assert.deepEqual(texts(chunks), POEM.slice(0, 4));
          assert.ok(isWeftError(error, "MODEL_CALL"), String(error));
          assert.deepEqual([error.details.partialText, error.details.isRetryable, error.node], [POEM.slice(0, 4).join(""), true, "write"]);
          assert.match(error.message, /closed before the answer was complete after 19 characters/);
        });
      });

      it("a malformed event after 2 tokens: those tokens, then MODEL_CALL, not retryable", async () => {
        await withAnthropicServer([{ text: POEM, malformedAfterChunks: 2 }], async (server) => {
          const model = modelAt(server.apiURL);
          const graph = oneNodeGraph(async (config) => model.invoke("poem", config));
          const { chunks, error } = await drain(graph.stream({ result: "" }, { streamMode: "messages" }));
          assert.deepEqual(texts(chunks), POEM.slice(0, 2));
          assert.ok(isWeftError(error, "MODEL_CALL"), String(error));
          assert.match(error.message, /sent a stream event that could not be read after 10 characters/);
          assert.deepEqual([error.details.partialText, error.details.isRetryable], ["Soft paws ", false]);
        });
      });

      it("an error event after 3 tokens surfaces Anthropic's error type and message", async () => {
        await withAnthropicServer([{ text: POEM, malformedAfterChunks: 3, malformedLine: anthropicErrorEvent("overloaded_error", "Overloaded") }], async (server) => {
          const error = await modelAt(server.apiURL).invoke("hi").catch((caught: unknown) => caught);
          assert.ok(isWeftError(error, "MODEL_CALL"), String(error));
          assert.match(error.message, /sent an error in the middle of the answer after 13 characters of the answer: overloaded_error: Overloaded/);
          assert.deepEqual([error.details.partialText, error.details.isRetryable, error.details.errorType], [POEM.slice(0, 3).join(""), true, "overloaded_error"]);
        });
      });

      it("a stream that stalls is closed after `timeout` ms without a part, never a hang", async () => {
        await withAnthropicServer([{ text: POEM, stallAfterChunks: 2 }], async (server) => {
          const error = await modelAt(server.apiURL, { timeout: 400 }).invoke("hi").catch((caught: unknown) => caught);
          assert.ok(isWeftError(error, "MODEL_CALL"), String(error));
          assert.match(error.message, /sent nothing for 400 ms after 10 characters/);
          assert.deepEqual([error.details.partialText, error.details.isRetryable], ["Soft paws ", true]);
          assert.equal((await server.requests[0]!.closed).completed, false);
        });
      });

      it("a server that is not there: a connection error, retryable", async () => {
        const server = await startAnthropicServer();
        await server.close();
        const error = await modelAt(server.apiURL, { maxRetries: 0 }).invoke("hi").catch((caught: unknown) => caught);
        assert.ok(isWeftError(error, "MODEL_CALL"), String(error));
        assert.match(error.message, /^No answer from anthropic model "claude-sonnet-4-5": .*baseURL/);
        assert.equal(error.details.isRetryable, true);
      });

      it("under seeded random faults every call returns the whole text or fails with a prefix of it", async () => {
        const server = await startAnthropicServer({ responses: [{ text: POEM }], randomFaults: { seed: 42, probability: 0.5 } });
        try {
          const model = modelAt(server.apiURL, { maxRetries: 1, timeout: 2_000 });
          const outcomes = { ok: 0, failed: 0 };
          for (let call = 0; call < 30; call++) {
            try {
              assert.equal((await model.invoke("poem")).content, POEM.join(""));
              outcomes.ok++;
            } catch (error) {
              assert.ok(isWeftError(error, "MODEL_CALL"), String(error));
              assert.ok(POEM.join("").startsWith(error.details.partialText as string));
              outcomes.failed++;
            }
          }
          assert.ok(outcomes.ok > 0 && outcomes.failed > 0, JSON.stringify(outcomes));
          assert.ok(server.requests.some((request) => request.fault !== undefined));
        } finally {
          await server.close();
        }
      });
    });

    describe("abort closes the provider's request within 50 ms (p90 of 20, measured on the server)", () => {
      abortCases(provider, modelAt);
    });
  });
}

function abortCases(provider: AnthropicProvider, modelAt: (url: string) => ReturnType<typeof fromAISDK>) {
  const aborted = (attempt: { error: unknown }) => assert.ok(isWeftError(attempt.error, "ABORTED"), String(attempt.error));
  it("the call's own signal", async (t) => {
    await assertAbortCloses(`${provider.specificationVersion} call signal`, (m) => t.diagnostic(m), (server) => {
      const controller = new AbortController();
      const model = modelAt(server.apiURL);
      return {
        tokens: (async function* () {
          for await (const chunk of model.stream("poem", { signal: controller.signal })) if (chunk.content) yield chunk.content;
        })(),
        abort: () => controller.abort(),
      };
    }, aborted);
  });

  it("the run's signal and stream.abort()", async (t) => {
    for (const how of ["signal", "stream.abort()"] as const) {
      await assertAbortCloses(`${provider.specificationVersion} ${how}`, (m) => t.diagnostic(m), (server) => {
        const controller = new AbortController();
        const model = modelAt(server.apiURL);
        const stream = oneNodeGraph(async (config) => model.invoke("poem", config)).stream({ result: "" }, { streamMode: "messages", signal: controller.signal });
        return { tokens: contents(stream), abort: () => (how === "signal" ? controller.abort() : stream.abort()) };
      }, aborted);
    }
  });

  it("leaving the for-await loop of a graph stream", async (t) => {
    await assertAbortCloses(`${provider.specificationVersion} leaving the loop`, (m) => t.diagnostic(m), (server) => {
      const model = modelAt(server.apiURL);
      const stream = oneNodeGraph(async (config) => model.invoke("poem", config)).stream({ result: "" }, { streamMode: "messages" });
      let stop = false;
      return {
        tokens: (async function* () {
          for await (const [chunk] of stream) {
            if (typeof chunk.content === "string" && chunk.content !== "") yield chunk.content;
            if (stop) break;
          }
        })(),
        abort: () => void (stop = true),
      };
    }, (attempt) => assert.equal(attempt.error, undefined));
  });
}
