import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RunStream } from "./run-stream.js";

const messagesOnly = () => new RunStream({ modes: ["messages"], modeTuples: false, subgraphs: false, highWaterMark: 8 });

describe("RunStream", () => {
  it("delivers pushed events in order, then done after close", async () => {
    const stream = messagesOnly();
    for (let index = 0; index < 100; index++) stream.push("messages", [], index);
    stream.close();
    const seen: unknown[] = [];
    for await (const value of stream) seen.push(value);
    assert.deepEqual(seen, Array.from({ length: 100 }, (_, index) => index));
  });

  it("hands an event straight to a waiting consumer", async () => {
    const stream = messagesOnly();
    const pending = stream.next();
    stream.push("messages", [], "x");
    assert.deepEqual(await pending, { value: "x", done: false });
    assert.equal(stream.buffered, 0);
  });

  it("delivers buffered events before the failure, and the failure once", async () => {
    const stream = messagesOnly();
    stream.push("messages", [], 1);
    stream.push("messages", [], 2);
    stream.fail(new Error("boom"));
    assert.deepEqual(await stream.next(), { value: 1, done: false });
    assert.deepEqual(await stream.next(), { value: 2, done: false });
    await assert.rejects(stream.next(), /boom/);
    assert.deepEqual(await stream.next(), { value: undefined, done: true });
  });

  it("rejects a waiting consumer when the run fails with nothing buffered", async () => {
    const stream = messagesOnly();
    const pending = stream.next();
    stream.fail(new Error("late"));
    await assert.rejects(pending, /late/);
  });

  it("applies backpressure: producers wait at the high-water mark and resume at half of it", async () => {
    const stream = messagesOnly();
    for (let index = 0; index < 8; index++) stream.push("messages", [], index);
    assert.equal(stream.mustWait, true);
    let resumed = false;
    const waiting = stream.drained().then(() => (resumed = true));
    for (let index = 0; index < 3; index++) await stream.next();
    await Promise.resolve();
    assert.equal(resumed, false, "5 buffered is above the low-water mark of 4");
    await stream.next();
    await waiting;
    assert.equal(resumed, true);
    assert.equal(stream.buffered, 4);
  });

  it("grows past the high-water mark for synchronous producers without losing events", async () => {
    const stream = messagesOnly();
    for (let index = 0; index < 1000; index++) stream.push("messages", [], index);
    stream.close();
    let count = 0;
    for await (const value of stream) assert.equal(value, count++);
    assert.equal(count, 1000);
  });

  it("cancels the run when the consumer returns early, and releases waiting producers", async () => {
    const stream = messagesOnly();
    let cancelled: unknown;
    stream.onCancel = (reason) => (cancelled = reason);
    for (let index = 0; index < 8; index++) stream.push("messages", [], index);
    const producer = stream.drained();
    await stream.return();
    await producer;
    assert.ok(cancelled instanceof Error);
    stream.push("messages", [], "ignored");
    assert.deepEqual(await stream.next(), { value: undefined, done: true });
  });

  it("shapes events: [mode, chunk] for several modes, [namespace, ...] with subgraphs, drops subgraph values without", async () => {
    const tuples = new RunStream({ modes: ["values", "messages"], modeTuples: true, subgraphs: false });
    tuples.push("values", ["child:1"], "dropped");
    tuples.push("messages", ["child:1"], "kept");
    tuples.push("values", [], "root");
    tuples.close();
    const seen: unknown[] = [];
    for await (const item of tuples) seen.push(item);
    assert.deepEqual(seen, [["messages", "kept"], ["values", "root"]]);

    const namespaced = new RunStream({ modes: ["values"], modeTuples: false, subgraphs: true });
    namespaced.push("values", ["child:1"], "inner");
    namespaced.close();
    assert.deepEqual((await namespaced.next()).value, [["child:1"], "inner"]);
  });
});
