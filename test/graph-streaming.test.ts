// Streaming through graphs: fan-out, subgraphs, nostream, several modes, values/updates/debug shapes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { END, START, Send, StateGraph, getWriter, lastValue, reducer, type NodeConfig } from "weft";
import { FakeChatModel } from "weft/testing";

describe("Send fan-out", () => {
  it("delivers all 8 x 50 tokens of parallel model calls, each with its node and in per-call order", async () => {
    const tokens = (index: number) => Array.from({ length: 50 }, (_, token) => `w${index}.${token} `);
    const models = Array.from({ length: 8 }, (_, index) => new FakeChatModel({ responses: [tokens(index)], tags: [`m${index}`] }));
    const schema = {
      count: lastValue<number>(),
      texts: reducer((all: string[], more: string[]) => [...all, ...more], () => [] as string[]),
    };
    const graph = new StateGraph(schema)
      .addNode("write", async (input: { index: number }, config: NodeConfig) => {
        const answer = await models[input.index]!.invoke(`part ${input.index}`, config);
        return { texts: [answer.content] };
      })
      .addConditionalEdges(START, (state) => Array.from({ length: state.count }, (_, index) => new Send("write", { index })))
      .compile();

    const perCall = new Map<string, string[]>();
    let total = 0;
    for await (const [message, metadata] of graph.stream({ count: 8 }, { streamMode: "messages" })) {
      total++;
      assert.equal(metadata.langgraph_node, "write");
      assert.deepEqual(metadata.langgraph_triggers, ["__pregel_push"]);
      const key = metadata.tags[0]!;
      perCall.set(key, [...(perCall.get(key) ?? []), message.text]);
    }
    assert.equal(total, 400);
    for (let index = 0; index < 8; index++) assert.deepEqual(perCall.get(`m${index}`), tokens(index));

    const state = await graph.invoke({ count: 8 });
    // Writes apply in task (Send) order, not finish order.
    assert.deepEqual(state.texts, Array.from({ length: 8 }, (_, index) => tokens(index).join("")));
  });

  it("accepts Send(node, arg) without new", async () => {
    const graph = new StateGraph<{ out?: string }>()
      .addNode("echo", (input: { word: string }) => ({ out: input.word }))
      .addConditionalEdges(START, () => Send("echo", { word: "hi" }))
      .compile();
    assert.deepEqual(await graph.invoke({}), { out: "hi" });
  });

  it("runs nodes of one step concurrently (interleaved tokens) and applies writes in definition order", async () => {
    const slow = new FakeChatModel({ responses: [["a1 ", "a2 ", "a3 "]], delayMs: 2 });
    const fast = new FakeChatModel({ responses: [["b1 ", "b2 ", "b3 "]], delayMs: 1 });
    const schema = { log: reducer((all: string[], more: string[]) => [...all, ...more], () => [] as string[]) };
    const graph = new StateGraph(schema)
      .addNode("first", async (_state, config) => ({ log: [(await slow.invoke("x", config)).content] }))
      .addNode("second", async (_state, config) => ({ log: [(await fast.invoke("x", config)).content] }))
      .addEdge(START, "first")
      .addEdge(START, "second")
      .compile();
    const order: string[] = [];
    for await (const [message] of graph.stream({}, { streamMode: "messages" })) order.push(message.text.trim());
    assert.equal(order.length, 6);
    assert.notDeepEqual(order, ["a1", "a2", "a3", "b1", "b2", "b3"], "the two calls ran concurrently");
    const state = await graph.invoke({});
    assert.deepEqual(state.log, ["a1 a2 a3 ", "b1 b2 b3 "]);
  });
});

