import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lastValue } from "../channels/last-value.js";
import { reducer } from "../channels/reducer.js";
import { END, START } from "../core/constants.js";
import type { GraphSpec } from "../core/graph-spec.js";
import { Send } from "../core/send.js";
import { applyWrites, createChannels, prepareNextTasks, readState, updateToWrites, type JoinState } from "./algo.js";

function spec(partial: Partial<GraphSpec> & { nodeNames: string[] }): GraphSpec {
  return {
    schema: partial.schema,
    nodes: new Map(partial.nodeNames.map((name, order) => [name, { name, run: () => ({}), order }])),
    edges: partial.edges ?? new Map(),
    waitingEdges: partial.waitingEdges ?? [],
    branches: partial.branches ?? new Map(),
  };
}

describe("algo", () => {
  it("applies writes in order through reducers and last-value channels", () => {
    const graph = spec({ nodeNames: [], schema: { log: reducer((all: string[], item: string) => [...all, item], () => []), last: lastValue<number>() } });
    const channels = createChannels(graph);
    assert.deepEqual(readState(channels), { log: [] });
    assert.deepEqual(applyWrites(channels, [["log", "a"], ["last", 1], ["log", "b"]]), ["log", "last"]);
    assert.deepEqual(readState(channels), { log: ["a", "b"], last: 1 });
    assert.deepEqual(applyWrites(channels, []), []);
  });

  it("turns updates into writes, refusing unknown keys only when there is a schema", () => {
    const strict = spec({ nodeNames: [], schema: { a: lastValue<number>() } });
    assert.deepEqual(updateToWrites(strict, "n", { a: 1 }), [["a", 1]]);
    assert.deepEqual(updateToWrites(strict, "n", undefined), []);
    assert.throws(() => updateToWrites(strict, "n", { b: 1 }), /unknown state key "b"/);
    assert.deepEqual(updateToWrites(spec({ nodeNames: [] }), "n", { b: 1 }), [["b", 1]]);
  });

  it("prepares Sends first, then pulled nodes once each in definition order", () => {
    const graph = spec({ nodeNames: ["x", "y", "z"] });
    const joins: JoinState = {};
    const tasks = prepareNextTasks(
      graph,
      [
        { node: "a", routes: ["z", "x", new Send("y", 1)] },
        { node: "b", routes: ["x", END, new Send("y", 2)] },
      ],
      joins,
      (node, index) => `${node}-${index}`,
    );
    assert.deepEqual(
      tasks.map((task) => [task.id, task.kind, task.arg, task.triggers]),
      [
        ["y-0", "push", 1, ["__pregel_push"]],
        ["y-1", "push", 2, ["__pregel_push"]],
        ["x-2", "pull", undefined, ["branch:to:x"]],
        ["z-3", "pull", undefined, ["branch:to:z"]],
      ],
    );
  });

  it("fires a waiting edge once all its sources have finished, across steps", () => {
    const graph = spec({ nodeNames: ["a", "b", "c"], waitingEdges: [{ sources: ["a", "b"], target: "c" }] });
    const joins: JoinState = {};
    const id = (node: string) => node;
    assert.deepEqual(prepareNextTasks(graph, [{ node: "a", routes: [] }], joins, id), []);
    assert.deepEqual(joins, { "join:a+b:c": ["a"] });
    assert.deepEqual(prepareNextTasks(graph, [{ node: "b", routes: [] }], joins, id).map((task) => task.node), ["c"]);
    assert.deepEqual(joins, {});
    void START;
  });
});
