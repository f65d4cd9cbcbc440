// Regression tests for what the reliability suite found in Weft's core (see docs/reliability.md).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { START, Send, StateGraph, lastValue, reducer, type NodeConfig } from "weft";
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

  it("next() called again before the previous one settled (Promise.all) gets the chunks in order instead of hanging", async () => {
    const model = new FakeChatModel({ responses: [["a ", "b ", "c "]], delayMs: 2 });
    const graph = new StateGraph({ answer: lastValue<string>() })
      .addNode("talk", async (_state, config: NodeConfig) => ({ answer: (await model.invoke("x", config)).content }))
      .addEdge(START, "talk")
      .compile();
    const iterator = graph.stream({}, { streamMode: "messages" })[Symbol.asyncIterator]();
    const results = await withTimeout(Promise.all(Array.from({ length: 5 }, () => iterator.next())), 5_000, "five concurrent next() calls");
    assert.deepEqual(
      results.map((result) => (result.done ? "done" : result.value[0].content)),
      ["a ", "b ", "c ", "done", "done"],
    );

    const failing = new StateGraph({ answer: lastValue<string>() })
      .addNode("talk", async () => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        throw new Error("boom");
      })
      .addEdge(START, "talk")
      .compile();
    const failingIterator = failing.stream({}, { streamMode: "messages" })[Symbol.asyncIterator]();
    const settled = await withTimeout(Promise.allSettled([failingIterator.next(), failingIterator.next()]), 5_000, "two concurrent next() calls on a failing run");
    assert.equal(settled[0]!.status, "rejected");
    assert.match(String((settled[0] as PromiseRejectedResult).reason.message), /Node "talk" failed: boom/);
    assert.deepEqual(settled[1], { status: "fulfilled", value: { value: undefined, done: true } });
  });
});
