// One test suite for the RecordStore contract, run against every store (memory, SQLite, Postgres):
//   registerRecordStoreConformance("my store", async () => ({ stores: [store, storeOnTheSameData], cleanup }));
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { AssistantRow, RecordStore, RunRow, RunStatus, ThreadRow } from "./record-store.js";
import { parseRunRequest } from "./run-request.js";

export interface RecordStoreSubject {
  /** Two stores on the same data (two instances of a server); a store that is alone gives itself twice. */
  stores: [RecordStore, RecordStore];
  cleanup: () => Promise<void>;
}

export function threadRow(threadId: string, overrides: Partial<ThreadRow> = {}, updatedAt = new Date().toISOString()): ThreadRow {
  return {
    thread: { thread_id: threadId, created_at: updatedAt, updated_at: updatedAt, metadata: {}, status: "idle", values: null, config: {}, interrupts: {} },
    owner: null,
    currentRunId: null,
    ...overrides,
  };
}

export function runRow(runId: string, threadId: string | null, status: RunStatus = "pending", updatedAt = new Date().toISOString()): RunRow {
  return {
    run: {
      run_id: runId,
      thread_id: threadId,
      assistant_id: "agent",
      created_at: updatedAt,
      updated_at: updatedAt,
      status,
      metadata: {},
      multitask_strategy: "reject",
      kwargs: { stream_mode: ["values"], subgraphs: false, resumable: false },
      attempt: 0,
      max_attempts: 3,
    },
    owner: null,
    request: parseRunRequest({ assistant_id: "agent", input: { topic: "cats" } }),
    leaseOwner: null,
    leaseExpiresAt: 0,
    cancelRequested: false,
    enqueued: false,
  };
}

export function assistantRow(
  assistantId: string,
  graphId: string,
  options: { owner?: string | null; metadata?: Record<string, unknown>; name?: string; updatedAt?: string } = {},
): AssistantRow {
  const at = options.updatedAt ?? new Date().toISOString();
  return {
    assistant: {
      assistant_id: assistantId,
      graph_id: graphId,
      name: options.name ?? assistantId,
      description: null,
      config: { configurable: { model: "small" } },
      context: {},
      metadata: options.metadata ?? {},
      version: 1,
      created_at: at,
      updated_at: at,
    },
    owner: options.owner ?? null,
  };
}

