// The same graphs built with Weft and with LangGraph.js in one run, and their results compared.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as lg from "@langchain/langgraph";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { Command, MemorySaver, START, Send, StateGraph, WeftError, interrupt, lastValue, reducer, type NodeConfig } from "weft";
import { FakeChatModel } from "weft/testing";

const append = (left: string[], right: string[]) => left.concat(right);
const weftLog = () => ({ log: reducer(append, [] as string[]) });
const lgLog = () => lg.Annotation.Root({ log: lg.Annotation<string[]>({ reducer: append, default: () => [] }) });

/** "ok", or the kind of error a run ended with, in either library. */
async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return "ok";
  } catch (error) {
    if (WeftError.isInstance(error)) return error.code === "RECURSION_LIMIT" ? "limit" : `weft:${error.code}`;
    return (error as Error).name === "GraphRecursionError" ? "limit" : `error:${(error as Error).name}`;
  }
}

/** A chain of `count` nodes after START; `first` (when given) runs before them. */
function chains(count: number, first?: () => unknown) {
  let weft = new StateGraph(weftLog());
  let lang: any = new lg.StateGraph(lgLog());
  const names = Array.from({ length: count }, (_, index) => `n${index}`);
  if (first) {
    weft = weft.addNode("first", first as never);
    lang = lang.addNode("first", first);
  }
  for (const name of names) {
    weft = weft.addNode(name, () => ({ log: [name] }));
    lang = lang.addNode(name, () => ({ log: [name] }));
  }
  const order = first ? ["first", ...names] : names;
  weft = weft.addEdge(START, order[0]!);
  lang = lang.addEdge(START, order[0]!);
  for (let index = 1; index < order.length; index++) {
    weft = weft.addEdge(order[index - 1]!, order[index]!);
    lang = lang.addEdge(order[index - 1]!, order[index]!);
  }
  return { weft, lang };
}

