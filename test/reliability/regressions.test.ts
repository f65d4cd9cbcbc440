// Regression tests for what the reliability suite found in Weft's core (see docs/reliability.md).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { START, Send, StateGraph, reducer, type NodeConfig } from "weft";
import { FakeChatModel } from "weft/testing";
import { withTimeout } from "./support.js";

describe("found by the reliability suite", () => {
  it("a fan-out of 64 delayed model calls emits no MaxListenersExceededWarning on the run's signal", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on("warning", onWarning);
    try {
      const model = new FakeChatModel({ responses: [["a ", "b "]], delayMs: 1 });
      const inner = new StateGraph({ texts: reducer((all: string[], more: string[]) => [...all, ...more], () => [] as string[]) })
        .addNode("call", async (_state, config: NodeConfig) => ({ texts: [(await model.invoke("x", config)).content] }))
        .addEdge(START, "call")
        .compile();
      const graph = new StateGraph({ texts: reducer((all: string[], more: string[]) => [...all, ...more], () => [] as string[]) })
        .addNode("call", async (_input: unknown, config: NodeConfig) => ({ texts: [(await model.invoke("x", config)).content] }))
        .addNode("sub", inner)
        .addConditionalEdges(START, () => [
          ...Array.from({ length: 64 }, () => new Send("call", {})),
          ...Array.from({ length: 16 }, () => new Send("sub", {})),
        ])
        .compile();
      const state = await withTimeout(graph.invoke({}), 10_000, "fan-out of 64");
      assert.equal(state.texts.length, 80);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings.filter((warning) => warning.includes("MaxListeners")), []);
    } finally {
      process.off("warning", onWarning);
    }
  });
});
