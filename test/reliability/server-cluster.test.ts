// The production server under faults: two real server processes (test/server/instance-child.ts) on
// Postgres (records, checkpoints), Redis Streams (events) and BullMQ (runs), with a short lease.
// SIGKILL of the instance executing a run, SIGTERM drain, 10 simultaneous runs on one thread, and
// another user's identity on every route. Fails, not skips, without Postgres or Redis.
// WEFT_RELIABILITY_LONG=1 repeats the kill test 5 times.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { Client } from "@langchain/langgraph-sdk";
import { Redis } from "ioredis";
import { JOKE, POEM } from "../server/fixtures.js";
import { recordFigures, withTimeout } from "./support.js";
import { removeServiceData } from "../support/service-data.js";

const DATABASE_URL = process.env.WEFT_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const LONG = process.env.WEFT_RELIABILITY_LONG === "1";
const LEASE_MS = 1500;
const DRAIN_MS = 1500;
const suffix = randomUUID().replaceAll("-", "").slice(0, 12);
const schema = `weft_cluster_${suffix}`;
const keyPrefix = `weft-cluster-${suffix}:`;

interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Tokens this process's models produced, and gates they entered (from its stderr). */
  tokens: number;
  gates: number;
  onToken: Set<() => void>;
  onGate: Set<() => void>;
}

let started = 0;
async function startInstance(): Promise<Instance> {
  const child = spawn(
    process.execPath,
    [
      "--conditions=source",
      "--import",
      "tsx",
      new URL("../server/instance-child.ts", import.meta.url).pathname,
      DATABASE_URL,
      schema,
      keyPrefix,
      "5",
      String(LEASE_MS),
      String(DRAIN_MS),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const instance: Instance = { name: `instance-${++started}`, url: "", child, exited, tokens: 0, gates: 0, onToken: new Set(), onGate: new Set() };
  createInterface({ input: child.stderr! }).on("line", (line) => {
    if (line.startsWith("gate ")) {
      instance.gates++;
      for (const listener of [...instance.onGate]) listener();
      return;
    }
    if (!line.startsWith("token ")) return void process.stderr.write(`[${instance.name}] ${line}\n`);
    instance.tokens++;
    for (const listener of [...instance.onToken]) listener();
  });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    void exited.then((code) => reject(new Error(`server process exited with ${code} before listening`)));
  });
  instance.url = (JSON.parse(first) as { url: string }).url;
  return instance;
}

function clientOf(instance: Instance, user = "alice"): Client {
  return new Client({ apiUrl: instance.url, callerOptions: { maxRetries: 0 }, defaultHeaders: { "x-test-user": user } });
}

/** Resolves with the instance whose models first produce a token. */
function executorOf(instances: Instance[]): Promise<Instance> {
  return new Promise((resolve) => {
    for (const instance of instances) {
      const listener = () => {
        for (const each of instances) each.onToken.clear();
        resolve(instance);
      };
      instance.onToken.add(listener);
    }
  });
}

/** Resolves once `instance` has entered `count` gates in all (a joke call waits there after its 3rd token). */
function gateReached(instance: Instance, count: number): Promise<void> {
  return withTimeout(
    new Promise<void>((resolve) => {
      const check = () => {
        if (instance.gates < count) return;
        instance.onGate.delete(check);
        resolve();
      };
      instance.onGate.add(check);
      check();
    }),
    30_000,
    `${instance.name} entering gate ${count}`,
  );
}

/** Open every gate entered so far, in every process. */
async function release(): Promise<void> {
  const redis = new Redis("redis://127.0.0.1:6379");
  const gates = (await redis.get(`${keyPrefix}gates`)) ?? "0";
  await redis.set(`${keyPrefix}released`, gates);
  await redis.publish(`${keyPrefix}release`, gates);
  await redis.quit();
}

async function stop(instance: Instance | undefined, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (instance === undefined || instance.child.exitCode !== null || instance.child.signalCode !== null) return;
  instance.child.kill(signal);
  await instance.exited;
}

type Part = { event: string; data: any; id?: string };

async function collect(stream: AsyncIterable<unknown>): Promise<Part[]> {
  const parts: Part[] = [];
  for await (const part of stream) parts.push(part as Part);
  return parts;
}

const EXPECTED = { topic: "cats", joke: JOKE.join(""), poem: POEM.join("") };

