// One test suite for the Checkpointer contract, run against every implementation
// (memory, SQLite, Postgres). A custom checkpointer can run it too:
//   registerCheckpointerConformance("my saver", async () => ({ saver: new MySaver(), cleanup: async () => {} }));
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { WeftError } from "../errors.js";
import { AIMessage, HumanMessage } from "../core/messages.js";
import type { Checkpoint, CheckpointMetadata, CheckpointTuple, Checkpointer } from "../core/checkpointer.js";
import { newCheckpointId } from "../core/checkpoint-id.js";

export interface ConformanceSubject {
  saver: Checkpointer;
  /** Close connections and remove what the saver created. */
  cleanup: () => Promise<void>;
}

function checkpoint(values: Record<string, unknown>, id = newCheckpointId()): Checkpoint {
  return { v: 1, id, ts: new Date().toISOString(), channel_values: values, pending_tasks: [], joins: {} };
}

function metadata(step: number, source: CheckpointMetadata["source"] = "loop"): CheckpointMetadata {
  return { source, step, writes: null, parents: {} };
}

const thread = (threadId: string, checkpointId?: string, namespace = "") => ({
  configurable: { thread_id: threadId, checkpoint_ns: namespace, ...(checkpointId === undefined ? {} : { checkpoint_id: checkpointId }) },
});

async function collect(iterable: AsyncIterable<CheckpointTuple>): Promise<CheckpointTuple[]> {
  const tuples: CheckpointTuple[] = [];
  for await (const tuple of iterable) tuples.push(tuple);
  return tuples;
}

function isWeftError(code: string) {
  return (error: unknown) => WeftError.isInstance(error) && error.code === code;
}

