// Seeded random faults from a real OpenAI-compatible server on 127.0.0.1 (HTTP 429/500/503, resets
// after N chunks, malformed SSE lines, delays), under a two-node graph of ChatOpenAI calls.
// Invariants: tokens before a failure are delivered before the error (and equal its partialText),
// the error names the node and the model, no streamed state is ever half a step, and retries (the
// SDK's, or a node's own) never duplicate tokens in state.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { END, START, StateGraph, WeftError, lastValue, reducer, type Checkpointer, type NodeConfig } from "weft";
import { SqliteSaver } from "weft/checkpoint/sqlite";
import { ChatOpenAI } from "weft/openai";
import { startOpenAICompatibleServer, type RecordedRequest } from "weft/testing";
import { recordFigures, withTimeout } from "./support.js";

const SEEDS = [11, 23, 37, 41, 59, 67, 73, 89];
const RUNS_PER_SEED = 10;
const WORDS = 16;

const promptOf = (run: number) => Array.from({ length: WORDS }, (_, word) => `r${run}w${word}`).join(" ");
/** The test server echoes the last user message word by word: the exact tokens a call must stream. */
const echoTokens = (text: string) => text.match(/\s*\S+\s*/g) ?? [];

interface Tally {
  runs: number;
  completed: number;
  failedRuns: number;
  tokens: number;
  requests: number;
  faults: Record<string, number>;
  retriedCalls: number;
}

function countFaults(requests: readonly RecordedRequest[], tally: Tally) {
  tally.requests += requests.length;
  for (const request of requests) {
    if (request.fault === undefined) continue;
    const kind = request.fault.kind === "status" ? `status-${request.fault.status}` : request.fault.kind;
    tally.faults[kind] = (tally.faults[kind] ?? 0) + 1;
  }
}

/** drafter and polisher each write two keys in one update; a half-applied step would show one without the other. */
function twoCallGraph(draftModel: ChatOpenAI, polishModel: ChatOpenAI, nodeRetries: number, checkpointer?: Checkpointer) {
  const call = async (model: ChatOpenAI, input: string, config: NodeConfig) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await model.invoke(input, config)).content;
      } catch (error) {
        if (attempt >= nodeRetries || !WeftError.isInstance(error) || error.details.isRetryable !== true) throw error;
      }
    }
  };
  const schema = {
    prompt: lastValue<string>(),
    draft: lastValue<string>(),
    draftWords: lastValue<number>(),
    polished: lastValue<string>(),
    polishedWords: lastValue<number>(),
    // Appended by each node: a step applied twice (after a retry or a resume) would show here.
    log: reducer((all: string[], more: string[]) => [...all, ...more], () => [] as string[]),
  };
  return new StateGraph(schema)
    .addNode("drafter", async (state, config: NodeConfig) => {
      const draft = await call(draftModel, state.prompt, config);
      return { draft, draftWords: echoTokens(draft).length, log: ["drafter"] };
    })
    .addNode("polisher", async (state, config: NodeConfig) => {
      const polished = await call(polishModel, state.draft, config);
      return { polished, polishedWords: echoTokens(polished).length, log: ["polisher"] };
    })
    .addEdge(START, "drafter")
    .addEdge("drafter", "polisher")
    .addEdge("polisher", END)
    .compile({ checkpointer });
}

function assertWholeSteps(state: Record<string, unknown>) {
  const log = (state.log as string[] | undefined) ?? [];
  assert.deepEqual(log, ["drafter", "polisher"].slice(0, log.length), `steps applied once each, in order: ${JSON.stringify(state)}`);
  assert.equal("draft" in state, log.includes("drafter"), `half-applied draft step: ${JSON.stringify(state)}`);
  assert.equal("polished" in state, log.includes("polisher"), `half-applied polish step: ${JSON.stringify(state)}`);
  assert.equal("draft" in state, "draftWords" in state, `half-applied draft step: ${JSON.stringify(state)}`);
  assert.equal("polished" in state, "polishedWords" in state, `half-applied polish step: ${JSON.stringify(state)}`);
  if ("draft" in state) assert.equal(echoTokens(state.draft as string).length, state.draftWords);
  if ("polished" in state) assert.equal(echoTokens(state.polished as string).length, state.polishedWords);
}

