import assert from "node:assert/strict";
import { describe, it, mock } from "node:test";
import { WeftError } from "../errors.js";
import type { LoggedEvent } from "./event-log.js";
import { BLOCK_BYTES, FIRST_BLOCK_BYTES } from "./event-blocks.js";
import { MemoryEventLog } from "./memory-event-log.js";

async function collect(events: AsyncIterable<LoggedEvent>): Promise<string[]> {
  const seen: string[] = [];
  for await (const event of events) seen.push(`${event.id}:${event.event}`);
  return seen;
}

function statusOf(error: unknown): unknown {
  return WeftError.isInstance(error) ? error.details.status : undefined;
}

describe("MemoryEventLog", () => {
  it("numbers events from 1 and reads from the start, after an id, or from now", async () => {
    const log = new MemoryEventLog();
    await log.append("r", "metadata", {});
    await log.append("r", "values", { a: 1 });
    const fromNow = collect(log.read("r", { now: true }));
    await log.append("r", "values", { a: 2 });
    await log.end("r");
    assert.deepEqual(await collect(log.read("r", { start: true })), ["1:metadata", "2:values", "3:values"]);
    assert.deepEqual(await collect(log.read("r", { after: "1" })), ["2:values", "3:values"]);
    assert.deepEqual(await collect(log.read("r", { after: "3" })), []);
    assert.deepEqual(await fromNow, ["3:values"]);
    await log.close();
  });

  it("a reader follows a live run and ends when the log ends", async () => {
    const log = new MemoryEventLog();
    await log.append("r", "metadata", {});
    const reader = collect(log.read("r", { start: true }));
    for (let index = 0; index < 3; index++) await log.append("r", "messages", index);
    await log.end("r");
    assert.deepEqual(await reader, ["1:metadata", "2:messages", "3:messages", "4:messages"]);
    await assert.rejects(log.append("r", "late", 1), /has ended/);
  });

  it("rejects ids it never gave (400) and unknown runs (404)", async () => {
    const log = new MemoryEventLog();
    await log.append("r", "metadata", {});
    for (const bad of ["7", "x", "-1", "1.5", ""]) {
      await assert.rejects(log.check("r", { after: bad }), (error) => statusOf(error) === 400);
    }
    await assert.rejects(log.check("nope", { start: true }), (error) => statusOf(error) === 404);
    await assert.rejects(collect(log.read("nope", { start: true })), (error) => statusOf(error) === 404);
  });

  it("keeps at most maxEventsPerRun events; resuming before them is 410", async () => {
    const log = new MemoryEventLog({ maxEventsPerRun: 3 });
    for (let index = 0; index < 5; index++) await log.append("r", "e", index);
    await log.end("r");
    assert.deepEqual(await collect(log.read("r", { start: true })), ["2:error"], "from the start: the first two were dropped, and the reader is told");
    assert.deepEqual(await collect(log.read("r", { after: "3" })), ["4:e", "5:e"]);
    await assert.rejects(log.check("r", { after: "1" }), (error) => statusOf(error) === 410);
  });

  it("forgets a run's log and record ttlMs after it ended, and drops the oldest ended runs over maxRuns", async () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const log = new MemoryEventLog({ ttlMs: 1000, maxRuns: 2 });
      await log.append("a", "e", 1);
      await log.putRecord("run", "a", { status: "success" });
      await log.end("a");
      mock.timers.tick(999);
      await log.check("a", { start: true });
      mock.timers.tick(1);
      await assert.rejects(log.check("a", { start: true }), (error) => statusOf(error) === 404);
      assert.equal(await log.getRecord("run", "a"), undefined);

      await log.append("b", "e", 1);
      await log.end("b");
      await log.append("c", "e", 1); // running
      await log.append("d", "e", 1); // over the limit: "b" (ended) goes, "c" (running) stays
      await assert.rejects(log.check("b", { start: true }), (error) => statusOf(error) === 404);
      await log.check("c", { start: true });
      await log.close();
    } finally {
      mock.timers.reset();
    }
  });

  it("bounds the memory of all runs' logs by maxBytes, counted in the blocks that hold them, dropping ended runs first", async () => {
    // Each run's log takes its first, small block; the bound holds three.
    const log = new MemoryEventLog({ maxBytes: 3 * FIRST_BLOCK_BYTES });
    for (const runId of ["a", "b", "c"]) {
      await log.append(runId, "values", { run: runId });
      await log.end(runId);
    }
    await log.append("running", "values", "x".repeat(1_000));
    // Four blocks are over the bound: the oldest ended run goes, the running run stays.
    await assert.rejects(collect(log.read("a", { start: true })), (error) => statusOf(error) === 404);
    assert.deepEqual(await collect(log.read("b", { start: true })), ["1:values"]);
    await log.append("running", "values", "y".repeat(2 * BLOCK_BYTES));
    // A second, large block for the running run: every ended run goes; the running run keeps both events.
    for (const runId of ["b", "c"]) await assert.rejects(collect(log.read(runId, { start: true })), (error) => statusOf(error) === 404);
    await log.end("running");
    const events: LoggedEvent[] = [];
    for await (const event of log.read("running", { start: true })) events.push(event);
    assert.deepEqual(
      events.map((event) => event.data),
      ["x".repeat(1_000), "y".repeat(2 * BLOCK_BYTES)],
    );
    await log.close();
  });

  it("a reader of a log dropped while it reads gets EVENTS_LOST for the rest, not a quiet end", async () => {
    const log = new MemoryEventLog({ maxRuns: 1 });
    for (let index = 0; index < 600; index++) await log.append("a", "messages", index);
    await log.end("a");
    const seen: LoggedEvent[] = [];
    for await (const event of log.read("a", { start: true })) {
      seen.push(event);
      // A second run over maxRuns drops the ended run "a" while its reader is in its first batch.
      if (seen.length === 10) await log.append("b", "messages", "x");
    }
    const lost = seen.at(-1)!;
    assert.equal(lost.event, "error");
    assert.deepEqual(
      { error: (lost.data as { error: string }).error, after: (lost.data as { lost_after_id: string }).lost_after_id, last: (lost.data as { last_lost_id: string }).last_lost_id },
      { error: "EVENTS_LOST", after: String(seen.length - 1), last: "600" },
    );
    assert.deepEqual(
      seen.slice(0, -1).map((event) => event.data),
      Array.from({ length: seen.length - 1 }, (_, index) => index),
    );
    await log.close();
  });

  it("records are copies, and cancel requests reach every listener", async () => {
    const log = new MemoryEventLog();
    const value = { status: "running", nested: { a: 1 } };
    await log.putRecord("thread", "t", value);
    value.nested.a = 2;
    assert.deepEqual(await log.getRecord("thread", "t"), { status: "running", nested: { a: 1 } });
    const heard: string[] = [];
    const stop = log.onCancelRequest((runId) => heard.push(runId));
    await log.requestCancel("r1");
    stop();
    await log.requestCancel("r2");
    assert.deepEqual(heard, ["r1"]);
  });
});
