// Two `weft serve` instances on one Postgres schema and one Redis prefix: a protocol run started on A
// streams to a client of B, and a reconnect to A with `since` gets exactly the rest, with the same ids.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { RunningServer } from "weft/server";
import { startServe } from "../../src/cli/serve-command.js";
import { ANSWER, llm } from "../fixtures/langchain-react-agent.js";
import { postJson, readSse } from "./fixtures.js";
import { removeServiceData } from "../support/service-data.js";

const AGENT_MODULE = fileURLToPath(new URL("../fixtures/langchain-react-agent.ts", import.meta.url));
const POSTGRES = process.env.WEFT_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REDIS = "redis://127.0.0.1:6379";
const suffix = randomUUID().replaceAll("-", "").slice(0, 12);
const schema = `weft_protocol_${suffix}`;
const prefix = `weft-protocol-${suffix}:`;

type WireEvent = { event_id: string; seq: number; method: string; params: { namespace: string[]; data: any } };
let a: RunningServer;
let b: RunningServer;

before(async () => {
  const options = { port: 0, postgres: POSTGRES, postgresSchema: schema, redis: REDIS, redisPrefix: prefix };
  a = await startServe(AGENT_MODULE, options);
  b = await startServe(AGENT_MODULE, options);
});

after(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await removeServiceData({ keyPrefix: prefix, schema: schema });
});

const isRootEnd = (event: WireEvent) => event.method === "lifecycle" && event.params.namespace.length === 0 && event.params.data.event === "completed";

it("a run started on A streams to B's client, and A replays the rest after `since` with the same event ids", async () => {
  const threadId = randomUUID();
  // B's stream opens before the thread exists: it waits for the run A starts.
  const streamOnB = postJson(`${b.url}/threads/${threadId}/stream/events`, { channels: ["lifecycle", "messages"] });
  const started = await postJson(`${a.url}/threads/${threadId}/commands`, {
    id: 1,
    method: "run.start",
    params: { assistant_id: "agent", input: { messages: [{ type: "human", content: "Weather in Oslo?" }] } },
  });
  assert.equal(started.status, 200);
  const { result } = (await started.json()) as { result: { run_id: string } };
  llm.release(3 + ANSWER.length);
  const onB = (await readSse(await streamOnB, (event) => isRootEnd(event.data as WireEvent))).map((event) => event.data as WireEvent);
  const text = onB
    .filter((event) => event.method === "messages" && event.params.data.event === "content-block-delta" && event.params.data.delta.type === "text-delta")
    .map((event) => event.params.data.delta.text);
  assert.deepEqual(text, ["Let ", "me ", "check.", "Sunny in Oslo", ...ANSWER]);
  assert.ok(onB.every((event) => event.event_id.startsWith(`${result.run_id}:`)), "every event belongs to the run A started");

  const middle = onB[Math.floor(onB.length / 2)]!;
  const rest = await readSse(await postJson(`${a.url}/threads/${threadId}/stream/events`, { channels: ["lifecycle", "messages"], since: middle.seq }), (event) => isRootEnd(event.data as WireEvent));
  assert.deepEqual(
    rest.map((event) => event.id),
    onB.filter((event) => event.seq > middle.seq).map((event) => event.event_id),
    "A replays exactly the events after `since`: no gap, no duplicate",
  );
});