/** Register node:test tests that check `createSubject()`'s checkpointer against the contract. */
export function registerCheckpointerConformance(name: string, createSubject: () => Promise<ConformanceSubject>): void {
  describe(`Checkpointer conformance: ${name}`, () => {
    let subject: ConformanceSubject;
    let saver: Checkpointer;
    // Thread ids are unique per registration so suites sharing a store never see each other's data.
    const prefix = `conformance-${Math.random().toString(36).slice(2)}`;
    let counter = 0;
    const freshThread = () => `${prefix}-${counter++}`;

    before(async () => {
      subject = await createSubject();
      saver = subject.saver;
    });
    after(async () => {
      await subject?.cleanup();
    });

    it("has no checkpoint for an unknown thread", async () => {
      assert.equal(await saver.getTuple(thread(freshThread())), undefined);
      assert.deepEqual(await collect(saver.list(thread(freshThread()))), []);
    });

    it("puts a checkpoint and gets it back as the latest, with its config and metadata", async () => {
      const threadId = freshThread();
      const saved = checkpoint({ topic: "cats" });
      const config = await saver.put(thread(threadId), saved, metadata(0, "input"));
      assert.deepEqual(config, { configurable: { thread_id: threadId, checkpoint_ns: "", checkpoint_id: saved.id } });
      const tuple = await saver.getTuple(thread(threadId));
      assert.ok(tuple);
      assert.deepEqual(tuple.config, config);
      assert.deepEqual(tuple.checkpoint, saved);
      assert.deepEqual(tuple.metadata, metadata(0, "input"));
      assert.equal(tuple.parentConfig, undefined);
      assert.deepEqual(tuple.pendingWrites, []);
    });

    it("links a child to its parent; latest is the newest; an id gets an older one", async () => {
      const threadId = freshThread();
      const first = checkpoint({ n: 1 });
      const second = checkpoint({ n: 2 });
      const firstConfig = await saver.put(thread(threadId), first, metadata(0));
      await saver.put(firstConfig, second, metadata(1));
      const latest = await saver.getTuple(thread(threadId));
      assert.equal(latest?.checkpoint.id, second.id);
      assert.deepEqual(latest?.parentConfig, firstConfig);
      const older = await saver.getTuple(thread(threadId, first.id));
      assert.deepEqual(older?.checkpoint.channel_values, { n: 1 });
      assert.equal(await saver.getTuple(thread(threadId, newCheckpointId())), undefined);
    });

    it("appends pending writes of tasks in the order they were put, to the named checkpoint only", async () => {
      const threadId = freshThread();
      const first = await saver.put(thread(threadId), checkpoint({}), metadata(0));
      const second = await saver.put(first, checkpoint({}), metadata(1));
      await saver.putWrites(first, [["a", 1]], "task-old");
      await saver.putWrites(second, [["a", 2], ["b", new Date("2024-01-02T03:04:05.000Z")]], "task-1");
      await saver.putWrites(second, [["__routes__", [{ kind: "node", node: "next" }]]], "task-1");
      await saver.putWrites(second, [["a", 3]], "task-2");
      const tuple = await saver.getTuple(thread(threadId));
      assert.deepEqual(tuple?.pendingWrites, [
        ["task-1", "a", 2],
        ["task-1", "b", new Date("2024-01-02T03:04:05.000Z")],
        ["task-1", "__routes__", [{ kind: "node", node: "next" }]],
        ["task-2", "a", 3],
      ]);
      assert.deepEqual((await saver.getTuple(first))?.pendingWrites, [["task-old", "a", 1]]);
    });

    it("refuses writes to a checkpoint that does not exist", async () => {
      await assert.rejects(saver.putWrites(thread(freshThread(), newCheckpointId()), [["a", 1]], "task"), isWeftError("CHECKPOINT"));
    });

    it("lists newest first, with limit and before", async () => {
      const threadId = freshThread();
      let config = thread(threadId) as Parameters<Checkpointer["put"]>[0];
      const ids: string[] = [];
      for (let step = 0; step < 4; step++) {
        const saved = checkpoint({ step });
        ids.push(saved.id);
        config = await saver.put(config, saved, metadata(step));
      }
      const all = await collect(saver.list(thread(threadId)));
      assert.deepEqual(all.map((tuple) => tuple.checkpoint.id), [...ids].reverse());
      assert.deepEqual(all.map((tuple) => tuple.metadata.step), [3, 2, 1, 0]);
      const limited = await collect(saver.list(thread(threadId), { limit: 2 }));
      assert.deepEqual(limited.map((tuple) => tuple.checkpoint.id), [ids[3], ids[2]]);
      const older = await collect(saver.list(thread(threadId), { before: thread(threadId, ids[2]) }));
      assert.deepEqual(older.map((tuple) => tuple.checkpoint.id), [ids[1], ids[0]]);
      await assert.rejects(collect(saver.list(thread(threadId), { limit: 0 })), isWeftError("CHECKPOINT"));
    });

    it("keeps threads and namespaces apart, and deletes one thread only", async () => {
      const one = freshThread();
      const two = freshThread();
      await saver.put(thread(one), checkpoint({ who: "one" }), metadata(0));
      const inner = await saver.put(thread(one, undefined, "child:1"), checkpoint({ who: "one-inner" }), metadata(0));
      await saver.putWrites(inner, [["x", 1]], "task");
      await saver.put(thread(two), checkpoint({ who: "two" }), metadata(0));
      assert.deepEqual((await saver.getTuple(thread(one)))?.checkpoint.channel_values, { who: "one" });
      assert.deepEqual((await saver.getTuple(thread(one, undefined, "child:1")))?.checkpoint.channel_values, { who: "one-inner" });
      await saver.deleteThread(one);
      assert.equal(await saver.getTuple(thread(one)), undefined);
      assert.equal(await saver.getTuple(thread(one, undefined, "child:1")), undefined);
      assert.deepEqual((await saver.getTuple(thread(two)))?.checkpoint.channel_values, { who: "two" });
      // A deleted thread can start again, with no leftover writes.
      const again = await saver.put(thread(one, undefined, "child:1"), checkpoint({}, inner.configurable.checkpoint_id), metadata(0));
      assert.deepEqual((await saver.getTuple(again))?.pendingWrites, []);
    });

    it("round-trips messages with tool calls, Dates, Maps, Sets, bigints and undefined", async () => {
      const threadId = freshThread();
      const call = { id: "call_1", name: "search", args: { query: "cats", when: "today" } };
      const values = {
        messages: [new HumanMessage("hi", { id: "m1" }), new AIMessage("", { id: "m2", toolCalls: [call], usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 } })],
        when: new Date("2025-05-06T07:08:09.010Z"),
        index: new Map<unknown, unknown>([["a", 1], [2, new Set(["x"])]]),
        tags: new Set([1, 2]),
        big: 12345678901234567890n,
        missing: undefined,
        nested: { list: [undefined, null, Number.NaN, -Infinity], __weft: "looks like a tag" },
      };
      await saver.put(thread(threadId), checkpoint(values), metadata(0));
      const restored = (await saver.getTuple(thread(threadId)))!.checkpoint.channel_values;
      assert.deepEqual(restored, values);
      const [human, ai] = restored.messages as [HumanMessage, AIMessage];
      assert.ok(human instanceof HumanMessage);
      assert.ok(ai instanceof AIMessage);
      assert.equal(ai.type, "ai");
      assert.deepEqual(ai.toolCalls, [call]);
      assert.ok("missing" in restored);
    });

    it("rejects unserializable state naming the key, and writes nothing", async () => {
      const threadId = freshThread();
      const first = await saver.put(thread(threadId), checkpoint({ ok: 1 }), metadata(0));
      await assert.rejects(saver.put(first, checkpoint({ ok: 2, callback: { inner: () => 1 } }), metadata(1)), (error: unknown) => {
        assert.ok(WeftError.isInstance(error));
        assert.equal(error.code, "SERIALIZATION");
        assert.match(error.message, /callback\.inner/);
        return true;
      });
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await assert.rejects(saver.put(first, checkpoint({ cyclic }), metadata(1)), isWeftError("SERIALIZATION"));
      await assert.rejects(saver.putWrites(first, [["good", 1], ["bad", Symbol("no")]], "task"), isWeftError("SERIALIZATION"));
      const tuple = await saver.getTuple(thread(threadId));
      assert.equal(tuple?.checkpoint.id, first.configurable.checkpoint_id);
      assert.deepEqual(tuple?.pendingWrites, []);
      assert.equal((await collect(saver.list(thread(threadId)))).length, 1);
    });

    it("needs a thread id", async () => {
      await assert.rejects(saver.getTuple({ configurable: {} } as never), isWeftError("CHECKPOINT"));
    });
  });
}
