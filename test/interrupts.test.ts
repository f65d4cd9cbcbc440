// Human in the loop: interrupt() pauses a node, the stream and getState show it, Command({ resume }) continues.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Command, END, INTERRUPT, MemorySaver, START, StateGraph, WeftError, interrupt, lastValue, reducer, type NodeConfig } from "weft";

type State = { log: string[]; answer: string };
const schema = () => ({ log: reducer((all: string[], more: string[]) => [...all, ...more], () => []), answer: lastValue<string>() });
const thread = (id: string) => ({ configurable: { thread_id: id } });
const isCode = (code: string) => (error: unknown) => WeftError.isInstance(error) && error.code === code;

async function collect<Item>(iterable: AsyncIterable<Item>): Promise<Item[]> {
  const items: Item[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

function approvalGraph() {
  const runs = { prepare: 0, ask: 0 };
  const seenTaskIds: string[] = [];
  const graph = new StateGraph<State>(schema())
    .addNode("prepare", () => {
      runs.prepare++;
      return { log: ["prepared"] };
    })
    .addNode("ask", (_state: State, config: NodeConfig) => {
      runs.ask++;
      seenTaskIds.push(String(config.metadata.langgraph_checkpoint_ns).split(":")[1]);
      const answer = interrupt<string>({ question: "Publish?" });
      return { answer, log: [`answered ${answer}`] };
    })
    .addEdge(START, "prepare")
    .addEdge("prepare", "ask")
    .addEdge("ask", END)
    .compile({ checkpointer: new MemorySaver() });
  return { graph, runs, seenTaskIds };
}

describe("interrupt()", () => {
  it("pauses the run: updates mode yields __interrupt__, getState shows it, Command({ resume }) continues", async () => {
    const { graph, runs, seenTaskIds } = approvalGraph();
    const first = await collect(graph.stream({ log: ["start"] }, { ...thread("t"), streamMode: "updates" }));
    assert.equal(first.length, 2);
    assert.deepEqual(first[0], { prepare: { log: ["prepared"] } });
    const [pause] = (first[1] as { [INTERRUPT]: Array<{ value: unknown; id: string }> })[INTERRUPT];
    assert.deepEqual(Object.keys(first[1]!), [INTERRUPT]);
    assert.deepEqual(pause!.value, { question: "Publish?" });
    assert.match(pause!.id, /^[0-9a-f-]{36}$/);

    const paused = await graph.getState(thread("t"));
    assert.deepEqual(paused.values, { log: ["start", "prepared"] });
    assert.deepEqual(paused.next, ["ask"]);
    assert.deepEqual(paused.tasks, [{ id: seenTaskIds[0], name: "ask", path: ["__pregel_pull", "ask"], interrupts: [pause], result: undefined }]);

    const resumed = await collect(graph.stream(new Command({ resume: "yes" }), { ...thread("t"), streamMode: "updates" }));
    assert.deepEqual(resumed, [{ ask: { answer: "yes", log: ["answered yes"] } }]);
    assert.deepEqual(runs, { prepare: 1, ask: 2 }, "the paused node runs again from its start; the others do not");
    assert.equal(seenTaskIds[1], seenTaskIds[0], "the task keeps its id across the pause");
    const done = await graph.getState(thread("t"));
    assert.deepEqual(done.values, { log: ["start", "prepared", "answered yes"], answer: "yes" });
    assert.deepEqual(done.tasks, []);
  });

  it("values mode yields the interrupt, and invoke() returns it with the state", async () => {
    const { graph } = approvalGraph();
    const chunks = await collect(graph.stream({ log: [] }, { ...thread("t"), streamMode: "values" }));
    assert.deepEqual(chunks.slice(0, 2), [{ log: [] }, { log: ["prepared"] }]);
    const last = chunks[2] as unknown as Record<string, Array<{ value: unknown }>>;
    assert.deepEqual(Object.keys(last), [INTERRUPT]);
    assert.deepEqual(last[INTERRUPT]![0]!.value, { question: "Publish?" });

    const { graph: other } = approvalGraph();
    const result = (await other.invoke({ log: [] }, thread("t"))) as State & { [INTERRUPT]?: Array<{ value: unknown }> };
    assert.deepEqual(result.log, ["prepared"]);
    assert.deepEqual(result[INTERRUPT]![0]!.value, { question: "Publish?" });
    assert.deepEqual(await other.invoke(new Command({ resume: "no" }), thread("t")), { log: ["prepared", "answered no"], answer: "no" });
  });

  it("several interrupts in one node are answered in order", async () => {
    let runs = 0;
    const graph = new StateGraph<State>(schema())
      .addNode("form", () => {
        runs++;
        const name = interrupt<string>("name?");
        const city = interrupt<string>("city?");
        return { answer: `${name} from ${city}` };
      })
      .addEdge(START, "form")
      .compile({ checkpointer: new MemorySaver() });
    const first = (await graph.invoke({ log: [] }, thread("t"))) as Record<string, any>;
    assert.equal(first[INTERRUPT][0].value, "name?");
    const second = (await graph.invoke(new Command({ resume: "Ada" }), thread("t"))) as Record<string, any>;
    assert.equal(second[INTERRUPT][0].value, "city?");
    assert.notEqual(second[INTERRUPT][0].id, first[INTERRUPT][0].id);
    assert.deepEqual(await graph.invoke(new Command({ resume: "London" }), thread("t")), { log: [], answer: "Ada from London" });
    assert.equal(runs, 3);
  });

  it("interrupts in parallel nodes resume by id, one at a time or together", async () => {
    const runs: Record<string, number> = { x: 0, y: 0, z: 0, join: 0 };
    const asker = (name: string) => () => {
      runs[name]!++;
      return { log: [`${name}:${interrupt<string>(`${name}?`)}`] };
    };
    const graph = new StateGraph<State>(schema())
      .addNode("x", asker("x"))
      .addNode("y", asker("y"))
      .addNode("z", () => {
        runs.z!++;
        return { log: ["z"] };
      })
      .addNode("join", () => {
        runs.join!++;
        return { log: ["join"] };
      })
      .addEdge(START, "x")
      .addEdge(START, "y")
      .addEdge(START, "z")
      .addEdge(["x", "y", "z"], "join")
      .compile({ checkpointer: new MemorySaver() });

    const paused = (await graph.invoke({ log: [] }, thread("t"))) as Record<string, any>;
    const interrupts = paused[INTERRUPT] as Array<{ value: string; id: string }>;
    assert.deepEqual(interrupts.map((entry) => entry.value), ["x?", "y?"]);
    const state = await graph.getState(thread("t"));
    assert.deepEqual(state.tasks.map((task) => [task.name, task.interrupts.map((entry) => entry.value)]), [["x", ["x?"]], ["y", ["y?"]], ["z", []]]);

    const [xInterrupt, yInterrupt] = interrupts;
    const afterX = (await graph.invoke(new Command({ resume: { [xInterrupt!.id]: "yes" } }), thread("t"))) as Record<string, any>;
    assert.deepEqual(afterX[INTERRUPT], [yInterrupt], "only y is still waiting, with the same id");
    assert.deepEqual(await graph.invoke(new Command({ resume: { [yInterrupt!.id]: "no" } }), thread("t")), {
      log: ["x:yes", "y:no", "z", "join"],
    });
    assert.deepEqual(runs, { x: 2, y: 3, z: 1, join: 1 });

    const { graph: again } = { graph };
    const second = (await again.invoke({ log: [] }, thread("u"))) as Record<string, any>;
    const ids = (second[INTERRUPT] as Array<{ id: string }>).map((entry) => entry.id);
    const done = await again.invoke(new Command({ resume: { [ids[0]!]: "a", [ids[1]!]: "b" } }), thread("u"));
    assert.deepEqual(done, { log: ["x:a", "y:b", "z", "join"] });
  });

  it("pauses inside a subgraph and resumes through the parent", async () => {
    let innerRuns = 0;
    const inner = new StateGraph<State>(schema())
      .addNode("innerAsk", () => {
        innerRuns++;
        return { answer: interrupt<string>("inner?") };
      })
      .addEdge(START, "innerAsk")
      .compile();
    const graph = new StateGraph<State>(schema())
      .addNode("child", inner)
      .addNode("after", (state: State) => ({ log: [`after ${state.answer}`] }))
      .addEdge(START, "child")
      .addEdge("child", "after")
      .compile({ checkpointer: new MemorySaver() });
    const paused = (await graph.invoke({ log: [] }, thread("t"))) as Record<string, any>;
    assert.equal(paused[INTERRUPT][0].value, "inner?");
    assert.deepEqual((await graph.getState(thread("t"))).next, ["child"]);
    assert.deepEqual(await graph.invoke(new Command({ resume: "ok" }), thread("t")), { log: ["after ok"], answer: "ok" });
    assert.equal(innerRuns, 2);
  });

  it("time travel: replaying the checkpoint before a pause asks again, and the answer continues the fork", async () => {
    const { graph, runs } = approvalGraph();
    await graph.invoke({ log: [] }, thread("t"));
    await graph.invoke(new Command({ resume: "yes" }), thread("t"));
    let beforeAsk: Awaited<ReturnType<typeof graph.getState>> | undefined;
    for await (const snapshot of graph.getStateHistory(thread("t"))) if (snapshot.next[0] === "ask" && snapshot.metadata?.source === "loop") beforeAsk = snapshot;
    const replayed = (await graph.invoke(null, { configurable: { ...beforeAsk!.config.configurable } })) as Record<string, any>;
    assert.deepEqual(replayed[INTERRUPT][0].value, { question: "Publish?" });
    assert.deepEqual(await graph.invoke(new Command({ resume: "no" }), thread("t")), { log: ["prepared", "answered no"], answer: "no" });
    assert.deepEqual(runs, { prepare: 1, ask: 4 });
  });

  it("needs a checkpointer, and a pending interrupt to resume", async () => {
    const graph = new StateGraph<State>(schema())
      .addNode("ask", () => ({ answer: interrupt<string>("?") }))
      .addEdge(START, "ask")
      .compile();
    await assert.rejects(graph.invoke({ log: [] }), (error: unknown) => isCode("CHECKPOINT")(error) && /checkpointer/.test((error as Error).message));
    const { graph: saved } = approvalGraph();
    await assert.rejects(saved.invoke(new Command({ resume: "x" }), thread("empty")), isCode("INVALID_INPUT"));
    await saved.invoke({ log: [] }, thread("t"));
    await saved.invoke(new Command({ resume: "x" }), thread("t"));
    await assert.rejects(saved.invoke(new Command({ resume: "again" }), thread("t")), isCode("INVALID_INPUT"));
    assert.throws(() => interrupt("outside"), isCode("NO_CONTEXT"));
  });
});

describe("Command({ resume, update })", () => {
  it("the resumed node sees the update", async () => {
    let seenLog: string[] = [];
    const graph = new StateGraph<State>(schema())
      .addNode("ask", (state: State) => {
        seenLog = state.log;
        return { answer: interrupt<string>("?") };
      })
      .addEdge(START, "ask")
      .compile({ checkpointer: new MemorySaver() });
    await graph.invoke({ log: ["start"] }, thread("t"));
    const done = await graph.invoke(new Command({ resume: "ok", update: { log: ["human note"] } }), thread("t"));
    assert.deepEqual(done, { log: ["start", "human note"], answer: "ok" });
    assert.deepEqual(seenLog, ["start", "human note"]);
  });
});
