// Threads end to end with MemorySaver: continuing a thread, getState/history/updateState, replay,
// resuming after a failed step, THREAD_BUSY, and serialization errors.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SqliteSaver } from "weft/checkpoint/sqlite";
import { Command, END, MemorySaver, START, Send, StateGraph, WeftError, lastValue, reducer, type NodeConfig } from "weft";
import { FakeChatModel } from "weft/testing";

type State = { items: string[]; topic: string; result: string };

const schema = () => ({
  items: reducer((all: string[], more: string[]) => [...all, ...more], () => []),
  topic: lastValue<string>(),
  result: lastValue<string>(),
});

/** a -> (b, c in parallel) -> d; each node appends its name and counts its runs. */
function diamond(checkpointer = new MemorySaver(), failOnce?: string) {
  const runs: Record<string, number> = { a: 0, b: 0, c: 0, d: 0 };
  let failed = false;
  const node = (name: string) => async () => {
    runs[name]!++;
    if (name === failOnce && !failed) {
      failed = true;
      throw new Error(`${name} broke`);
    }
    return { items: [name] };
  };
  const graph = new StateGraph<State>(schema())
    .addNode("a", node("a"))
    .addNode("b", node("b"))
    .addNode("c", node("c"))
    .addNode("d", node("d"))
    .addEdge(START, "a")
    .addEdge("a", "b")
    .addEdge("a", "c")
    .addEdge(["b", "c"], "d")
    .addEdge("d", END)
    .compile({ checkpointer });
  return { graph, runs, checkpointer };
}

const thread = (id: string) => ({ configurable: { thread_id: id } });

