// Load: 1,000 concurrent runs in one process, each a 4-node graph with two model calls. All complete,
// no token is lost or misrouted, and the runs are served fairly: no run waits for others to end
// before its first token (counted in runs ended, not in milliseconds, so a loaded machine cannot
// change the verdict).
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
  /** How many runs had already ended when this one got its first token. */
  endedBeforeFirstToken: number;
  tokens: number;
}

let runsEnded = 0;

async function oneRun(run: number): Promise<RunOutcome> {
  const graph = fourNodeGraph(run);
  const started = performance.now();
  let firstTokenMs = Number.NaN;
  let endedBeforeFirstToken = Number.NaN;
  const byNode: Record<string, string[]> = { write: [], check: [] };
  let final: Record<string, unknown> | undefined;
  for await (const [mode, chunk] of graph.stream({ topic: `topic ${run}` }, { streamMode: ["messages", "values"] })) {
    if (mode === "values") {
      final = chunk;
      continue;
    }
    const [message, metadata] = chunk;
    if (Number.isNaN(firstTokenMs)) {
      firstTokenMs = performance.now() - started;
      endedBeforeFirstToken = runsEnded;
    }
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
  runsEnded++;
  return { firstTokenMs, endedBeforeFirstToken, tokens: byNode.write!.length + byNode.check!.length };
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
  const endedBefore = Math.max(...outcomes.map((outcome) => outcome.endedBeforeFirstToken));
  // Fairness, not speed: all runs start in one tick, and each needs one model delay for its first token
  // and twenty to end, so with fair scheduling every run streams before any ends (0 in recorded runs).
  // Runs served one after another would have the last run wait for the other 999 to end.
  assert.ok(
    endedBefore <= RUNS / 100,
    `a run got its first token only after ${endedBefore} of the ${RUNS} runs had ended; runs waited for others to finish`,
  );
  recordFigures(context, "load", {
    runs: RUNS,
    modelCalls: RUNS * 2,
    tokens,
    elapsedMs: Math.round(elapsedMs),
    tokensPerSecond: Math.round(tokens / (elapsedMs / 1000)),
    firstTokenP50Ms: Number(p50.toFixed(1)),
    firstTokenP99Ms: Number(p99.toFixed(1)),
    mostRunsEndedBeforeAFirstToken: endedBefore,
    peakRssMiB: Number((memory.peakRss / MEBIBYTE).toFixed(1)),
    peakHeapMiB: Number((memory.peakHeap / MEBIBYTE).toFixed(1)),
  });
});
