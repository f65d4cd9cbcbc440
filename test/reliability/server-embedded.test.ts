// `weft serve` on its embedded default (records and checkpoints in SQLite files under --data-dir):
// SIGKILL mid-run, restart on the same folder: every thread is still there, and the run left running
// is re-attempted from its checkpoint and completes, with the same final state as an uninterrupted run.
// The event log is in SQLite too: a client resumes with a Last-Event-ID from before the kill and gets
// every later event exactly once, and the re-attempt's ids continue after the dead attempt's.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Client } from "@langchain/langgraph-sdk";
import { recordFigures, withTimeout } from "./support.js";

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), "weft-embedded-"));
const LEASE_MS = 1000;
after(() => rmSync(dataDir, { recursive: true, force: true }));

async function startServe(): Promise<{ child: ChildProcess; client: Client; exited: Promise<unknown> }> {
  const child = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", MAIN, "serve", "--port", "0", "--data-dir", dataDir, "--lease-ms", String(LEASE_MS), "--pace", "40", "--seed", "7"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const url = await withTimeout(
    new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on("line", (line) => {
        const match = /listening on (http:\/\/\S+)/.exec(line);
        if (match) resolve(match[1]!);
      });
      void exited.then((code) => reject(new Error(`weft serve exited with ${code}`)));
    }),
    30_000,
    "weft serve listening",
  );
  return { child, exited, client: new Client({ apiUrl: url, callerOptions: { maxRetries: 0 } }) };
}

it("SIGKILL and restart of an embedded `weft serve`: threads kept, the running run completes on restart", async (context) => {
  let server = await startServe();
  try {
    const threads = await Promise.all(Array.from({ length: 5 }, (_, index) => server.client.threads.create({ metadata: { index } })));
    // An uninterrupted run: the state the interrupted one must end with.
    for await (const _part of server.client.runs.stream(threads[0]!.thread_id, "joke-poem", { input: { topic: "owls" } })) {
      // to the end
    }
    const expected = (await server.client.threads.getState(threads[0]!.thread_id)).values as Record<string, string>;
    assert.ok(expected.joke!.length > 0 && expected.poem!.length > 0);

    const victim = threads[1]!.thread_id;
    let runId = "";
    let tokens = 0;
    const idsBeforeKill: number[] = [];
    for await (const part of server.client.runs.stream(victim, "joke-poem", { input: { topic: "owls" }, streamMode: "messages-tuple" })) {
      idsBeforeKill.push(Number((part as { id?: string }).id));
      if (part.event === "metadata") runId = (part.data as { run_id: string }).run_id;
      if (part.event === "messages" && ++tokens === 5) break;
    }
    assert.deepEqual(idsBeforeKill, [1, 2, 3, 4, 5, 6], "ids are 1, 2, 3, ... (metadata, then five tokens)");
    server.child.kill("SIGKILL");
    await server.exited;
    const killedAt = performance.now();

    server = await startServe();
    const found = await server.client.threads.search({ limit: 100 });
    assert.deepEqual(new Set(found.map((thread) => thread.thread_id)), new Set(threads.map((thread) => thread.thread_id)), "every thread kept");
    assert.deepEqual((await server.client.threads.getState(threads[0]!.thread_id)).values, expected, "finished thread's state kept");
    // Resuming after the last id seen before the kill: the events the dead process logged after it,
    // then the re-attempt's (which the restarted process starts once the dead one's lease ran out).
    const resumed = await withTimeout(
      (async () => {
        const parts: Array<{ id: number; event: string; data: unknown }> = [];
        for await (const part of server.client.runs.joinStream(victim, runId, { lastEventId: String(idsBeforeKill.at(-1)) })) {
          parts.push({ id: Number(part.id), event: part.event, data: part.data });
        }
        return parts;
      })(),
      60_000,
      "the resumed stream of the recovered run",
    );
    const recoveredMs = performance.now() - killedAt;
    const resumedIds = resumed.map((part) => part.id);
    assert.deepEqual(resumedIds, Array.from({ length: resumed.length }, (_, index) => 7 + index), "every id after 6 exactly once, no gap");
    const attempts = resumed.filter((part) => part.event === "metadata").map((part) => (part.data as { attempt: number }).attempt);
    assert.deepEqual(attempts, [2], "the re-attempt's metadata, with an id after the dead attempt's");
    assert.ok(resumed.some((part) => part.event === "messages"), "the re-attempt's tokens are in the log");
    const values = await server.client.runs.join(victim, runId);
    assert.deepEqual(values, expected, "same final state as the uninterrupted run: no token twice");
    const run = await server.client.runs.get(victim, runId);
    assert.equal(run.status, "success");
    assert.equal((run as unknown as { attempt: number }).attempt, 2);
    assert.equal((await server.client.threads.get(victim)).status, "idle");
    recordFigures(context, "server-embedded-restart", { threads: threads.length, tokensBeforeKill: tokens, eventsResumed: resumed.length, leaseMs: LEASE_MS, recoveredMs: Math.round(recoveredMs) });
  } finally {
    server.child.kill("SIGTERM");
    await server.exited;
  }
});
