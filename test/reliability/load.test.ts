// Load: 1,000 concurrent runs in one process, each a 4-node graph with two model calls. All complete,
// no token is lost or misrouted, and 99% of runs get their first token in the first half of the load.
import assert from "node:assert/strict";
import { it } from "node:test";
import { END, START, StateGraph, lastValue, type NodeConfig } from "weft";
import { FakeChatModel } from "weft/testing";
import { MEBIBYTE, MemorySampler, percentile, recordFigures, withTimeout } from "./support.js";

const RUNS = 1_000;
const TOKENS_PER_CALL = 10;
const draftTokens = (run: number) => Array.from({ length: TOKENS_PER_CALL }, (_, token) => `r${run}.d${token} `);
const reviewTokens = (run: number) => Array.from({ length: TOKENS_PER_CALL }, (_, token) => `r${run}.v${token} `);

function fourNodeGraph(run: number) {
  const drafter = new FakeChatModel({ responses: [draftTokens(run)], tags: ["draft"], delayMs: 1 });
  const reviewer = new FakeChatModel({ responses: [reviewTokens(run)], tags: ["review"], delayMs: 1 });
  const schema = { topic: lastValue<string>(), prompt: lastValue<string>(), draft: lastValue<string>(), review: lastValue<string>(), done: lastValue<boolean>() };
  return new StateGraph(schema)
    .addNode("prepare", (state) => ({ prompt: `Write about ${state.topic}` }))
    .addNode("write", async (state, config: NodeConfig) => ({ draft: (await drafter.invoke(state.prompt, config)).content }))
    .addNode("check", async (state, config: NodeConfig) => ({ review: (await reviewer.invoke(state.draft, config)).content }))
    .addNode("finish", () => ({ done: true }))
    .addEdge(START, "prepare")
    .addEdge("prepare", "write")
    .addEdge("write", "check")
    .addEdge("check", "finish")
    .addEdge("finish", END)
    .compile();
}

interface RunOutcome {
  firstTokenMs: number;
  tokens: number;
}

async function oneRun(run: number): Promise<RunOutcome> {
  const graph = fourNodeGraph(run);
  const started = performance.now();
  let firstTokenMs = Number.NaN;
  const byNode: Record<string, string[]> = { write: [], check: [] };
  let final: Record<string, unknown> | undefined;
  for await (const [mode, chunk] of graph.stream({ topic: `topic ${run}` }, { streamMode: ["messages", "values"] })) {
    if (mode === "values") {
      final = chunk;
      continue;
    }
    const [message, metadata] = chunk;
    if (Number.isNaN(firstTokenMs)) firstTokenMs = performance.now() - started;
    byNode[metadata.langgraph_node as string]!.push(message.text);
  }
  assert.deepEqual(byNode.write, draftTokens(run), `run ${run}: draft tokens`);
  assert.deepEqual(byNode.check, reviewTokens(run), `run ${run}: review tokens`);
  assert.deepEqual(final, {
    topic: `topic ${run}`,
    prompt: `Write about topic ${run}`,
    draft: draftTokens(run).join(""),
    review: reviewTokens(run).join(""),
    done: true,
  });
  return { firstTokenMs, tokens: byNode.write!.length + byNode.check!.length };
}

it(`${RUNS} concurrent runs of a 4-node, 2-model-call graph all complete with every token`, async (context) => {
  const memory = new MemorySampler();
  const started = performance.now();
  let outcomes: RunOutcome[];
  try {
    outcomes = await withTimeout(Promise.all(Array.from({ length: RUNS }, (_, run) => oneRun(run))), 60_000, `${RUNS} concurrent runs`);
  } finally {
    memory.stop();
  }
  const elapsedMs = performance.now() - started;
  const tokens = outcomes.reduce((total, outcome) => total + outcome.tokens, 0);
  assert.equal(outcomes.length, RUNS);
  assert.equal(tokens, RUNS * 2 * TOKENS_PER_CALL);
  const firstTokens = outcomes.map((outcome) => outcome.firstTokenMs);
  const p50 = percentile(firstTokens, 0.5);
  const p99 = percentile(firstTokens, 0.99);
  // Fairness, not speed: all runs start in one tick, so with fair scheduling nearly every run has its
  // first token early in the load (p99 about 0.3 of it in recorded runs, on a quiet or a loaded machine).
  // Runs served one after another would put p99 near the end (about 0.99); half the load is the line.
  assert.ok(
    p99 < elapsedMs / 2,
    `p99 time to first token ${p99.toFixed(1)} ms should fall in the first half of the load (${elapsedMs.toFixed(0)} ms); some runs waited for others to finish`,
  );
  recordFigures(context, "load", {
    runs: RUNS,
    modelCalls: RUNS * 2,
    tokens,
    elapsedMs: Math.round(elapsedMs),
    tokensPerSecond: Math.round(tokens / (elapsedMs / 1000)),
    firstTokenP50Ms: Number(p50.toFixed(1)),
    firstTokenP99Ms: Number(p99.toFixed(1)),
    peakRssMiB: Number((memory.peakRss / MEBIBYTE).toFixed(1)),
    peakHeapMiB: Number((memory.peakHeap / MEBIBYTE).toFixed(1)),
  });
});
