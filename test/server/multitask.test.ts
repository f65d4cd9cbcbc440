// multitask_strategy on a busy thread, with LangGraph's meanings: reject (409), enqueue (runs after),
// interrupt (the running run is cancelled, its progress kept), rollback (cancelled and deleted, the
// thread back to the state before it).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client } from "@langchain/langgraph-sdk";
import { END, MemorySaver, START, StateGraph, lastValue, reducer } from "weft";
import { type RunningServer, createHandler, serve } from "weft/server";

type State = { log: string[]; tag: string; hold: boolean };
let opened!: () => void;
let gate = Promise.resolve();
let entered!: () => void;
let reached = Promise.resolve();
function closeGate() {
  gate = new Promise((resolve) => (opened = resolve));
  reached = new Promise((resolve) => (entered = resolve));
}

describe("multitask strategies", () => {
  let server: RunningServer;
  let client: Client;
  before(async () => {
    const graph = new StateGraph<State>({ log: reducer((all: string[], more: string[]) => [...all, ...more], () => []), tag: lastValue<string>(), hold: lastValue<boolean>() })
      .addNode("first", (state: State) => ({ log: [`${state.tag}:first`] }))
      .addNode("second", async (state: State, config) => {
        if (state.hold) {
          entered();
          await Promise.race([gate, new Promise((_, reject) => config.signal?.addEventListener("abort", () => reject(config.signal!.reason)))]);
        }
        return { log: [`${state.tag}:second`] };
      })
      .addEdge(START, "first")
      .addEdge("first", "second")
      .addEdge("second", END)
      .compile();
    server = await serve(createHandler({ graphs: { notes: graph }, checkpointer: new MemorySaver(), heartbeatMs: 0 }), { port: 0 });
    client = new Client({ apiUrl: server.url, callerOptions: { maxRetries: 0 } });
  });
  after(() => server.close());

  async function holdingRun(threadId: string, tag: string) {
    closeGate();
    const run = await client.runs.create(threadId, "notes", { input: { tag, hold: true } });
    await reached;
    return run;
  }

  it("reject answers 409 and leaves the running run alone", async () => {
    const thread = await client.threads.create();
    const first = await holdingRun(thread.thread_id, "a");
    await assert.rejects(client.runs.create(thread.thread_id, "notes", { input: { tag: "b" }, multitaskStrategy: "reject" }), (error: { status?: number }) => error.status === 409);
    opened();
    await client.runs.join(thread.thread_id, first.run_id);
    assert.deepEqual((await client.threads.getState<State>(thread.thread_id)).values.log, ["a:first", "a:second"]);
  });

  it("enqueue runs after the running run, in order", async () => {
    const thread = await client.threads.create();
    const first = await holdingRun(thread.thread_id, "a");
    const second = await client.runs.create(thread.thread_id, "notes", { input: { tag: "b", hold: false }, multitaskStrategy: "enqueue" });
    assert.equal(second.status, "pending");
    opened();
    await client.runs.join(thread.thread_id, second.run_id);
    assert.equal((await client.runs.get(thread.thread_id, first.run_id)).status, "success");
    assert.equal((await client.runs.get(thread.thread_id, second.run_id)).status, "success");
    assert.deepEqual((await client.threads.getState<State>(thread.thread_id)).values.log, ["a:first", "a:second", "b:first", "b:second"]);
  });

  it("interrupt cancels the running run, keeps its progress, and starts", async () => {
    const thread = await client.threads.create();
    const first = await holdingRun(thread.thread_id, "a");
    const second = await client.runs.create(thread.thread_id, "notes", { input: { tag: "b", hold: false }, multitaskStrategy: "interrupt" });
    await client.runs.join(thread.thread_id, second.run_id);
    assert.equal((await client.runs.get(thread.thread_id, first.run_id)).status, "interrupted");
    assert.deepEqual((await client.threads.getState<State>(thread.thread_id)).values.log, ["a:first", "b:first", "b:second"]);
  });

  it("rollback cancels and deletes the running run, and starts from the state before it", async () => {
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, "notes", { input: { tag: "z", hold: false } });
    const first = await holdingRun(thread.thread_id, "a");
    const second = await client.runs.create(thread.thread_id, "notes", { input: { tag: "b", hold: false }, multitaskStrategy: "rollback" });
    await client.runs.join(thread.thread_id, second.run_id);
    await assert.rejects(client.runs.get(thread.thread_id, first.run_id), (error: { status?: number }) => error.status === 404);
    assert.deepEqual((await client.threads.getState<State>(thread.thread_id)).values.log, ["z:first", "z:second", "b:first", "b:second"]);
  });
});