async function collect<Item>(iterable: AsyncIterable<Item>): Promise<Item[]> {
  const items: Item[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

const isCode = (code: string) => (error: unknown) => WeftError.isInstance(error) && error.code === code;

describe("threads", () => {
  it("continue: the input of the next run merges into the saved state", async () => {
    const { graph } = diamond();
    assert.deepEqual(await graph.invoke({ items: ["first"] }, thread("t")), { items: ["first", "a", "b", "c", "d"] });
    assert.deepEqual(await graph.invoke({ items: ["second"], topic: "x" }, thread("t")), {
      items: ["first", "a", "b", "c", "d", "second", "a", "b", "c", "d"],
      topic: "x",
    });
    assert.deepEqual(await graph.invoke({ items: ["other"] }, thread("u")), { items: ["other", "a", "b", "c", "d"] });
  });

  it("need a thread_id when a checkpointer is set", async () => {
    const { graph } = diamond();
    await assert.rejects(graph.invoke({ items: [] }), (error: unknown) => isCode("CHECKPOINT")(error) && /thread_id/.test((error as Error).message));
    assert.throws(() => graph.stream({ items: [] }, { configurable: {} }), isCode("CHECKPOINT"));
  });

  it("getState and getStateHistory show values, next, metadata and parents, newest first", async () => {
    const { graph } = diamond();
    await graph.invoke({ items: ["in"] }, thread("t"));
    const state = await graph.getState(thread("t"));
    assert.deepEqual(state.values, { items: ["in", "a", "b", "c", "d"] });
    assert.deepEqual(state.next, []);
    assert.equal(state.metadata?.source, "loop");
    assert.equal(state.metadata?.step, 3);
    assert.deepEqual(state.metadata?.writes, { d: { items: ["d"] } });
    assert.equal(typeof state.createdAt, "string");
    const history = await collect(graph.getStateHistory(thread("t")));
    assert.deepEqual(
      history.map((snapshot) => [snapshot.metadata?.source, snapshot.metadata?.step, snapshot.next]),
      [
        ["loop", 3, []],
        ["loop", 2, ["d"]],
        ["loop", 1, ["b", "c"]],
        ["input", 0, ["a"]],
      ],
    );
    assert.deepEqual(history[0]!.config, state.config);
    for (let index = 0; index < history.length - 1; index++) assert.deepEqual(history[index]!.parentConfig, history[index + 1]!.config);
    assert.equal(history[3]!.parentConfig, undefined);
    assert.deepEqual(history[2]!.metadata?.writes, { a: { items: ["a"] } });
    assert.deepEqual((await collect(graph.getStateHistory(thread("t"), { limit: 1 }))).length, 1);
    assert.deepEqual(await graph.getState(thread("never-used")), {
      values: {},
      next: [],
      config: thread("never-used"),
      tasks: [],
    });
  });

  it("a failed step resumes without re-running the tasks that had finished", async () => {
    const { graph, runs } = diamond(new MemorySaver(), "c");
    await assert.rejects(graph.invoke({ items: ["in"] }, thread("t")), /c broke/);
    const stopped = await graph.getState(thread("t"));
    // As in LangGraph, the latest state shows what finished tasks wrote, and `next` the tasks still to run.
    assert.deepEqual(stopped.next, ["c"]);
    assert.deepEqual(stopped.values, { items: ["in", "a", "b"] });
    const [saved] = await collect(graph.getStateHistory(thread("t"), { limit: 1 }));
    assert.deepEqual([saved!.values, saved!.next], [{ items: ["in", "a"] }, ["b", "c"]], "the history shows the checkpoint as saved");
    assert.deepEqual(
      stopped.tasks.map((task) => [task.name, task.error, task.result]),
      [
        ["b", undefined, { items: ["b"] }],
        ["c", { code: "NODE_FAILED", message: 'Node "c" failed: c broke' }, undefined],
      ],
    );
    assert.deepEqual(runs, { a: 1, b: 1, c: 1, d: 0 });
    const updates = await collect(graph.stream(null, { ...thread("t"), streamMode: "updates" }));
    assert.deepEqual(updates, [{ b: { items: ["b"] }, __metadata__: { cached: true } }, { c: { items: ["c"] } }, { d: { items: ["d"] } }]);
    assert.deepEqual(runs, { a: 1, b: 1, c: 2, d: 1 }, "b finished before the failure, so it did not run again");
    assert.deepEqual((await graph.getState(thread("t"))).values, { items: ["in", "a", "b", "c", "d"] });
  });

  it("updateState writes through reducers; asNode decides what runs next", async () => {
    const { graph, runs } = diamond();
    await graph.invoke({ items: ["in"] }, thread("t"));
    const config = await graph.updateState(thread("t"), { items: ["edited"] }, "b");
    assert.equal(typeof config.configurable?.checkpoint_id, "string");
    const state = await graph.getState(thread("t"));
    assert.deepEqual(state.values.items, ["in", "a", "b", "c", "d", "edited"]);
    assert.equal(state.metadata?.source, "update");
    assert.deepEqual(state.metadata?.writes, { b: { items: ["edited"] } });
    assert.deepEqual(state.next, [], "b alone does not complete the join to d");
    await graph.updateState(thread("t"), { items: ["as-a"] }, "a");
    assert.deepEqual((await graph.getState(thread("t"))).next, ["b", "c"]);
    assert.deepEqual(await graph.invoke(null, thread("t")), { items: ["in", "a", "b", "c", "d", "edited", "as-a", "b", "c", "d"] });
    assert.deepEqual(runs, { a: 1, b: 2, c: 2, d: 2 });
    await assert.rejects(graph.updateState(thread("t"), { items: [] }, "nope"), isCode("INVALID_UPDATE"));
  });

  it("updateState on a new thread acts as the input; with asNode END nothing runs next", async () => {
    const { graph } = diamond();
    await graph.updateState(thread("fresh"), { items: ["seed"] });
    assert.deepEqual((await graph.getState(thread("fresh"))).next, ["a"]);
    await graph.updateState(thread("fresh"), { topic: "done" }, END);
    assert.deepEqual((await graph.getState(thread("fresh"))).next, []);
  });

  it("replays from a past checkpoint: the run forks and re-runs the nodes after it", async () => {
    const { graph, runs } = diamond();
    await graph.invoke({ items: ["in"] }, thread("t"));
    const history = await collect(graph.getStateHistory(thread("t")));
    const afterA = history.find((snapshot) => snapshot.metadata?.step === 1)!;
    const replayed = await graph.invoke(null, { configurable: { ...afterA.config.configurable } });
    assert.deepEqual(replayed, { items: ["in", "a", "b", "c", "d"] });
    assert.deepEqual(runs, { a: 1, b: 2, c: 2, d: 2 });
    const after = await collect(graph.getStateHistory(thread("t")));
    assert.deepEqual(
      after.slice(0, 3).map((snapshot) => [snapshot.metadata?.source, snapshot.metadata?.step, snapshot.next]),
      [
        ["loop", 3, []],
        ["loop", 2, ["d"]],
        ["fork", 1, ["b", "c"]],
      ],
    );
    assert.equal(after.length, history.length + 3);
    assert.deepEqual(after[2]!.parentConfig, afterA.config, "the fork is a child of the replayed checkpoint");
    assert.deepEqual(after[2]!.values, afterA.values);
    await assert.rejects(graph.invoke(null, { configurable: { thread_id: "t", checkpoint_id: "nope" } }), isCode("CHECKPOINT"));
  });

  it("refuses a second run on a busy thread with THREAD_BUSY; other threads run", async () => {
    const model = new FakeChatModel({ responses: [["slow ", "tokens"]], delayMs: 20 });
    const graph = new StateGraph<State>(schema())
      .addNode("talk", async (_state: State, config: NodeConfig) => ({ result: (await model.invoke("hi", config)).content }))
      .addEdge(START, "talk")
      .compile({ checkpointer: new MemorySaver() });
    const first = graph.invoke({ topic: "x" }, thread("busy"));
    await assert.rejects(graph.invoke({ topic: "y" }, thread("busy")), isCode("THREAD_BUSY"));
    assert.throws(() => graph.stream({ topic: "y" }, thread("busy")), isCode("THREAD_BUSY"));
    await assert.rejects(graph.updateState(thread("busy"), { topic: "z" }), isCode("THREAD_BUSY"));
    assert.deepEqual(await graph.invoke({ topic: "other" }, thread("free")), { items: [], topic: "other", result: "slow tokens" });
    assert.deepEqual(await first, { items: [], topic: "x", result: "slow tokens" });
    assert.deepEqual(await graph.invoke({ topic: "again" }, thread("busy")), { items: [], topic: "again", result: "slow tokens" });
  });

  it("unserializable state fails with SERIALIZATION naming the key, and the thread keeps its last good checkpoint", async () => {
    const graph = new StateGraph<{ value: unknown }>()
      .addNode("bad", () => ({ value: { handler: () => 1 } }))
      .addEdge(START, "bad")
      .compile({ checkpointer: new MemorySaver() });
    await assert.rejects(graph.invoke({ value: 1 }, thread("t")), (error: unknown) => {
      assert.ok(WeftError.isInstance(error));
      assert.equal(error.code, "SERIALIZATION");
      assert.match(error.message, /value\.handler/);
      return true;
    });
    const state = await graph.getState(thread("t"));
    assert.deepEqual(state.values, { value: 1 });
    assert.deepEqual(state.next, ["bad"]);
    await assert.rejects(graph.invoke({ value: Symbol("input") }, thread("u")), isCode("SERIALIZATION"));
    assert.equal((await graph.getState(thread("u"))).metadata, undefined, "nothing was written for a bad input");
  });

  it("a node can return Command({ update, goto })", async () => {
    const graph = new StateGraph<State>(schema())
      .addNode("route", () => new Command({ update: { items: ["route"] }, goto: "chosen" }))
      .addNode("chosen", () => ({ items: ["chosen"] }))
      .addNode("skipped", () => ({ items: ["skipped"] }))
      .addEdge(START, "route")
      .compile();
    const updates = await collect(graph.stream({ items: [] }, { streamMode: "updates" }));
    assert.deepEqual(updates, [{ route: { items: ["route"] } }, { chosen: { items: ["chosen"] } }]);
  });

  it("a Command input without a checkpointer is refused", async () => {
    const graph = new StateGraph<State>(schema()).addNode("a", () => ({})).addEdge(START, "a").compile();
    await assert.rejects(graph.invoke(new Command({ resume: 1 })), isCode("INVALID_INPUT"));
    await assert.rejects(graph.getState(thread("t")), isCode("CHECKPOINT"));
  });

  it("debug mode reports each checkpoint", async () => {
    const { graph } = diamond();
    const events = await collect(graph.stream({ items: [] }, { ...thread("t"), streamMode: "debug" }));
    const checkpoints = events.filter((event) => event.type === "checkpoint");
    assert.deepEqual(
      checkpoints.map((event) => [event.step, (event.payload as { next: string[] }).next]),
      [
        [0, ["a"]],
        [1, ["b", "c"]],
        [2, ["d"]],
        [3, []],
      ],
    );
  });
});

describe("threads across savers", () => {
  it("a run is refused with THREAD_BUSY while another saver on the same SQLite file runs the thread", async () => {
    const directory = mkdtempSync(join(tmpdir(), "weft-busy-"));
    const savers = [SqliteSaver.fromPath(join(directory, "t.db")), SqliteSaver.fromPath(join(directory, "t.db"))];
    try {
      const model = new FakeChatModel({ responses: [["a ", "b ", "c ", "d"]], delayMs: 50 });
      const build = (saver: SqliteSaver) =>
        new StateGraph<State>(schema())
          .addNode("talk", async (_state: State, config: NodeConfig) => ({ result: (await model.invoke("hi", config)).content }))
          .addEdge(START, "talk")
          .compile({ checkpointer: saver });
      const [first, second] = savers.map(build);
      const running = first!.invoke({ topic: "x" }, thread("t"));
      await assert.rejects(
        (async () => {
          // Wait until the first run holds the thread (its input checkpoint exists), then try.
          while ((await second!.getState(thread("t"))).metadata === undefined) await new Promise((resolve) => setImmediate(resolve));
          return second!.invoke({ topic: "y" }, thread("t"));
        })(),
        isCode("THREAD_BUSY"),
      );
      assert.equal((await running).result, "a b c d");
      assert.equal((await second!.invoke({ topic: "z" }, thread("t"))).topic, "z", "free again once the first run ended");
    } finally {
      for (const saver of savers) saver.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe("Send fan-out on a thread", () => {
  it("resumes pending Send tasks with their arguments, running only the ones that had not finished", async () => {
    const ran: string[] = [];
    let failed = false;
    const graph = new StateGraph<State>(schema())
      .addNode("plan", () => ({}))
      .addNode("write", (arg: { topic: string }) => {
        ran.push(arg.topic);
        if (arg.topic === "dogs" && !failed) {
          failed = true;
          throw new Error("dogs failed");
        }
        return { items: [arg.topic] };
      })
      .addEdge(START, "plan")
      .addConditionalEdges("plan", () => ["cats", "dogs", "owls"].map((topic) => new Send("write", { topic })))
      .compile({ checkpointer: new MemorySaver() });
    await assert.rejects(graph.invoke({ items: [] }, thread("t")), /dogs failed/);
    assert.deepEqual((await graph.getState(thread("t"))).next, ["write"]);
    ran.length = 0;
    assert.deepEqual(await graph.invoke(null, thread("t")), { items: ["cats", "dogs", "owls"] });
    assert.deepEqual(ran, ["dogs"]);
  });
});

describe("aborted runs", () => {
  it("a run aborted in the middle of a model's tokens resumes on the same thread, keeping finished siblings", async () => {
    const model = new FakeChatModel({ responses: [["one ", "two ", "three ", "four"]], delayMs: 5 });
    const runs = { talk: 0, quick: 0 };
    const graph = new StateGraph<State>(schema())
      .addNode("talk", async (_state: State, config: NodeConfig) => {
        runs.talk++;
        return { result: (await model.invoke("hi", config)).content };
      })
      .addNode("quick", () => {
        runs.quick++;
        return { items: ["quick"] };
      })
      .addEdge(START, "talk")
      .addEdge(START, "quick")
      .compile({ checkpointer: new MemorySaver() });
    const stream = graph.stream({ topic: "x" }, { ...thread("t"), streamMode: "messages" });
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const [chunk] of stream) {
          seen.push(chunk.text);
          if (seen.length === 2) stream.abort();
        }
      })(),
      isCode("ABORTED"),
    );
    assert.deepEqual(seen, ["one ", "two "]);
    assert.deepEqual((await graph.getState(thread("t"))).next, ["talk"]);
    assert.deepEqual(await graph.invoke(null, thread("t")), { items: ["quick"], topic: "x", result: "one two three four" });
    assert.deepEqual(runs, { talk: 2, quick: 1 });
  });
});

describe("breakpoints (interruptBefore / interruptAfter)", () => {
  function chain(options: { interruptBefore?: string[] | "*"; interruptAfter?: string[] | "*" }) {
    const ran: string[] = [];
    const node = (name: string) => () => {
      ran.push(name);
      return { items: [name] };
    };
    const graph = new StateGraph<State>(schema())
      .addNode("a", node("a"))
      .addNode("b", node("b"))
      .addNode("c", node("c"))
      .addEdge(START, "a")
      .addEdge("a", "b")
      .addEdge("b", "c")
      .compile({ checkpointer: new MemorySaver(), ...options });
    return { graph, ran };
  }

  it("interruptBefore stops before the node; a null run continues past it; an edit in between is kept", async () => {
    const { graph, ran } = chain({ interruptBefore: ["b"] });
    assert.deepEqual(await graph.invoke({ items: [] }, thread("t")), { items: ["a"], __interrupt__: [] });
    assert.deepEqual((await graph.getState(thread("t"))).next, ["b"]);
    await graph.updateState(thread("t"), { topic: "edited" });
    assert.deepEqual(await graph.invoke(null, thread("t")), { items: ["a", "b", "c"], topic: "edited" });
    assert.deepEqual(ran, ["a", "b", "c"]);
  });

  it("interruptAfter stops after the node ran; '*' stops at every step", async () => {
    const { graph } = chain({ interruptAfter: ["a"] });
    assert.deepEqual(await graph.invoke({ items: [] }, thread("t")), { items: ["a"], __interrupt__: [] });
    assert.deepEqual((await graph.getState(thread("t"))).next, ["b"]);
    assert.deepEqual(await graph.invoke(null, thread("t")), { items: ["a", "b", "c"] });

    const { graph: every } = chain({ interruptBefore: "*" });
    assert.deepEqual(await every.invoke({ items: [] }, thread("t")), { items: [], __interrupt__: [] });
    assert.deepEqual(await every.invoke(null, thread("t")), { items: ["a"], __interrupt__: [] });
    assert.deepEqual(await every.invoke(null, thread("t")), { items: ["a", "b"], __interrupt__: [] });
    assert.deepEqual(await every.invoke(null, thread("t")), { items: ["a", "b", "c"] });
  });

  it("can be given per run, replacing the graph's; withCheckpointer() keeps the graph's", async () => {
    const { graph, ran } = chain({ interruptBefore: ["b"] });
    assert.deepEqual(await graph.invoke({ items: [] }, { ...thread("t"), interruptBefore: ["c"] }), { items: ["a", "b"], __interrupt__: [] });
    // As in LangGraph, a breakpoint after the last node still reports the stop.
    assert.deepEqual(await graph.invoke(null, { ...thread("t"), interruptAfter: "*" }), { items: ["a", "b", "c"], __interrupt__: [] });
    assert.deepEqual(ran, ["a", "b", "c"]);
    await assert.rejects(graph.invoke({ items: [] }, { ...thread("u"), interruptAfter: ["nope"] }), isCode("INVALID_OPTIONS"));

    const moved = graph.withCheckpointer(new MemorySaver());
    assert.deepEqual(await moved.invoke({ items: [] }, thread("t")), { items: ["a"], __interrupt__: [] });
    assert.equal(moved.name, graph.name);
  });

  it("are checked at compile time", () => {
    const builder = new StateGraph<State>(schema()).addNode("a", () => ({})).addEdge(START, "a");
    assert.throws(() => builder.compile({ interruptBefore: ["a"] }), isCode("INVALID_GRAPH"));
    assert.throws(() => builder.compile({ checkpointer: new MemorySaver(), interruptAfter: ["nope"] }), isCode("INVALID_GRAPH"));
  });

  it("checkpoint metadata carries the run's metadata", async () => {
    const { graph } = chain({});
    await graph.invoke({ items: [] }, { ...thread("t"), metadata: { user: "u1" } });
    const state = await graph.getState(thread("t"));
    assert.equal(state.metadata?.user, "u1");
    assert.equal(state.metadata?.source, "loop");
  });
});

describe("Command as run input", () => {
  it("update applies to the thread before its pending tasks continue; finished siblings are kept", async () => {
    const { graph, runs } = diamond(new MemorySaver(), "c");
    await assert.rejects(graph.invoke({ items: ["in"] }, thread("t")), /c broke/);
    const result = await graph.invoke(new Command({ update: { topic: "fixed" } }), thread("t"));
    assert.deepEqual(result, { items: ["in", "a", "b", "c", "d"], topic: "fixed" });
    assert.deepEqual(runs, { a: 1, b: 1, c: 2, d: 1 });
  });

  it("goto runs the named node next; on a new thread update acts as the input", async () => {
    const { graph, runs } = diamond();
    await graph.invoke({ items: ["in"] }, thread("t"));
    assert.deepEqual(await graph.invoke(new Command({ goto: "d", update: { items: ["jump"] } }), thread("t")), {
      items: ["in", "a", "b", "c", "d", "jump", "d"],
    });
    assert.deepEqual(runs, { a: 1, b: 1, c: 1, d: 2 });
    assert.deepEqual(await graph.invoke(new Command({ update: { items: ["new"] } }), thread("new")), { items: ["new", "a", "b", "c", "d"] });
    await assert.rejects(graph.invoke(new Command({ goto: "nope" }), thread("t")), isCode("INVALID_GRAPH"));
    await assert.rejects(graph.invoke(new Command({}), thread("t")), isCode("INVALID_INPUT"));
  });
});

it("a key written with undefined is still there after the thread is restored", async () => {
  const graph = new StateGraph<{ a: string | undefined; b: number }>({ a: lastValue<string | undefined>(), b: lastValue<number>() })
    .addNode("clear", () => ({ a: undefined }))
    .addNode("next", (state: { b: number }) => ({ b: state.b + 1 }))
    .addEdge(START, "clear")
    .addEdge("clear", "next")
    .compile({ checkpointer: new MemorySaver(), interruptBefore: ["next"] });
  await graph.invoke({ a: "x", b: 1 }, thread("t"));
  assert.deepEqual(await graph.invoke(null, thread("t")), { a: undefined, b: 2 });
});