describe("subgraphs", () => {
  type Inner = { topic: string; joke: string };
  const innerModel = new FakeChatModel({ responses: [["inner ", "joke"]], tags: ["inner"] });
  const inner = new StateGraph<Inner>()
    .addNode("tell", async (state: Inner) => ({ joke: (await innerModel.invoke(`joke about ${state.topic}`)).content }))
    .addEdge(START, "tell")
    .compile();
  const outer = new StateGraph<{ topic: string; joke: string; done: boolean }>()
    .addNode("child", inner)
    .addNode("finish", () => ({ done: true }))
    .addEdge(START, "child")
    .addEdge("child", "finish")
    .compile();

  it("streams subgraph tokens in messages mode, with the node path in metadata", async () => {
    const chunks: Array<[string, string, string]> = [];
    for await (const [message, metadata] of outer.stream({ topic: "cats" }, { streamMode: "messages" })) {
      chunks.push([message.text, metadata.langgraph_node, metadata.langgraph_checkpoint_ns]);
    }
    assert.deepEqual(chunks.map(([content, node]) => [content, node]), [["inner ", "tell"], ["joke", "tell"]]);
    assert.match(chunks[0]![2], /^child:[0-9a-f-]{36}\|tell:[0-9a-f-]{36}$/);
  });

  it("with subgraphs: true yields [namespace, chunk], namespace ['child:<taskId>'] inside, [] at the root", async () => {
    const items: Array<[string[], unknown]> = [];
    for await (const item of outer.stream({ topic: "cats" }, { streamMode: "updates", subgraphs: true })) items.push(item);
    assert.equal(items.length, 3);
    assert.equal(items[0]![0].length, 1);
    assert.match(items[0]![0][0]!, /^child:[0-9a-f-]{36}$/);
    assert.deepEqual(items[0]![1], { tell: { joke: "inner joke" } });
    assert.deepEqual(items[1], [[], { child: { topic: "cats", joke: "inner joke" } }]);
    assert.deepEqual(items[2], [[], { finish: { done: true } }]);
  });

  it("with several modes and subgraphs yields [namespace, mode, chunk]", async () => {
    const seen: string[] = [];
    for await (const [namespace, mode] of outer.stream({ topic: "cats" }, { streamMode: ["messages", "updates"], subgraphs: true })) {
      seen.push(`${namespace.length}:${mode}`);
    }
    assert.deepEqual(seen, ["1:messages", "1:messages", "1:updates", "0:updates", "0:updates"]);
  });

  it("without subgraphs, the parent's updates stream holds only root nodes", async () => {
    const updates: unknown[] = [];
    for await (const update of outer.stream({ topic: "cats" }, { streamMode: "updates" })) updates.push(update);
    assert.deepEqual(updates, [{ child: { topic: "cats", joke: "inner joke" } }, { finish: { done: true } }]);
  });
});

describe("nostream", () => {
  it("runs a call tagged nostream but emits none of its chunks", async () => {
    const hidden = new FakeChatModel({ responses: [["secret ", "plan"]], tags: ["nostream"] });
    const shown = new FakeChatModel({ responses: [["hello ", "world"]] });
    const graph = new StateGraph<{ plan: string; answer: string }>()
      .addNode("work", async (_state, config) => ({
        plan: (await hidden.invoke("plan", config)).content,
        answer: (await shown.invoke("answer", config)).content,
      }))
      .addEdge(START, "work")
      .compile();
    const contents: string[] = [];
    let final: unknown;
    for await (const [mode, chunk] of graph.stream({}, { streamMode: ["messages", "values"] })) {
      if (mode === "messages") contents.push(chunk[0].text);
      else final = chunk;
    }
    assert.deepEqual(contents, ["hello ", "world"]);
    assert.deepEqual(final, { plan: "secret plan", answer: "hello world" });
  });

  it("also works when nostream comes from withConfig", async () => {
    const model = new FakeChatModel({ responses: [["x ", "y"]] }).withConfig({ tags: ["nostream"] });
    const graph = new StateGraph<{ out: string }>()
      .addNode("work", async () => ({ out: (await model.invoke("hi")).content }))
      .addEdge(START, "work")
      .compile();
    const chunks: unknown[] = [];
    for await (const chunk of graph.stream({}, { streamMode: "messages" })) chunks.push(chunk);
    assert.deepEqual(chunks, []);
  });
});

