import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { START, StateGraph, WeftError } from "../index.js";
import { FakeChatModel, splitWords } from "../testing/index.js";
import { AIMessage, HumanMessage } from "../core/messages.js";
import { toMessages } from "../core/message-coercion.js";

describe("chat models", () => {
  it("invoke outside a graph returns the whole answer and streams nowhere", async () => {
    const model = new FakeChatModel({ responses: [["a", "b", "c"]] });
    const answer = await model.invoke("hi");
    assert.ok(answer instanceof AIMessage);
    assert.equal(answer.content, "abc");
    assert.match(answer.id!, /^run-[0-9a-f-]{36}$/);
    assert.deepEqual(answer.toolCalls, []);
  });

  it("stream() yields chunks sharing one id, and inside a graph they also reach messages mode", async () => {
    const model = new FakeChatModel({ responses: [["x ", "y ", "z"]] });
    const direct: string[] = [];
    for await (const chunk of model.stream("hi")) direct.push(chunk.content);
    assert.deepEqual(direct, ["x ", "y ", "z"]);

    const graph = new StateGraph<{ out: string }>()
      .addNode("node", async () => {
        let out = "";
        for await (const chunk of model.stream("hi")) out += chunk.content;
        return { out };
      })
      .addEdge(START, "node")
      .compile();
    const streamed: string[] = [];
    for await (const [chunk] of graph.stream({}, { streamMode: "messages" })) streamed.push(chunk.text);
    assert.deepEqual(streamed, ["x ", "y ", "z"]);
  });

  it("withConfig adds tags and metadata to every chunk's metadata, sharing the model's script", async () => {
    const base = new FakeChatModel({ responses: ["one", "two"], tags: ["base"] });
    const tagged = base.withConfig({ tags: ["extra"], metadata: { purpose: "test" } });
    const graph = new StateGraph<{ out: string }>()
      .addNode("node", async (_state, config) => ({ out: (await tagged.invoke("hi", config)).content }))
      .addEdge(START, "node")
      .compile();
    for await (const [chunk, metadata] of graph.stream({}, { streamMode: "messages" })) {
      assert.equal(chunk.content, "one");
      assert.deepEqual(metadata.tags, ["base", "extra"]);
      assert.equal(metadata.purpose, "test");
    }
    assert.equal((await base.invoke("again")).content, "two", "the view shares the response cycle");
    assert.equal(base.calls.length, 2);
  });

  it("a model's own metadata never overwrites the node's langgraph_* routing keys", async () => {
    const model = new FakeChatModel({ responses: ["ok"], metadata: { langgraph_node: "elsewhere", checkpoint_ns: "x", purpose: "mine" } });
    const graph = new StateGraph<{ out: string }>()
      .addNode("node", async (_state, config) => ({ out: (await model.invoke("hi", config)).content }))
      .addEdge(START, "node")
      .compile();
    for await (const [, metadata] of graph.stream({}, { streamMode: "messages" })) {
      assert.deepEqual([metadata.langgraph_node, metadata.purpose], ["node", "mine"]);
      assert.match(metadata.checkpoint_ns as string, /^node:/);
    }
  });

  it("FakeChatModel cycles responses, splits strings into words, records calls", async () => {
    const model = new FakeChatModel({ responses: ["Hello  big world ", ["x"]] });
    assert.deepEqual(splitWords("Hello  big world "), ["Hello  ", "big ", "world "]);
    assert.deepEqual(splitWords(""), []);
    assert.equal((await model.invoke("1")).content, "Hello  big world ");
    assert.equal((await model.invoke([{ role: "system", content: "s" }, new HumanMessage("2")])).content, "x");
    assert.equal((await model.invoke("3")).content, "Hello  big world ");
    assert.deepEqual(model.calls.map((messages) => messages.map((message) => `${message.role}:${message.content}`)), [
      ["user:1"],
      ["system:s", "user:2"],
      ["user:3"],
    ]);
  });

  it("FakeChatModel delayMs honours abort", async () => {
    const model = new FakeChatModel({ responses: [["a", "b", "c"]], delayMs: 10_000 });
    const controller = new AbortController();
    const pending = model.invoke("hi", { signal: controller.signal });
    controller.abort();
    await assert.rejects(pending, (error: unknown) => WeftError.isInstance(error) && error.code === "ABORTED");
  });

  it("bad inputs and options are clear WeftErrors", () => {
    assert.throws(() => toMessages(42 as never), /string or an array/);
    assert.throws(() => toMessages([{ role: "robot", content: "x" }] as never), /role "robot"/);
    assert.throws(() => toMessages([{ role: "user", content: 3 }] as never), /content must be a string/);
    assert.throws(() => new FakeChatModel({ responses: [] }), /non-empty array/);
    assert.throws(() => new FakeChatModel({ responses: ["x"], delayMs: -1 }), /delayMs/);
    assert.throws(() => new FakeChatModel({ responses: ["x"], tags: "joke" as never }), /tags/);
  });
});
