// The persisted checkpoint format is versioned and checked on read.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemorySaver, START, StateGraph, WeftError, interrupt, lastValue } from "weft";

const thread = { configurable: { thread_id: "t" } };

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

describe("checkpoint format", () => {
  it("writes format version 1 with the pending tasks in their persisted shape", async () => {
    const saver = new MemorySaver();
    await pausing(saver).invoke({}, thread);
    const tuple = (await saver.getTuple(thread))!;
    assert.equal(tuple.checkpoint.v, 1);
    assert.deepEqual(Object.keys(tuple.checkpoint.pending_tasks[0]!).sort(), ["id", "kind", "node", "path", "triggers"]);
    assert.deepEqual(tuple.checkpoint.pending_tasks[0]!.path, ["__pregel_pull", "ask"]);
  });

  it("a checkpoint in an unknown format version is refused on resume and on getState, saying what to do", async () => {
    const saver = new MemorySaver();
    const graph = pausing(saver);
    await graph.invoke({}, thread);
    const tuple = (await saver.getTuple(thread))!;
    await saver.put({ configurable: { thread_id: "t", checkpoint_id: tuple.checkpoint.id } }, { ...tuple.checkpoint, id: `${tuple.checkpoint.id.slice(0, -1)}f`, v: 2 }, tuple.metadata);
    await assert.rejects(graph.invoke(null, thread), expectCheckpointError(/format version 2.*reads version 1.*another version of Weft/));
    await assert.rejects(graph.getState(thread), expectCheckpointError(/format version 2/));
  });

  it("a saved task naming a node the graph no longer has is refused, naming the node", async () => {
    const saver = new MemorySaver();
    await pausing(saver).invoke({}, thread);
    await assert.rejects(pausing(saver, false).invoke(null, thread), expectCheckpointError(/pending task for node "ask", which this graph no longer has.*Add the node back/));
  });
});