async function runSeed(seed: number, nodeRetries: number, tally: Tally) {
  const server = await startOpenAICompatibleServer({ randomFaults: { seed, probability: 0.45, retryAfterMs: 1, maxDelayMs: 5 } });
  try {
    const options = { baseURL: server.url, apiKey: "test", maxRetries: 2 };
    const graph = twoCallGraph(new ChatOpenAI({ ...options, model: "drafter-model" }), new ChatOpenAI({ ...options, model: "polisher-model" }), nodeRetries);
    for (let run = 0; run < RUNS_PER_SEED; run++) {
      tally.runs++;
      const prompt = promptOf(run);
      // Tokens per node, grouped by message id (one id per model call, so attempts are told apart).
      const byCall = new Map<string, { node: string; tokens: string[] }>();
      const callOrder: string[] = [];
      let lastState: Record<string, unknown> = {};
      let failure: unknown;
      const consume = async () => {
        for await (const [mode, chunk] of graph.stream({ prompt }, { streamMode: ["messages", "values"] })) {
          if (mode === "values") {
            assertWholeSteps(chunk);
            lastState = chunk;
            continue;
          }
          const [message, metadata] = chunk;
          if (message.content === "") continue; // the usage chunk at the end of a call carries no text
          tally.tokens++;
          let entry = byCall.get(message.id!);
          if (entry === undefined) {
            entry = { node: metadata.langgraph_node, tokens: [] };
            byCall.set(message.id!, entry);
            callOrder.push(message.id!);
          }
          assert.equal(entry.node, metadata.langgraph_node, "one message id never spans two nodes");
          assert.equal(metadata.ls_model_name, `${metadata.langgraph_node}-model`);
          entry.tokens.push(message.text);
        }
      };
      await withTimeout(consume(), 15_000, `seed ${seed} run ${run}`).catch((error: unknown) => (failure = error));
      const context = `seed ${seed}, run ${run}, node retries ${nodeRetries}`;
      const expectedDraft = echoTokens(prompt);
      if (failure === undefined) {
        tally.completed++;
        // Exactly once in state, whatever was retried.
        assert.deepEqual(lastState, {
          prompt,
          draft: expectedDraft.join(""),
          draftWords: WORDS,
          polished: expectedDraft.join(""),
          polishedWords: WORDS,
          log: ["drafter", "polisher"],
        }, context);
        // The last call of each node streamed the whole answer once, in order; earlier (failed) attempts only a prefix.
        for (const node of ["drafter", "polisher"]) {
          const calls = callOrder.filter((id) => byCall.get(id)!.node === node).map((id) => byCall.get(id)!.tokens);
          assert.deepEqual(calls.at(-1), expectedDraft, `${context}: ${node} tokens`);
          for (const attempt of calls.slice(0, -1)) assert.deepEqual(attempt, expectedDraft.slice(0, attempt.length), `${context}: ${node} failed attempt is a prefix`);
          if (calls.length > 1) tally.retriedCalls++;
        }
        continue;
      }
      tally.failedRuns++;
      assert.ok(WeftError.isInstance(failure), `${context}: ${String(failure)}`);
      assert.equal(failure.code, "MODEL_CALL", `${context}: ${failure.message}`);
      const node = failure.node!;
      assert.ok(node === "drafter" || node === "polisher", `${context}: error names node ${String(failure.node)}`);
      assert.ok(failure.message.includes(`"${node}"`), `${context}: message names the node: ${failure.message}`);
      assert.ok(failure.message.includes(`"${node}-model"`), `${context}: message names the model: ${failure.message}`);
      // Every token of the failed call reached the consumer before the error, and equals partialText.
      const failedCall = callOrder.filter((id) => byCall.get(id)!.node === node).at(-1);
      const delivered = failedCall === undefined ? [] : byCall.get(failedCall)!.tokens;
      const partial = String(failure.details.partialText ?? "");
      if (partial !== "" || delivered.length > 0) assert.equal(delivered.join(""), partial, `${context}: delivered tokens = partialText`);
      assert.deepEqual(delivered, expectedDraft.slice(0, delivered.length), `${context}: delivered tokens are a prefix of the answer`);
      // The state the consumer last saw is whole steps only: the failed node's keys are absent.
      assert.ok(!(node === "drafter" ? "draft" in lastState : "polished" in lastState), `${context}: failed step left no write`);
    }
    countFaults(server.requests, tally);
  } finally {
    await server.close();
  }
}

/**
 * With a SQLite checkpointer: after every failure the saved checkpoint holds whole steps only, and
 * resuming the thread (`invoke(null)`, as often as faults demand) ends in exactly the expected state.
 */
