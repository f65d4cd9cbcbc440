// LangChain.js chat models in Weft, over the real @langchain/anthropic ChatAnthropic pointed at the
// loopback Anthropic server. Without a wrapper: `await model.invoke(messages, config)` in a node, as
// LangGraph.js code does, streams through the node config's callbacks. With `fromLangChain`: a Weft
// chat model for calls that pass no config. Tokens, metadata, reasoning, tool calls, usage, faults, abort.
// npm test runs this file alone (scripts/run-tests.mjs): its abort checks bound a latency.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import { ChatAnthropic } from "@langchain/anthropic";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage as LangChainAIMessage, BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { fromLangChain } from "weft/langchain";
import { START, StateGraph } from "weft";
import { anthropicErrorEvent, startAnthropicServer, type AnthropicServer } from "weft/testing";
import {
  JOKE,
  MODEL,
  POEM,
  assertAbortCloses,
  contents,
  drain,
  isWeftError,
  nodeMetadata,
  oneNodeGraph,
  texts,
  withAnthropicServer,
} from "./support/providers.js";
import { collectGarbage } from "./support/collect-garbage.js";
import { withTimeout } from "./reliability/support.js";

const require = createRequire(import.meta.url);
/** LangChain's shared AsyncLocalStorage, as this file's imports leave it: none of them creates it (LangGraph.js would). */
const LANGCHAIN_STORAGE = Symbol.for("ls:tracing_async_local_storage");
const storageAfterImports = (globalThis as Record<symbol, unknown>)[LANGCHAIN_STORAGE];
const VERSIONS = {
  "@langchain/core": (require("@langchain/core/package.json") as { version: string }).version,
  "@langchain/anthropic": (require("@langchain/anthropic/package.json") as { version: string }).version,
};
/**
 * How an aborted run ends when the LangChain model was called without a wrapper: the node throws
 * LangChain's own abort error, and the runtime reports a failure under an aborted run signal as the
 * abort itself (ABORTED, with LangChain's error as the cause).
 */
function endedByAbort(error: unknown): boolean {
  return isWeftError(error, "ABORTED") && error.cause instanceof Error && /abort/i.test(error.cause.message);
}

const WEATHER = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };

function chatAnthropic(server: AnthropicServer, fields: Partial<ConstructorParameters<typeof ChatAnthropic>[0]> = {}) {
  // logLevel "off": Anthropic's SDK logs the malformed events these tests send to the console.
  return new ChatAnthropic({ model: MODEL, anthropicApiUrl: server.url, apiKey: "sk-test", maxRetries: 0, clientOptions: { logLevel: "off" }, ...fields });
}

/** The metadata LangChain reports for ChatAnthropic (its ls_* facts), with the node's routing keys. */
function langChainMetadata(checkpointNs: string, tags: string[], extra: Record<string, unknown> = {}) {
  return {
    ...nodeMetadata(checkpointNs),
    ls_provider: "anthropic",
    ls_model_name: MODEL,
    ls_model_type: "chat",
    ls_temperature: undefined,
    ls_max_tokens: 16384,
    ls_stop: undefined,
    ls_integration: "langchain_chat_model",
    versions: VERSIONS,
    ...extra,
    tags,
    name: undefined,
  };
}