export function registerRecordStoreConformance(name: string, createSubject: () => Promise<RecordStoreSubject>): void {
  describe(`RecordStore conformance: ${name}`, () => {
    let subject: RecordStoreSubject;
    let store: RecordStore;
    let other: RecordStore;
    const prefix = `conformance-${randomUUID().slice(0, 8)}`;
    let counter = 0;
    const fresh = () => `${prefix}-${counter++}`;

    before(async () => {
      subject = await createSubject();
      [store, other] = subject.stores;
      await store.setup();
      await other.setup();
    });
    after(async () => {
      await subject?.cleanup();
    });

    it("keeps a thread, and refuses a second thread with the same id without changing the first", async () => {
      const id = fresh();
      assert.equal(await store.getThread(id), undefined);
      const row = threadRow(id, { owner: "alice" });
      row.thread.metadata = { topic: "cats", nested: { deep: [1, 2] } };
      assert.equal(await store.insertThread(row), true);
      assert.equal(await other.insertThread(threadRow(id, { owner: "mallory" })), false);
      assert.deepEqual(await other.getThread(id), row);
    });

    it("updates are compare-and-set: of 10 concurrent claims on two stores exactly one wins", async () => {
      const id = fresh();
      await store.insertThread(threadRow(id));
      const claims = Array.from({ length: 10 }, (_, index) =>
        (index % 2 === 0 ? store : other).updateThread(id, (row) =>
          row.currentRunId !== null ? undefined : { ...row, currentRunId: `run-${index}`, thread: { ...row.thread, status: "busy" } },
        ),
      );
      const results = await Promise.all(claims);
      const winners = results.filter((result) => result !== undefined);
      assert.equal(winners.length, 1, "exactly one claim succeeds");
      const stored = await store.getThread(id);
      assert.equal(stored?.currentRunId, winners[0]!.currentRunId);
      assert.equal(stored?.thread.status, "busy");
    });

    it("a declined or missing update writes nothing", async () => {
      const id = fresh();
      await store.insertThread(threadRow(id));
      assert.equal(await store.updateThread(id, () => undefined), undefined);
      assert.equal(await store.updateThread(fresh(), (row) => row), undefined);
      assert.deepEqual((await store.getThread(id))?.thread.status, "idle");
    });

    it("searches threads by owner, status and metadata, newest first, with limit and offset", async () => {
      const owner = fresh();
      const times = [1, 2, 3, 4].map((second) => new Date(Date.UTC(2030, 0, 1, 0, 0, second)).toISOString());
      const ids = times.map(() => fresh());
      for (const [index, id] of ids.entries()) {
        const row = threadRow(id, { owner }, times[index]);
        row.thread.metadata = { parity: index % 2 === 0 ? "even" : "odd" };
        await store.insertThread(row);
      }
      await store.insertThread(threadRow(fresh(), { owner: `${owner}-other` }));
      const all = await other.searchThreads({ owner, limit: 10, offset: 0 });
      assert.deepEqual(all.map((row) => row.thread.thread_id), [...ids].reverse());
      const even = await other.searchThreads({ owner, metadata: { parity: "even" }, limit: 10, offset: 0 });
      assert.deepEqual(even.map((row) => row.thread.thread_id), [ids[2], ids[0]]);
      const page = await other.searchThreads({ owner, limit: 2, offset: 1 });
      assert.deepEqual(page.map((row) => row.thread.thread_id), [ids[2], ids[1]]);
      assert.deepEqual(await other.searchThreads({ owner, status: "busy", limit: 10, offset: 0 }), []);
    });

    it("keeps runs, lists them oldest first by thread, status and lease", async () => {
      const threadId = fresh();
      await store.insertThread(threadRow(threadId));
      const ids = [fresh(), fresh(), fresh()];
      for (const id of ids) await store.insertRun(runRow(id, threadId));
      await store.insertRun(runRow(fresh(), fresh()));
      assert.deepEqual((await other.listRuns({ threadId, limit: 10, offset: 0 })).map((row) => row.run.run_id), ids);
      const leased = await other.updateRun(ids[1]!, (row) => ({ ...row, leaseOwner: "worker-1", leaseExpiresAt: 2_000, run: { ...row.run, status: "running" } }));
      assert.equal(leased?.leaseOwner, "worker-1");
      assert.deepEqual((await store.listRuns({ threadId, status: ["running"], limit: 10, offset: 0 })).map((row) => row.run.run_id), [ids[1]]);
      assert.deepEqual((await store.listRuns({ threadId, status: ["running"], leaseExpiredBefore: 1_000, limit: 10, offset: 0 })).length, 0);
      assert.deepEqual((await store.listRuns({ threadId, status: ["running"], leaseExpiredBefore: 3_000, limit: 10, offset: 0 })).length, 1);
      assert.deepEqual((await store.listRuns({ threadId, limit: 1, offset: 1 })).map((row) => row.run.run_id), [ids[1]]);
      assert.deepEqual(await store.getRun(ids[1]!), leased);
    });

    it("deleting a thread deletes its runs", async () => {
      const threadId = fresh();
      const runId = fresh();
      await store.insertThread(threadRow(threadId));
      await store.insertRun(runRow(runId, threadId));
      assert.equal(await other.deleteThread(threadId), true);
      assert.equal(await store.getThread(threadId), undefined);
      assert.equal(await store.getRun(runId), undefined);
      assert.equal(await other.deleteThread(threadId), false);
    });

    it("prune removes only finished runs and idle threads older than the retention", async () => {
      const old = new Date(Date.UTC(2001, 0, 1)).toISOString();
      const oldFinished = fresh();
      const oldRunning = fresh();
      const newFinished = fresh();
      await store.insertRun(runRow(oldFinished, null, "success", old));
      await store.insertRun(runRow(oldRunning, null, "running", old));
      await store.insertRun(runRow(newFinished, null, "success"));
      const idleThread = fresh();
      const busyThread = fresh();
      await store.insertThread(threadRow(idleThread, {}, old));
      await store.insertThread(threadRow(busyThread, { currentRunId: oldRunning }, old));
      const cutoff = Date.UTC(2002, 0, 1);
      const pruned = await other.prune({ finishedRuns: cutoff, threads: cutoff });
      assert.ok(pruned.runs >= 1 && pruned.threads >= 1, JSON.stringify(pruned));
      assert.equal(await store.getRun(oldFinished), undefined);
      assert.notEqual(await store.getRun(oldRunning), undefined, "a running run is never pruned");
      assert.notEqual(await store.getRun(newFinished), undefined);
      assert.equal(await store.getThread(idleThread), undefined);
      assert.notEqual(await store.getThread(busyThread), undefined, "a busy thread is never pruned");
    });

    it("keeps assistants: insert refuses a second of the same id, updates are compare-and-set across stores, delete removes", async () => {
      const id = fresh();
      const row = assistantRow(id, "agent", { owner: "alice" });
      assert.equal(await store.insertAssistant(row), true);
      assert.equal(await other.insertAssistant(assistantRow(id, "other-graph")), false);
      assert.deepEqual(await other.getAssistant(id), row);
      const bumps = await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          (index % 2 === 0 ? store : other).updateAssistant(id, (current) => ({ ...current, assistant: { ...current.assistant, version: current.assistant.version + 1 } })),
        ),
      );
      assert.ok(bumps.every((bump) => bump !== undefined));
      assert.equal((await store.getAssistant(id))!.assistant.version, 11, "no update was lost");
      assert.equal(await store.updateAssistant(id, () => undefined), undefined, "a change may decline");
      assert.equal(await store.deleteAssistant(id), true);
      assert.equal(await other.getAssistant(id), undefined);
      assert.equal(await other.deleteAssistant(id), false);
    });

    it("searches assistants by owner, graph, metadata and name, newest update first, in pages", async () => {
      const graph = `graph-${fresh()}`;
      const ids = [fresh(), fresh(), fresh()];
      await store.insertAssistant(assistantRow(ids[0]!, graph, { owner: "alice", metadata: { team: "a" }, name: "Weather Bot", updatedAt: "2030-01-01T00:00:01.000Z" }));
      await store.insertAssistant(assistantRow(ids[1]!, graph, { owner: "alice", metadata: { team: "b" }, name: "Mail bot", updatedAt: "2030-01-01T00:00:02.000Z" }));
      await store.insertAssistant(assistantRow(ids[2]!, graph, { owner: "bob", metadata: { team: "a" }, name: "Other", updatedAt: "2030-01-01T00:00:03.000Z" }));
      const idsOf = (rows: Array<{ assistant: { assistant_id: string } }>) => rows.map((row) => row.assistant.assistant_id);
      assert.deepEqual(idsOf(await other.searchAssistants({ graphId: graph, limit: 10, offset: 0 })), [ids[2], ids[1], ids[0]]);
      assert.deepEqual(idsOf(await other.searchAssistants({ graphId: graph, owner: "alice", limit: 10, offset: 0 })), [ids[1], ids[0]]);
      assert.deepEqual(idsOf(await other.searchAssistants({ graphId: graph, metadata: { team: "a" }, limit: 10, offset: 0 })), [ids[2], ids[0]]);
      assert.deepEqual(idsOf(await other.searchAssistants({ graphId: graph, name: "BOT", limit: 10, offset: 0 })), [ids[1], ids[0]]);
      assert.deepEqual(idsOf(await other.searchAssistants({ graphId: graph, limit: 1, offset: 1 })), [ids[1]]);
    });
  });
}
