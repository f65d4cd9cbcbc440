import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LoggedEvent, NewEvent } from "./event-log.js";
import { EventBatcher } from "./event-batcher.js";
import { MemoryEventLog } from "./memory-event-log.js";

/** A MemoryEventLog that records the size of each appendMany, and can hold its writes until released. */
class RecordingLog extends MemoryEventLog {
  readonly batches: number[] = [];
  gate: Promise<void> | undefined;
  failWith: Error | undefined;
  override async appendMany(runId: string, events: readonly NewEvent[]): Promise<string[]> {
    this.batches.push(events.length);
    await this.gate;
    if (this.failWith !== undefined) throw this.failWith;
    return super.appendMany(runId, events);
  }
}

async function ids(log: MemoryEventLog, runId: string): Promise<string[]> {
  await log.end(runId);
  const seen: string[] = [];
  for await (const event of log.read(runId, { start: true }) as AsyncIterable<LoggedEvent>) seen.push(`${event.id}:${String(event.data)}`);
  return seen;
}

describe("EventBatcher", () => {
  it("events added while a write is in flight go in the next write, in order", async () => {
    const log = new RecordingLog();
    let release: () => void = () => undefined;
    log.gate = new Promise((resolve) => (release = resolve));
    const batcher = new EventBatcher(log, "r");
    await batcher.add({ event: "messages", data: "a" });
    await new Promise((resolve) => setImmediate(resolve)); // the first write has started and waits at the gate
    for (const token of ["b", "c", "d"]) await batcher.add({ event: "messages", data: token });
    release();
    await batcher.flush();
    assert.deepEqual(log.batches, [1, 3]);
    assert.deepEqual(await ids(log, "r"), ["1:a", "2:b", "3:c", "4:d"]);
  });

  it("waits for the log once maxPending events wait (backpressure)", async () => {
    const log = new RecordingLog();
    let release: () => void = () => undefined;
    log.gate = new Promise((resolve) => (release = resolve));
    const batcher = new EventBatcher(log, "r", 2);
    await batcher.add({ event: "messages", data: "a" });
    await new Promise((resolve) => setImmediate(resolve)); // "a" is in flight, held at the gate
    assert.equal(batcher.add({ event: "messages", data: "b" }), undefined, "one event pending: taken at once, nothing to await");
    let third = false;
    const waiting = batcher.add({ event: "messages", data: "c" });
    assert.ok(waiting instanceof Promise, "two events pending: the add gives a promise of the log taking them");
    const adding = waiting.then(() => (third = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(third, false, "with two events pending, the third add waits while the log holds the write");
    release();
    await adding;
    assert.deepEqual(await ids(log, "r"), ["1:a", "2:b", "3:c"]);
  });

  it("a failed write fails the next add and flush with its error", async () => {
    const log = new RecordingLog();
    log.failWith = new Error("Redis went away");
    const batcher = new EventBatcher(log, "r");
    await batcher.add({ event: "messages", data: "a" });
    await assert.rejects(batcher.flush(), /Redis went away/);
    await assert.rejects(batcher.add({ event: "messages", data: "b" })!, /Redis went away/);
  });
});
