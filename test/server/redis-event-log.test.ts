// The Redis Streams event log against the real Redis on 127.0.0.1:6379 (fails, not skips, without
// it): ids, reading from the start / after an id / from now, errors, records, cancel across logs,
// and a refused cancel subscription.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { WeftError } from "weft";
import { type EventLog, type LoggedEvent, createRedisEventLog } from "weft/server";
import { withTimeout } from "../reliability/support.js";

const keyPrefix = `weft-test-${randomUUID().slice(0, 8)}:`;

async function collect(events: AsyncIterable<LoggedEvent>): Promise<Array<[string, unknown]>> {
  const seen: Array<[string, unknown]> = [];
  for await (const event of events) seen.push([event.event, event.data]);
  return seen;
}

const statusIs = (status: number) => (error: unknown) => WeftError.isInstance(error) && error.details.status === status;

describe("createRedisEventLog", () => {
  let one: EventLog;
  let two: EventLog;
  before(async () => {
    [one, two] = await Promise.all([createRedisEventLog({ keyPrefix, blockMs: 200 }), createRedisEventLog({ keyPrefix, blockMs: 200 })]);
  });
  after(async () => {
    await one.close();
    await two.close();
    const redis = new Redis("redis://127.0.0.1:6379");
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it("another log instance follows a run live, from the start, after an id, or from now", async () => {
    const firstId = await one.append("r1", "metadata", { run_id: "r1" });
    assert.match(firstId, /^\d+-\d+$/);
    const live = collect(two.read("r1", { start: true }));
    const fromNow = two.read("r1", { now: true })[Symbol.asyncIterator]();
    const fromNowFirst = fromNow.next(); // starts reading before the next append
    const secondId = await one.append("r1", "messages", ["a"]);
    await one.append("r1", "messages", ["b"]);
    await one.end("r1");
    assert.deepEqual(await live, [
      ["metadata", { run_id: "r1" }],
      ["messages", ["a"]],
      ["messages", ["b"]],
    ]);
    const afterFirst = await collect(two.read("r1", { after: firstId }));
    assert.deepEqual(afterFirst, [
      ["messages", ["a"]],
      ["messages", ["b"]],
    ]);
    assert.deepEqual(await collect(two.read("r1", { after: secondId })), [["messages", ["b"]]]);
    const seenFromNow = [(await fromNowFirst).value?.event];
    for (let next = await fromNow.next(); !next.done; next = await fromNow.next()) seenFromNow.push(next.value.event);
    assert.ok(seenFromNow.length >= 1 && seenFromNow.every((event) => event === "messages"), `from now: ${seenFromNow}`);
    assert.deepEqual(await collect(two.read("r1", { now: true })), [], "an ended log read from now is empty");
  });

  it("unknown runs are 404, malformed ids 400", async () => {
    await assert.rejects(two.check("missing", { start: true }), statusIs(404));
    await one.append("r2", "metadata", {});
    await assert.rejects(two.check("r2", { after: "7\r\nevent: x" }), statusIs(400));
    await one.end("r2");
  });

  it("shares records, and a cancel request on one log reaches listeners of the other", async () => {
    await one.putRecord("thread", "t1", { thread_id: "t1", status: "busy" });
    assert.deepEqual(await two.getRecord("thread", "t1"), { thread_id: "t1", status: "busy" });
    assert.equal(await two.getRecord("run", "nope"), undefined);
    let hear: (runId: string) => void = () => undefined;
    const heard = new Promise<string>((resolve) => (hear = resolve));
    const stop = two.onCancelRequest((runId) => hear(runId));
    await stop.ready; // `two` is subscribed: one request made now must reach it
    await one.requestCancel("r9");
    assert.equal(await withTimeout(heard, 2_000, "the cancel request reaching the other log"), "r9");
    stop();
  });

  it("a cancel subscription Redis refuses rejects `ready` with a WeftError naming the channel", async () => {
    // A Redis user allowed every command on every key but no pub/sub channel: SUBSCRIBE gets NOPERM.
    const admin = new Redis("redis://127.0.0.1:6379");
    const username = `weft-test-${randomUUID().slice(0, 8)}`;
    await admin.acl("SETUSER", username, "on", ">test", "~*", "+@all", "resetchannels");
    const log = await createRedisEventLog({ keyPrefix, redis: { username, password: "test" } });
    try {
      const stop = log.onCancelRequest(() => assert.fail("no request can be heard"));
      await assert.rejects(stop.ready, (error: unknown) => {
        assert.ok(WeftError.isInstance(error) && error.code === "SERVER", String(error));
        assert.match(error.message, new RegExp(`Subscribing to Redis channel ${keyPrefix}cancel for cancel requests failed: .*NOPERM`));
        return true;
      });
      stop();
    } finally {
      await log.close();
      await admin.acl("DELUSER", username);
      await admin.quit();
    }
  });

  it("a reader stops when its signal aborts, while waiting for events", async () => {
    await one.append("r3", "metadata", {});
    const stop = new AbortController();
    const reader = two.read("r3", { start: true }, stop.signal)[Symbol.asyncIterator]();
    assert.equal((await reader.next()).value?.event, "metadata");
    const waiting = reader.next(); // blocked in XREAD: nothing more was appended
    stop.abort();
    assert.equal((await waiting).done, true);
    await one.end("r3");
  });
});
