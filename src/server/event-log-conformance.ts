// One test suite for the EventLog contract, run against every log (memory, SQLite, Redis):
//   registerEventLogConformance("my log", async (bounds) => ({ logs: [log, logOnTheSameData], cleanup }));
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { WeftError } from "../errors.js";
import { type EventLog, type LoggedEvent, READ_BATCH, batchesOf } from "./event-log.js";

/** The bounds a test asks of the log it creates; unset ones take the log's defaults. */
export interface EventLogBounds {
  ttlMs?: number;
  maxBytesPerRun?: number;
}

export interface EventLogSubject {
  /** Two logs on the same data (two instances of a server); a log that is alone gives itself twice. */
  logs: [EventLog, EventLog];
  cleanup: () => Promise<void>;
}

const statusIs = (status: number) => (error: unknown) => WeftError.isInstance(error) && error.code === "SERVER" && error.details.status === status;

/** The events read, as plain `{ id, event, data }`; an event's `json`, when given, is its data's JSON. */
async function collect(events: AsyncIterable<LoggedEvent>): Promise<LoggedEvent[]> {
  const seen: LoggedEvent[] = [];
  for await (const event of events) {
    if (event.json !== undefined) assert.deepEqual(JSON.parse(event.json), event.data, `event ${event.id}'s json is its data`);
    seen.push({ id: event.id, event: event.event, data: event.data });
  }
  return seen;
}

/** Order of two ids of one log: both formats in use ("17", "1700000000000-3") compare as integer tuples. */
function compareIds(a: string, b: string): number {
  const left = a.split("-").map(BigInt);
  const right = b.split("-").map(BigInt);
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (left[index] ?? 0n) - (right[index] ?? 0n);
    if (difference !== 0n) return difference < 0n ? -1 : 1;
  }
  return 0;
}

