// One server process of the multi-instance test: the seed's graph on paced scripted models,
// checkpoints in Postgres (schema from argv), run events in Redis Streams (key prefix from argv).
// Prints {"url": ...} once listening; closes cleanly on SIGTERM.
import { PostgresSaver } from "weft/checkpoint/postgres";
import { createHandler, createRedisEventLog, serve } from "weft/server";
import { jokePoemGraph } from "./fixtures.js";

const [databaseUrl, schema, keyPrefix, delayMs] = process.argv.slice(2);
const checkpointer = new PostgresSaver(databaseUrl!, { schema });
await checkpointer.setup();
const eventLog = await createRedisEventLog({ url: "redis://127.0.0.1:6379", keyPrefix, blockMs: 1000 });
const handler = createHandler({ graphs: { "joke-poem": jokePoemGraph(Number(delayMs)) }, checkpointer, eventLog, heartbeatMs: 0 });
const server = await serve(handler, { port: 0 });
process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`);

process.once("SIGTERM", async () => {
  await server.close();
  await eventLog.close();
  await checkpointer.close();
  process.exit(0);
});
