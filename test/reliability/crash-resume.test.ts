// Crash at random points: a child process running a checkpointed graph (SQLite) is killed with
// SIGKILL after a seeded random number of tokens; another process (this one) resumes the thread. The final state
// equals an uninterrupted run's, and no saved checkpoint ever holds half a step.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "node:test";
import { SqliteSaver } from "weft/checkpoint/sqlite";
import { SECTIONS, TOTAL_TOKENS, crashGraph } from "./fixtures/crash-graph.js";
import { randomInt, recordFigures, seededRandom, withTimeout } from "./support.js";

// Chosen so the kill points spread over the run: tokens 1, 8, 14 and 24 fall in the fan-out step, 29 and 30 in the edit.
const SEEDS = [7, 15, 14, 20, 4, 36];
const CHILD = fileURLToPath(new URL("./fixtures/crash-graph.ts", import.meta.url));
const directory = mkdtempSync(join(tmpdir(), "weft-reliability-crash-"));
after(() => rmSync(directory, { recursive: true, force: true }));

interface ChildOutcome {
  tokens: string[];
  final: unknown;
  signal: NodeJS.Signals | null;
}

/** Run the child; with `killAfter`, SIGKILL it as soon as it has printed that many tokens. */
async function runChild(args: string[], killAfter?: number): Promise<ChildOutcome> {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", CHILD, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  const tokens: string[] = [];
  let final: unknown;
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.startsWith("TOKEN ")) tokens.push(line.slice(6));
    if (line.startsWith("DONE ")) final = JSON.parse(line.slice(5));
    if (killAfter !== undefined && tokens.length >= killAfter) {
      child.kill("SIGKILL");
      break;
    }
  }
  const [code, signal] = await exited;
  if (killAfter === undefined) assert.equal(code, 0, `the child failed:\n${stderr}`);
  return { tokens, final, signal };
}

/** Each node writes its keys in one update: a checkpoint holds all of a step's writes or none. */
function assertWholeSteps(values: Record<string, unknown>, where: string) {
  const log = (values.log as string[] | undefined) ?? [];
  const sections = (values.sections as string[] | undefined) ?? [];
  assert.ok(sections.length === 0 || sections.length === SECTIONS, `${where}: ${sections.length} of ${SECTIONS} sections (half a fan-out step)`);
  assert.equal(log.filter((entry) => entry.startsWith("write ")).length, sections.length, `${where}: log and sections disagree`);
  assert.equal("edited" in values, "editedLength" in values, `${where}: half an edit step`);
  if ("edited" in values) assert.equal((values.edited as string).length, values.editedLength);
  assert.equal(new Set(log).size, log.length, `${where}: a step was applied twice: ${log.join(", ")}`);
}

describe("SIGKILL at seeded random points, then resume in a new process", () => {
  it(`ends in the uninterrupted run's state for seeds ${SEEDS.join(", ")}`, async (context) => {
    const reference = await crashGraph().invoke({ topic: "crash" });
    const killPoints: number[] = [];
    let checkpointsChecked = 0;
    let tokensReplayed = 0;
    let finishedBeforeKill = 0;
    for (const seed of SEEDS) {
      const killAfter = randomInt(seededRandom(seed), 1, TOTAL_TOKENS - 1);
      killPoints.push(killAfter);
      context.diagnostic(`seed ${seed}: SIGKILL after ${killAfter} of ${TOTAL_TOKENS} tokens`);
      const file = join(directory, `seed-${seed}.db`);
      const killed = await withTimeout(runChild([file, "thread", "run"], killAfter), 30_000, `seed ${seed}: the child to be killed`);
      assert.equal(killed.signal, "SIGKILL", `seed ${seed}: the child was killed, not finished`);

      const saver = SqliteSaver.fromPath(file);
      try {
        for await (const tuple of saver.list({ configurable: { thread_id: "thread" } })) {
          assertWholeSteps(tuple.checkpoint.channel_values, `seed ${seed}, checkpoint at step ${tuple.metadata.step}`);
          checkpointsChecked++;
        }
        // Resume here, in a process other than the killed one (the child's thread lock died with it).
        // A kill late in the run can land after the last checkpoint was saved: then there is nothing to resume.
        const graph = crashGraph(saver);
        const config = { configurable: { thread_id: "thread" } };
        let streamed: Record<string, unknown> | undefined;
        const resume = async () => {
          for await (const [mode, chunk] of graph.stream(null, { ...config, streamMode: ["messages", "values"] })) {
            if (mode === "values") streamed = chunk;
            else tokensReplayed++;
          }
        };
        await withTimeout(resume(), 10_000, `seed ${seed}: the resumed run`);
        if (streamed === undefined) finishedBeforeKill++;
        else assert.deepEqual(streamed, reference, `seed ${seed}: the resumed run streams the uninterrupted run's final state`);
        const final = (await graph.getState(config)).values;
        assert.deepEqual(final, reference, `seed ${seed}: the thread ends in the uninterrupted run's state`);
        assertWholeSteps(final, `seed ${seed}, final state`);
        for await (const tuple of saver.list({ configurable: { thread_id: "thread" } })) assertWholeSteps(tuple.checkpoint.channel_values, `seed ${seed}, after resume`);
      } finally {
        saver.close();
      }
    }
    recordFigures(context, "crash-resume", { seeds: SEEDS, killPoints, totalTokensPerRun: TOTAL_TOKENS, checkpointsChecked, tokensStreamedAfterResume: tokensReplayed, finishedBeforeKill });
  });
});
