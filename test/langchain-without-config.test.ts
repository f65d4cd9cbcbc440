// A LangChain.js chat model called inside a node WITHOUT config (`await model.invoke(messages)`), as
// idiomatic LangGraph.js code on Node does: LangGraph.js runs each node in @langchain/core's shared
// AsyncLocalStorage with the node's config, so the call finds the node's streaming callbacks. Weft
// does the same; the seed's joke/poem graph with two real ChatAnthropic models (pointed at the loopback
// Anthropic server) runs in both libraries and streams the same tokens with the same metadata keys.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChatAnthropic } from "@langchain/anthropic";
import { Annotation, StateGraph as LangGraphStateGraph, START as LANGGRAPH_START } from "@langchain/langgraph";
import { START, StateGraph } from "weft";
import { startAnthropicServer, type AnthropicServer } from "weft/testing";
import { JOKE, MODEL, POEM } from "./support/providers.js";

type State = { topic: string; joke: string; poem: string };
type Seen = { tag: string; text: string; metadataKeys: string[]; tags: string[]; node: unknown; step: unknown };

function seedModels(server: AnthropicServer) {
  const fields = { model: MODEL, anthropicApiUrl: server.url, apiKey: "sk-test", maxRetries: 0 };
  return { jokeModel: new ChatAnthropic({ ...fields, tags: ["joke"] }), poemModel: new ChatAnthropic({ ...fields, tags: ["poem"] }) };
}

/** The seed's node as LangGraph.js code writes it when it passes no config. */
function seedNode(server: AnthropicServer) {
  const { jokeModel, poemModel } = seedModels(server);
  return async function callModel(state: State) {
    const joke = await jokeModel.invoke([{ role: "user", content: `Write a joke about ${state.topic}` }]);
    const poem = await poemModel.invoke([{ role: "user", content: `Write a short poem about ${state.topic}` }]);
    return { joke: joke.text, poem: poem.text };
  };
}

/** Each chunk with text: the model's tag, the text, the metadata's keys, its tags and routing keys. */
async function observe(stream: AsyncIterable<[any, Record<string, any>]>): Promise<Seen[]> {
  const seen: Seen[] = [];
  for await (const [chunk, metadata] of stream) {
    const text = typeof chunk.content === "string" ? chunk.content : chunk.text;
    if (text === "") continue;
    const tag = ["joke", "poem"].find((each) => metadata.tags.includes(each)) ?? "none";
    seen.push({ tag, text, metadataKeys: Object.keys(metadata).sort(), tags: metadata.tags, node: metadata.langgraph_node, step: metadata.langgraph_step });
  }
  return seen;
}

async function withSeedServer<Result>(run: (server: AnthropicServer) => Promise<Result>): Promise<Result> {
  const server = await startAnthropicServer({ respond: (request) => ({ text: JSON.stringify(request.body.messages).includes("joke") ? JOKE : POEM }) });
  try {
    return await run(server);
  } finally {
    await server.close();
  }
}

describe("the seed's graph with two ChatAnthropic models called without config, Weft beside LangGraph.js", () => {
  it("streams the same tokens, tags and metadata keys in messages mode", async () => {
    const expected = await withSeedServer(async (server) => {
      const StateAnnotation = Annotation.Root({ topic: Annotation<string>, joke: Annotation<string>, poem: Annotation<string> });
      const graph = new LangGraphStateGraph(StateAnnotation).addNode("callModel", seedNode(server)).addEdge(LANGGRAPH_START, "callModel").compile();
      return observe((await graph.stream({ topic: "cats" }, { streamMode: "messages", tags: ["run"] })) as never);
    });
    const actual = await withSeedServer(async (server) => {
      const graph = new StateGraph<State>().addNode("callModel", seedNode(server)).addEdge(START, "callModel").compile();
      return observe(graph.stream({ topic: "cats", joke: "", poem: "" }, { streamMode: "messages", tags: ["run"] }));
    });

    // The tokens themselves, by tag, in order.
    assert.deepEqual(
      expected.filter((each) => each.tag === "joke").map((each) => each.text),
      JOKE,
    );
    assert.deepEqual(
      expected.filter((each) => each.tag === "poem").map((each) => each.text),
      POEM,
    );
    assert.deepEqual(
      actual.map(({ tag, text, tags, node, step }) => ({ tag, text, tags, node, step })),
      expected.map(({ tag, text, tags, node, step }) => ({ tag, text, tags, node, step })),
    );
    // The same metadata keys on every chunk (ls_*, langgraph_*, checkpoint_ns, versions, ...).
    assert.deepEqual(
      actual.map((each) => each.metadataKeys),
      expected.map((each) => each.metadataKeys),
    );
    assert.deepEqual(actual[0]!.tags, ["run", "joke"]);
  });

  it("invoke returns the same state", async () => {
    const expected = await withSeedServer(async (server) => {
      const StateAnnotation = Annotation.Root({ topic: Annotation<string>, joke: Annotation<string>, poem: Annotation<string> });
      const graph = new LangGraphStateGraph(StateAnnotation).addNode("callModel", seedNode(server)).addEdge(LANGGRAPH_START, "callModel").compile();
      return graph.invoke({ topic: "cats" });
    });
    const actual = await withSeedServer(async (server) =>
      new StateGraph<State>().addNode("callModel", seedNode(server)).addEdge(START, "callModel").compile().invoke({ topic: "cats", joke: "", poem: "" }),
    );
    assert.deepEqual(actual, expected);
    assert.deepEqual(actual, { topic: "cats", joke: JOKE.join(""), poem: POEM.join("") });
  });
});
