// Fan-out: 1, 8, 64 and 256 model calls in one superstep (Send). Every token produced is delivered
// exactly once, in per-call order, with the metadata of its call (node, tags, one message id per call).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { START, Send, StateGraph, WeftError, reducer, type NodeConfig } from "weft";
import { FakeChatModel } from "weft/testing";
import { ProbeChatModel, recordFigures, withTimeout } from "./support.js";

const TOKENS_PER_CALL = 24;
const tokensOf = (call: number) => Array.from({ length: TOKENS_PER_CALL }, (_, token) => `c${call}.t${token} `);

function fanOutGraph(calls: number) {
  const models = Array.from(
    { length: calls },
    (_, call) => new FakeChatModel({ responses: [tokensOf(call)], tags: [`call-${call}`], delayMs: call % 3, model: `model-${call % 4}` }),
  );
  const schema = { answers: reducer((all: string[], more: string[]) => [...all, ...more], () => [] as string[]) };
  const graph = new StateGraph(schema)
    .addNode("call", async (input: { call: number }, config: NodeConfig) => {
      const answer = await models[input.call]!.invoke(`question ${input.call}`, config);
      return { answers: [answer.content] };
    })
    .addConditionalEdges(START, () => Array.from({ length: calls }, (_, call) => new Send("call", { call })))
    .compile();
  return { graph, models };
}

interface Delivery {
  tokens: Map<string, string[]>;
  ids: Map<string, Set<string>>;
  total: number;
  final: string[] | undefined;
}

async function consume(calls: number, highWaterMark: number | undefined, slow: boolean): Promise<Delivery> {
  const { graph } = fanOutGraph(calls);
  const delivery: Delivery = { tokens: new Map(), ids: new Map(), total: 0, final: undefined };
  const stream = graph.stream({}, { streamMode: ["messages", "values"], tags: ["fan-out"], highWaterMark });
  for await (const [mode, chunk] of stream) {
    if (mode === "values") {
      delivery.final = chunk.answers;
      continue;
    }
    const [message, metadata] = chunk;
    delivery.total++;
    assert.equal(metadata.langgraph_node, "call");
    assert.equal(metadata.langgraph_step, 1);
    assert.equal(metadata.ls_provider, "fake");
    assert.equal(metadata.tags.length, 2, `tags ${JSON.stringify(metadata.tags)}`);
    assert.equal(metadata.tags[0], "fan-out");
    const call = metadata.tags[1]!;
    assert.match(call, /^call-\d+$/);
    assert.equal(metadata.ls_model_name, `model-${Number(call.slice(5)) % 4}`);
    assert.ok(message.text.startsWith(`c${call.slice(5)}.`), `token ${message.text} arrived tagged ${call}`);
    delivery.tokens.set(call, [...(delivery.tokens.get(call) ?? []), message.text]);
    const ids = delivery.ids.get(call) ?? new Set<string>();
    ids.add(message.id!);
    delivery.ids.set(call, ids);
    if (slow) await new Promise((resolve) => setImmediate(resolve));
  }
  return delivery;
}

function assertExactlyOnce(calls: number, delivery: Delivery): void {
  assert.equal(delivery.total, calls * TOKENS_PER_CALL, "every produced token is delivered, and only once");
  const allIds = new Set<string>();
  for (let call = 0; call < calls; call++) {
    assert.deepEqual(delivery.tokens.get(`call-${call}`), tokensOf(call), `tokens of call ${call} in order`);
    const ids = delivery.ids.get(`call-${call}`)!;
    assert.equal(ids.size, 1, `call ${call} has one message id, got ${[...ids].join(", ")}`);
    allIds.add([...ids][0]!);
  }
  assert.equal(allIds.size, calls, "each call has its own message id");
  // Writes apply in Send order, whatever order the calls finished in.
  assert.deepEqual(delivery.final, Array.from({ length: calls }, (_, call) => tokensOf(call).join("")));
}

describe("fan-out of parallel model calls", () => {
  for (const calls of [1, 8, 64, 256]) {
    it(`${calls} parallel call(s): every token exactly once, in per-call order, with its call's metadata`, async (context) => {
      const started = performance.now();
      const delivery = await withTimeout(consume(calls, undefined, false), 20_000, `fan-out of ${calls}`);
      assertExactlyOnce(calls, delivery);
      recordFigures(context, `fan-out-${calls}`, { calls, tokens: delivery.total, ms: Math.round(performance.now() - started) });
    });
  }

  it("256 parallel calls through a tiny buffer (highWaterMark 4) read by a slow consumer lose nothing", async (context) => {
    const started = performance.now();
    const delivery = await withTimeout(consume(256, 4, true), 30_000, "fan-out of 256 with backpressure");
    assertExactlyOnce(256, delivery);
    recordFigures(context, "fan-out-256-backpressure", { calls: 256, tokens: delivery.total, highWaterMark: 4, ms: Math.round(performance.now() - started) });
  });
});

describe("a failing call in a fan-out", () => {
  it("delivers the siblings' tokens made before the failure ahead of the error, names the failed node, and cancels the siblings", async () => {
    const siblings = Array.from({ length: 8 }, (_, call) => new ProbeChatModel({ count: 10_000, delayMs: 1, name: `sibling-${call}` }));
    const failing = new FakeChatModel({ responses: [["x0 ", "x1 ", "x2 "]], delayMs: 4, model: "failing-model" });
    const graph = new StateGraph({ answers: reducer((all: string[], more: string[]) => [...all, ...more], () => [] as string[]) })
      .addNode("call", async (input: { call: number }, config: NodeConfig) => ({ answers: [(await siblings[input.call]!.invoke("go", config)).content] }))
      .addNode("breaker", async (_input: unknown, config: NodeConfig) => {
        await failing.invoke("go", config);
        throw new Error("the breaker broke after its answer");
      })
      .addConditionalEdges(START, () => [...siblings.map((_, call) => new Send("call", { call })), new Send("breaker", {})])
      .compile();
    const delivered = new Map<string, string[]>();
    let failure: unknown;
    await withTimeout(
      (async () => {
        try {
          for await (const [message, metadata] of graph.stream({}, { streamMode: "messages" })) {
            const key = metadata.ls_model_name as string;
            delivered.set(key, [...(delivered.get(key) ?? []), message.text]);
          }
        } catch (error) {
          failure = error;
        }
      })(),
      10_000,
      "a fan-out with a failing call",
    );
    assert.ok(WeftError.isInstance(failure) && failure.code === "NODE_FAILED", String(failure));
    assert.equal(failure.node, "breaker");
    assert.match(failure.message, /Node "breaker" failed: the breaker broke/);
    assert.deepEqual(delivered.get("failing-model"), ["x0 ", "x1 ", "x2 "]);
    for (const [call, sibling] of siblings.entries()) {
      assert.ok(sibling.abortedAt !== undefined, `sibling ${call} was cancelled`);
      // Every token a sibling produced before it was cancelled reached the consumer, in order.
      const tokens = delivered.get(`sibling-${call}`) ?? [];
      assert.deepEqual(tokens, Array.from({ length: sibling.produced }, (_, index) => sibling.token(index)), `sibling ${call}`);
    }
  });
});
