// OpenAI through the two adapters, over the real clients pointed at weft/testing's OpenAI-compatible
// (chat-completions) server: the AI SDK's @ai-sdk/openai (`openai.chat(model)`) through fromAISDK, and
// LangChain's @langchain/openai ChatOpenAI, without a wrapper (with and without config) and through
// fromLangChain. Tokens, metadata (ls_provider "openai"), usage, parallel tool calls, faults.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createOpenAI } from "@ai-sdk/openai";
import { AIMessage as LangChainAIMessage } from "@langchain/core/messages";
import { ChatOpenAI as LangChainChatOpenAI } from "@langchain/openai";
import type { AIMessage } from "weft";
import { fromAISDK } from "weft/ai-sdk";
import { fromLangChain } from "weft/langchain";
import { startOpenAICompatibleServer, type OpenAICompatibleServer, type ScriptedResponse } from "weft/testing";
import { JOKE, POEM, drain, isWeftError, nodeMetadata, oneNodeGraph, texts } from "./support/providers.js";

const MODEL = "gpt-4o-mini";
const WEATHER = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
const PARALLEL_CALLS: ScriptedResponse = {
  toolCalls: [
    { id: "call_paris", name: "get_weather", arguments: ['{"city":', ' "Paris"}'] },
    { id: "call_oslo", name: "get_weather", arguments: '{"city": "Oslo"}' },
  ],
};
const ASSEMBLED = [
  { id: "call_paris", name: "get_weather", args: { city: "Paris" } },
  { id: "call_oslo", name: "get_weather", args: { city: "Oslo" } },
];
/** The tool-call fragments both adapters stream for PARALLEL_CALLS: one index per call, its id on each fragment. */
const PARALLEL_CHUNKS = [
  { index: 0, id: "call_paris", name: "get_weather" },
  { index: 0, id: "call_paris", args: '{"city":' },
  { index: 0, id: "call_paris", args: ' "Paris"}' },
  { index: 1, id: "call_oslo", name: "get_weather" },
  { index: 1, id: "call_oslo", args: '{"city": "Oslo"}' },
];

async function withServer<Result>(responses: ScriptedResponse[], run: (server: OpenAICompatibleServer) => Promise<Result>): Promise<Result> {
  const server = await startOpenAICompatibleServer({ responses });
  try {
    return await run(server);
  } finally {
    await server.close();
  }
}

const aiSDKModel = (server: OpenAICompatibleServer, options: Parameters<typeof fromAISDK>[1] = {}) =>
  fromAISDK(createOpenAI({ baseURL: server.url, apiKey: "sk-test" }).chat(MODEL), options);

function langChainModel(server: OpenAICompatibleServer, fields: ConstructorParameters<typeof LangChainChatOpenAI>[0] = {}) {
  return new LangChainChatOpenAI({ model: MODEL, apiKey: "sk-test", configuration: { baseURL: server.url }, maxRetries: 0, ...fields });
}

describe("fromAISDK over @ai-sdk/openai's chat-completions model (openai.chat)", () => {
  it("streams each delta as a token with ls_provider openai, then the usage; the request asks for usage", async () => {
    await withServer([{ text: JOKE }], async (server) => {
      const model = aiSDKModel(server, { tags: ["joke"] });
      const { chunks, error } = await drain(oneNodeGraph(async (config) => model.invoke("Write a joke about cats", config)).stream({ result: "" }, { streamMode: "messages" }));
      assert.equal(error, undefined);
      assert.deepEqual(texts(chunks), JOKE);
      const checkpointNs = chunks[0]![1].langgraph_checkpoint_ns;
      for (const [chunk, metadata] of chunks) {
        assert.equal(chunk.id, "chatcmpl-test-0");
        assert.deepEqual(metadata, { ...nodeMetadata(checkpointNs), tags: ["joke"], ls_provider: "openai", ls_model_name: MODEL, ls_model_type: "chat", ls_temperature: undefined });
      }
      assert.deepEqual(chunks.at(-1)![0].usage, { inputTokens: 5, outputTokens: JOKE.length, totalTokens: 5 + JOKE.length });
      const body = server.requests[0]!.body;
      assert.equal(server.requests[0]!.path, "/v1/chat/completions");
      assert.deepEqual([body.stream, body.stream_options], [true, { include_usage: true }]);
    });
  });

  it("two parallel tool calls stream as fragments per call and assemble; finish reason tool-calls", async () => {
    await withServer([PARALLEL_CALLS], async (server) => {
      const model = aiSDKModel(server).bindTools([{ name: "get_weather", description: "Weather for a city", parameters: WEATHER }]);
      let answer: AIMessage | undefined;
      const { chunks, error } = await drain(oneNodeGraph(async (config) => (answer = await model.invoke("Paris and Oslo?", config))).stream({ result: "" }, { streamMode: "messages" }));
      assert.equal(error, undefined);
      assert.deepEqual(
        chunks.flatMap(([chunk]) => chunk.toolCallChunks),
        PARALLEL_CHUNKS,
      );
      assert.deepEqual([answer!.toolCalls, answer!.responseMetadata.finishReason], [ASSEMBLED, "tool-calls"]);
      assert.deepEqual(server.requests[0]!.body.tools, [{ type: "function", function: { name: "get_weather", description: "Weather for a city", parameters: WEATHER } }]);
    });
  });

  it("faults: a 429 is MODEL_CALL with the status, retryable; a reset mid-stream keeps the partial text", async () => {
    await withServer([{ status: 429, errorMessage: "Slow down" }, { text: POEM, resetAfterChunks: 3 }], async (server) => {
      const model = aiSDKModel(server, { maxRetries: 0 });
      const limited = await model.invoke("hi").catch((caught: unknown) => caught);
      assert.ok(isWeftError(limited, "MODEL_CALL"), String(limited));
      assert.deepEqual([limited.details.status, limited.details.isRetryable, limited.details.provider], [429, true, "openai"]);
      assert.match(limited.message, /answered HTTP 429: Slow down/);
      const reset = await model.invoke("poem").catch((caught: unknown) => caught);
      assert.ok(isWeftError(reset, "MODEL_CALL"), String(reset));
      assert.deepEqual([reset.details.partialText, reset.details.isRetryable], [POEM.slice(0, 3).join(""), true]);
    });
  });

  it("the AI SDK's default openai(model) speaks the Responses API, which chat-completions servers do not: an HTTP 404 naming /v1/responses", async () => {
    await withServer([{ text: ["unused"] }], async (server) => {
      const error = await fromAISDK(createOpenAI({ baseURL: server.url, apiKey: "sk-test" })(MODEL), { maxRetries: 0 }).invoke("hi").catch((caught: unknown) => caught);
      assert.ok(isWeftError(error, "MODEL_CALL"), String(error));
      assert.equal(error.details.status, 404);
      assert.match(String(error.details.url), /\/v1\/responses$/);
    });
  });
});

