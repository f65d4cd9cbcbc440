import assert from "node:assert/strict";
import { it } from "node:test";
import { MemoryEventLog } from "../memory-event-log.js";
import { MemoryRecordStore } from "../memory-record-store.js";
import type { RunRow } from "../record-store.js";
import { parseRunRequest } from "../run-request.js";
import type { WireProtocolEvent } from "./protocol-translation.js";
import { RunStartSignal, threadEventStream } from "./thread-event-stream.js";

it("a stream that finds a run before its first event is logged waits for the log instead of skipping the run", async () => {
  const store = new MemoryRecordStore();
  const log = new MemoryEventLog();
  const now = new Date().toISOString();
  const row: RunRow = {
    run: { run_id: "r1", thread_id: "t1", assistant_id: "agent", created_at: now, updated_at: now, status: "pending", metadata: {}, multitask_strategy: "enqueue", kwargs: { stream_mode: [], subgraphs: true, resumable: true }, attempt: 0, max_attempts: 3 },
    owner: null,
    request: parseRunRequest({ assistant_id: "agent" }),
    leaseOwner: null,
    leaseExpiresAt: 0,
    cancelRequested: false,
    enqueued: true,
  };
  // The run is listed, but its log does not exist yet (runs.create lists a run, then logs its metadata).
  await store.insertRun(row);
  const stop = new AbortController();
  let readStarted!: () => void;
  const reading = new Promise<void>((resolve) => (readStarted = resolve));
  const watched = Object.assign(Object.create(log) as MemoryEventLog, {
    read: (...args: Parameters<MemoryEventLog["read"]>) => {
      readStarted();
      return log.read(...args);
    },
  });
  const iterator = threadEventStream(store, watched, "t1", { channels: ["lifecycle", "values"] }, stop.signal, new RunStartSignal())[Symbol.asyncIterator]();
  const first = iterator.next();
  await reading;
  await log.append("r1", "metadata", { run_id: "r1", attempt: 1 });
  await log.append("r1", "values", { topic: "cats" });
  await store.updateRun("r1", (current) => ({ ...current, run: { ...current.run, status: "success" } }));
  await log.end("r1");
  const events: WireProtocolEvent[] = [(await first).value.data];
  for (let count = 0; count < 2; count++) events.push((await iterator.next()).value.data);
  stop.abort();
  assert.deepEqual(
    events.map((event) => [event.event_id, event.method, event.params.data]),
    [
      ["r1:0", "lifecycle", { event: "running", graph_name: "root" }],
      ["r1:1", "values", { topic: "cats" }],
      ["r1:2", "lifecycle", { event: "completed", graph_name: "root" }],
    ],
  );
  await log.close();
});
