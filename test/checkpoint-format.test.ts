// The persisted checkpoint format is versioned and checked on read: tasks, routes, interrupts and
// joins are saved in their own shapes, and anything else is refused with a CHECKPOINT error.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Command, MemorySaver, START, Send, StateGraph, WeftError, interrupt, lastValue, reducer } from "weft";
// The ids the graph's checkpoints got come from this generator, so a new one sorts after them all.
import { newCheckpointId } from "../src/core/checkpoint-id.js";

const thread = { configurable: { thread_id: "t" } };
const append = (all: string[], more: string[]) => all.concat(more);

function pausing(saver: MemorySaver, withAsk = true) {
  let builder = new StateGraph({ answer: lastValue<string>() });
  builder = withAsk
    ? builder.addNode("ask", () => ({ answer: String(interrupt("?")) })).addEdge(START, "ask")
    : builder.addNode("other", () => ({ answer: "other" })).addEdge(START, "other");
  return builder.compile({ checkpointer: saver });
}

function expectCheckpointError(pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(WeftError.isInstance(error), String(error));
    assert.equal(error.code, "CHECKPOINT");
    assert.match(error.message, pattern);
    return true;
  };
}

/** Save a copy of the latest checkpoint, changed by `change`, as the thread's newest checkpoint. */
async function putChanged(saver: MemorySaver, change: (checkpoint: any) => any, writes?: Array<[string, unknown]>, taskId = "task") {
  const tuple = (await saver.getTuple(thread))!;
  const checkpoint = change(structuredClone(tuple.checkpoint));
  const config = await saver.put({ configurable: { thread_id: "t", checkpoint_id: tuple.checkpoint.id } }, { ...checkpoint, id: newCheckpointId() }, tuple.metadata);
  if (writes !== undefined) await saver.putWrites(config, writes, taskId);
  return checkpoint;
}

/** plan (routes to a Send and a node) beside ask (pauses); with `join`, also plan + ask -> both. */
function planAndAsk(saver: MemorySaver, join = false) {
  let builder = new StateGraph({ log: reducer(append, [] as string[]) })
    .addNode("plan", () => ({ log: ["plan"] }))
    .addNode("work", (arg: { n: number }) => ({ log: [`work ${arg.n}`] }))
    .addNode("ask", () => ({ log: [String(interrupt("sure?"))] }))
    .addNode("after", () => ({ log: ["after"] }))
    .addNode("both", () => ({ log: ["both"] }))
    .addEdge(START, "plan")
    .addEdge(START, "ask");
  if (join) builder = builder.addEdge(["plan", "ask"], "both");
  return builder.addConditionalEdges("plan", () => [new Send("work", { n: 1 }), "after"]).compile({ checkpointer: saver });
}