/** Resolves once `condition` holds, looking every 20 ms (for expiry, which no event announces); rejects after `ms`. */
async function eventually(condition: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function settlesWithin<Value>(promise: Promise<Value>, ms: number, what: string): Promise<Value> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms: ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export function registerEventLogConformance(name: string, create: (bounds: EventLogBounds) => Promise<EventLogSubject>): void {
  describe(`EventLog conformance: ${name}`, () => {
    const withLogs = async (bounds: EventLogBounds, body: (one: EventLog, two: EventLog) => Promise<void>) => {
      const subject = await create(bounds);
      try {
        await body(...subject.logs);
      } finally {
        await subject.cleanup();
      }
    };

    it("keeps events in order with increasing ids, and reads from the start or after any id", () =>
      withLogs({}, async (one, two) => {
        const runId = randomUUID();
        const ids: string[] = [];
        for (let index = 0; index < 5; index++) ids.push(await one.append(runId, index === 0 ? "metadata" : "messages", { index, text: `token ${index}` }));
        await one.end(runId);
        for (let index = 1; index < ids.length; index++) assert.ok(compareIds(ids[index - 1]!, ids[index]!) < 0, `${ids[index - 1]} < ${ids[index]}`);
        const all = await collect(two.read(runId, { start: true }));
        assert.deepEqual(
          all,
          ids.map((id, index) => ({ id, event: index === 0 ? "metadata" : "messages", data: { index, text: `token ${index}` } })),
        );
        for (const [index, id] of ids.entries()) {
          await two.check(runId, { after: id });
          assert.deepEqual(await collect(two.read(runId, { after: id })), all.slice(index + 1), `after ${id}`);
        }
        assert.deepEqual(await collect(two.read(runId, { now: true })), [], "an ended log read from now is empty");
        await assert.rejects(one.append(runId, "late", 1), /has ended/);
      }));

    it("appendMany adds events in order, with the ids a reader then sees, after those appended one by one", () =>
      withLogs({}, async (one, two) => {
        const runId = randomUUID();
        const first = await one.append(runId, "metadata", { run_id: runId });
        assert.deepEqual(await one.appendMany(runId, []), []);
        const batch = Array.from({ length: 300 }, (_, index) => ({ event: "messages", data: [{ content: `t${index} ` }, { index }] }));
        const ids = await one.appendMany(runId, batch);
        const last = await one.append(runId, "values", { done: true });
        await one.end(runId);
        assert.equal(ids.length, 300);
        const read = await collect(two.read(runId, { start: true }));
        assert.deepEqual(
          read.map((event) => event.id),
          [first, ...ids, last],
        );
        assert.deepEqual(
          read.slice(1, -1).map(({ event, data }) => ({ event, data })),
          batch,
        );
        for (const [index, id] of [first, ...ids].entries()) assert.ok(compareIds(id, [...ids, last][index]!) < 0);
        assert.deepEqual((await collect(two.read(runId, { after: ids[149]! }))).map((event) => event.id), [...ids.slice(150), last]);
      }));

    it("stores an event's given json as its data, without reading its data", () =>
      withLogs({}, async (one, two) => {
        const runId = randomUUID();
        const given = {
          event: "messages",
          json: '[{"content":"hi"},{"langgraph_node":"agent"}]',
          get data(): unknown {
            throw new Error("the log read data although json was given");
          },
        };
        await one.appendMany(runId, [given, { event: "values", data: { done: true } }]);
        await one.end(runId);
        const read = await collect(two.read(runId, { start: true }));
        assert.deepEqual(
          read.map(({ event, data }) => ({ event, data })),
          [
            { event: "messages", data: [{ content: "hi" }, { langgraph_node: "agent" }] },
            { event: "values", data: { done: true } },
          ],
        );
      }));

    it("readBatches gives what read gives, in batches of at most READ_BATCH, each event's json its data", () =>
      withLogs({}, async (one, two) => {
        const runId = randomUUID();
        const events = Array.from({ length: 600 }, (_, index) => ({ event: index % 2 === 0 ? "messages" : "values", data: { index, text: `héllo ${index}` } }));
        await one.appendMany(runId, events.slice(0, 300));
        await one.appendMany(runId, events.slice(300));
        await one.end(runId);
        const batches: LoggedEvent[][] = [];
        for await (const batch of batchesOf(two, runId, { start: true })) batches.push([...batch]);
        assert.ok(batches.length >= 3, `${batches.length} batches`);
        assert.ok(batches.every((batch) => batch.length > 0 && batch.length <= READ_BATCH), `batch sizes ${batches.map((batch) => batch.length).join(",")}`);
        const flat = batches.flat();
        for (const event of flat) if (event.json !== undefined) assert.deepEqual(JSON.parse(event.json), event.data);
        assert.deepEqual(
          flat.map(({ id, event, data }) => ({ id, event, data })),
          await collect(two.read(runId, { start: true })),
        );
        assert.deepEqual(
          flat.map(({ event, data }) => ({ event, data })),
          events,
        );
      }));

    it("a reader from now gets only later events; a reader on the other log follows the run live until it ends", () =>
      withLogs({}, async (one, two) => {
        const runId = randomUUID();
        await one.append(runId, "metadata", { run_id: runId });
        const follower = collect(two.read(runId, { start: true }));
        // On the appending log, so that the read starts before the next append (one connection, in order).
        const fromNow = one.read(runId, { now: true })[Symbol.asyncIterator]();
        const firstFromNow = fromNow.next();
        const later: string[] = [];
        for (let index = 0; index < 3; index++) later.push(await one.append(runId, "messages", [index]));
        await one.end(runId);
        const followed = await settlesWithin(follower, 10_000, "the follower ending with the log");
        assert.deepEqual(
          followed.map((event) => [event.event, event.data]),
          [
            ["metadata", { run_id: runId }],
            ["messages", [0]],
            ["messages", [1]],
            ["messages", [2]],
          ],
        );
        const seenFromNow = [(await firstFromNow).value as LoggedEvent];
        for (let next = await fromNow.next(); !next.done; next = await fromNow.next()) seenFromNow.push(next.value);
        assert.deepEqual(
          seenFromNow.map((event) => event.id),
          later,
        );
      }));

    it("a reader waiting for events stops when its signal aborts", () =>
      withLogs({}, async (one, two) => {
        const runId = randomUUID();
        await one.append(runId, "metadata", {});
        const stop = new AbortController();
        const reader = two.read(runId, { start: true }, stop.signal)[Symbol.asyncIterator]();
        assert.equal((await reader.next()).value?.event, "metadata");
        const waiting = reader.next();
        stop.abort();
        assert.equal((await settlesWithin(waiting, 10_000, "the aborted reader ending")).done, true);
        await one.end(runId);
      }));

    it("an unknown run is 404; an id the log never gave is 400, on check and on read", () =>
      withLogs({}, async (one, two) => {
        const missing = randomUUID();
        await assert.rejects(two.check(missing, { start: true }), statusIs(404));
        await assert.rejects(collect(two.read(missing, { start: true })), statusIs(404));
        const runId = randomUUID();
        const id = await one.append(runId, "metadata", {});
        const beyond = id.includes("-") ? `${BigInt(id.split("-")[0]!) + 1000n}-0` : String(Number(id) + 1000);
        for (const bad of ["x", "", "-1", "1.5", "7\r\nevent: forged", beyond]) {
          await assert.rejects(two.check(runId, { after: bad }), statusIs(400), `check after ${JSON.stringify(bad)}`);
          await assert.rejects(collect(two.read(runId, { after: bad })), statusIs(400), `read after ${JSON.stringify(bad)}`);
        }
        await one.end(runId);
      }));

    it("records are shared between the logs, and copies", () =>
      withLogs({}, async (one, two) => {
        const threadId = randomUUID();
        const value = { thread_id: threadId, status: "busy", nested: { a: 1 } };
        await one.putRecord("thread", threadId, value);
        value.nested.a = 2;
        assert.deepEqual(await two.getRecord("thread", threadId), { thread_id: threadId, status: "busy", nested: { a: 1 } });
        await two.putRecord("thread", threadId, { thread_id: threadId, status: "idle" });
        assert.deepEqual(await one.getRecord("thread", threadId), { thread_id: threadId, status: "idle" });
        assert.equal(await one.getRecord("run", threadId), undefined, "kinds are separate");
        assert.equal(await one.getRecord("thread", randomUUID()), undefined);
      }));

    it("a cancel request on one log reaches the listeners of the other, until they unsubscribe", () =>
      withLogs({}, async (one, two) => {
        const heardByFirst: string[] = [];
        const heardBySecond: string[] = [];
        let heard: () => void = () => undefined;
        const first = two.onCancelRequest((runId) => heardByFirst.push(runId));
        const second = two.onCancelRequest((runId) => {
          heardBySecond.push(runId);
          heard();
        });
        await Promise.all([first.ready, second.ready]);
        const [runA, runB] = [randomUUID(), randomUUID()];
        const hearing = () => new Promise<void>((resolve) => (heard = resolve));
        let next = hearing();
        await one.requestCancel(runA);
        await settlesWithin(next, 10_000, "the cancel request reaching the other log");
        first();
        next = hearing();
        await one.requestCancel(runB);
        await settlesWithin(next, 10_000, "the second cancel request");
        assert.deepEqual(heardBySecond, [runA, runB]);
        assert.deepEqual(heardByFirst, [runA], "an unsubscribed listener hears nothing more");
        second();
      }));

    it("keeps an ended run's log and record for ttlMs, then forgets both", () =>
      withLogs({ ttlMs: 600 }, async (one, two) => {
        const runId = randomUUID();
        const id = await one.append(runId, "metadata", {});
        await one.putRecord("run", runId, { run_id: runId, status: "success" });
        const endedAt = Date.now();
        await one.end(runId);
        await two.check(runId, { after: id });
        assert.deepEqual(await two.getRecord("run", runId), { run_id: runId, status: "success" });
        const gone = async () => {
          const missing = await two.check(runId, { start: true }).then(
            () => false,
            (error: unknown) => statusIs(404)(error) || Promise.reject(error),
          );
          return missing && (await two.getRecord("run", runId)) === undefined;
        };
        await eventually(gone, 10_000, "the log and record expiring");
        assert.ok(Date.now() - endedAt >= 600, `forgotten after ${Date.now() - endedAt} ms, before its TTL`);
      }));

    it("bounds a run's log in bytes: a reader past the bound gets EVENTS_LOST naming the lost ids, a resume after them gets exactly the rest, an earlier Last-Event-ID is 410", () =>
      withLogs({ maxBytesPerRun: 4096 }, async (one, two) => {
        const runId = randomUUID();
        const padding = "x".repeat(200);
        const ids = [await one.append(runId, "metadata", { run_id: runId })];
        const stalled = two.read(runId, { start: true })[Symbol.asyncIterator]();
        assert.equal((await stalled.next()).value?.id, ids[0]);
        // ~100 events of ~220 bytes: about 20 fit under the bound.
        for (let index = 0; index < 100; index++) ids.push(await one.append(runId, "messages", { index, padding }));
        await one.end(runId);

        const fromStart = await collect(two.read(runId, { start: true }));
        assert.equal(fromStart.length, 1, "reading from the start past the bound says what is gone, and stops");
        const lostAtStart = fromStart[0]!;
        assert.equal(lostAtStart.event, "error");
        assert.equal((lostAtStart.data as { error: string }).error, "EVENTS_LOST");
        const kept = await collect(two.read(runId, { after: lostAtStart.id }));
        const keptIds = ids.slice(ids.indexOf(lostAtStart.id) + 1);
        assert.deepEqual(
          kept.map((event) => event.id),
          keptIds,
        );
        assert.ok(keptIds.length >= 2 && keptIds.length < 40, `${keptIds.length} events kept of 101`);
        const keptBytes = kept.reduce((sum, event) => sum + event.event.length + JSON.stringify(event.data).length, 0);
        assert.ok(keptBytes <= 4096, `${keptBytes} bytes kept`);
        assert.equal(keptIds.at(-1), ids.at(-1), "the newest event is always kept");

        // The stalled reader: the events it missed are named, never skipped silently.
        const rest: LoggedEvent[] = [];
        for (let next = await stalled.next(); !next.done; next = await stalled.next()) rest.push(next.value);
        const lost = rest.find((event) => event.event === "error");
        assert.ok(lost !== undefined, "an EVENTS_LOST event");
        const data = lost.data as { error: string; run_id: string; lost_after_id: string; last_lost_id: string; message: string };
        assert.equal(data.error, "EVENTS_LOST");
        assert.equal(data.run_id, runId);
        assert.equal(lost.id, data.last_lost_id);
        assert.match(data.message, /GET \/threads\/\{thread_id\}\/state/);
        const delivered = rest.slice(0, rest.indexOf(lost)).map((event) => event.id);
        assert.deepEqual(delivered, ids.slice(1, 1 + delivered.length), "before the gap, events in order from where it stopped");
        assert.equal(data.lost_after_id, [ids[0]!, ...delivered].at(-1), "the gap starts right after the last event delivered");
        assert.equal(rest.at(-1), lost, "the stream ends with the gap event");
        const resumed = await collect(two.read(runId, { after: lost.id }));
        assert.ok(resumed.length > 0);
        assert.deepEqual(
          resumed.map((event) => event.id),
          ids.slice(ids.indexOf(resumed[0]!.id)),
          "the resume gets every event still kept, in order",
        );
        // Every id is delivered, or lost and named, exactly once.
        const lostIds = ids.filter((id) => compareIds(id, data.lost_after_id) > 0 && compareIds(id, data.last_lost_id) <= 0);
        assert.deepEqual([ids[0], ...delivered, ...lostIds, ...resumed.map((event) => event.id)], ids);

        await assert.rejects(two.check(runId, { after: ids[0]! }), statusIs(410));
        await assert.rejects(collect(two.read(runId, { after: ids[0]! })), statusIs(410));
        await two.check(runId, { after: lost.id });
      }));
  });
}
