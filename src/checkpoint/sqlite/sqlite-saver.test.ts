import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { SqliteSaver } from "weft/checkpoint/sqlite";
import { registerCheckpointerConformance } from "weft/checkpoint/conformance";

registerCheckpointerConformance("SqliteSaver (file in a temp dir)", async () => {
  const directory = mkdtempSync(join(tmpdir(), "weft-sqlite-"));
  const saver = SqliteSaver.fromPath(join(directory, "threads.db"));
  return {
    saver,
    cleanup: async () => {
      saver.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
});

registerCheckpointerConformance("SqliteSaver (:memory:)", async () => {
  const saver = new SqliteSaver(":memory:");
  return { saver, cleanup: async () => saver.close() };
});

it("SqliteSaver uses WAL mode for files, and keeps threads across reopening", async () => {
  const directory = mkdtempSync(join(tmpdir(), "weft-sqlite-"));
  try {
    const path = join(directory, "threads.db");
    const first = SqliteSaver.fromPath(path);
    assert.equal(first.db.pragma("journal_mode", { simple: true }), "wal");
    await first.put({ configurable: { thread_id: "t" } }, { v: 1, id: "01", ts: "now", channel_values: { a: 1 }, pending_tasks: [], joins: {} }, { source: "input", step: 0, writes: null, parents: {} });
    first.close();
    const second = new SqliteSaver(path);
    assert.deepEqual((await second.getTuple({ configurable: { thread_id: "t" } }))?.checkpoint.channel_values, { a: 1 });
    second.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

it("SqliteSaver rejects a bad path argument clearly", () => {
  assert.throws(() => new SqliteSaver("" as string), { code: "INVALID_OPTIONS" });
  assert.throws(() => new SqliteSaver(42 as never), { code: "INVALID_OPTIONS" });
});

it("SqliteSaver refuses a thread another saver (or process) is running, and takes over a dead process's lock", async () => {
  const directory = mkdtempSync(join(tmpdir(), "weft-sqlite-"));
  const one = SqliteSaver.fromPath(join(directory, "locks.db"));
  const two = SqliteSaver.fromPath(join(directory, "locks.db"));
  try {
    const release = await one.lockThread("t", "");
    await assert.rejects(two.lockThread("t", ""), { code: "THREAD_BUSY" });
    await (await two.lockThread("other", ""))();
    await release();
    await (await two.lockThread("t", ""))();
    // A lock row left by a process that no longer exists does not block.
    one.db.prepare("INSERT INTO weft_thread_locks VALUES ('dead', '', 'x', ?, 'then')").run(2 ** 22 + 12345);
    await (await two.lockThread("dead", ""))();
  } finally {
    one.close();
    two.close();
    rmSync(directory, { recursive: true, force: true });
  }
});
