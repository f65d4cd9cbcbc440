// Throughput of the server's event logs: the same run (a model streaming TOKENS tokens, no delay)
// served with MemoryEventLog, SqliteEventLog, the Redis log (127.0.0.1:6379) and the Postgres log
// (127.0.0.1:5432 database "test"), read by one SSE client to its end; then the logs alone, one
// awaited append per event against appendMany batches.
// Repetitions alternate the logs; prints medians, the ratio of the medians to the memory log's, and
// the median of the ratios within each repetition.
//   node --conditions=source --import tsx bench/event-log-throughput.ts [repetitions=7] [tokens=20000]
import { mkdtempSync, rmSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeChatModel } from "weft/testing";
import { type EventLog, MemoryEventLog, SqliteEventLog, createHandler, createPostgresEventLog, createRedisEventLog, serve } from "weft/server";
import { createJokePoemGraph } from "../src/demo/joke-poem-graph.js";
import { EventBatcher } from "../src/server/event-batcher.js";
import { removeServiceData } from "../test/support/service-data.js";

const repetitions = Number(process.argv[2] ?? 7);
const TOKENS = Number(process.argv[3] ?? 20_000);
const tokens = Array.from({ length: TOKENS }, (_, index) => `t${index} `);
const directory = mkdtempSync(join(tmpdir(), "weft-bench-events-"));
const keyPrefix = `weft-bench-${randomUUID().slice(0, 8)}:`;
const DATABASE_URL = process.env.WEFT_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const schema = `weft_bench_${process.pid}`;

const LOGS: Record<string, () => Promise<EventLog>> = {
  memory: async () => new MemoryEventLog({ maxEventsPerRun: 1_000_000, maxBytesPerRun: 64 * 2 ** 20 }),
  sqlite: async () => new SqliteEventLog(join(directory, `${randomUUID()}.db`), { maxEventsPerRun: 1_000_000, maxBytesPerRun: 64 * 2 ** 20 }),
  redis: () => createRedisEventLog({ keyPrefix, maxEventsPerRun: 1_000_000, maxBytesPerRun: 64 * 2 ** 20 }),
  postgres: () => createPostgresEventLog(DATABASE_URL, { schema, maxEventsPerRun: 1_000_000, maxBytesPerRun: 64 * 2 ** 20 }),
};

/** Tokens per second of one streamed run, from the POST to the end of its SSE body. */
async function serverRun(makeLog: () => Promise<EventLog>): Promise<number> {
  const eventLog = await makeLog();
  const graph = createJokePoemGraph({
    jokeModel: new FakeChatModel({ responses: [tokens], tags: ["joke"] }),
    poemModel: new FakeChatModel({ responses: [["ok"]], tags: ["poem"] }),
    name: "joke-poem",
  });
  const server = await serve(createHandler({ graphs: { "joke-poem": graph }, eventLog, heartbeatMs: 0 }), { port: 0 });
  try {
    const started = performance.now();
    const response = await fetch(`${server.url}/runs/stream`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ assistant_id: "joke-poem", input: { topic: "bench" }, stream_mode: "messages-tuple" }),
    });
    const text = await response.text();
    const elapsed = performance.now() - started;
    const received = text.split("event: messages\n").length - 1;
    if (received !== TOKENS + 1) throw new Error(`expected ${TOKENS + 1} messages events, got ${received}`);
    return (TOKENS * 1000) / elapsed;
  } finally {
    await server.close();
    await eventLog.close();
  }
}

/** Events per second through the log alone: a writer appending TOKENS events and a reader following to the end. */
async function logAlone(makeLog: () => Promise<EventLog>, batched: boolean): Promise<number> {
  const log = await makeLog();
  const runId = randomUUID();
  const data = [{ content: "t1234 ", type: "AIMessageChunk", id: "run-1" }, { langgraph_node: "joke", tags: ["joke"] }];
  try {
    await log.append(runId, "metadata", { run_id: runId });
    const started = performance.now();
    const reading = (async () => {
      let count = 0;
      for await (const _event of log.read(runId, { start: true })) count++;
      return count;
    })();
    if (batched) {
      const batcher = new EventBatcher(log, runId);
      for (let index = 0; index < TOKENS; index++) await batcher.add({ event: "messages", data });
      await batcher.flush();
    } else {
      for (let index = 0; index < TOKENS; index++) await log.append(runId, "messages", data);
    }
    await log.end(runId);
    const count = await reading;
    if (count !== TOKENS + 1) throw new Error(`the reader got ${count} events of ${TOKENS + 1}`);
    return (TOKENS * 1000) / (performance.now() - started);
  } finally {
    await log.close();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const cases: Record<string, (makeLog: () => Promise<EventLog>) => Promise<number>> = {
  "server run (tokens/s)": serverRun,
  "log alone, append each (events/s)": (makeLog) => logAlone(makeLog, false),
  "log alone, batched (events/s)": (makeLog) => logAlone(makeLog, true),
};

try {
  for (const [caseName, measure] of Object.entries(cases)) {
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(LOGS).map((name) => [name, []]));
    // Warm-up: every log once, so that no measurement includes a log's first JIT compilation.
    for (const makeLog of Object.values(LOGS)) await measure(makeLog);
    for (let repetition = 0; repetition < repetitions; repetition++) {
      // Alternate the order, so neither log always runs on a warmer process.
      const names = Object.keys(LOGS);
      for (const name of repetition % 2 === 0 ? names : names.reverse()) samples[name]!.push(await measure(LOGS[name]!));
    }
    const memory = median(samples.memory!);
    console.log(caseName);
    for (const [name, values] of Object.entries(samples)) {
      const value = median(values);
      // The machine is shared: the ratio within each repetition (same moment, same load) is the steadier figure.
      const pairedRatio = median(values.map((each, index) => each / samples.memory![index]!));
      console.log(
        `  ${name.padEnd(8)} ${Math.round(value).toString().padStart(9)}  ${(value / memory).toFixed(2)}x memory, paired ${pairedRatio.toFixed(2)}x   (samples: ${values.map(Math.round).join(", ")})`,
      );
    }
  }
} finally {
  rmSync(directory, { recursive: true, force: true });
  await removeServiceData({ keyPrefix, schema });
}