describe("server cluster: Postgres + Redis + BullMQ, two instances", () => {
  const instances: Instance[] = [];
  before(async () => {
    instances.push(...(await Promise.all([startInstance(), startInstance()])));
  });
  after(async () => {
    await Promise.all(instances.map((instance) => stop(instance, "SIGKILL")));
    await removeServiceData({ keyPrefix, schema });
  });

  /** Two live instances: replace the ones that stopped. */
  async function live(): Promise<[Instance, Instance]> {
    for (let index = 0; index < instances.length; index++) {
      if (instances[index]!.child.exitCode !== null || instances[index]!.child.signalCode !== null) instances[index] = await startInstance();
    }
    return [instances[0]!, instances[1]!];
  }

  for (let round = 1; round <= (LONG ? 5 : 1); round++) {
    it(`SIGKILL of the instance executing a run: another worker completes it within a lease, joined clients see it (round ${round})`, async (context) => {
      const [a, b] = await live();
      const thread = await clientOf(a).threads.create();
      const executing = executorOf([a, b]);
      const gatesBefore = new Map([a, b].map((each) => [each, each.gates]));
      const run = await clientOf(a).runs.create(thread.thread_id, "joke-poem", { input: { topic: "cats" }, streamMode: "messages-tuple", streamResumable: true });
      assert.equal(run.status, "pending");
      const executor = await withTimeout(executing, 20_000, "the first token of the run");
      const survivor = executor === a ? b : a;
      // A client joined on the survivor from the start of the run.
      const joined = collect(clientOf(survivor).runs.joinStream(thread.thread_id, run.run_id));
      await gateReached(executor, gatesBefore.get(executor)! + 1);
      const killedAt = performance.now();
      const survivorGates = survivor.gates;
      await stop(executor, "SIGKILL");
      // The survivor takes the run over once the lease has run out, and waits at the same gate.
      await gateReached(survivor, survivorGates + 1);
      const takenOverMs = performance.now() - killedAt;
      await release();
      const parts = await withTimeout(joined, LEASE_MS * 4 + 20_000, "the joined stream ending after the kill");
      const recoveredMs = performance.now() - killedAt;
      const metadata = parts.filter((part) => part.event === "metadata").map((part) => part.data.attempt);
      assert.deepEqual(metadata, [1, 2], "the client sees attempt 1, then the re-attempt");
      assert.equal(parts.some((part) => part.event === "error"), false, JSON.stringify(parts.filter((part) => part.event === "error")));
      const secondAttempt = parts.slice(parts.findIndex((part) => part.event === "metadata" && part.data.attempt === 2));
      assert.deepEqual(secondAttempt.filter((part) => part.event === "messages").map((part) => part.data[0].content), [...JOKE, ...POEM]);
      const finished = await clientOf(survivor).runs.get(thread.thread_id, run.run_id);
      assert.equal(finished.status, "success");
      assert.equal((finished as unknown as { attempt: number }).attempt, 2);
      const state = await clientOf(survivor).threads.getState(thread.thread_id);
      assert.deepEqual(state.values, EXPECTED, "every token once in the final state");
      assert.equal((await clientOf(survivor).threads.get(thread.thread_id)).status, "idle");
      // The thread takes a new run.
      const others = instances.filter((each) => each !== executor && each !== survivor);
      const gatesNow = new Map([survivor, ...others].map((each) => [each, each.gates]));
      const nextRun = collect(clientOf(survivor).runs.stream(thread.thread_id, "joke-poem", { input: { topic: "cats" } }));
      await Promise.race([survivor, ...others].map((each) => gateReached(each, gatesNow.get(each)! + 1)));
      await release();
      const next = await nextRun;
      assert.deepEqual(next.at(-1)!.data, EXPECTED);
      recordFigures(context, `server-cluster-kill-${round}`, { leaseMs: LEASE_MS, takenOverMs: Math.round(takenOverMs), recoveredMs: Math.round(recoveredMs), events: parts.length });
      assert.ok(recoveredMs < LEASE_MS * 4 + 10_000, `recovered in ${recoveredMs} ms`);
    });
  }

  it("10 simultaneous runs on one thread across 2 instances: exactly 1 accepted with reject", async (context) => {
    const [a, b] = await live();
    const thread = await clientOf(a).threads.create();
    // Counted before the runs start: the accepted run may reach its gate before the statuses are read.
    const gatesBefore = { a: a.gates, b: b.gates };
    const attempts = Array.from({ length: 10 }, (_, index) =>
      fetch(`${(index % 2 === 0 ? a : b).url}/threads/${thread.thread_id}/runs`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "x-test-user": "alice" },
        body: JSON.stringify({ assistant_id: "joke-poem", input: { topic: "cats" }, multitask_strategy: "reject" }),
      }),
    );
    const statuses = (await Promise.all(attempts)).map((response) => response.status);
    recordFigures(context, "server-cluster-simultaneous", { statuses });
    assert.equal(statuses.filter((status) => status === 200).length, 1, JSON.stringify(statuses));
    assert.equal(statuses.filter((status) => status === 409).length, 9, JSON.stringify(statuses));
    const runsOfThread = await clientOf(b).runs.list(thread.thread_id);
    assert.equal(runsOfThread.length, 1, "the refused runs left no record");
    const joined = clientOf(b).runs.join(thread.thread_id, runsOfThread[0]!.run_id);
    await Promise.race([gateReached(a, gatesBefore.a + 1), gateReached(b, gatesBefore.b + 1)]);
    await release();
    await joined;
    assert.equal((await clientOf(a).runs.get(thread.thread_id, runsOfThread[0]!.run_id)).status, "success");
  });

  it("SIGTERM drains: the run goes back to the queue after the drain timeout and completes on the other instance", async (context) => {
    const [a, b] = await live();
    const thread = await clientOf(a).threads.create();
    const executing = executorOf([a, b]);
    const gatesBefore = new Map([a, b].map((each) => [each, each.gates]));
    const run = await clientOf(a).runs.create(thread.thread_id, "joke-poem", { input: { topic: "cats" }, streamResumable: true });
    const executor = await withTimeout(executing, 20_000, "the first token");
    const survivor = executor === a ? b : a;
    const joined = collect(clientOf(survivor).runs.joinStream(thread.thread_id, run.run_id));
    await gateReached(executor, gatesBefore.get(executor)! + 1);
    const survivorGates = survivor.gates;
    const stoppedAt = performance.now();
    const exitCode = await (async () => {
      executor.child.kill("SIGTERM");
      return executor.exited;
    })();
    const stopMs = performance.now() - stoppedAt;
    assert.equal(exitCode, 0);
    await gateReached(survivor, survivorGates + 1);
    await release();
    const parts = await withTimeout(joined, 20_000, "the joined stream after the drain");
    assert.deepEqual(parts.filter((part) => part.event === "metadata").map((part) => part.data.attempt), [1, 2]);
    assert.deepEqual(parts.at(-1)!.data, EXPECTED);
    assert.equal((await clientOf(survivor).runs.get(thread.thread_id, run.run_id)).status, "success");
    recordFigures(context, "server-cluster-drain", { drainMs: DRAIN_MS, stopMs: Math.round(stopMs) });
    assert.ok(stopMs >= DRAIN_MS, `the instance waited for the drain (${stopMs} ms)`);
  });

  it("SIGTERM lets a run that ends within the drain timeout finish where it runs", async () => {
    const [a, b] = await live();
    const thread = await clientOf(a).threads.create();
    const executing = executorOf([a, b]);
    const gatesBefore = new Map([a, b].map((each) => [each, each.gates]));
    const streamed = collect(clientOf(a).runs.stream(thread.thread_id, "joke-poem", { input: { topic: "cats" } }));
    const executor = await withTimeout(executing, 20_000, "the first token");
    await gateReached(executor, gatesBefore.get(executor)! + 1);
    executor.child.kill("SIGTERM");
    await release();
    assert.equal(await executor.exited, 0);
    const [run] = await clientOf(executor === a ? b : a).runs.list(thread.thread_id);
    assert.equal(run!.status, "success");
    assert.equal((run as unknown as { attempt: number }).attempt, 1, "finished by the instance that drained, not re-attempted");
    await streamed.catch(() => undefined);
  });

  it("a cancel of a run whose instance died ends it as interrupted within a lease, without running it again", async (context) => {
    const [a, b] = await live();
    const thread = await clientOf(a).threads.create();
    const executing = executorOf([a, b]);
    const gatesBefore = new Map([a, b].map((each) => [each, each.gates]));
    const run = await clientOf(a).runs.create(thread.thread_id, "joke-poem", { input: { topic: "cats" }, streamMode: "messages-tuple" });
    const executor = await withTimeout(executing, 20_000, "the first token of the run");
    const survivor = executor === a ? b : a;
    await gateReached(executor, gatesBefore.get(executor)! + 1);
    const survivorGates = survivor.gates;
    await stop(executor, "SIGKILL");
    const killedAt = performance.now();
    // wait=1 answers once the run has ended: the survivor's worker claims the job when the lease runs out and sees the cancel.
    const cancelled = await withTimeout(
      fetch(`${survivor.url}/threads/${thread.thread_id}/runs/${run.run_id}/cancel?wait=1`, { method: "POST", headers: { "x-test-user": "alice" } }),
      LEASE_MS * 4 + 20_000,
      "the cancel of the dead instance's run",
    );
    const endedMs = performance.now() - killedAt;
    assert.equal(cancelled.status, 204, await cancelled.text());
    const ended = await clientOf(survivor).runs.get(thread.thread_id, run.run_id);
    assert.equal(ended.status, "interrupted");
    assert.equal(survivor.gates, survivorGates, "the cancelled run was not started again");
    // Released, not busy; "interrupted" as in LangGraph's server, since the thread's saved state still has the joke node to run.
    assert.equal((await clientOf(survivor).threads.get(thread.thread_id)).status, "interrupted");
    const gatesNow = survivor.gates;
    const nextRun = collect(clientOf(survivor).runs.stream(thread.thread_id, "joke-poem", { input: { topic: "cats" } }));
    await Promise.race(instances.filter((each) => each !== executor).map((each) => gateReached(each, (each === survivor ? gatesNow : each.gates) + 1)));
    await release();
    assert.deepEqual((await nextRun).at(-1)!.data, EXPECTED);
    recordFigures(context, "server-cluster-cancel-dead", { leaseMs: LEASE_MS, endedMs: Math.round(endedMs) });
  });

  it("another user's identity gets 404 on every route, on either instance, and changes nothing", async (context) => {
    const [a, b] = await live();
    const alice = clientOf(a, "alice");
    const thread = await alice.threads.create({ metadata: { note: "mine" } });
    const gatesBefore = { a: a.gates, b: b.gates };
    const run = await alice.runs.create(thread.thread_id, "joke-poem", { input: { topic: "cats" } });
    await Promise.race([gateReached(a, gatesBefore.a + 1), gateReached(b, gatesBefore.b + 1)]);
    await release();
    await alice.runs.join(thread.thread_id, run.run_id);
    const before = { thread: await alice.threads.get(thread.thread_id), state: await alice.threads.getState(thread.thread_id), run: await alice.runs.get(thread.thread_id, run.run_id) };
    const t = thread.thread_id;
    const r = run.run_id;
    const routes: Array<[string, string, unknown?]> = [
      ["GET", `/threads/${t}`],
      ["PATCH", `/threads/${t}`, { metadata: { note: "bob was here" } }],
      ["DELETE", `/threads/${t}`],
      ["GET", `/threads/${t}/state`],
      ["POST", `/threads/${t}/history`, {}],
      ["POST", `/threads/${t}/runs`, { assistant_id: "joke-poem", input: { topic: "x" } }],
      ["POST", `/threads/${t}/runs/stream`, { assistant_id: "joke-poem", input: { topic: "x" } }],
      ["POST", `/threads/${t}/runs/wait`, { assistant_id: "joke-poem", input: { topic: "x" } }],
      ["GET", `/threads/${t}/runs`],
      ["GET", `/threads/${t}/runs/${r}`],
      ["GET", `/threads/${t}/runs/${r}/stream`],
      ["GET", `/runs/${r}/stream`],
      ["GET", `/threads/${t}/runs/${r}/join`],
      ["POST", `/threads/${t}/runs/${r}/cancel`],
    ];
    const statuses: Record<string, number> = {};
    for (const instance of [a, b]) {
      for (const [method, path, body] of routes) {
        const response = await fetch(`${instance.url}${path}`, {
          method,
          headers: { "Content-Type": "application/json", "x-test-user": "bob" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        statuses[`${method} ${path.replace(t, ":thread").replace(r, ":run")}`] = response.status;
        assert.equal(response.status, 404, `${method} ${path} as bob on ${instance.name}`);
        await response.body?.cancel();
      }
      const found = await clientOf(instance, "bob").threads.search({ limit: 100 });
      assert.equal(found.some((each) => each.thread_id === t), false, "bob's search does not list alice's thread");
      const taken = await fetch(`${instance.url}/threads`, { method: "POST", headers: { "Content-Type": "application/json", "x-test-user": "bob" }, body: JSON.stringify({ thread_id: t, if_exists: "do_nothing" }) });
      assert.equal(taken.status, 409, "bob cannot claim alice's thread id");
    }
    recordFigures(context, "server-cluster-other-user", { routes: Object.keys(statuses).length, statuses });
    assert.deepEqual(await alice.threads.get(thread.thread_id), before.thread);
    assert.deepEqual(await alice.threads.getState(thread.thread_id), before.state);
    assert.deepEqual(await alice.runs.get(thread.thread_id, run.run_id), before.run);
    assert.equal((await alice.runs.list(thread.thread_id)).length, 1);
  });
});
