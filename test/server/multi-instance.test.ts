// Two real server processes sharing Redis Streams (run events) and Postgres (checkpoints), both on
// loopback: a client of instance B follows, resumes and cancels a run executing on instance A.
// Fails, not skips, without Redis or Postgres. Keys and schema are unique per run and removed after.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { Client } from "@langchain/langgraph-sdk";
import { Redis } from "ioredis";
import { JOKE, POEM, postJson, readSse } from "./fixtures.js";
import { removeServiceData } from "../support/service-data.js";

const DATABASE_URL = process.env.WEFT_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const suffix = randomUUID().replaceAll("-", "").slice(0, 12);
const schema = `weft_server_${suffix}`;
const keyPrefix = `weft-test-${suffix}:`;

type Part = { event: string; data: any; id?: string };
interface Instance {
  url: string;
  child: ChildProcess;
  client: Client;
}

async function startInstance(): Promise<Instance> {
  const child = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", new URL("./instance-child.ts", import.meta.url).pathname, DATABASE_URL, schema, keyPrefix, "15"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`server process exited with ${code} before listening`)));
  });
  const { url } = JSON.parse(first) as { url: string };
  return { url, child, client: new Client({ apiUrl: url, callerOptions: { maxRetries: 0 } }) };
}

/** Let the joke calls that wait after their 3rd token go on (every gate entered so far). */
async function release(): Promise<void> {
  const redis = new Redis("redis://127.0.0.1:6379");
  const gates = (await redis.get(`${keyPrefix}gates`)) ?? "0";
  await redis.set(`${keyPrefix}released`, gates);
  await redis.publish(`${keyPrefix}release`, gates);
  await redis.quit();
}

async function stopInstance(instance: Instance | undefined): Promise<void> {
  if (instance === undefined || instance.child.exitCode !== null) return;
  const exited = new Promise((resolve) => instance.child.once("exit", resolve));
  instance.child.kill("SIGTERM");
  await exited;
}

describe("two server instances on Redis Streams and Postgres", () => {
  let a: Instance | undefined;
  let b: Instance | undefined;
  before(async () => {
    [a, b] = await Promise.all([startInstance(), startInstance()]);
  });
  after(async () => {
    await Promise.all([stopInstance(a), stopInstance(b)]);
    await removeServiceData({ keyPrefix, schema });
  });

  it("a client of B receives the tokens of a run executing on A, and resumes there with Last-Event-ID", async () => {
    const thread = await a!.client.threads.create();
    const first: Part[] = [];
    const leave = new AbortController();
    try {
      for await (const part of a!.client.runs.stream(thread.thread_id, "joke-poem", {
        input: { topic: "cats" },
        streamMode: "messages-tuple",
        streamResumable: true,
        signal: leave.signal,
      })) {
        first.push(part as Part);
        // metadata + 3 tokens: the joke call now waits for the release.
        if (first.length === 4) leave.abort();
      }
    } catch (error) {
      assert.equal((error as Error).name, "AbortError");
    }
    const runId = first[0]!.data.run_id as string;
    const lastEventId = first.at(-1)!.id!;
    assert.match(lastEventId, /^\d+-\d+$/, "Redis stream ids");

    // B knows the thread and the run (records in Redis) and follows the run that A executes.
    assert.equal((await b!.client.threads.get(thread.thread_id)).thread_id, thread.thread_id);
    assert.equal((await b!.client.runs.get(thread.thread_id, runId)).status, "running", "B joins while A still runs it");
    const rest: Part[] = [];
    const joined = b!.client.runs.joinStream(thread.thread_id, runId, { lastEventId })[Symbol.asyncIterator]();
    const firstJoined = joined.next();
    await release();
    for (let result = await firstJoined; !result.done; result = await joined.next()) rest.push(result.value as Part);
    const all = [...first, ...rest];
    assert.deepEqual(
      all.filter((part) => part.event === "messages").map((part) => part.data[0].content),
      [...JOKE, ...POEM],
      "every token once, in order",
    );
    assert.deepEqual(
      all.filter((part) => part.event === "messages").map((part) => part.data[1].tags[0]),
      [...JOKE.map(() => "joke"), ...POEM.map(() => "poem")],
    );
    const ids = all.map((part) => part.id!);
    assert.equal(new Set(ids).size, ids.length, "no duplicate event");
    // A full replay on B has exactly the events A's client and B's client saw together.
    const replay: Part[] = [];
    for await (const part of b!.client.runs.joinStream(thread.thread_id, runId)) replay.push(part as Part);
    assert.deepEqual(replay.map((part) => part.id), ids, "no gap");

    // The checkpoint A wrote to Postgres is the state B reads.
    const state = await b!.client.threads.getState(thread.thread_id);
    assert.deepEqual(state.values, { topic: "cats", joke: JOKE.join(""), poem: POEM.join("") });
    assert.ok(state.checkpoint?.checkpoint_id, "a checkpoint id from Postgres");
    assert.equal((await b!.client.runs.get(thread.thread_id, runId)).status, "success");
  });

  it("a cancel sent to B stops a run executing on A", async () => {
    const thread = await a!.client.threads.create();
    const response = await postJson(`${a!.url}/threads/${thread.thread_id}/runs/stream`, {
      assistant_id: "joke-poem",
      input: { topic: "owls" },
      stream_mode: "messages-tuple",
    });
    let cancelled: Promise<Response> | undefined;
    let tokens = 0;
    const events = await readSse(response, (event) => {
      if (event.event === "messages" && ++tokens === 3) {
        const runId = response.headers.get("content-location")!.split("/").at(-1)!;
        cancelled = fetch(`${b!.url}/threads/${thread.thread_id}/runs/${runId}/cancel?wait=1`, { method: "POST" });
      }
    });
    assert.equal((await cancelled!).status, 204);
    assert.equal(events.at(-1)!.event, "error");
    assert.equal(events.at(-1)!.data && (events.at(-1)!.data as { error: string }).error, "ABORTED");
    // The joke call was waiting after its 3rd token when the cancel reached A.
    assert.equal(events.filter((event) => event.event === "messages").length, 3);
  });
});
