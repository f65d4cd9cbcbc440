// A process killed with SIGKILL in the middle of a model's token stream; another resumes the thread
// from the SQLite file. Nothing is lost, nothing runs or is appended twice.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, it } from "node:test";
import { SqliteSaver } from "weft/checkpoint/sqlite";
import { afterTokens, finalState, runChild } from "./fixtures/crash-harness.js";
import { DRAFT, REVIEW } from "./fixtures/crash-child.js";

const directory = mkdtempSync(join(tmpdir(), "weft-crash-"));
after(() => rmSync(directory, { recursive: true, force: true }));

const EXPECTED = {
  topic: "cats",
  log: ["plan cats", "draft", "index", "review", "publish"],
  messages: [
    ["ai", DRAFT.join("")],
    ["ai", REVIEW.join("")],
  ],
};

it("an uninterrupted run gives the reference state", async () => {
  const { lines } = await runChild(["sqlite", join(directory, "reference.db"), "t", "run"]);
  assert.deepEqual(finalState(lines), EXPECTED);
});

it("killed mid-token during the draft, resumed by a new process: same state, nothing duplicated", async () => {
  const path = join(directory, "crash.db");
  const killed = await runChild(["sqlite", path, "t", "run"], afterTokens("draft", 3));
  assert.equal(killed.exit.signal, "SIGKILL");
  assert.deepEqual(killed.lines.filter((line) => line.startsWith("TOKEN draft")).length, 3);
  assert.ok(killed.lines.includes("RUN index"), "the sibling of the draft ran before the kill");

  const saver = SqliteSaver.fromPath(path);
  const tuple = await saver.getTuple({ configurable: { thread_id: "t" } });
  assert.deepEqual(tuple?.checkpoint.pending_tasks.map((task) => task.node), ["draft", "index"]);
  assert.deepEqual(
    tuple?.pendingWrites.map(([, channel]) => channel),
    ["log", "__routes__"],
    "the finished sibling's writes were saved as it finished",
  );
  saver.close();

  const resumed = await runChild(["sqlite", path, "t", "resume"]);
  assert.deepEqual(finalState(resumed.lines), EXPECTED);
  const ran = resumed.lines.filter((line) => line.startsWith("RUN "));
  assert.deepEqual(ran, ["RUN draft", "RUN review", "RUN publish"], "plan and index are not run again");
  assert.equal(resumed.lines.filter((line) => line.startsWith("TOKEN draft")).length, DRAFT.length, "the draft streams again from its start");
});

it("killed during the second model call: the first call's answer is kept, not redone", async () => {
  const path = join(directory, "crash-late.db");
  const killed = await runChild(["sqlite", path, "t", "run"], afterTokens("review", 2));
  assert.equal(killed.exit.signal, "SIGKILL");
  const resumed = await runChild(["sqlite", path, "t", "resume"]);
  assert.deepEqual(finalState(resumed.lines), EXPECTED);
  assert.deepEqual(resumed.lines.filter((line) => line.startsWith("RUN ")), ["RUN review", "RUN publish"]);
});