describe("stream modes", () => {
  type State = { topic: string; joke?: string; rating?: number };
  const model = new FakeChatModel({ responses: [["A ", "joke"]] });
  const graph = new StateGraph<State>()
    .addNode("write", async (state: State, config: NodeConfig) => {
      config.writer({ progress: "writing" });
      return { joke: (await model.invoke(`joke about ${state.topic}`, config)).content };
    })
    .addNode("rate", () => {
      getWriter()({ progress: "rating" });
      return { rating: 5 };
    })
    .addEdge(START, "write")
    .addEdge("write", "rate")
    .compile();

  it("values: the state after the input and after each step", async () => {
    const values: unknown[] = [];
    for await (const chunk of graph.stream({ topic: "cats" }, { streamMode: "values" })) values.push(chunk);
    assert.deepEqual(values, [{ topic: "cats" }, { topic: "cats", joke: "A joke" }, { topic: "cats", joke: "A joke", rating: 5 }]);
  });

  it("updates is the default mode, as in LangGraph", async () => {
    const updates: unknown[] = [];
    for await (const chunk of graph.stream({ topic: "cats" })) updates.push(chunk);
    assert.deepEqual(updates, [{ write: { joke: "A joke" } }, { rate: { rating: 5 } }]);
  });

  it("updates: { [node]: update } per task", async () => {
    const updates: unknown[] = [];
    for await (const chunk of graph.stream({ topic: "cats" }, { streamMode: "updates" })) updates.push(chunk);
    assert.deepEqual(updates, [{ write: { joke: "A joke" } }, { rate: { rating: 5 } }]);
  });

  it("custom: what nodes pass to config.writer and getWriter()", async () => {
    const custom: unknown[] = [];
    for await (const chunk of graph.stream({ topic: "cats" }, { streamMode: "custom" })) custom.push(chunk);
    assert.deepEqual(custom, [{ progress: "writing" }, { progress: "rating" }]);
  });

  it("several modes at once: [mode, chunk] in the order things happened", async () => {
    const seen: string[] = [];
    for await (const [mode, chunk] of graph.stream({ topic: "cats" }, { streamMode: ["updates", "messages", "custom", "values"] })) {
      seen.push(mode === "messages" ? `messages:${chunk[0].content}` : mode);
    }
    assert.deepEqual(seen, ["values", "custom", "messages:A ", "messages:joke", "updates", "values", "custom", "updates", "values"]);
  });

  it("debug: task and task_result events with step and timestamp", async () => {
    const events: Array<{ type: string; step: number; timestamp: string; payload: { name: string } }> = [];
    for await (const event of graph.stream({ topic: "cats" }, { streamMode: "debug" })) events.push(event as never);
    assert.deepEqual(events.map((event) => `${event.type}:${event.payload.name}:${event.step}`), [
      "task:write:1",
      "task_result:write:1",
      "task:rate:2",
      "task_result:rate:2",
    ]);
    for (const event of events) assert.ok(!Number.isNaN(Date.parse(event.timestamp)));
    assert.deepEqual((events[1]!.payload as unknown as { result: unknown }).result, { joke: "A joke" });
  });

  it("streaming only observes: the final state is the same in every mode", async () => {
    const expected = await graph.invoke({ topic: "dogs" });
    for (const mode of ["values", "updates", "messages", "custom", "debug"] as const) {
      for await (const _ of graph.stream({ topic: "dogs" }, { streamMode: mode })) void _;
    }
    let last: unknown;
    for await (const chunk of graph.stream({ topic: "dogs" }, { streamMode: "values" })) last = chunk;
    assert.deepEqual(last, expected);
  });

  it("works when awaited first (LangGraph.js style) and as a Web ReadableStream", async () => {
    const awaited: unknown[] = [];
    for await (const chunk of await graph.stream({ topic: "cats" }, { streamMode: "updates" })) awaited.push(chunk);
    assert.equal(awaited.length, 2);
    const reader = graph.stream({ topic: "cats" }, { streamMode: "updates" }).toReadableStream().getReader();
    const read: unknown[] = [];
    for (let result = await reader.read(); !result.done; result = await reader.read()) read.push(result.value);
    assert.deepEqual(read, awaited);
  });
});

describe("edges", () => {
  it("conditional edges loop until the router returns END, with a path map", async () => {
    const graph = new StateGraph({ count: reducer((a: number, b: number) => a + b, 0) })
      .addNode("inc", () => ({ count: 1 }))
      .addEdge(START, "inc")
      .addConditionalEdges("inc", (state) => (state.count < 5 ? "again" : "stop"), { again: "inc", stop: END })
      .compile();
    assert.deepEqual(await graph.invoke({}), { count: 5 });
  });

  it("a router sees its own node's writes but not a parallel sibling's", async () => {
    const seen: unknown[] = [];
    const graph = new StateGraph<{ a?: number; b?: number }>()
      .addNode("left", () => ({ a: 1 }))
      .addNode("right", () => ({ b: 2 }))
      .addEdge(START, "left")
      .addEdge(START, "right")
      .addConditionalEdges("left", (state) => {
        seen.push({ ...state });
        return END;
      })
      .compile();
    await graph.invoke({});
    assert.deepEqual(seen, [{ a: 1 }]);
  });

  it("addEdge([a, b], c) waits for both", async () => {
    const order: string[] = [];
    const graph = new StateGraph({ log: reducer((all: string[], item: string) => [...all, item], () => [] as string[]) })
      .addNode("a", () => (order.push("a"), { log: "a" }))
      .addNode("b1", () => (order.push("b1"), { log: "b1" }))
      .addNode("b2", () => (order.push("b2"), { log: "b2" }))
      .addNode("join", () => (order.push("join"), { log: "join" }))
      .addEdge(START, "a")
      .addEdge(START, "b1")
      .addEdge("b1", "b2")
      .addEdge(["a", "b2"], "join")
      .compile();
    const state = await graph.invoke({});
    assert.deepEqual(order, ["a", "b1", "b2", "join"]);
    assert.deepEqual(state.log, ["a", "b1", "b2", "join"]);
  });
});
