// The seed's programs against a real OpenAI-compatible server on 127.0.0.1: ChatOpenAI in messages
// mode, and the openai SDK used directly through the writer in custom mode.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
// Relative imports: the demo graph is not a package export, and one copy of BaseChatModel must serve both.
import { START, StateGraph, type NodeConfig } from "../src/index.js";
import { createJokePoemGraph } from "../src/demo/joke-poem-graph.js";
import { ChatOpenAI, streamOpenAITokens } from "../src/models/openai/index.js";
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from "../src/testing/index.js";

const JOKE = ["Why ", "did ", "the ", "cat ", "sit ", "on ", "the ", "computer? ", "To ", "keep ", "an ", "eye ", "on ", "the ", "mouse!"];
const POEM = ["Soft ", "paws ", "at ", "dawn, ", "a ", "purr ", "like ", "rain; ", "the ", "cat ", "returns ", "to ", "sleep ", "again."];

/** Answers a joke prompt with JOKE and a poem prompt with POEM, like a real model would, by prompt. */
function jokeOrPoem(request: { body: any }) {
  const prompt: string = request.body.messages.at(-1).content;
  return { text: prompt.includes("poem") ? POEM : JOKE };
}

describe("ChatOpenAI in a graph (messages mode)", () => {
  let server: OpenAICompatibleServer;
  before(async () => {
    server = await startOpenAICompatibleServer({ respond: jokeOrPoem });
  });
  after(() => server.close());

  it("the seed's joke/poem graph streams every token of both models with ls_provider, ls_model_name and tags", async () => {
    const jokeModel = new ChatOpenAI({ model: "gpt-4o-mini", baseURL: server.url, apiKey: "sk-test", tags: ["joke"] });
    const poemModel = new ChatOpenAI({ model: "gpt-4o-mini", baseURL: server.url, apiKey: "sk-test", tags: ["poem"], temperature: 0.7 });
    const progress: string[] = [];
    const graph = createJokePoemGraph({ jokeModel, poemModel, onProgress: (message) => progress.push(message) });
    const tokens: Array<[string, string[]]> = [];
    const usages: unknown[] = [];
    const ids = new Set<string>();
    for await (const [chunk, metadata] of graph.stream({ topic: "cats" }, { streamMode: "messages", metadata: { user: "u1" } })) {
      assert.equal(metadata.ls_provider, "openai");
      assert.equal(metadata.ls_model_name, "gpt-4o-mini");
      assert.equal(metadata.ls_model_type, "chat");
      assert.equal(metadata.ls_temperature, metadata.tags.includes("poem") ? 0.7 : undefined);
      assert.equal(metadata.langgraph_node, "callModel");
      assert.equal(metadata.user, "u1");
      ids.add(chunk.id!);
      if (chunk.text) tokens.push([chunk.text, metadata.tags]);
      if ("usage" in chunk && chunk.usage) usages.push([chunk.usage, metadata.tags]);
    }
    assert.deepEqual(tokens, [...JOKE.map((token) => [token, ["joke"]]), ...POEM.map((token) => [token, ["poem"]])]);
    // The usage chunk ends each call: prompt words in, one token per chunk out.
    assert.deepEqual(usages, [
      [{ inputTokens: 5, outputTokens: JOKE.length, totalTokens: 5 + JOKE.length }, ["joke"]],
      [{ inputTokens: 6, outputTokens: POEM.length, totalTokens: 6 + POEM.length }, ["poem"]],
    ]);
    assert.equal(ids.size, 2, "one id per model call");
    assert.ok([...ids].every((id) => /^chatcmpl-test-\d+$/.test(id)), "the provider's response id names the message");
    assert.deepEqual(progress, ["Writing joke...", "Writing poem..."]);
    const bodies = server.requests.slice(-2).map((request) => request.body);
    assert.deepEqual(bodies.map((body) => body.messages), [
      [{ role: "user", content: "Write a joke about cats" }],
      [{ role: "user", content: "Write a short poem about cats" }],
    ]);
    assert.deepEqual(bodies.map((body) => body.temperature), [undefined, 0.7]);
  });

  it("filters to the joke by tag as the seed does, and the final state holds both texts", async () => {
    const jokeModel = new ChatOpenAI({ model: "gpt-4o-mini", baseURL: server.url, tags: ["joke"] });
    const poemModel = new ChatOpenAI({ model: "gpt-4o-mini", baseURL: server.url, tags: ["poem"] });
    const graph = createJokePoemGraph({ jokeModel, poemModel });
    let printed = "";
    for await (const [chunk, metadata] of graph.stream({ topic: "cats" }, { streamMode: "messages" })) {
      if (chunk.content && metadata.tags.includes("joke")) printed += chunk.content + "|";
    }
    assert.equal(printed, JOKE.map((token) => token + "|").join(""));
    assert.deepEqual(await graph.invoke({ topic: "dogs" }), { topic: "dogs", joke: JOKE.join(""), poem: POEM.join("") });
  });

  it("the final AIMessage carries usage and finish reason; tool calls stream as toolCallChunks in messages mode", async () => {
    const toolServer = await startOpenAICompatibleServer({
      responses: [
        {
          text: ["Checking."],
          toolCalls: [
            { id: "call_1", name: "get_weather", arguments: ['{"city":', '"Paris"}'] },
            { id: "call_2", name: "get_weather", arguments: ['{"city":', '"Oslo"}'] },
          ],
        },
      ],
    });
    try {
      const model = new ChatOpenAI({ model: "gpt-4o-mini", baseURL: toolServer.url, tags: ["agent"] }).bindTools([
        { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } } } },
      ]);
      type State = { question: string; answer: any };
      const graph = new StateGraph<State>()
        .addNode("agent", async (state: State, config: NodeConfig) => ({ answer: await model.invoke(state.question, config) }))
        .addEdge(START, "agent")
        .compile();
      const fragments: unknown[] = [];
      let finalState: State | undefined;
      for await (const [mode, chunk] of graph.stream({ question: "Weather in Paris and Oslo?", answer: undefined }, { streamMode: ["messages", "values"] })) {
        if (mode === "messages") fragments.push(...(chunk as any)[0].toolCallChunks);
        else finalState = chunk as State;
      }
      assert.deepEqual(fragments, [
        { index: 0, id: "call_1", name: "get_weather" },
        { index: 0, id: "call_1", args: '{"city":' },
        { index: 0, id: "call_1", args: '"Paris"}' },
        { index: 1, id: "call_2", name: "get_weather" },
        { index: 1, id: "call_2", args: '{"city":' },
        { index: 1, id: "call_2", args: '"Oslo"}' },
      ]);
      const answer = finalState!.answer;
      assert.equal(answer.content, "Checking.");
      assert.deepEqual(answer.toolCalls, [
        { id: "call_1", name: "get_weather", args: { city: "Paris" } },
        { id: "call_2", name: "get_weather", args: { city: "Oslo" } },
      ]);
      assert.deepEqual(answer.usage, { inputTokens: 5, outputTokens: 7, totalTokens: 12 });
      assert.equal(answer.responseMetadata.finishReason, "tool_calls");
    } finally {
      await toolServer.close();
    }
  });
});