async function runSeedCheckpointed(seed: number, file: string, tally: Tally & { resumes: number; checkpointsChecked: number }) {
  const server = await startOpenAICompatibleServer({ randomFaults: { seed, probability: 0.45, retryAfterMs: 1, maxDelayMs: 5 } });
  const saver = SqliteSaver.fromPath(file);
  try {
    const options = { baseURL: server.url, apiKey: "test", maxRetries: 2 };
    const graph = twoCallGraph(new ChatOpenAI({ ...options, model: "drafter-model" }), new ChatOpenAI({ ...options, model: "polisher-model" }), 0, saver);
    for (let run = 0; run < RUNS_PER_SEED; run++) {
      tally.runs++;
      const prompt = promptOf(run);
      const config = { configurable: { thread_id: `seed-${seed}-run-${run}` } };
      let final: Record<string, unknown> | undefined;
      for (let attempt = 0; final === undefined; attempt++) {
        assert.ok(attempt < 12, `seed ${seed} run ${run}: still failing after ${attempt} resumes`);
        if (attempt > 0) tally.resumes++;
        let lastState: Record<string, unknown> | undefined;
        let failed = false;
        try {
          const stream = graph.stream(attempt === 0 ? { prompt } : null, { ...config, streamMode: ["values", "messages"] });
          for await (const [mode, chunk] of stream) {
            if (mode === "values") {
              assertWholeSteps(chunk);
              lastState = chunk;
            } else if (chunk[0].content !== "") tally.tokens++;
          }
        } catch (error) {
          failed = true;
          assert.ok(WeftError.isInstance(error) && error.code === "MODEL_CALL", `seed ${seed} run ${run}: ${String(error)}`);
          tally.failedRuns++;
        }
        const saved = await saver.getTuple(config);
        assert.ok(saved !== undefined, "the thread was saved");
        assertWholeSteps(saved.checkpoint.channel_values);
        tally.checkpointsChecked++;
        if (!failed) final = lastState;
      }
      tally.completed++;
      const words = echoTokens(prompt);
      assert.deepEqual(final, { prompt, draft: words.join(""), draftWords: WORDS, polished: words.join(""), polishedWords: WORDS, log: ["drafter", "polisher"] });
    }
    countFaults(server.requests, tally);
  } finally {
    saver.close();
    await server.close();
  }
}

describe("seeded faults from an OpenAI-compatible server", () => {
  it(`with a SQLite checkpointer: whole-step checkpoints after every failure, and resume ends in the exact state (${SEEDS.length} seeds x ${RUNS_PER_SEED} runs)`, async (context) => {
    const directory = mkdtempSync(join(tmpdir(), "weft-reliability-faults-"));
    try {
      const tally = { runs: 0, completed: 0, failedRuns: 0, tokens: 0, requests: 0, faults: {}, retriedCalls: 0, resumes: 0, checkpointsChecked: 0 };
      for (const seed of SEEDS) await runSeedCheckpointed(seed, join(directory, `seed-${seed}.db`), tally);
      assert.equal(tally.completed, tally.runs, "every run completed after resuming");
      assert.ok(tally.resumes > 0, "some runs needed a resume");
      const injected = Object.values(tally.faults as Record<string, number>).reduce((total, count) => total + count, 0);
      recordFigures(context, "model-faults-checkpointed", { seeds: SEEDS, ...tally, faultsInjected: injected });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  for (const nodeRetries of [0, 3]) {
    it(`keep every invariant over ${SEEDS.length} seeds x ${RUNS_PER_SEED} runs (node retries: ${nodeRetries}, SDK retries: 2)`, async (context) => {
      const tally: Tally = { runs: 0, completed: 0, failedRuns: 0, tokens: 0, requests: 0, faults: {}, retriedCalls: 0 };
      context.diagnostic(`seeds ${SEEDS.join(", ")}`);
      for (const seed of SEEDS) await runSeed(seed, nodeRetries, tally);
      const injected = Object.values(tally.faults).reduce((total, count) => total + count, 0);
      assert.ok(injected > 20, `faults were injected (${injected})`);
      assert.ok(tally.failedRuns > 0 || nodeRetries > 0, "some runs failed, so the failure invariants were exercised");
      assert.ok(tally.completed > 0, "some runs completed");
      recordFigures(context, `model-faults-node-retries-${nodeRetries}`, { seeds: SEEDS, ...tally, faultsInjected: injected });
    });
  }
});
