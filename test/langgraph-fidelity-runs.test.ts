// Streams, breakpoints, snapshots and the run API: the same scenario run with LangGraph.js and with
// Weft in one test, compared (ids aside, see test/support/langgraph-pair.ts).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { START } from "weft";
import { chunks, compare } from "./support/langgraph-pair.js";

const thread = { configurable: { thread_id: "t" } };

describe("streams, breakpoints and snapshots as in LangGraph.js", () => {
  it("updates mode shows a node that wrote nothing (returned undefined, {}, or a Command without update) as {}", async () => {
    const expected = await compare((k) =>
      chunks(
        k
          .graph()
          .addNode("none", () => undefined)
          .addNode("empty", () => ({}))
          .addNode("jump", () => new k.Command({ goto: "last" }), { ends: ["last"] })
          .addNode("last", () => ({ log: ["last"] }))
          .addEdge(START, "none")
          .addEdge("none", "empty")
          .addEdge("empty", "jump")
          .compile()
          .stream({ log: [] }),
      ),
    );
    assert.deepEqual(expected, [{ none: {} }, { empty: {} }, { jump: {} }, { last: { log: ["last"] } }]);
  });

  it("values mode shows the state after input or steps that wrote a state key, even an equal value, and no other", async () => {
    const expected = await compare(async (k) => {
      const graph = k
        .graph()
        .addNode("none", () => undefined)
        .addNode("same", () => ({ x: "1" }))
        .addNode("empty", () => ({}))
        .addEdge(START, "none")
        .addEdge("none", "same")
        .addEdge("same", "empty")
        .compile();
      return { emptyInput: await chunks(graph.stream({}, { streamMode: "values" })), input: await chunks(graph.stream({ x: "1" }, { streamMode: "values" })) };
    });
    assert.deepEqual(expected, { emptyInput: [{ log: [], x: "1" }], input: [{ log: [], x: "1" }, { log: [], x: "1" }] });
  });

  it("values mode first shows the state a run resumes, continues or steers from", async () => {
    const expected = await compare(async (k) => {
      const graph = k
        .graph()
        .addNode("a", () => ({ log: ["a"] }))
        .addNode("ask", () => ({ log: [String(k.interrupt("q"))] }))
        .addNode("b", () => ({ log: ["b"] }))
        .addEdge(START, "a")
        .addEdge("a", "ask")
        .addEdge("ask", "b")
        .compile({ checkpointer: k.saver(), interruptBefore: ["b"] });
      const values = { ...thread, streamMode: "values" };
      await graph.invoke({ log: [] }, thread);
      const resumed = await chunks(graph.stream(new k.Command({ resume: "yes" }), values));
      await graph.updateState(thread, { x: "edited" });
      const continued = await chunks(graph.stream(null, values));
      const finished = await chunks(graph.stream(null, values));
      return { resumed, continued, finished };
    });
    assert.deepEqual(expected, {
      resumed: [{ log: ["a"] }, { log: ["a", "yes"] }, { __interrupt__: [] }],
      continued: [{ log: ["a", "yes"], x: "edited" }, { log: ["a", "yes", "b"], x: "edited" }],
      finished: [{ log: ["a", "yes", "b"], x: "edited" }],
    });
  });

  it("a static breakpoint ends the run with an empty __interrupt__, also after the last node", async () => {
    const expected = await compare(async (k) => {
      const graph = k
        .graph()
        .addNode("a", () => ({ log: ["a"] }))
        .addNode("b", () => ({ log: ["b"] }))
        .addEdge(START, "a")
        .addEdge("a", "b")
        .compile({ checkpointer: k.saver(), interruptBefore: ["b"], interruptAfter: ["b"] });
      const invoked = await graph.invoke({ log: [] }, thread);
      const streamed = await chunks(graph.stream(null, { ...thread, streamMode: ["updates", "values"] }));
      return { invoked, streamed, next: (await graph.getState(thread)).next };
    });
    assert.deepEqual(expected, {
      invoked: { log: ["a"], __interrupt__: [] },
      streamed: [
        ["values", { log: ["a"] }],
        ["updates", { b: { log: ["b"] } }],
        ["values", { log: ["a", "b"] }],
        ["updates", { __interrupt__: [] }],
        ["values", { __interrupt__: [] }],
      ],
      next: [],
    });
  });

  it("with subgraphs: true an interrupt is reported in every namespace on its way up", async () => {
    const expected = await compare(async (k) => {
      const inner = k.graph().addNode("ask", () => ({ log: [String(k.interrupt("q"))] })).addEdge(START, "ask").compile();
      const middle = k.graph().addNode("inner", inner).addEdge(START, "inner").compile();
      const graph = k.graph().addNode("middle", middle).addEdge(START, "middle").compile({ checkpointer: k.saver() });
      return chunks(graph.stream({ log: [] }, { ...thread, subgraphs: true }));
    });
    const interrupted = { __interrupt__: [{ id: "<id>", value: "q" }] };
    assert.deepEqual(expected, [
      [["middle:<id>", "inner:<id>"], interrupted],
      [["middle:<id>"], interrupted],
      [[], interrupted],
    ]);
  });

  it("a step where one task pauses: the state the run ends with, getState() and the resumed stream show the finished sibling", async () => {
    const expected = await compare(async (k) => {
      const graph = k
        .graph()
        .addNode("done", () => ({ log: ["done"] }))
        .addNode("ask", async () => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return { log: [String(k.interrupt("q"))] };
        })
        .addEdge(START, "done")
        .addEdge(START, "ask")
        .compile({ checkpointer: k.saver() });
      const paused = await chunks(graph.stream({ log: [] }, { ...thread, streamMode: ["updates", "values"] }));
      const state = await graph.getState(thread);
      const resumed = await chunks(graph.stream(new k.Command({ resume: "yes" }), { ...thread, streamMode: ["updates", "values"] }));
      return { paused, values: state.values, next: state.next, tasks: state.tasks, threadId: state.metadata.thread_id, resumed };
    });
    assert.deepEqual(expected, {
      paused: [
        ["values", { log: [] }],
        ["updates", { done: { log: ["done"] } }],
        ["updates", { __interrupt__: [{ id: "<id>", value: "q" }] }],
        ["values", { __interrupt__: [{ id: "<id>", value: "q" }] }],
        ["values", { log: ["done"] }],
      ],
      values: { log: ["done"] },
      next: ["ask"],
      tasks: [
        { id: "<id>", name: "done", path: ["__pregel_pull", "done"], interrupts: [], result: { log: ["done"] } },
        { id: "<id>", name: "ask", path: ["__pregel_pull", "ask"], interrupts: [{ id: "<id>", value: "q" }], result: undefined },
      ],
      threadId: "t",
      resumed: [
        ["values", { log: [] }],
        ["updates", { done: { log: ["done"] }, __metadata__: { cached: true } }],
        ["updates", { ask: { log: ["yes"] } }],
        ["values", { log: ["yes", "done"] }],
      ],
    });
  });
});