describe("a LangChain ChatAnthropic called with the node's config streams without a wrapper", () => {
  it("each text delta is one Weft chunk in messages mode, with Weft's metadata keys, then the usage", async () => {
    await withAnthropicServer([{ text: POEM }], async (server) => {
      // The model's own metadata cannot move the token: langgraph_node stays the node's.
      const poemModel = chatAnthropic(server, { tags: ["poem"], metadata: { team: "a", langgraph_node: "not-this" } });
      let answer: LangChainAIMessage | undefined;
      const graph = oneNodeGraph(async (config) => (answer = await poemModel.invoke([{ role: "user", content: "Write a short poem about cats" }], config)));
      const { chunks, error } = await drain(graph.stream({ result: "" }, { streamMode: "messages", tags: ["run"] }));
      assert.equal(error, undefined);
      assert.deepEqual(texts(chunks), POEM);
      const checkpointNs = chunks[0]![1].langgraph_checkpoint_ns;
      for (const [chunk, metadata] of chunks) {
        assert.equal(chunk.type, "ai");
        assert.equal(chunk.id, "msg_test_0");
        assert.deepEqual(metadata, langChainMetadata(checkpointNs, ["run", "poem"], { team: "a" }));
      }
      // The usage LangChain's invoke returns for this streamed answer (see "usage" below for why it is POEM.length + 1).
      const usage = answer!.usage_metadata!;
      assert.deepEqual(chunks.at(-1)![0].usage, { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens, totalTokens: usage.total_tokens });
      assert.deepEqual(chunks.at(-1)![0].usage, { inputTokens: 6, outputTokens: POEM.length + 1, totalTokens: 6 + POEM.length + 1 });
      assert.equal(chunks.length, POEM.length + 1);
      assert.equal(server.requests[0]!.body.stream, true);
    });
  });

  it("invoke still returns LangChain's own message (one @langchain/core, so instanceof holds)", async () => {
    await withAnthropicServer([{ text: ["Hi", " there"] }], async (server) => {
      const model = chatAnthropic(server);
      const result = (await oneNodeGraph(async (config) => model.invoke("hi", config)).invoke({ result: "" })).result;
      assert.ok(result instanceof BaseMessage);
      assert.equal((result as BaseMessage).text, "Hi there");
    });
  });

  it("without messages mode the config carries no handler, so the model makes its usual non-streaming call", async () => {
    await withAnthropicServer([{ text: ["Hi"] }], async (server) => {
      const model = chatAnthropic(server);
      let callbacks: unknown;
      await oneNodeGraph(async (config) => ((callbacks = config.callbacks), model.invoke("hi", config))).invoke({ result: "" });
      assert.deepEqual(callbacks, []);
      assert.equal(server.requests[0]!.body.stream, false);
    });
  });

  it("the user's own callbacks still run: added to the config, or the model's own", async () => {
    await withAnthropicServer([{ text: ["a", "b"], times: 2 }], async (server) => {
      const seen: string[] = [];
      const mine = BaseCallbackHandler.fromMethods({ handleLLMNewToken: (token: string) => void seen.push(`mine:${token}`) });
      const own = BaseCallbackHandler.fromMethods({ handleLLMNewToken: (token: string) => void seen.push(`own:${token}`) });
      mine.awaitHandlers = own.awaitHandlers = true;
      const plain = chatAnthropic(server);
      const withOwn = chatAnthropic(server, { callbacks: [own] });
      const graph = oneNodeGraph(async (config) => {
        await plain.invoke("hi", { ...config, callbacks: [...config.callbacks, mine] });
        return withOwn.invoke("hi", config);
      });
      const { chunks } = await drain(graph.stream({ result: "" }, { streamMode: "messages" }));
      assert.deepEqual(texts(chunks), ["a", "b", "a", "b"]);
      assert.deepEqual(seen.filter((entry) => !entry.endsWith(":")), ["mine:a", "mine:b", "own:a", "own:b"]);
    });
  });

  it("thinking blocks stream as chunk.reasoning; two parallel tool_use blocks as tool-call chunks per call", async () => {
    await withAnthropicServer(
      [{ thinking: ["Two ", "cities."], text: ["Checking."], toolUses: [{ id: "toolu_paris", name: "get_weather", input: ['{"city":', ' "Paris"}'] }, { id: "toolu_oslo", name: "get_weather", input: ['{"city": "Oslo"}'] }] }],
      async (server) => {
        const model = chatAnthropic(server).bindTools([{ name: "get_weather", description: "Weather for a city", input_schema: WEATHER }]);
        const graph = oneNodeGraph(async (config) => model.invoke("Weather in Paris and Oslo?", config));
        const { chunks, error } = await drain(graph.stream({ result: "" }, { streamMode: "messages" }));
        assert.equal(error, undefined);
        assert.deepEqual(
          chunks.filter(([chunk]) => chunk.reasoning !== undefined).map(([chunk]) => [chunk.content, chunk.reasoning]),
          [
            ["", "Two "],
            ["", "cities."],
          ],
        );
        assert.deepEqual(texts(chunks), ["Checking."]);
        // Anthropic's content-block index is the call's index (thinking 0, text 1, tools 2 and 3).
        assert.deepEqual(
          chunks.flatMap(([chunk]) => chunk.toolCallChunks),
          [
            { index: 2, id: "toolu_paris", name: "get_weather" },
            { index: 2, id: "toolu_paris", args: '{"city":' },
            { index: 2, id: "toolu_paris", args: ' "Paris"}' },
            { index: 3, id: "toolu_oslo", name: "get_weather" },
            { index: 3, id: "toolu_oslo", args: '{"city": "Oslo"}' },
          ],
        );
        const answer = (await graph.invoke({ result: "" })).result as LangChainAIMessage;
        assert.deepEqual(
          answer.tool_calls?.map(({ id, name, args }) => ({ id, name, args })),
          [
            { id: "toolu_paris", name: "get_weather", args: { city: "Paris" } },
            { id: "toolu_oslo", name: "get_weather", args: { city: "Oslo" } },
          ],
        );
      },
    );
  });

  it("a model tagged nostream streams no chunks; the answer the node returns comes once, whole, as LangGraph.js streams returned messages", async () => {
    await withAnthropicServer([{ text: ["quiet"] }], async (server) => {
      const model = chatAnthropic(server, { tags: ["nostream"] });
      const items: Array<[string, unknown, string, unknown]> = [];
      for await (const [message, metadata] of oneNodeGraph(async (config) => model.invoke("hi", config)).stream({ result: "" }, { streamMode: "messages" })) {
        items.push([message.constructor.name, message.content, message.id!, metadata.langgraph_node]);
      }
      assert.deepEqual(items, [["AIMessage", "quiet", "msg_test_0", "write"]]);
    });
  });

  it("a LangChain model that cannot stream arrives as one chunk with the whole answer", async () => {
    class WholeAnswerModel extends BaseChatModel {
      _llmType() {
        return "whole";
      }
      async _generate(): Promise<ChatResult> {
        const message = new LangChainAIMessage({ content: "all at once", usage_metadata: { input_tokens: 2, output_tokens: 3, total_tokens: 5 } });
        return { generations: [{ text: "all at once", message }] };
      }
    }
    const model = new WholeAnswerModel({});
    const { chunks } = await drain(oneNodeGraph(async (config) => model.invoke("hi", config)).stream({ result: "" }, { streamMode: "messages" }));
    assert.deepEqual(
      chunks.map(([chunk]) => [chunk.content, chunk.usage]),
      [["all at once", { inputTokens: 2, outputTokens: 3, totalTokens: 5 }]],
    );
  });

  describe("faults: the tokens already streamed stay delivered, the node fails with MODEL_CALL (status, isRetryable, partialText; LangChain's error as cause)", () => {
    const poemGraph = (server: AnthropicServer, fields: Parameters<typeof chatAnthropic>[1] = {}) => {
      const model = chatAnthropic(server, fields);
      return oneNodeGraph(async (config) => model.invoke("poem", config));
    };

    it("429, 529 and 400 before the answer: no tokens, the provider's status; 429 and 529 retryable, 400 not", async () => {
      for (const [status, retryable] of [
        [429, true],
        [529, true],
        [400, false],
      ] as const) {
        await withAnthropicServer([{ status, errorMessage: "Slow down" }], async (server) => {
          const { chunks, error } = await drain(poemGraph(server).stream({ result: "" }, { streamMode: "messages" }));
          assert.deepEqual(chunks, []);
          assert.ok(isWeftError(error, "MODEL_CALL"), String(error));
          assert.match(error.message, new RegExp(`^Node "write": LangChain model anthropic:claude-sonnet-4-5 answered HTTP ${status}: .*Slow down`));
          assert.deepEqual([error.details.status, error.details.isRetryable, error.details.partialText, error.node], [status, retryable, "", "write"]);
          assert.equal((error.cause as { status?: number }).status, status);
        });
      }
    });

    for (const [name, fault, streamed, retryable, cause] of [
      ["a reset after 4 tokens", { resetAfterChunks: 4 }, 4, true, /^terminated$/],
      ["a malformed event after 2 tokens", { malformedAfterChunks: 2 }, 2, false, /JSON/],
      ["an error event after 3 tokens", { malformedAfterChunks: 3, malformedLine: anthropicErrorEvent("overloaded_error", "Overloaded") }, 3, true, /overloaded_error/],
    ] as const) {
      it(`${name}: exactly those tokens, then MODEL_CALL with them as partialText`, async () => {
        await withAnthropicServer([{ text: POEM, ...fault }], async (server) => {
          const { chunks, error } = await drain(poemGraph(server).stream({ result: "" }, { streamMode: "messages" }));
          assert.deepEqual(texts(chunks), POEM.slice(0, streamed));
          assert.ok(isWeftError(error, "MODEL_CALL"), String(error));
          const partialText = POEM.slice(0, streamed).join("");
          assert.deepEqual([error.details.partialText, error.details.isRetryable, error.details.status, error.node], [partialText, retryable, undefined, "write"]);
          assert.match(error.message, new RegExp(`after ${partialText.length} characters of the answer`));
          assert.ok(error.cause instanceof Error);
          assert.match(error.cause.message, cause);
        });
      });
    }

    it("an error event keeps the provider's error type", async () => {
      await withAnthropicServer([{ text: POEM, malformedAfterChunks: 1, malformedLine: anthropicErrorEvent("overloaded_error", "Overloaded") }], async (server) => {
        const { error } = await drain(poemGraph(server).stream({ result: "" }, { streamMode: "messages" }));
        assert.ok(isWeftError(error, "MODEL_CALL"), String(error));
        assert.equal(error.details.errorType, "overloaded_error");
      });
    });

    for (const how of ["invoke(messages, { ...config, timeout })", "model.withConfig({ timeout })"] as const) {
      it(`LangChain's \`timeout\` call option (${how}) ends a stalled call: MODEL_CALL saying so, the partial text, the request closed`, async () => {
        await withAnthropicServer([{ text: POEM, stallAfterChunks: 2 }], async (server) => {
          const model = chatAnthropic(server);
          const bounded = model.withConfig({ timeout: 300 });
          const graph = oneNodeGraph(async (config) => (how === "model.withConfig({ timeout })" ? bounded.invoke("poem", config) : model.invoke("poem", { ...config, timeout: 300 })));
          const { chunks, error } = await drain(graph.stream({ result: "" }, { streamMode: "messages" }));
          assert.deepEqual(texts(chunks), POEM.slice(0, 2));
          assert.ok(isWeftError(error, "MODEL_CALL"), String(error));
          assert.match(error.message, /did not finish within its `timeout` of 300 ms after 10 characters of the answer; the call was aborted/);
          assert.deepEqual([error.details.partialText, error.details.isRetryable, error.details.timeoutMs], ["Soft paws ", true, 300]);
          assert.equal((error.cause as Error).name, "ModelAbortError");
          assert.equal((await server.requests[0]!.closed).completed, false);
        });
      });
    }

    it("LangChain's `timeout` still ends the call when a garbage collection runs during the stall (Node 20's AbortSignal.any holds its sources weakly)", async () => {
      await withAnthropicServer([{ text: POEM, stallAfterChunks: 2 }], async (server) => {
        const model = chatAnthropic(server);
        const graph = oneNodeGraph(async (config) => model.invoke("poem", { ...config, timeout: 300 }));
        const seen: string[] = [];
        const ended = (async () => {
          try {
            for await (const [chunk] of graph.stream({ result: "" }, { streamMode: "messages" })) {
              if (typeof chunk.content !== "string" || chunk.content === "") continue;
              seen.push(chunk.content);
              // The call now waits on the stalled server; nothing but the call's signal refers to the timeout's.
              if (seen.length === 2) collectGarbage();
            }
          } catch (error) {
            return error;
          }
          return undefined;
        })();
        const error = await withTimeout(ended, 5_000, "the 300 ms `timeout` ending the call");
        assert.deepEqual(seen, POEM.slice(0, 2));
        assert.ok(isWeftError(error, "MODEL_CALL"), String(error));
        assert.equal(error.details.timeoutMs, 300);
      });
    });

    it("outside messages mode the config has no handler: NODE_FAILED with LangChain's error as the cause", async () => {
      await withAnthropicServer([{ status: 429, errorMessage: "Slow down" }], async (server) => {
        const error = await poemGraph(server).invoke({ result: "" }).catch((caught: unknown) => caught);
        assert.ok(isWeftError(error, "NODE_FAILED"), String(error));
        assert.equal((error.cause as { status?: number }).status, 429);
      });
    });

    it("ChatAnthropic's clientOptions.timeout does not end a stream that stalls after it started; the run's signal does (ABORTED)", async () => {
      await withAnthropicServer([{ text: POEM, stallAfterChunks: 2 }], async (server) => {
        // The Anthropic SDK stops its timer once the response starts: 100 ms does not end this stall, the run's 500 ms do.
        const stream = poemGraph(server, { clientOptions: { logLevel: "off", timeout: 100 } }).stream({ result: "" }, { streamMode: "messages", signal: AbortSignal.timeout(500) });
        const { chunks, error } = await drain(stream);
        assert.deepEqual(texts(chunks), POEM.slice(0, 2));
        assert.ok(endedByAbort(error), String(error));
        assert.equal((await server.requests[0]!.closed).completed, false);
      });
    });
  });

  describe("abort closes the request within 50 ms (p90 of 20, measured on the server)", () => {
    const aborted = (attempt: { error: unknown }) => assert.ok(endedByAbort(attempt.error), String(attempt.error));
    it("the run's signal and stream.abort()", async (t) => {
      for (const how of ["signal", "stream.abort()"] as const) {
        await assertAbortCloses(`callbacks ${how}`, (m) => t.diagnostic(m), (server) => {
          const controller = new AbortController();
          const model = chatAnthropic(server);
          const stream = oneNodeGraph(async (config) => model.invoke("poem", config)).stream({ result: "" }, { streamMode: "messages", signal: controller.signal });
          return { tokens: contents(stream), abort: () => (how === "signal" ? controller.abort() : stream.abort()) };
        }, aborted);
      }
    });

    it("leaving the for-await loop of a graph stream", async (t) => {
      await assertAbortCloses("callbacks leaving the loop", (m) => t.diagnostic(m), (server) => {
        const model = chatAnthropic(server);
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
  });
});

describe("a LangChain ChatAnthropic called WITHOUT config in a node streams too, as in LangGraph.js", () => {
  it("with only @langchain/anthropic loaded: Weft creates LangChain's shared AsyncLocalStorage and runs the node in it", async () => {
    assert.equal(storageAfterImports, undefined, "precondition: nothing this file imports created LangChain's storage");
    await withAnthropicServer([{ text: POEM }], async (server) => {
      const poemModel = chatAnthropic(server, { tags: ["poem"], metadata: { team: "a" } });
      const graph = oneNodeGraph(async () => poemModel.invoke([{ role: "user", content: "Write a short poem about cats" }]));
      const { chunks, error } = await drain(graph.stream({ result: "" }, { streamMode: "messages", tags: ["run"] }));
      assert.equal(error, undefined);
      assert.deepEqual(texts(chunks), POEM);
      // Exactly what the same call with the node's config streams (the first test above).
      const checkpointNs = chunks[0]![1].langgraph_checkpoint_ns;
      for (const [chunk, metadata] of chunks) {
        assert.equal(chunk.id, "msg_test_0");
        assert.deepEqual(metadata, langChainMetadata(checkpointNs, ["run", "poem"], { team: "a" }));
      }
      assert.equal(chunks.length, POEM.length + 1);
      assert.equal(server.requests[0]!.body.stream, true);
      assert.ok((globalThis as Record<symbol, unknown>)[LANGCHAIN_STORAGE] !== undefined);
    });
  });

  it("LangChain code in a router finds its config too, and a call's own explicit options still win", async () => {
    await withAnthropicServer([{ text: ["a"], times: 2 }], async (server) => {
      const model = chatAnthropic(server);
      const seen: unknown[] = [];
      const mine = BaseCallbackHandler.fromMethods({ handleLLMEnd: () => void seen.push("mine: end") });
      mine.awaitHandlers = true;
      type State = { result: string };
      const graph = new StateGraph<State>()
        .addNode("first", () => ({}))
        .addNode("write", async () => ({ result: (await model.invoke("hi", { callbacks: [mine] })).text }))
        .addEdge(START, "first")
        .addConditionalEdges("first", async () => ((await model.invoke("route?")).text === "a" ? "write" : "__end__"))
        .compile();
      const { chunks, error } = await drain(graph.stream({ result: "" }, { streamMode: "messages" }) as never);
      assert.equal(error, undefined);
      // The router's call streamed under its node, as in LangGraph.js; the node's call, given its own callbacks, did not.
      assert.deepEqual(texts(chunks), ["a"]);
      assert.equal(chunks[0]![1].langgraph_node, "first");
      assert.deepEqual(seen, ["mine: end"]);
      assert.deepEqual(server.requests.map((request) => request.body.stream), [true, false]);
    });
  });

  it("the run's signal aborts the call and closes the request within 50 ms (p90 of 20, measured on the server)", async (t) => {
    await assertAbortCloses("no config, run signal", (m) => t.diagnostic(m), (server) => {
      const controller = new AbortController();
      const model = chatAnthropic(server);
      const stream = oneNodeGraph(async () => model.invoke("poem")).stream({ result: "" }, { streamMode: "messages", signal: controller.signal });
      return { tokens: contents(stream), abort: () => controller.abort() };
    }, (attempt) => assert.ok(endedByAbort(attempt.error), String(attempt.error)));
  });

  it("a failure is the same MODEL_CALL as with config", async () => {
    await withAnthropicServer([{ text: POEM, resetAfterChunks: 3 }], async (server) => {
      const model = chatAnthropic(server);
      const { chunks, error } = await drain(oneNodeGraph(async () => model.invoke("poem")).stream({ result: "" }, { streamMode: "messages" }));
      assert.deepEqual(texts(chunks), POEM.slice(0, 3));
      assert.ok(isWeftError(error, "MODEL_CALL"), String(error));
      assert.deepEqual([error.details.partialText, error.details.isRetryable], [POEM.slice(0, 3).join(""), true]);
    });
  });
});

describe("usage: both LangChain paths report what LangChain's own invoke returns for the streamed answer", () => {
  it("LangChain sums Anthropic's message_start output_tokens (1) and message_delta's count; its non-streaming invoke reports the count", async () => {
    await withAnthropicServer([{ text: POEM, times: 4 }], async (server) => {
      const langChainStreamed = (await chatAnthropic(server, { streaming: true }).invoke("poem")).usage_metadata!;
      const langChainWhole = (await chatAnthropic(server).invoke("poem")).usage_metadata!;
      assert.deepEqual([langChainStreamed.output_tokens, langChainWhole.output_tokens], [POEM.length + 1, POEM.length]);
      const expected = { inputTokens: langChainStreamed.input_tokens, outputTokens: langChainStreamed.output_tokens, totalTokens: langChainStreamed.total_tokens };
      // fromLangChain's final message.
      assert.deepEqual((await fromLangChain(chatAnthropic(server)).invoke("poem")).usage, expected);
      // Without a wrapper: the usage on the call's last chunk in messages mode.
      const model = chatAnthropic(server);
      const { chunks } = await drain(oneNodeGraph(async (config) => model.invoke("poem", config)).stream({ result: "" }, { streamMode: "messages" }));
      assert.deepEqual(chunks.at(-1)![0].usage, expected);
    });
  });
});

describe("fromLangChain: a LangChain model as a Weft chat model, for calls without config", () => {
  it("streams into messages mode through AsyncLocalStorage, with Weft's metadata", async () => {
    await withAnthropicServer([{ text: JOKE }], async (server) => {
      const jokeModel = fromLangChain(chatAnthropic(server), { tags: ["joke"] });
      assert.deepEqual([jokeModel.provider, jokeModel.modelName], ["anthropic", MODEL]);
      const graph = oneNodeGraph(async () => (await jokeModel.invoke("Write a joke about cats")).content);
      const { chunks, error } = await drain(graph.stream({ result: "" }, { streamMode: "messages" }));
      assert.equal(error, undefined);
      assert.deepEqual(texts(chunks), JOKE);
      const checkpointNs = chunks[0]![1].langgraph_checkpoint_ns;
      for (const [chunk, metadata] of chunks) {
        assert.equal(chunk.id, "msg_test_0");
        // `versions` is the LangChain model's own metadata (LangChain adds it), as without the wrapper.
        assert.deepEqual(metadata, { ...nodeMetadata(checkpointNs), versions: VERSIONS, tags: ["joke"], ls_provider: "anthropic", ls_model_name: MODEL, ls_model_type: "chat", ls_temperature: undefined });
      }
      assert.deepEqual(chunks.at(-1)![0].usage, { inputTokens: 5, outputTokens: JOKE.length + 1, totalTokens: 5 + JOKE.length + 1 });
    });
  });

  it("keeps the LangChain model's own tags and metadata (before Weft's options), so the seed's graph filters by them", async () => {
    const server = await startAnthropicServer({ respond: (request) => ({ text: JSON.stringify(request.body.messages).includes("joke") ? JOKE : POEM }) });
    try {
      const jokeModel = fromLangChain(chatAnthropic(server, { tags: ["joke"], metadata: { team: "a", langgraph_node: "not-this" } }), { tags: ["weft"], metadata: { team: "b" } });
      const poemModel = fromLangChain(chatAnthropic(server, { tags: ["poem"] }));
      assert.deepEqual([jokeModel.tags, poemModel.tags], [["joke", "weft"], ["poem"]]);
      type State = { topic: string; joke: string; poem: string };
      const graph = new StateGraph<State>()
        .addNode("callModel", async (state: State) => {
          const joke = await jokeModel.invoke(`Write a joke about ${state.topic}`);
          const poem = await poemModel.invoke(`Write a short poem about ${state.topic}`);
          return { joke: joke.content, poem: poem.content };
        })
        .addEdge(START, "callModel")
        .compile();
      const byTag: Record<string, string[]> = { joke: [], poem: [] };
      const teams = new Set<unknown>();
      for await (const [chunk, metadata] of graph.stream({ topic: "cats", joke: "", poem: "" }, { streamMode: "messages" })) {
        assert.equal(metadata.langgraph_node, "callModel");
        if (metadata.tags.includes("joke")) teams.add(metadata.team);
        for (const tag of ["joke", "poem"]) if (typeof chunk.content === "string" && chunk.content !== "" && metadata.tags.includes(tag)) byTag[tag]!.push(chunk.content);
      }
      assert.deepEqual(byTag, { joke: JOKE, poem: POEM });
      assert.deepEqual([...teams], ["b"]);
    } finally {
      await server.close();
    }
  });

  it("reports the finish reason as fromAISDK does: stop, tool-calls, length", async () => {
    await withAnthropicServer([{ text: ["Hi"] }, { toolUses: [{ name: "get_weather", input: '{"city":"Oslo"}' }] }, { text: ["Cut"], stopReason: "max_tokens" }], async (server) => {
      const model = fromLangChain(chatAnthropic(server));
      const tools = model.bindTools([{ name: "get_weather", parameters: WEATHER }]);
      const reasons = [(await model.invoke("hi")).responseMetadata, (await tools.invoke("Oslo?")).responseMetadata, (await model.invoke("long")).responseMetadata];
      assert.deepEqual(reasons, [
        { model: MODEL, provider: "anthropic", finishReason: "stop" },
        { model: MODEL, provider: "anthropic", finishReason: "tool-calls" },
        { model: MODEL, provider: "anthropic", finishReason: "length" },
      ]);
    });
  });

  it("reasoning, two parallel tool calls and bindTools carry over; the answer assembles", async () => {
    await withAnthropicServer(
      [{ thinking: ["Hm."], text: ["Checking."], toolUses: [{ id: "toolu_paris", name: "get_weather", input: ['{"city":', ' "Paris"}'] }, { id: "toolu_oslo", name: "get_weather", input: ['{"city": "Oslo"}'] }] }],
      async (server) => {
        const model = fromLangChain(chatAnthropic(server)).bindTools([{ name: "get_weather", description: "Weather for a city", parameters: WEATHER }]);
        const answer = await model.invoke([
          { role: "system", content: "Be brief." },
          { role: "user", content: "Weather in Paris and Oslo?" },
        ]);
        assert.deepEqual([answer.content, answer.reasoning, answer.id], ["Checking.", "Hm.", "msg_test_0"]);
        assert.deepEqual(answer.toolCalls, [
          { id: "toolu_paris", name: "get_weather", args: { city: "Paris" } },
          { id: "toolu_oslo", name: "get_weather", args: { city: "Oslo" } },
        ]);
        const body = server.requests[0]!.body;
        assert.deepEqual([body.system, body.messages], ["Be brief.", [{ role: "user", content: "Weather in Paris and Oslo?" }]]);
        assert.deepEqual(body.tools, [{ name: "get_weather", description: "Weather for a city", input_schema: WEATHER }]);
      },
    );
  });

  describe("failures are MODEL_CALL errors keeping status, retryability and the partial text", () => {
    it("HTTP 429 and 529 are retryable, 400 is not", async () => {
      await withAnthropicServer([{ status: 429 }, { status: 529 }, { status: 400, errorMessage: "bad" }], async (server) => {
        const model = fromLangChain(chatAnthropic(server));
        const details = [];
        for (let call = 0; call < 3; call++) {
          const error = await model.invoke("hi").catch((caught: unknown) => caught);
          assert.ok(isWeftError(error, "MODEL_CALL"), String(error));
          assert.match(error.message, /^LangChain model anthropic:claude-sonnet-4-5 answered HTTP \d{3}/);
          details.push([error.details.status, error.details.isRetryable, error.details.partialText]);
        }
        assert.deepEqual(details, [
          [429, true, ""],
          [529, true, ""],
          [400, false, ""],
        ]);
      });
    });

    it("a reset, a malformed event and an error event mid-stream keep the text streamed so far", async () => {
      await withAnthropicServer(
        [
          { text: POEM, resetAfterChunks: 4 },
          { text: POEM, malformedAfterChunks: 2 },
          { text: POEM, malformedAfterChunks: 3, malformedLine: anthropicErrorEvent("overloaded_error", "Overloaded") },
        ],
        async (server) => {
          const model = fromLangChain(chatAnthropic(server));
          const partial = [];
          for (let call = 0; call < 3; call++) {
            const error = await model.invoke("poem").catch((caught: unknown) => caught);
            assert.ok(isWeftError(error, "MODEL_CALL"), String(error));
            partial.push(error.details.partialText);
          }
          assert.deepEqual(partial, [POEM.slice(0, 4).join(""), POEM.slice(0, 2).join(""), POEM.slice(0, 3).join("")]);
        },
      );
    });

    it("a stall is aborted after `timeout` ms without a chunk, and the request closed", async () => {
      await withAnthropicServer([{ text: POEM, stallAfterChunks: 2 }], async (server) => {
        const error = await fromLangChain(chatAnthropic(server), { timeout: 400 }).invoke("poem").catch((caught: unknown) => caught);
        assert.ok(isWeftError(error, "MODEL_CALL"), String(error));
        assert.match(error.message, /sent nothing for 400 ms after 10 characters/);
        assert.equal(error.details.partialText, "Soft paws ");
        assert.equal((await server.requests[0]!.closed).completed, false);
      });
    });
  });

  describe("abort closes the request within 50 ms (p90 of 20, measured on the server)", () => {
    const aborted = (attempt: { error: unknown }) => assert.ok(isWeftError(attempt.error, "ABORTED"), String(attempt.error));
    it("the call's own signal", async (t) => {
      await assertAbortCloses("fromLangChain call signal", (m) => t.diagnostic(m), (server) => {
        const controller = new AbortController();
        const model = fromLangChain(chatAnthropic(server));
        return {
          tokens: (async function* () {
            for await (const chunk of model.stream("poem", { signal: controller.signal })) if (chunk.content) yield chunk.content;
          })(),
          abort: () => controller.abort(),
        };
      }, aborted);
    });

    it("the run's signal, in a node that passes no config", async (t) => {
      await assertAbortCloses("fromLangChain run signal", (m) => t.diagnostic(m), (server) => {
        const controller = new AbortController();
        const model = fromLangChain(chatAnthropic(server));
        const stream = oneNodeGraph(async () => model.invoke("poem")).stream({ result: "" }, { streamMode: "messages", signal: controller.signal });
        return { tokens: contents(stream), abort: () => controller.abort() };
      }, aborted);
    });
  });
});
