// The seed's two programs, ported: exact chunk sequences and metadata, with and without passing config.
import assert from "node:assert/strict";
import { describe, it, mock } from "node:test";
import { START, StateGraph, type NodeConfig } from "weft";
import { FakeChatModel } from "weft/testing";
import * as taggedModels from "../examples/stream-tagged-models.js";
import * as customWriter from "../examples/stream-custom-writer.js";

type State = { topic: string; joke: string; poem: string };
const JOKE = ["Why ", "did ", "the ", "cat ", "sit ", "on ", "the ", "computer? ", "To ", "keep ", "an ", "eye ", "on ", "the ", "mouse!"];
const POEM = ["Soft ", "paws ", "at ", "dawn, ", "a ", "purr ", "like ", "rain; ", "the ", "cat ", "returns ", "to ", "sleep ", "again."];

function seedGraph(passConfig: boolean) {
  const jokeModel = new FakeChatModel({ responses: [JOKE], tags: ["joke"], model: "gpt-4o-mini" });
  const poemModel = new FakeChatModel({ responses: [POEM], tags: ["poem"], model: "gpt-4o-mini", temperature: 0.7 });
  async function callModel(state: State, config: NodeConfig) {
    const options = passConfig ? config : undefined;
    const joke = await jokeModel.invoke([{ role: "user", content: `Write a joke about ${state.topic}` }], options);
    const poem = await poemModel.invoke([{ role: "user", content: `Write a short poem about ${state.topic}` }], options);
    return { joke: joke.content, poem: poem.content };
  }
  const graph = new StateGraph<State>().addNode(callModel).addEdge(START, "callModel").compile();
  return { graph, jokeModel, poemModel };
}

for (const passConfig of [true, false]) {
  describe(`seed program 1: two tagged models in one node (${passConfig ? "config passed" : "config implicit"})`, () => {
    it("streams every token of both calls, in order, with routing metadata", async () => {
      const { graph, jokeModel, poemModel } = seedGraph(passConfig);
      const seen: Array<[string, string[], unknown]> = [];
      const ids = new Set<string>();
      for await (const [message, metadata] of graph.stream({ topic: "cats" }, { streamMode: "messages", metadata: { user: "u1" } })) {
        seen.push([message.text, metadata.tags, metadata.langgraph_node]);
        ids.add(message.id!);
        assert.equal(metadata.langgraph_step, 1);
        assert.deepEqual(metadata.langgraph_triggers, ["branch:to:callModel"]);
        assert.deepEqual(metadata.langgraph_path, ["__pregel_pull", "callModel"]);
        assert.match(metadata.langgraph_checkpoint_ns, /^callModel:[0-9a-f-]{36}$/);
        assert.equal(metadata.ls_provider, "fake");
        assert.equal(metadata.ls_model_name, "gpt-4o-mini");
        assert.equal(metadata.ls_model_type, "chat");
        assert.equal(metadata.user, "u1");
        assert.equal(metadata.ls_temperature, metadata.tags.includes("poem") ? 0.7 : undefined);
      }
      assert.deepEqual(
        seen,
        [...JOKE.map((token) => [token, ["joke"], "callModel"]), ...POEM.map((token) => [token, ["poem"], "callModel"])],
      );
      assert.equal(ids.size, 2, "one id per model call, shared by its chunks");
      assert.equal(jokeModel.calls[0]![0]!.content, "Write a joke about cats");
      assert.equal(poemModel.calls[0]![0]!.content, "Write a short poem about cats");
    });

    it("filters to the joke by tag, as the seed does", async () => {
      const { graph } = seedGraph(passConfig);
      let printed = "";
      for await (const [message, metadata] of graph.stream({ topic: "cats" }, { streamMode: "messages" })) {
        if (message.content && metadata.tags.includes("joke")) printed += message.content + "|";
      }
      assert.equal(printed, JOKE.map((token) => token + "|").join(""));
    });

    it("run tags come before model tags", async () => {
      const { graph } = seedGraph(passConfig);
      const tags = new Set<string>();
      for await (const [, metadata] of graph.stream({ topic: "cats" }, { streamMode: "messages", tags: ["run"] })) tags.add(metadata.tags.join(","));
      assert.deepEqual([...tags], ["run,joke", "run,poem"]);
    });
  });
}

describe("the ported examples", () => {
  it("examples/stream-tagged-models.ts: the joke tokens and the final state", async () => {
    mock.method(console, "log", () => {});
    const jokes: string[] = [];
    for await (const [message, metadata] of taggedModels.graph.stream({ topic: "cats" }, { streamMode: "messages" })) {
      if (message.text && metadata.tags.includes("joke")) jokes.push(message.text);
    }
    assert.deepEqual(jokes, JOKE);
    const state = await taggedModels.graph.invoke({ topic: "dogs" });
    assert.deepEqual(state, { topic: "dogs", joke: JOKE.join(""), poem: POEM.join("") });
    mock.restoreAll();
  });

  it("examples/stream-custom-writer.ts: custom mode, writer chunks with node metadata and tags, filtered to the poem", async () => {
    mock.method(console, "log", () => {});
    const poem: string[] = [];
    const all: Array<[string, string[]]> = [];
    for await (const [message, metadata] of customWriter.graph.stream({ topic: "cats" }, { streamMode: "custom" })) {
      assert.equal(message.role, "assistant");
      assert.equal(metadata.langgraph_node, "callModel");
      assert.equal(metadata.langgraph_step, 1);
      all.push([message.content, metadata.tags]);
      if (metadata.tags?.includes("poem")) poem.push(message.content);
    }
    assert.deepEqual(poem, ["Whiskers ", "twitch ", "in ", "dreams, ", "moonlight ", "on ", "a ", "sleeping ", "cat."]);
    assert.equal(all.filter(([, tags]) => tags.includes("joke")).length, 10);
    const state = await customWriter.graph.invoke({ topic: "cats" });
    assert.equal(state.poem, poem.join(""));
    mock.restoreAll();
  });
});