describe("checkpoint format", () => {
  it("writes format version 2: pending tasks, routes, interrupts and answers in their persisted shapes", async () => {
    const saver = new MemorySaver();
    const graph = planAndAsk(saver);
    await graph.invoke({ log: [] }, thread);
    const tuple = (await saver.getTuple(thread))!;
    assert.equal(tuple.checkpoint.v, 2);
    assert.deepEqual(Object.keys(tuple.checkpoint.pending_tasks[0]!).sort(), ["id", "kind", "node", "path", "triggers"]);
    assert.deepEqual(tuple.checkpoint.pending_tasks.map((task) => task.path), [["__pregel_pull", "ask"], ["__pregel_pull", "plan"]]);
    const [askId, planId] = tuple.checkpoint.pending_tasks.map((task) => task.id);
    const interruptId = (tuple.pendingWrites.find(([, channel]) => channel === "__interrupt__")![2] as Array<{ id: string }>)[0]!.id;
    const byChannel = [...tuple.pendingWrites].sort((x, y) => x[1].localeCompare(y[1]));
    assert.deepEqual(byChannel, [
      [askId, "__interrupt__", [{ id: interruptId, value: "sure?" }]],
      [planId, "__routes__", [{ kind: "send", node: "work", arg: { n: 1 } }, { kind: "node", node: "after" }]],
      [planId, "log", ["plan"]],
    ]);
    await graph.invoke(new Command({ resume: "yes" }), thread);
    assert.deepEqual((await graph.getState(thread)).values, { log: ["yes", "plan", "after", "work 1"] });
  });

  it("a checkpoint in a format version this Weft does not know is refused on resume, on getState and on new input, saying what to do", async () => {
    const saver = new MemorySaver();
    const graph = pausing(saver);
    await graph.invoke({}, thread);
    await putChanged(saver, (checkpoint) => ({ ...checkpoint, v: 3 }));
    await assert.rejects(graph.invoke(null, thread), expectCheckpointError(/format version 3.*reads versions 1 and 2.*another version of Weft/));
    await assert.rejects(graph.getState(thread), expectCheckpointError(/format version 3/));
    await assert.rejects(graph.invoke({ answer: "new" }, thread), expectCheckpointError(/format version 3/));
  });

  it("a thread saved in format 1 goes on: its routes as node names and Sends, its joins by the waiting edge's position", async () => {
    const saver = new MemorySaver();
    const graph = planAndAsk(saver, true);
    await graph.invoke({ log: [] }, thread);
    const tuple = (await saver.getTuple(thread))!;
    const [askId, planId] = tuple.checkpoint.pending_tasks.map((task) => task.id);
    const interruptId = (tuple.pendingWrites.find(([, channel]) => channel === "__interrupt__")![2] as Array<{ id: string }>)[0]!.id;
    // What format 1 wrote at this point: plan finished (its routes as they were in memory), ask paused.
    // (Its join progress is not saved until the step ends; a format-1 join keyed "0" is read below.)
    const v1 = { ...structuredClone(tuple.checkpoint), v: 1, id: newCheckpointId() };
    const config = await saver.put({ configurable: { thread_id: "t", checkpoint_id: tuple.checkpoint.id } }, v1, tuple.metadata);
    await saver.putWrites(config, [["log", ["plan"]], ["__routes__", [new Send("work", { n: 1 }), "after"]]], planId!);
    await saver.putWrites(config, [["__interrupt__", [{ id: interruptId, value: "sure?" }]]], askId!);
    assert.deepEqual((await graph.getState(thread)).next, ["ask"]);
    assert.deepEqual(await graph.invoke(new Command({ resume: "yes" }), thread), { log: ["yes", "plan", "after", "both", "work 1"] });

    const joined = new MemorySaver();
    const join = new StateGraph({ log: reducer(append, [] as string[]) })
      .addNode("a", () => ({ log: ["a"] }))
      .addNode("p", () => ({ log: ["p"] }))
      .addNode("b", () => ({ log: [`b ${String(interrupt("b?"))}`] }))
      .addNode("c", () => ({ log: ["c"] }))
      .addEdge(START, "a")
      .addEdge(START, "p")
      .addEdge("p", "b")
      .addEdge(["a", "b"], "c")
      .compile({ checkpointer: joined });
    await join.invoke({ log: [] }, thread);
    const paused = (await joined.getTuple(thread))!;
    assert.deepEqual(paused.checkpoint.joins, { "join:a+b:c": ["a"] });
    const oldJoins = { ...structuredClone(paused.checkpoint), v: 1, joins: { "0": ["a"] }, id: newCheckpointId() };
    const oldConfig = await joined.put({ configurable: { thread_id: "t", checkpoint_id: paused.checkpoint.id } }, oldJoins, paused.metadata);
    for (const [taskId, channel, value] of paused.pendingWrites) await joined.putWrites(oldConfig, [[channel, value]], taskId);
    assert.deepEqual(await join.invoke(new Command({ resume: "yes" }), thread), { log: ["a", "p", "b yes", "c"] });
  });

  it("a pending write or join in a shape the format does not define is refused, naming the task and channel", async () => {
    const paused = async () => {
      const saver = new MemorySaver();
      const graph = pausing(saver);
      await graph.invoke({}, thread);
      return { saver, graph, taskId: (await saver.getTuple(thread))!.checkpoint.pending_tasks[0]!.id };
    };
    // Format 1 saved a task's routes as they were in memory: node names and Send objects.
    const routes = await paused();
    await putChanged(routes.saver, (checkpoint) => checkpoint, [["__routes__", ["ask"]]], routes.taskId);
    await assert.rejects(routes.graph.invoke(null, thread), expectCheckpointError(new RegExp(`task "${routes.taskId}" saved an array of 1 on channel "__routes__"`)));
    await assert.rejects(routes.graph.getState(thread), expectCheckpointError(/not in the shape format version 2 defines/));
    const interrupts = await paused();
    await putChanged(interrupts.saver, (checkpoint) => checkpoint, [["__interrupt__", { value: "?" }]], interrupts.taskId);
    await assert.rejects(interrupts.graph.invoke(null, thread), expectCheckpointError(/channel "__interrupt__"/));
    const joins = await paused();
    await putChanged(joins.saver, (checkpoint) => ({ ...checkpoint, joins: { "join:a+b:c": "a" } }));
    await assert.rejects(joins.graph.invoke(null, thread), expectCheckpointError(/join "join:a\+b:c" holds "a"/));
  });

  it("a saved task naming a node the graph no longer has is refused on resume, naming the node; new input and updateState(asNode) still work", async () => {
    const saver = new MemorySaver();
    await pausing(saver).invoke({}, thread);
    const changed = pausing(saver, false);
    const advice = /pending task for node "ask", which this graph no longer has.*Add the node back.*with new input/;
    await assert.rejects(changed.invoke(null, thread), expectCheckpointError(advice));
    await assert.rejects(changed.invoke(new Command({ resume: "x" }), thread), expectCheckpointError(advice));
    await assert.rejects(changed.updateState(thread, { answer: "kept" }), expectCheckpointError(advice));
    // As in LangGraph, new input starts a new step from the thread's state; the lost task is dropped.
    assert.deepEqual(await changed.invoke({ answer: "new" }, thread), { answer: "other" });
    assert.deepEqual((await changed.getState(thread)).next, []);

    const other = new MemorySaver();
    await pausing(other).invoke({}, thread);
    const again = pausing(other, false);
    await again.updateState(thread, { answer: "edited" }, "other");
    assert.deepEqual((await again.getState(thread)).values, { answer: "edited" });
    assert.deepEqual(await again.invoke(null, thread), { answer: "edited" });
  });

  it("join progress is saved by the join's name, so a graph whose waiting edges are added in another order resumes it", async () => {
    const build = (saver: MemorySaver, joinFirst: boolean) => {
      let builder = new StateGraph({ log: reducer(append, [] as string[]) })
        .addNode("a", () => ({ log: ["a"] }))
        .addNode("p", () => ({ log: ["p"] }))
        .addNode("b", () => ({ log: [`b ${String(interrupt("b?"))}`] }))
        .addNode("c", () => ({ log: ["c"] }))
        .addNode("d", () => ({ log: ["d"] }))
        .addEdge(START, "a")
        .addEdge(START, "p")
        .addEdge("p", "b");
      builder = joinFirst ? builder.addEdge(["a", "b"], "c").addEdge(["a", "p"], "d") : builder.addEdge(["a", "p"], "d").addEdge(["a", "b"], "c");
      return builder.compile({ checkpointer: saver });
    };
    const saver = new MemorySaver();
    await build(saver, true).invoke({ log: [] }, thread);
    assert.deepEqual((await saver.getTuple(thread))!.checkpoint.joins, { "join:a+b:c": ["a"] });
    const final = await build(saver, false).invoke(new Command({ resume: "yes" }), thread);
    assert.deepEqual(final, { log: ["a", "p", "b yes", "d", "c"] });
  });
});
