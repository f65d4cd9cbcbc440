// Two `weft serve --postgres` processes on one database and schema, and no Redis: records,
// checkpoints and events (the Postgres event log: a table, LISTEN/NOTIFY) are shared, so a client of
// one instance follows, resumes and cancels a run that executes on the other. Driven with the
// official @langchain/langgraph-sdk Client.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { after, before, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Client } from "@langchain/langgraph-sdk";
import { recordFigures, withTimeout } from "./support.js";
import { removeServiceData } from "../support/service-data.js";

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const DATABASE_URL = process.env.WEFT_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const SCHEMA = `weft_pg_only_${process.pid}_${Date.now()}`;

interface Instance {
  child: ChildProcess;
  client: Client;
  exited: Promise<unknown>;
}

async function startInstance(pace: number): Promise<Instance> {
  const child = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", MAIN, "serve", "--port", "0", "--postgres", DATABASE_URL, "--postgres-schema", SCHEMA, "--pace", String(pace), "--seed", "3"],
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
    "weft serve --postgres listening",
  );
  return { child, exited, client: new Client({ apiUrl: url, callerOptions: { maxRetries: 0 } }) };
}

let one: Instance;
let two: Instance;
before(async () => {
  // One after the other: both create the same tables.
  one = await startInstance(40);
  two = await startInstance(40);
});
after(async () => {
  for (const instance of [one, two]) {
    instance?.child.kill("SIGTERM");
    await instance?.exited;
  }
  await removeServiceData({ schema: SCHEMA });
});

it("a run started on one instance streams live to a client of the other, and resumes there by Last-Event-ID", async (context) => {
  const thread = await one.client.threads.create();
  const run = await one.client.runs.create(thread.thread_id, "joke-poem", { input: { topic: "owls" }, streamMode: "messages-tuple", streamResumable: true });
  const startedAt = performance.now();
  const parts: Array<{ id: number; event: string; data: unknown }> = [];
  let firstTokenMs = 0;
  for await (const part of two.client.runs.joinStream(thread.thread_id, run.run_id)) {
    if (part.event === "messages" && firstTokenMs === 0) firstTokenMs = performance.now() - startedAt;
    parts.push({ id: Number((part as { id?: string }).id), event: part.event, data: part.data });
  }
  assert.deepEqual(
    parts.map((part) => part.id),
    parts.map((_, index) => index + 1),
    "ids 1, 2, 3, ... with no gap",
  );
  assert.equal(parts[0]!.event, "metadata");
  const state = await two.client.threads.getState(thread.thread_id);
  const values = state.values as { joke: string; poem: string };
  for (const tag of ["joke", "poem"] as const) {
    const text = parts
      .filter((part) => part.event === "messages")
      .map((part) => part.data as [{ content: string }, { tags: string[] }])
      .filter(([, metadata]) => metadata.tags.includes(tag))
      .map(([chunk]) => chunk.content)
      .join("");
    assert.equal(text, values[tag], `every ${tag} token, once, in order`);
  }
  // Resuming on the first instance after an id read on the second: exactly the rest.
  const middle = parts[Math.floor(parts.length / 2)]!.id;
  const resumed: number[] = [];
  for await (const part of one.client.runs.joinStream(thread.thread_id, run.run_id, { lastEventId: String(middle) })) resumed.push(Number((part as { id?: string }).id));
  assert.deepEqual(resumed, parts.filter((part) => part.id > middle).map((part) => part.id));
  recordFigures(context, "server-postgres-only-follow", { events: parts.length, firstTokenMs: Math.round(firstTokenMs) });
});

it("a cancel sent to one instance stops the run executing on the other", async () => {
  // The demo model streams 40 tokens/s, so the run is still going when its first token arrives.
  const thread = await two.client.threads.create();
  const run = await two.client.runs.create(thread.thread_id, "joke-poem", { input: { topic: "cats" }, streamMode: "messages-tuple", streamResumable: true });
  const events: string[] = [];
  let cancelled = false;
  for await (const part of one.client.runs.joinStream(thread.thread_id, run.run_id)) {
    events.push(part.event);
    if (part.event === "messages" && !cancelled) {
      cancelled = true;
      await one.client.runs.cancel(thread.thread_id, run.run_id);
    }
  }
  assert.ok(cancelled, "the run streamed a token before it was cancelled");
  const ended = await two.client.runs.get(thread.thread_id, run.run_id);
  assert.equal(ended.status, "interrupted");
  assert.equal(events.at(-1), "error", "the stream ends with the cancel's error event");
  // The thread is free again: a new run on it, through the other instance, completes.
  assert.notEqual((await one.client.threads.get(thread.thread_id)).status, "busy");
  const next = await one.client.runs.create(thread.thread_id, "joke-poem", { input: { topic: "dogs" } });
  await two.client.runs.join(thread.thread_id, next.run_id);
  assert.equal((await one.client.runs.get(thread.thread_id, next.run_id)).status, "success");
});
