import assert from "node:assert/strict";
import { it } from "node:test";
import { main } from "../examples/human-in-the-loop.js";

it("examples/human-in-the-loop.ts pauses for approval and resumes from the SQLite file", async () => {
  const lines: string[] = [];
  const final = await main((line) => lines.push(line));
  assert.deepEqual(lines, [
    'update: {"write":{"draft":"A cat naps in the sun."}}',
    'paused: {"question":"Publish this draft?","draft":"A cat naps in the sun."}',
    "next: approve",
    'final: {"topic":"cats","draft":"A cat naps in the sun.","verdict":"yes"}',
  ]);
  assert.equal(final.verdict, "yes");
});