describe("the same graph in Weft and LangGraph.js gives the same result", () => {
  it("a subgraph node receives the parent state filtered to the keys it declares", async () => {
    const seen = (state: Record<string, unknown>) => ({ log: [`saw ${Object.keys(state).sort().join("+")}`] });
    const weftChild = new StateGraph(weftLog()).addNode("inner", seen).addEdge(START, "inner").compile();
    const weft = new StateGraph({ ...weftLog(), other: lastValue<string>() }).addNode("child", weftChild).addEdge(START, "child").compile();
    const lgChild = new lg.StateGraph(lgLog()).addNode("inner", seen).addEdge(lg.START, "inner").compile();
    const parentState = lg.Annotation.Root({ ...lgLog().spec, other: lg.Annotation<string> });
    const lang = new lg.StateGraph(parentState).addNode("child", lgChild).addEdge(lg.START, "child").compile();
    const input = { log: ["before"], other: "kept" };
    const expected = await lang.invoke(input);
    assert.deepEqual(expected, { log: ["before", "before", "saw log"], other: "kept" });
    assert.deepEqual(await weft.invoke(input), expected);
  });

  it("writes of edge-triggered and Send tasks reach a reducer in LangGraph's order", async () => {
    const build = <G extends { addNode: any }>(graph: G, SendClass: any) =>
      (graph as any)
        .addNode("start", () => ({ log: ["start"] }))
        .addNode("zeta", () => ({ log: ["zeta"] }))
        .addNode("alpha", () => ({ log: ["alpha"] }))
        .addNode("worker", (arg: { name: string }) => ({ log: [arg.name] }))
        .addEdge(START, "start")
        .addEdge("start", "zeta")
        .addEdge("start", "alpha")
        .addConditionalEdges("start", () => [new SendClass("worker", { name: "w1" }), new SendClass("worker", { name: "w2" })])
        .compile();
    const expected = await build(new lg.StateGraph(lgLog()), lg.Send).invoke({ log: [] });
    assert.deepEqual(expected.log, ["start", "alpha", "zeta", "w1", "w2"]);
    assert.deepEqual((await build(new StateGraph(weftLog()), Send).invoke({ log: [] })).log, expected.log);
  });

  it("the recursion limit's boundary: a fresh run, a resumed interrupt, a continued breakpoint and a second turn", async () => {
    for (const limit of [1, 2, 3, 5]) {
      for (let count = 1; count <= limit + 2; count++) {
        const fresh = chains(count);
        const expected = await outcome(() => fresh.lang.compile().invoke({ log: [] }, { recursionLimit: limit }));
        assert.equal(await outcome(() => fresh.weft.compile().invoke({ log: [] }, { recursionLimit: limit })), expected, `fresh run, limit ${limit}, ${count} nodes`);
      }
    }
    const ask = { lang: () => ({ log: [String(lg.interrupt("continue?"))] }), weft: () => ({ log: [String(interrupt("continue?"))] }) };
    for (const limit of [2, 3]) {
      for (let count = 1; count <= limit + 2; count++) {
        const results: string[] = [];
        for (const library of ["lang", "weft"] as const) {
          const graph = (chains(count, ask[library])[library] as any).compile({ checkpointer: library === "lang" ? new lg.MemorySaver() : new MemorySaver() });
          const config = { configurable: { thread_id: "t" }, recursionLimit: 50 };
          await graph.invoke({ log: [] }, config);
          const resume = library === "lang" ? new lg.Command({ resume: "yes" }) : new Command({ resume: "yes" });
          results.push(await outcome(() => graph.invoke(resume, { ...config, recursionLimit: limit })));
        }
        assert.equal(results[1], results[0], `resume, limit ${limit}, ${count} nodes after the interrupt`);
      }
    }
    for (const mode of ["breakpoint", "second turn"] as const) {
      for (let count = 0; count <= 4; count++) {
        const results: string[] = [];
        for (const library of ["lang", "weft"] as const) {
          const graph = (chains(count, () => ({ log: ["first"] }))[library] as any).compile({
            checkpointer: library === "lang" ? new lg.MemorySaver() : new MemorySaver(),
            interruptBefore: mode === "breakpoint" ? ["first"] : undefined,
          });
          await graph.invoke({ log: [] }, { configurable: { thread_id: "t" }, recursionLimit: 50 });
          results.push(await outcome(() => graph.invoke(mode === "breakpoint" ? null : { log: [] }, { configurable: { thread_id: "t" }, recursionLimit: 3 })));
        }
        assert.equal(results[1], results[0], `${mode}, limit 3, ${count + 1} nodes`);
      }
    }
  });

  it("stream() without streamMode yields updates", async () => {
    const build = (graph: any) =>
      graph.addNode("write", () => ({ log: ["w"] })).addNode("read", () => ({ log: ["r"] })).addEdge(START, "write").addEdge("write", "read").compile();
    const expected: unknown[] = [];
    for await (const chunk of await build(new lg.StateGraph(lgLog())).stream({ log: [] })) expected.push(chunk);
    const actual: unknown[] = [];
    for await (const chunk of build(new StateGraph(weftLog())).stream({ log: [] })) actual.push(chunk);
    assert.deepEqual(expected, [{ write: { log: ["w"] } }, { read: { log: ["r"] } }]);
    assert.deepEqual(actual, expected);
  });

  it("an interrupt inside a subgraph resumes without running the subgraph's finished nodes again", async () => {
    const runs = { lang: 0, weft: 0 };
    const build = (library: "lang" | "weft") => {
      const first = () => {
        runs[library]++;
        return { log: ["first"] };
      };
      const pause = library === "lang" ? lg.interrupt : interrupt;
      const ask = () => ({ log: [`asked:${String(pause("sure?"))}`] });
      const child: any = (library === "lang" ? new lg.StateGraph(lgLog()) : (new StateGraph(weftLog()) as any))
        .addNode("first", first)
        .addNode("ask", ask)
        .addEdge(START, "first")
        .addEdge("first", "ask")
        .compile();
      return (library === "lang" ? new lg.StateGraph(lgLog()) : (new StateGraph(weftLog()) as any))
        .addNode("child", child)
        .addNode("after", () => ({ log: ["after"] }))
        .addEdge(START, "child")
        .addEdge("child", "after")
        .compile({ checkpointer: library === "lang" ? new lg.MemorySaver() : new MemorySaver() });
    };
    const config = { configurable: { thread_id: "t" } };
    const snapshots: unknown[] = [];
    const finals: unknown[] = [];
    for (const library of ["lang", "weft"] as const) {
      const graph = build(library);
      const paused = await graph.invoke({ log: [] }, config);
      assert.deepEqual(paused.__interrupt__.map((item: { value: unknown }) => item.value), ["sure?"]);
      const state = await graph.getState(config, { subgraphs: true });
      const task = state.tasks[0];
      snapshots.push({
        next: state.next,
        task: task.name,
        interrupts: task.interrupts.map((item: { value: unknown }) => item.value),
        child: { values: task.state.values, next: task.state.next, tasks: task.state.tasks.map((inner: any) => [inner.name, inner.interrupts.map((item: any) => item.value)]) },
        childNamespace: String(task.state.config.configurable.checkpoint_ns).startsWith(`child:${task.id}`),
      });
      finals.push(await graph.invoke(library === "lang" ? new lg.Command({ resume: "yes" }) : new Command({ resume: "yes" }), config));
    }
    assert.deepEqual(snapshots[0], {
      next: ["child"],
      task: "child",
      interrupts: ["sure?"],
      child: { values: { log: ["first"] }, next: ["ask"], tasks: [["ask", ["sure?"]]] },
      childNamespace: true,
    });
    assert.deepEqual(snapshots[1], snapshots[0]);
    assert.deepEqual(finals[0], { log: ["first", "asked:yes", "after"] });
    assert.deepEqual(finals[1], finals[0]);
    assert.deepEqual(runs, { lang: 1, weft: 1 });
  });

  it("Command.PARENT from a subgraph node updates and routes the parent graph", async () => {
    for (const withEdge of [false, true]) {
      const results: unknown[] = [];
      for (const library of ["lang", "weft"] as const) {
        const CommandClass: any = library === "lang" ? lg.Command : Command;
        const make = () => (library === "lang" ? new lg.StateGraph(lgLog()) : (new StateGraph(weftLog()) as any));
        const child = make()
          .addNode("inner", () => new CommandClass({ graph: CommandClass.PARENT, goto: "other", update: { log: ["from inner"] } }))
          .addNode("never", () => ({ log: ["child never"] }))
          .addEdge(START, "inner")
          .addEdge("inner", "never")
          .compile();
        let parent = make().addNode("child", child, { ends: ["other"] }).addNode("other", () => ({ log: ["other"] }));
        if (withEdge) parent = parent.addNode("next", () => ({ log: ["next"] })).addEdge("child", "next");
        results.push(await parent.addEdge(START, "child").compile().invoke({ log: ["start"] }));
      }
      assert.deepEqual(results[0], withEdge ? { log: ["start", "from inner", "next", "other"] } : { log: ["start", "from inner", "other"] });
      assert.deepEqual(results[1], results[0]);
    }
  });

  it("in messages mode a model's own metadata never overwrites the langgraph_* keys", async () => {
    const own = { langgraph_node: "not-the-node", langgraph_step: 99, source: "model" };
    const lgModel = new FakeListChatModel({ responses: ["hi there"] }).withConfig({ metadata: own });
    const lang = new lg.StateGraph(lgLog())
      .addNode("speak", async (_state: unknown, config: any) => ({ log: [String((await lgModel.invoke("hello", config)).content)] }))
      .addEdge(lg.START, "speak")
      .compile();
    const weftModel = new FakeChatModel({ responses: [["hi ", "there"]], metadata: own });
    const weft = new StateGraph(weftLog())
      .addNode("speak", async (_state: unknown, config: NodeConfig) => ({ log: [(await weftModel.invoke("hello", config)).content] }))
      .addEdge(START, "speak")
      .compile();
    const pick = (metadata: Record<string, unknown>) => ({ node: metadata.langgraph_node, step: metadata.langgraph_step, source: metadata.source });
    const expected: unknown[] = [];
    for await (const [, metadata] of await lang.stream({ log: [] }, { streamMode: "messages" })) expected.push(pick(metadata));
    const actual: unknown[] = [];
    for await (const [, metadata] of weft.stream({ log: [] }, { streamMode: "messages" })) actual.push(pick(metadata));
    assert.ok(expected.length > 0);
    assert.deepEqual(expected[0], { node: "speak", step: 1, source: "model" });
    assert.deepEqual(actual[0], expected[0]);
    assert.ok(actual.every((entry) => JSON.stringify(entry) === JSON.stringify(expected[0])));
  });
  it("a model called in a START router streams under the hidden __start__ task, on a new thread and on its second input", async () => {
    const lgModel = new FakeListChatModel({ responses: ["ab", "cd"], tags: ["router"] });
    const lang = new lg.StateGraph(lgLog())
      .addNode("a", () => ({ log: ["a"] }))
      .addConditionalEdges(lg.START, async (_state: unknown, config: any) => (await lgModel.invoke("route?", config), "a"))
      .compile({ checkpointer: new lg.MemorySaver() });
    const weftModel = new FakeChatModel({ responses: [["a", "b"], ["c", "d"]], tags: ["router"] });
    const weft = new StateGraph(weftLog())
      .addNode("a", () => ({ log: ["a"] }))
      .addConditionalEdges(START, async (_state: unknown, config: NodeConfig) => (await weftModel.invoke("route?", config), "a"))
      .compile({ checkpointer: new MemorySaver() });
    const pick = ([chunk, metadata]: [{ content: unknown }, Record<string, any>]) => ({
      content: chunk.content,
      node: metadata.langgraph_node,
      step: metadata.langgraph_step,
      triggers: metadata.langgraph_triggers,
      path: metadata.langgraph_path,
      namespace: String(metadata.langgraph_checkpoint_ns).replace(/:.*/, ":<id>"),
      tags: metadata.tags,
    });
    const turns = async (graph: any) => {
      const seen: unknown[] = [];
      for (const input of [{ log: [] }, { log: ["again"] }]) {
        for await (const item of await graph.stream(input, { streamMode: "messages", configurable: { thread_id: "t" } })) seen.push(pick(item));
      }
      return seen;
    };
    const expected = (await turns(lang)) as Array<{ step: number }>;
    assert.equal(expected.length, 4);
    assert.deepEqual(expected[0], { content: "a", node: "__start__", step: 0, triggers: ["__start__"], path: ["__pregel_pull", "__start__"], namespace: "__start__:<id>", tags: ["langsmith:hidden", "router"] });
    // LangGraph writes two checkpoints per input, Weft one (docs/differences-from-langgraph.md), so on
    // the thread's second input Weft's step is one lower; all else is the same.
    const secondTurnAsWeftNumbers = expected.map((entry, index) => (index < 2 ? entry : { ...entry, step: entry.step - 1 }));
    assert.deepEqual(await turns(weft), secondTurnAsWeftNumbers);
  });
});
