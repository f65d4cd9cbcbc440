// One server process of the multi-instance test: the seed's graph on paced scripted models,
// checkpoints in Postgres (schema from argv), run events in Redis Streams (key prefix from argv).
// Each joke call pauses after its 3rd token until the test publishes on `<prefix>release` (or the
// run is cancelled), so the test knows a run is still running without relying on timing.
// Prints {"url": ...} once listening; closes cleanly on SIGTERM.
import { Redis } from "ioredis";
import { PostgresSaver } from "weft/checkpoint/postgres";
import { FakeChatModel } from "weft/testing";
import { createHandler, createRedisEventLog, serve } from "weft/server";
import { createJokePoemGraph } from "../../src/demo/joke-poem-graph.js";
import type { ChatModelRequest, ChatStreamPart } from "../../src/models/chat-model.js";
import { JOKE, POEM } from "./fixtures.js";

const [databaseUrl, schema, keyPrefix, delayMs] = process.argv.slice(2);

const subscriber = new Redis("redis://127.0.0.1:6379");
await subscriber.subscribe(`${keyPrefix}release`);
let released = 0;
let gates = 0;
const wakers = new Set<() => void>();
subscriber.on("message", () => {
  released++;
  for (const wake of wakers) wake();
});

function gate(signal: AbortSignal | undefined): Promise<void> {
  const mine = ++gates;
  return new Promise((resolve, reject) => {
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
      yield part;
    }
  }
}

const jokeModel = new GatedModel({ responses: [JOKE], tags: ["joke"], model: "fake-joke", delayMs: Number(delayMs) });
const poemModel = new FakeChatModel({ responses: [POEM], tags: ["poem"], model: "fake-poem", delayMs: Number(delayMs) });
const checkpointer = new PostgresSaver(databaseUrl!, { schema });
await checkpointer.setup();
const eventLog = await createRedisEventLog({ url: "redis://127.0.0.1:6379", keyPrefix, blockMs: 1000 });
const graph = createJokePoemGraph({ jokeModel, poemModel, name: "joke-poem" });
const handler = createHandler({ graphs: { "joke-poem": graph }, checkpointer, eventLog, heartbeatMs: 0 });
const server = await serve(handler, { port: 0 });
process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`);

process.once("SIGTERM", async () => {
  await server.close();
  await eventLog.close();
  await checkpointer.close();
  subscriber.disconnect();
  process.exit(0);
});