describe("snapshots, debug events and the run API as in LangGraph.js", () => {
  it("getState() gives a subgraph task the config of the subgraph's checkpoints; with subgraphs: true, the subgraph's state", async () => {
    const expected = await compare(async (k) => {
      const child = k.graph().addNode("inner", () => ({ log: ["inner"] })).addEdge(START, "inner").compile();
      const graph = k
        .graph()
        .addNode("first", () => ({ log: ["first"] }))
        .addNode("child", child)
        .addEdge(START, "first")
        .addEdge("first", "child")
        .compile({ checkpointer: k.saver(), interruptBefore: ["child"] });
      await graph.invoke({ log: [] }, thread);
      const task = (await graph.getState(thread)).tasks[0];
      const deep = (await graph.getState(thread, { subgraphs: true })).tasks[0];
      // LangGraph's config of a subgraph with no checkpoint yet also holds its checkpointer object.
      const { thread_id, checkpoint_ns } = deep.state.config.configurable;
      return { task, deep: { ...deep, state: { ...deep.state, config: { configurable: { thread_id, checkpoint_ns } } } } };
    });
    assert.deepEqual(expected, {
      task: { id: "<id>", name: "child", path: ["__pregel_pull", "child"], interrupts: [], state: { configurable: { thread_id: "t", checkpoint_ns: "child:<id>" } }, result: undefined },
      deep: {
        id: "<id>",
        name: "child",
        path: ["__pregel_pull", "child"],
        interrupts: [],
        state: { values: {}, next: [], config: { configurable: { thread_id: "t", checkpoint_ns: "child:<id>" } }, tasks: [] },
        result: undefined,
      },
    });
  });

  it("debug task events carry interrupts and the run's own metadata", async () => {
    const expected = await compare(async (k) => {
      const graph = k.graph().addNode("a", () => ({ log: ["a"] })).addEdge(START, "a").compile();
      const events = await chunks(graph.stream({ log: [] }, { streamMode: "debug", metadata: { user: "u1" }, tags: ["mine"] }));
      return events.map(({ type, step, payload }) => {
        if (type !== "task") return { type, step, payload };
        const { ls_integration: _library, ...metadata } = payload.metadata;
        return { type, step, payload: { ...payload, metadata } };
      });
    });
    assert.deepEqual(expected, [
      { type: "task", step: 1, payload: { id: "<id>", name: "a", input: { log: [] }, triggers: ["branch:to:a"], interrupts: [], metadata: { user: "u1", tags: ["mine"] } } },
      { type: "task_result", step: 1, payload: { id: "<id>", name: "a", result: { log: ["a"] }, interrupts: [], error: null } },
    ]);
  });

  it("debug checkpoint events list the next tasks in LangGraph's snapshot shape", async () => {
    const expected = await compare(async (k) => {
      const child = k.graph().addNode("inner", () => ({ log: ["inner"] })).addEdge(START, "inner").compile();
      const graph = k.graph().addNode("first", () => ({ log: ["first"] })).addNode("child", child).addEdge(START, "first").addEdge("first", "child").compile({ checkpointer: k.saver() });
      const events = await chunks(graph.stream({ log: [] }, { ...thread, streamMode: "debug" }));
      // LangGraph's extra checkpoint of the input (next: ["__start__"]) is a documented difference.
      return events.filter((event) => event.type === "checkpoint" && !event.payload.next.includes("__start__")).map((event) => ({ next: event.payload.next, tasks: event.payload.tasks }));
    });
    assert.deepEqual(expected, [
      { next: ["first"], tasks: [{ id: "<id>", name: "first", path: ["__pregel_pull", "first"], interrupts: [], result: undefined }] },
      {
        next: ["child"],
        tasks: [{ id: "<id>", name: "child", path: ["__pregel_pull", "child"], interrupts: [], state: { configurable: { thread_id: "t", checkpoint_ns: "child:<id>" } }, result: undefined }],
      },
      { next: [], tasks: [] },
    ]);
  });

  it("invoke() with a streamMode other than values resolves to the chunks", async () => {
    const expected = await compare(async (k) => {
      const graph = k.graph().addNode("a", () => ({ log: ["a"] })).addEdge(START, "a").compile();
      return {
        updates: await graph.invoke({ log: [] }, { streamMode: "updates" }),
        modes: await graph.invoke({ log: [] }, { streamMode: ["updates", "values"] }),
        values: await graph.invoke({ log: [] }, { streamMode: "values" }),
      };
    });
    assert.deepEqual(expected, {
      updates: [{ a: { log: ["a"] } }],
      modes: [["values", { log: [] }], ["updates", { a: { log: ["a"] } }], ["values", { log: ["a"] }]],
      values: { log: ["a"] },
    });
  });

  it("batch() runs each input, with one config or one per input, and can return errors in place", async () => {
    const expected = await compare(async (k) => {
      const graph = k
        .graph()
        .addNode("a", (state: { log: string[]; x?: string }) => {
          if (state.x === "fail") throw new Error("failed on purpose");
          return { log: [`a${state.log.length}`] };
        })
        .addEdge(START, "a")
        .compile();
      const results = await graph.batch([{ log: [] }, { log: ["x"] }], [{ tags: ["one"] }, { tags: ["two"] }]);
      const errors = await graph.batch([{ log: [] }, { log: [], x: "fail" }], { recursionLimit: 5 }, { returnExceptions: true, maxConcurrency: 1 });
      const rejected = await graph.batch([{ log: [], x: "fail" }]).then(
        () => "resolved",
        (error: Error) => error.message.includes("failed on purpose"),
      );
      return { results, errors: errors.map((item: unknown) => (item instanceof Error ? item.message.includes("failed on purpose") : item)), rejected };
    });
    assert.deepEqual(expected, { results: [{ log: ["a0"] }, { log: ["x", "a1"] }], errors: [{ log: ["a0"] }, true], rejected: true });
  });

  it("a run past its recursion limit fails with an error named GraphRecursionError", async () => {
    const expected = await compare(async (k) => {
      const graph = k.graph().addNode("loop", () => ({ log: ["again"] })).addEdge(START, "loop").addConditionalEdges("loop", () => "loop").compile();
      return graph.invoke({ log: [] }, { recursionLimit: 3 }).then(
        () => "finished",
        (error: Error) => ({
          name: error.name,
          instance: error instanceof k.GraphRecursionError,
          limit: /^Recursion limit of 3 reached without hitting a stop condition/.test(error.message),
        }),
      );
    });
    assert.deepEqual(expected, { name: "GraphRecursionError", instance: true, limit: true });
  });

  it("a run's metadata carries the thread's ids from configurable, so messages metadata names the thread", async () => {
    const expected = await compare(async (k) => {
      const graph = k.graph().addNode("a", (_state: unknown, config: any) => ({ x: JSON.stringify([config.metadata.thread_id, config.metadata.user]) })).addEdge(START, "a").compile();
      return graph.invoke({ log: [] }, { configurable: { thread_id: "t7", other: "not copied" }, metadata: { user: "u1" } });
    });
    assert.deepEqual(expected, { log: [], x: '["t7","u1"]' });
  });
});

