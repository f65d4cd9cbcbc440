// Runs against the PostgreSQL on 127.0.0.1:5432 (database "test"); fails, not skips, when it is not there.
import assert from "node:assert/strict";
import { it } from "node:test";
import pg from "pg";
import { START, StateGraph } from "weft";
import { PostgresSaver } from "weft/checkpoint/postgres";
import { registerCheckpointerConformance } from "weft/checkpoint/conformance";

const TEST_DATABASE_URL = process.env.WEFT_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

registerCheckpointerConformance("PostgresSaver (database test, a schema per run)", async () => {
  const schema = `weft_test_${process.pid}_${Date.now()}`;
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 4 });
  const saver = new PostgresSaver(pool, { schema });
  await saver.setup();
  await saver.setup(); // migrations run once; a second setup() is a no-op
  return {
    saver,
    cleanup: async () => {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
});

it("PostgresSaver says to call setup() when its tables are missing", async () => {
  const saver = new PostgresSaver(TEST_DATABASE_URL, { schema: `weft_missing_${process.pid}` });
  try {
    await assert.rejects(saver.getTuple({ configurable: { thread_id: "t" } }), (error: Error & { code?: string }) => {
      assert.equal(error.code, "CHECKPOINT");
      assert.match(error.message, /setup\(\)/);
      return true;
    });
  } finally {
    await saver.close();
  }
});

it("PostgresSaver rejects bad arguments clearly", () => {
  assert.throws(() => new PostgresSaver(42 as never), { code: "INVALID_OPTIONS" });
  assert.throws(() => new PostgresSaver(TEST_DATABASE_URL, { schema: "a; drop" }), { code: "INVALID_OPTIONS" });
});

it("PostgresSaver refuses a thread another saver (or process) is running; close() frees its locks", async () => {
  const schema = `weft_lock_${process.pid}_${Date.now()}`;
  const one = new PostgresSaver(TEST_DATABASE_URL, { schema });
  const two = new PostgresSaver(TEST_DATABASE_URL, { schema });
  try {
    const release = await one.lockThread("t", "");
    await assert.rejects(two.lockThread("t", ""), { code: "THREAD_BUSY" });
    await (await two.lockThread("other", ""))();
    await release();
    const again = await two.lockThread("t", "");
    await two.close();
    void again;
    const three = new PostgresSaver(TEST_DATABASE_URL, { schema });
    await (await three.lockThread("t", ""))();
    await three.close();
  } finally {
    await one.close();
    await two.close();
  }
});

it("PostgresSaver runs a graph on a one-connection pool (the thread lock has its own connection)", async () => {
  const schema = `weft_graph_${process.pid}_${Date.now()}`;
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
  const saver = new PostgresSaver(pool, { schema });
  try {
    await saver.setup();
    const graph = new StateGraph<{ count: number }>()
      .addNode("increment", (state: { count: number }) => ({ count: state.count + 1 }))
      .addEdge(START, "increment")
      .compile({ checkpointer: saver });
    const config = { configurable: { thread_id: "t" } };
    assert.deepEqual(await graph.invoke({ count: 1 }, config), { count: 2 });
    assert.deepEqual(await graph.invoke({ count: 10 }, config), { count: 11 });
    assert.deepEqual((await graph.getState(config)).metadata?.step, 3);
  } finally {
    await saver.close();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  }
});
