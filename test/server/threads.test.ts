// Threads on the server with a checkpointer: state carries across runs, interrupts pause a thread
// and `command: { resume }` continues it, a busy thread refuses a second run, stateless runs leave
// no thread behind.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client } from "@langchain/langgraph-sdk";
import { END, MemorySaver, START, StateGraph, interrupt, lastValue, reducer } from "weft";
import { type RunningServer, createHandler, serve } from "weft/server";
import { postJson, readSse } from "./fixtures.js";

type State = { log: string[]; answer: string };
const schema = () => ({ log: reducer((all: string[], more: string[]) => [...all, ...more], () => []), answer: lastValue<string>() });

describe("threads with a checkpointer", () => {
  const saver = new MemorySaver();
  let releaseSlow!: () => void;
  const slowGate = new Promise<void>((resolve) => {
    releaseSlow = resolve;
  });
  let server: RunningServer;
  let client: Client;

  before(async () => {
    const counter = new StateGraph<State>(schema())
      .addNode("note", () => ({ log: ["ran"] }))
      .addEdge(START, "note")
      .compile();
    const approval = new StateGraph<State>(schema())
      .addNode("ask", () => {
        const answer = interrupt<string>({ question: "Publish?" });
        return { answer, log: [`answered ${answer}`] };
      })
      .addEdge(START, "ask")
      .addEdge("ask", END)
      .compile();
    const slow = new StateGraph<State>(schema())
      .addNode("wait", async () => {
        await slowGate;
        return { log: ["released"] };
      })
      .addEdge(START, "wait")
      .compile();
    // The graphs are compiled without a checkpointer; the handler's is used for all three.
    server = await serve(createHandler({ graphs: { counter, approval, slow }, checkpointer: saver, heartbeatMs: 0 }), { port: 0 });
    client = new Client({ apiUrl: server.url, callerOptions: { maxRetries: 0 } });
  });
  after(() => server.close());

  async function drain(threadId: string | null, assistantId: string, payload: Record<string, unknown>) {
    const parts: Array<{ event: string; data: any }> = [];
    const stream = threadId === null ? client.runs.stream(null, assistantId, payload) : client.runs.stream(threadId, assistantId, payload);
    for await (const part of stream) parts.push(part as (typeof parts)[number]);
    return parts;
  }

  it("a thread's runs continue its saved state", async () => {
    const thread = await client.threads.create();
    await drain(thread.thread_id, "counter", { input: { log: ["first"] } });
    await drain(thread.thread_id, "counter", { input: { log: ["second"] } });
    const state = await client.threads.getState<State>(thread.thread_id);
    assert.deepEqual(state.values.log, ["first", "ran", "second", "ran"]);
    assert.deepEqual(state.next, []);
    assert.match(String(state.checkpoint.checkpoint_id), /\S/);
    assert.equal(state.checkpoint.thread_id, thread.thread_id);
    const history = await client.threads.getHistory<State>(thread.thread_id, { limit: 3 });
    assert.equal(history.length, 3);
    assert.deepEqual(history[0]!.values.log, ["first", "ran", "second", "ran"], "newest first");
    assert.deepEqual(history[0]!.checkpoint, state.checkpoint);
    assert.deepEqual(history[1]!.values.log, ["first", "ran", "second"]);
    assert.deepEqual(history[0]!.parent_checkpoint, history[1]!.checkpoint);
  });

  it("an interrupt pauses the thread; command.resume continues it", async () => {
    const thread = await client.threads.create();
    const paused = await drain(thread.thread_id, "approval", { input: { log: ["start"] }, streamMode: "updates" });
    const interruptUpdate = paused.find((part) => part.event === "updates" && "__interrupt__" in part.data);
    assert.deepEqual(interruptUpdate?.data.__interrupt__[0].value, { question: "Publish?" });
    assert.equal((await client.threads.get(thread.thread_id)).status, "interrupted");
    const waiting = await client.threads.getState<State>(thread.thread_id);
    assert.deepEqual(waiting.next, ["ask"]);
    assert.deepEqual((waiting.tasks[0]!.interrupts[0] as { value: unknown }).value, { question: "Publish?" });

    await drain(thread.thread_id, "approval", { command: { resume: "yes" } });
    const done = await client.threads.getState<State>(thread.thread_id);
    assert.deepEqual(done.values, { log: ["start", "answered yes"], answer: "yes" });
    assert.equal((await client.threads.get(thread.thread_id)).status, "idle");
  });

  it("interrupt_before stops the run at a breakpoint; a run with null input continues it", async () => {
    const thread = await client.threads.create();
    await drain(thread.thread_id, "counter", { input: { log: ["start"] }, interruptBefore: ["note"] });
    const waiting = await client.threads.getState<State>(thread.thread_id);
    assert.deepEqual(waiting.next, ["note"]);
    assert.deepEqual(waiting.values.log, ["start"]);
    assert.equal((await client.threads.get(thread.thread_id)).status, "interrupted");
    await drain(thread.thread_id, "counter", { input: null });
    const done = await client.threads.getState<State>(thread.thread_id);
    assert.deepEqual(done.values.log, ["start", "ran"]);
    assert.equal((await client.threads.get(thread.thread_id)).status, "idle");
  });

  it("a breakpoint on an unknown node is a clear error, not a silent run", async () => {
    const thread = await client.threads.create();
    const parts = await drain(thread.thread_id, "counter", { input: { log: ["x"] }, interruptAfter: ["ghost"] });
    const error = parts.find((part) => part.event === "error");
    assert.match(String(error?.data.message), /ghost/);
    const bad = await postJson(`${server.url}/threads/${thread.thread_id}/runs/stream`, { assistant_id: "counter", input: {}, interrupt_before: "note" });
    assert.equal(bad.status, 422);
    assert.match((await bad.json()).message, /interrupt_before/);
  });

  it("a second run on a busy thread answers 409", async () => {
    const thread = await client.threads.create();
    const first = await postJson(`${server.url}/threads/${thread.thread_id}/runs/stream`, { assistant_id: "slow", input: {} });
    const reading = readSse(first);
    const second = await postJson(`${server.url}/threads/${thread.thread_id}/runs/stream`, { assistant_id: "slow", input: {} });
    assert.equal(second.status, 409);
    assert.match((await second.json()).message, /already running a run/);
    const runId = first.headers.get("content-location")!.split("/").at(-1)!;
    const joined = client.runs.join(thread.thread_id, runId);
    releaseSlow();
    assert.deepEqual(await joined, { log: ["released"] }, "join waits for the run and returns the thread's values");
    const events = await reading;
    assert.deepEqual(events.at(-1)!.data, { log: ["released"] });
  });

  it("a stateless run leaves no thread in the checkpointer", async () => {
    const parts = await drain(null, "counter", { input: { log: ["once"] } });
    const runId = parts[0]!.data.run_id as string;
    assert.deepEqual(parts.at(-1)!.data, { log: ["once", "ran"] });
    assert.equal(await saver.getTuple({ configurable: { thread_id: runId } }), undefined);
  });

  it("command on a graph without a checkpointer is a 422 naming the field", async () => {
    const bare = new StateGraph<State>(schema()).addNode("note", () => ({ log: ["ran"] })).addEdge(START, "note").compile();
    const local = await serve(createHandler({ graphs: { bare }, heartbeatMs: 0 }), { port: 0 });
    try {
      const response = await postJson(`${local.url}/runs/stream`, { assistant_id: "bare", command: { resume: 1 } });
      assert.equal(response.status, 422);
      assert.equal((await response.json()).field, "command");
    } finally {
      await local.close();
    }
  });
});