describe("the seed's program without a model class (custom mode, openai SDK directly)", () => {
  let server: OpenAICompatibleServer;
  before(async () => {
    server = await startOpenAICompatibleServer({ respond: jokeOrPoem });
  });
  after(() => server.close());

  type State = { topic: string; joke: string; poem: string };
  type TokenChunk = { role: string; content: string };

  it("a node streams chat.completions.create({ stream: true }) deltas through config.writer, filtered to the poem", async () => {
    const openaiClient = new OpenAI({ apiKey: "sk-test", baseURL: server.url });
    const modelName = "gpt-4o-mini";

    // The seed's stream_tokens, written against the SDK as a user would.
    async function* streamTokens(model: string, messages: OpenAI.Chat.ChatCompletionMessageParam[]): AsyncGenerator<TokenChunk> {
      const response = await openaiClient.chat.completions.create({ messages, model, stream: true });
      let role: string | undefined;
      for await (const chunk of response) {
        const delta = chunk.choices[0]!.delta;
        if (delta.role) role = delta.role;
        if (delta.content) yield { role: role!, content: delta.content };
      }
    }

    async function callModel(state: State, config: NodeConfig) {
      let joke = "";
      let poem = "";
      for await (const messageChunk of streamTokens(modelName, [{ role: "user", content: `Write a joke about ${state.topic}` }])) {
        joke += messageChunk.content;
        config.writer([messageChunk, { ...config.metadata, tags: ["joke"] }]);
      }
      for await (const messageChunk of streamTokens(modelName, [{ role: "user", content: `Write a short poem about ${state.topic}` }])) {
        poem += messageChunk.content;
        config.writer([messageChunk, { ...config.metadata, tags: ["poem"] }]);
      }
      return { joke, poem };
    }
    const graph = new StateGraph<State>().addNode(callModel).addEdge(START, "callModel").compile();

    const poem: TokenChunk[] = [];
    const jokeCount = { value: 0 };
    for await (const [message, metadata] of graph.stream({ topic: "cats", joke: "", poem: "" }, { streamMode: "custom" }) as AsyncIterable<[TokenChunk, any]>) {
      assert.equal(metadata.langgraph_node, "callModel");
      if (metadata.tags.includes("poem")) poem.push(message);
      if (metadata.tags.includes("joke")) jokeCount.value++;
    }
    assert.deepEqual(poem, POEM.map((content) => ({ role: "assistant", content })));
    assert.equal(jokeCount.value, JOKE.length);
  });

  it("streamOpenAITokens is that helper, shipped: { role, content } per token, for --mode custom", async () => {
    const client = new OpenAI({ apiKey: "sk-test", baseURL: server.url });
    const tokens: Array<{ role: string; content: string }> = [];
    for await (const token of streamOpenAITokens(client, "gpt-4o-mini", [{ role: "user", content: "Write a short poem about cats" }])) tokens.push(token);
    assert.deepEqual(tokens, POEM.map((content) => ({ role: "assistant", content })));
    assert.equal(server.requests.at(-1)!.body.stream, true);
  });

  it("streamOpenAITokens stops with an abort error when its signal aborts, and the socket closes", async () => {
    const slow = await startOpenAICompatibleServer({ responses: [{ text: POEM, stallAfterChunks: 3 }] });
    try {
      const client = new OpenAI({ apiKey: "sk-test", baseURL: slow.url });
      const controller = new AbortController();
      const seen: string[] = [];
      await assert.rejects(async () => {
        for await (const token of streamOpenAITokens(client, "m", [{ role: "user", content: "poem" }], controller.signal)) {
          seen.push(token.content);
          if (seen.length === 3) controller.abort();
        }
      }, { name: "AbortError" });
      assert.deepEqual(seen, POEM.slice(0, 3));
      const closed = await slow.requests[0]!.closed;
      assert.equal(closed.completed, false);
    } finally {
      await slow.close();
    }
  });
});
