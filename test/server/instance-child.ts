// One server process of the multi-instance tests: the seed's graph on paced scripted models,
// records and checkpoints in Postgres (schema from argv), run events in Redis Streams and runs on
// BullMQ (key prefix from argv). Each joke call pauses after its 3rd token until the test publishes
// on `<prefix>release` (or the run is cancelled), so the test knows a run is still running without
// relying on timing. Prints {"url", "pid"} once listening; on SIGTERM drains for argv's drain ms.
// Writes `token <n>` to stderr for every token its models produce, so a test can kill it mid-run.
import { Redis } from "ioredis";
import { PostgresSaver } from "weft/checkpoint/postgres";
import { FakeChatModel } from "weft/testing";
import { PostgresRecordStore, createBullmqRunQueue, createHandler, createRedisEventLog, serve } from "weft/server";
import { createJokePoemGraph } from "../../src/demo/joke-poem-graph.js";
import type { ChatModelRequest, ChatStreamPart } from "../../src/models/chat-model.js";
import { JOKE, POEM } from "./fixtures.js";

const [databaseUrl, schema, keyPrefix, delayMs, leaseMs = "30000", drainMs = "0", role = "all"] = process.argv.slice(2);

// Gates are numbered across all processes (a Redis counter); the test opens every gate entered so
// far by setting `<prefix>released` to the gate count and publishing it (test/reliability/server-cluster.test.ts).
const commands = new Redis("redis://127.0.0.1:6379");
const subscriber = new Redis("redis://127.0.0.1:6379");
await subscriber.subscribe(`${keyPrefix}release`);
let released = Number((await commands.get(`${keyPrefix}released`)) ?? 0);
const wakers = new Set<() => void>();
subscriber.on("message", (_channel: string, value: string) => {
  released = Math.max(released, Number(value));
  for (const wake of [...wakers]) wake();
});

async function gate(signal: AbortSignal | undefined): Promise<void> {
  const mine = await commands.incr(`${keyPrefix}gates`);
  process.stderr.write(`gate ${mine}\n`);
  return new Promise((resolve, reject) => {
    // A cancel that arrived while the gate counter was incremented has already fired its event.
    if (signal?.aborted) return reject(signal.reason);
    const check = () => {
      if (released < mine) return;
      wakers.delete(check);
      resolve();
    };
    wakers.add(check);
    signal?.addEventListener("abort", () => {
      wakers.delete(check);
      reject(signal.reason);
    }, { once: true });
    check();
  });
}

class GatedModel extends FakeChatModel {
  protected override async *streamParts(request: ChatModelRequest): AsyncIterable<ChatStreamPart> {
    let index = 0;
    for await (const part of super.streamParts(request)) {
      if (index++ === 3) await gate(request.signal);
      process.stderr.write(`token ${index}\n`);
      yield part;
    }
  }
}

const jokeModel = new GatedModel({ responses: [JOKE], tags: ["joke"], model: "fake-joke", delayMs: Number(delayMs) });
const poemModel = new FakeChatModel({ responses: [POEM], tags: ["poem"], model: "fake-poem", delayMs: Number(delayMs) });
const checkpointer = new PostgresSaver(databaseUrl!, { schema });
await checkpointer.setup();
const store = new PostgresRecordStore(databaseUrl!, { schema });
const eventLog = await createRedisEventLog({ url: "redis://127.0.0.1:6379", keyPrefix, blockMs: 1000 });
const queue = await createBullmqRunQueue({ url: "redis://127.0.0.1:6379", prefix: `${keyPrefix}queue`, leaseMs: Number(leaseMs) });
const graph = createJokePoemGraph({ jokeModel, poemModel, name: "joke-poem" });
const handler = createHandler({
  graphs: { "joke-poem": graph },
  checkpointer,
  store,
  eventLog,
  queue,
  heartbeatMs: 0,
  role: role as "all" | "api" | "worker",
  authenticate: async (request) => {
    const user = request.headers.get("x-test-user");
    return user === null ? { identity: "anonymous" } : { identity: user };
  },
});
const server = await serve(handler, { port: 0 });
process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`);

process.once("SIGTERM", async () => {
  await server.close({ drainMs: Number(drainMs) });
  await eventLog.close();
  await store.close();
  await checkpointer.close();
  subscriber.disconnect();
  commands.disconnect();
  process.exit(0);
});