describe("common graphs stream the same chunks as in LangGraph.js", () => {
  it("a path map, a Send fan-out into a reducer and a Command with goto and update, in updates, values and debug at once", async () => {
    const expected = await compare(async (k) => {
      const graph = k
        .graph()
        .addNode("decide", () => ({ log: ["decide"] }))
        .addNode("plan", () => new k.Command({ update: { log: ["plan"] }, goto: "fan" }), { ends: ["fan"] })
        .addNode("skip", () => ({ log: ["skip"] }))
        .addNode("fan", () => ({ log: ["fan"] }))
        .addNode("work", (arg: { n: number }) => ({ log: [`work ${arg.n}`] }))
        .addNode("join", (state: { log: string[] }) => ({ x: state.log.join(",") }))
        .addEdge(START, "decide")
        .addConditionalEdges("decide", (state: { log: string[] }) => (state.log.includes("decide") ? "yes" : "no"), { yes: "plan", no: "skip" })
        .addConditionalEdges("fan", () => [1, 2, 3].map((n) => new k.Send("work", { n })))
        .addEdge("work", "join")
        .compile();
      const events = await chunks(graph.stream({ log: [] }, { streamMode: ["updates", "values", "debug"] }));
      return events.map(([mode, chunk]) => (mode === "debug" ? [mode, chunk.type, chunk.step, chunk.payload.name, chunk.payload.triggers ?? chunk.payload.result] : [mode, chunk]));
    });
    const events = expected as unknown[][];
    const final = ["decide", "plan", "fan", "work 1", "work 2", "work 3"];
    assert.deepEqual(events.at(-1), ["values", { log: final, x: final.join(",") }]);
    assert.equal(events.filter(([mode, type]) => mode === "debug" && type === "task").length, 7);
  });

  it("two interrupt() calls in one node are answered in order, and the resumed run shows the state first", async () => {
    const expected = await compare(async (k) => {
      const graph = k
        .graph()
        .addNode("ask", () => ({ log: [String(k.interrupt("first?")), String(k.interrupt("second?"))] }))
        .addEdge(START, "ask")
        .compile({ checkpointer: k.saver() });
      const modes = { ...thread, streamMode: ["updates", "values"] };
      return [
        await chunks(graph.stream({ log: [] }, modes)),
        await chunks(graph.stream(new k.Command({ resume: "one" }), modes)),
        await chunks(graph.stream(new k.Command({ resume: "two" }), modes)),
      ];
    });
    const asked = (value: string) => ({ __interrupt__: [{ id: "<id>", value }] });
    assert.deepEqual(expected, [
      [["values", { log: [] }], ["updates", asked("first?")], ["values", asked("first?")]],
      [["values", { log: [] }], ["updates", asked("second?")], ["values", asked("second?")]],
      [["values", { log: [] }], ["updates", { ask: { log: ["one", "two"] } }], ["values", { log: ["one", "two"] }]],
    ]);
  });
});
