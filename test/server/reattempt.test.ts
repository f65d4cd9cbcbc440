// A run whose worker stops mid-run is re-attempted by another worker on the same records: from its
// last checkpoint (a finished node does not run again), with attempt 2 on the run and in the stream;
// after max_attempts it ends with ATTEMPTS_EXHAUSTED and its thread is free again.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { END, MemorySaver, START, StateGraph, lastValue, reducer } from "weft";
import { MemoryEventLog, MemoryRecordStore, createHandler } from "weft/server";

type State = { log: string[]; topic: string };

function setup() {
  const counts = { first: 0, second: 0 };
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let entered!: () => void;
  const reached = new Promise<void>((resolve) => (entered = resolve));
  const graph = new StateGraph<State>({ log: reducer((all: string[], more: string[]) => [...all, ...more], () => []), topic: lastValue<string>() })
    .addNode("first", () => {
      counts.first++;
      return { log: ["first"] };
    })
    .addNode("second", async (_state: State, config) => {
      counts.second++;
      entered();
      await Promise.race([gate, new Promise((_, reject) => config.signal?.addEventListener("abort", () => reject(config.signal!.reason)))]);
      return { log: ["second"] };
    })
    .addEdge(START, "first")
    .addEdge("first", "second")
    .addEdge("second", END)
    .compile();
  const shared = { store: new MemoryRecordStore(), checkpointer: new MemorySaver(), eventLog: new MemoryEventLog() };
  return { counts, open, reached, graph, shared };
}

const post = (handler: (request: Request) => Promise<Response>, path: string, body: unknown) =>
  handler(new Request(`http://x${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }));

async function eventsOf(response: Response): Promise<Array<{ event: string; data: any }>> {
  const text = await response.text();
  return text
    .split("\n\n")
    .filter((block) => block.includes("data: "))
    .map((block) => ({ event: /event: (.*)/.exec(block)![1]!, data: JSON.parse(/data: (.*)/.exec(block)![1]!) }));
}

describe("re-attempts", () => {
  it("a run handed back by a stopping worker continues on another from its last checkpoint", async () => {
    const { counts, open, reached, graph, shared } = setup();
    const a = createHandler({ graphs: { notes: graph }, ...shared, heartbeatMs: 0 });
    const thread = await (await post(a, "/threads", {})).json();
    const run = await (await post(a, `/threads/${thread.thread_id}/runs`, { assistant_id: "notes", input: { topic: "t" }, stream_resumable: true })).json();
    await reached;
    await a.close({ drainMs: 0 }); // the worker stops: the run goes back to the queue
    const stopped = await shared.store.getRun(run.run_id);
    assert.equal(stopped?.run.status, "running");
    assert.equal(stopped?.run.attempt, 1);
    open();
    const b = createHandler({ graphs: { notes: graph }, ...shared, heartbeatMs: 0 });
    try {
      const joined = await b(new Request(`http://x/threads/${thread.thread_id}/runs/${run.run_id}/stream`));
      const events = await eventsOf(joined);
      assert.deepEqual(events.filter((event) => event.event === "metadata").map((event) => event.data.attempt), [1, 2]);
      assert.deepEqual(events.at(-1)!.data.log, ["first", "second"], "each node's write once");
      assert.equal(counts.first, 1, "the finished node did not run again");
      assert.equal(counts.second, 2, "the interrupted node ran again");
      const finished = await (await b(new Request(`http://x/threads/${thread.thread_id}/runs/${run.run_id}`))).json();
      assert.equal(finished.status, "success");
      assert.equal(finished.attempt, 2);
      assert.equal(finished.max_attempts, 3);
      assert.equal((await (await b(new Request(`http://x/threads/${thread.thread_id}`))).json()).status, "idle");
    } finally {
      await b.close();
    }
  });

  it("after max_attempts the run ends with ATTEMPTS_EXHAUSTED and its thread takes new runs", async () => {
    const { reached, graph, shared, open } = setup();
    const a = createHandler({ graphs: { notes: graph }, ...shared, heartbeatMs: 0, maxAttempts: 1 });
    const thread = await (await post(a, "/threads", {})).json();
    const run = await (await post(a, `/threads/${thread.thread_id}/runs`, { assistant_id: "notes", input: { topic: "t" }, stream_resumable: true })).json();
    await reached;
    await a.close({ drainMs: 0 });
    const b = createHandler({ graphs: { notes: graph }, ...shared, heartbeatMs: 0, maxAttempts: 1 });
    try {
      const events = await eventsOf(await b(new Request(`http://x/threads/${thread.thread_id}/runs/${run.run_id}/stream`)));
      const error = events.at(-1)!;
      assert.equal(error.event, "error");
      assert.equal(error.data.error, "ATTEMPTS_EXHAUSTED");
      assert.match(error.data.message, /GET \/threads\/.*\/state/);
      const ended = await (await b(new Request(`http://x/threads/${thread.thread_id}/runs/${run.run_id}`))).json();
      assert.equal(ended.status, "error");
      assert.equal(ended.error.error, "ATTEMPTS_EXHAUSTED");
      open();
      const next = await post(b, `/threads/${thread.thread_id}/runs/wait`, { assistant_id: "notes", input: { topic: "again" } });
      assert.equal(next.status, 200, "the thread was released");
    } finally {
      await b.close();
    }
  });
});
