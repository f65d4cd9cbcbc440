// LangChain.js chat models in Weft, over the real @langchain/anthropic ChatAnthropic pointed at the
// loopback Anthropic server. Without a wrapper: `await model.invoke(messages, config)` in a node, as
// LangGraph.js code does, streams through the node config's callbacks. With `fromLangChain`: a Weft
// chat model for calls that pass no config. Tokens, metadata, reasoning, tool calls, usage, faults, abort.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import { ChatAnthropic } from "@langchain/anthropic";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage as LangChainAIMessage, BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { fromLangChain } from "weft/langchain";
import { anthropicErrorEvent, type AnthropicServer } from "weft/testing";
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

const require = createRequire(import.meta.url);
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
  };
}

describe("a LangChain ChatAnthropic called with the node's config streams without a wrapper", () => {
  it("each text delta is one Weft chunk in messages mode, with Weft's metadata keys, then the usage", async () => {
    await withAnthropicServer([{ text: POEM }], async (server) => {
      // The model's own metadata cannot move the token: langgraph_node stays the node's.
      const poemModel = chatAnthropic(server, { tags: ["poem"], metadata: { team: "a", langgraph_node: "not-this" } });
      const graph = oneNodeGraph(async (config) => poemModel.invoke([{ role: "user", content: "Write a short poem about cats" }], config));
      const { chunks, error } = await drain(graph.stream({ result: "" }, { streamMode: "messages", tags: ["run"] }));
      assert.equal(error, undefined);
      assert.deepEqual(texts(chunks), POEM);
      const checkpointNs = chunks[0]![1].langgraph_checkpoint_ns;
      for (const [chunk, metadata] of chunks) {
        assert.equal(chunk.type, "ai");
        assert.equal(chunk.id, "msg_test_0");
        assert.deepEqual(metadata, langChainMetadata(checkpointNs, ["run", "poem"], { team: "a" }));
      }
      // LangChain adds Anthropic's first output token of message_start to message_delta's count, as its concat() does.
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

  describe("faults: the tokens already streamed stay delivered, the node fails with LangChain's error", () => {
    it("429 and 529 before the answer: no tokens, the node fails with the provider's status", async () => {
      for (const status of [429, 529]) {
        await withAnthropicServer([{ status, errorMessage: "Slow down" }], async (server) => {
          const model = chatAnthropic(server);
          const { chunks, error } = await drain(oneNodeGraph(async (config) => model.invoke("hi", config)).stream({ result: "" }, { streamMode: "messages" }));
          assert.deepEqual(chunks, []);
          assert.ok(isWeftError(error, "NODE_FAILED"), String(error));
          assert.equal((error.cause as { status?: number }).status, status);
          assert.match(error.message, /Slow down/);
        });
      }
    });

    for (const [name, fault, streamed] of [
      ["a reset after 4 tokens", { resetAfterChunks: 4 }, 4],
      ["a malformed event after 2 tokens", { malformedAfterChunks: 2 }, 2],
      ["an error event after 3 tokens", { malformedAfterChunks: 3, malformedLine: anthropicErrorEvent() }, 3],
    ] as const) {
      it(`${name}: exactly those tokens, then the node fails`, async () => {
        await withAnthropicServer([{ text: POEM, ...fault }], async (server) => {
          const model = chatAnthropic(server);
          const { chunks, error } = await drain(oneNodeGraph(async (config) => model.invoke("poem", config)).stream({ result: "" }, { streamMode: "messages" }));
          assert.deepEqual(texts(chunks), POEM.slice(0, streamed));
          assert.ok(isWeftError(error, "NODE_FAILED"), String(error));
          assert.equal(error.node, "write");
        });
      });
    }

    it("a stall: the run's timeout signal ends it, with the tokens before the stall, and the request closed", async () => {
      await withAnthropicServer([{ text: POEM, stallAfterChunks: 2 }], async (server) => {
        const model = chatAnthropic(server);
        const stream = oneNodeGraph(async (config) => model.invoke("poem", config)).stream({ result: "" }, { streamMode: "messages", signal: AbortSignal.timeout(400) });
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
        assert.deepEqual(metadata, { ...nodeMetadata(checkpointNs), tags: ["joke"], ls_provider: "anthropic", ls_model_name: MODEL, ls_model_type: "chat", ls_temperature: undefined });
      }
      assert.deepEqual(chunks.at(-1)![0].usage, { inputTokens: 5, outputTokens: JOKE.length + 1, totalTokens: 5 + JOKE.length + 1 });
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