describe("LangChain's ChatOpenAI (@langchain/openai)", () => {
  for (const withConfig of [true, false]) {
    it(`called ${withConfig ? "with" : "without"} the node's config: tokens with ls_provider openai, then the usage LangChain returns`, async () => {
      await withServer([{ text: POEM }], async (server) => {
        const model = langChainModel(server, { tags: ["poem"] });
        let answer: LangChainAIMessage | undefined;
        const graph = oneNodeGraph(async (config) => (answer = await model.invoke("Write a short poem about cats", withConfig ? config : undefined)));
        const { chunks, error } = await drain(graph.stream({ result: "" }, { streamMode: "messages" }));
        assert.equal(error, undefined);
        assert.deepEqual(texts(chunks), POEM);
        for (const [chunk, metadata] of chunks) {
          assert.equal(chunk.id, "chatcmpl-test-0");
          assert.deepEqual([metadata.ls_provider, metadata.ls_model_name, metadata.langgraph_node, metadata.tags], ["openai", MODEL, "write", ["poem"]]);
        }
        const usage = answer!.usage_metadata!;
        assert.deepEqual(chunks.at(-1)![0].usage, { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens, totalTokens: usage.total_tokens });
        assert.deepEqual(chunks.at(-1)![0].usage, { inputTokens: 6, outputTokens: POEM.length, totalTokens: 6 + POEM.length });
      });
    });
  }

  it("two parallel tool calls stream as fragments per call; the answer's tool_calls assemble", async () => {
    await withServer([PARALLEL_CALLS], async (server) => {
      const model = langChainModel(server).bindTools([{ type: "function", function: { name: "get_weather", description: "Weather for a city", parameters: WEATHER } }]);
      let answer: LangChainAIMessage | undefined;
      const { chunks, error } = await drain(oneNodeGraph(async (config) => (answer = await model.invoke("Paris and Oslo?", config))).stream({ result: "" }, { streamMode: "messages" }));
      assert.equal(error, undefined);
      assert.deepEqual(
        chunks.flatMap(([chunk]) => chunk.toolCallChunks),
        PARALLEL_CHUNKS,
      );
      assert.deepEqual(
        answer!.tool_calls?.map(({ id, name, args }) => ({ id, name, args })),
        ASSEMBLED,
      );
    });
  });

  it("faults without a wrapper: a 429 and a reset mid-stream are MODEL_CALL with status, retryability and the partial text", async () => {
    await withServer([{ status: 429, errorMessage: "Slow down" }, { text: POEM, resetAfterChunks: 3 }], async (server) => {
      const model = langChainModel(server);
      const graph = oneNodeGraph(async (config) => model.invoke("poem", config));
      const limited = await drain(graph.stream({ result: "" }, { streamMode: "messages" }));
      assert.ok(isWeftError(limited.error, "MODEL_CALL"), String(limited.error));
      assert.deepEqual([limited.error.details.status, limited.error.details.isRetryable, limited.error.details.partialText], [429, true, ""]);
      assert.equal((limited.error.cause as { status?: number }).status, 429);
      const reset = await drain(graph.stream({ result: "" }, { streamMode: "messages" }));
      assert.deepEqual(texts(reset.chunks), POEM.slice(0, 3));
      assert.ok(isWeftError(reset.error, "MODEL_CALL"), String(reset.error));
      assert.deepEqual([reset.error.details.partialText, reset.error.details.isRetryable], [POEM.slice(0, 3).join(""), true]);
    });
  });

  it("through fromLangChain: tokens, usage, the finish reason (stop, tool-calls) and parallel tool calls", async () => {
    await withServer([{ text: JOKE }, PARALLEL_CALLS], async (server) => {
      const model = fromLangChain(langChainModel(server, { tags: ["joke"] }));
      assert.deepEqual([model.provider, model.modelName, model.tags], ["openai", MODEL, ["joke"]]);
      const joke = await model.invoke("Write a joke about cats");
      assert.deepEqual([joke.content, joke.id, joke.usage, joke.responseMetadata], [JOKE.join(""), "chatcmpl-test-0", { inputTokens: 5, outputTokens: JOKE.length, totalTokens: 5 + JOKE.length }, { model: MODEL, provider: "openai", finishReason: "stop" }]);
      const calls = await model.bindTools([{ name: "get_weather", parameters: WEATHER }]).invoke("Paris and Oslo?");
      assert.deepEqual([calls.toolCalls, calls.responseMetadata.finishReason], [ASSEMBLED, "tool-calls"]);
    });
  });
});
