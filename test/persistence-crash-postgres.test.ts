// A process killed with SIGKILL mid-token; another resumes the thread from PostgreSQL (127.0.0.1:5432,
// database "test", a schema made for this run and dropped after). Fails, not skips, without Postgres.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import pg from "pg";
import { PostgresSaver } from "weft/checkpoint/postgres";
import { DRAFT, REVIEW } from "./fixtures/crash-child.js";
import { afterTokens, finalState, runChild } from "./fixtures/crash-harness.js";

const DATABASE_URL = process.env.WEFT_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const schema = `weft_crash_${process.pid}_${Date.now()}`;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });

before(async () => {
  await new PostgresSaver(pool, { schema }).setup();
});
after(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

it("killed mid-token during the draft, resumed by a new process: same state, nothing duplicated", async () => {
  const target = `${DATABASE_URL}#${schema}`;
  const killed = await runChild(["postgres", target, "t", "run"], afterTokens("draft", 4));
  assert.equal(killed.exit.signal, "SIGKILL");
  assert.ok(killed.lines.includes("RUN index"));

  const saver = new PostgresSaver(pool, { schema });
  const tuple = await saver.getTuple({ configurable: { thread_id: "t" } });
  assert.deepEqual(tuple?.checkpoint.pending_tasks.map((task) => task.node), ["draft", "index"]);
  assert.deepEqual(tuple?.pendingWrites.map(([, channel]) => channel), ["log", "__routes__"]);

  const resumed = await runChild(["postgres", target, "t", "resume"]);
  assert.deepEqual(finalState(resumed.lines), {
    topic: "cats",
    log: ["plan cats", "draft", "index", "review", "publish"],
    messages: [
      ["ai", DRAFT.join("")],
      ["ai", REVIEW.join("")],
    ],
  });
  assert.deepEqual(resumed.lines.filter((line) => line.startsWith("RUN ")), ["RUN draft", "RUN review", "RUN publish"]);
});
