// Server request bodies, fuzzed with fast-check against the Web-standard handler (weft/server):
// every body gets a 2xx or a 4xx with a JSON error naming the problem, never a 5xx, a crash or a hang.
// A 200 event stream must end, and a run that fails reports it as an `error` event with a message.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { FakeChatModel } from "weft/testing";
import { createHandler } from "weft/server";
import { createJokePoemGraph } from "../../src/demo/joke-poem-graph.js";
import { recordFigures, withTimeout } from "./support.js";

const SEED = 20261124;
const RUNS = 300;

const handler = createHandler({
  graphs: {
    "joke-poem": createJokePoemGraph({
      jokeModel: new FakeChatModel({ responses: [["Why ", "not?"]], tags: ["joke"] }),
      poemModel: new FakeChatModel({ responses: [["Roses ", "are ", "red."]], tags: ["poem"] }),
      name: "joke-poem",
    }),
  },
  heartbeatMs: 0,
});
after(() => handler.close());

const anyJson = fc.jsonValue({ maxDepth: 3 });
const runRequest = fc.record(
  {
    assistant_id: fc.oneof(fc.constant("joke-poem"), fc.string(), anyJson),
    input: fc.oneof(fc.record({ topic: fc.oneof(fc.string(), anyJson) }, { requiredKeys: [] }), anyJson),
    stream_mode: fc.oneof(
      fc.constantFrom("values", "updates", "messages-tuple", "custom", "debug", "messages", "events"),
      fc.array(fc.constantFrom("values", "updates", "messages-tuple", "custom", "debug", "tokens"), { maxLength: 3 }),
      anyJson,
    ),
    config: fc.oneof(
      fc.record({ tags: fc.oneof(fc.array(fc.string(), { maxLength: 2 }), anyJson), recursion_limit: fc.oneof(fc.integer({ min: -1, max: 30 }), anyJson), configurable: anyJson }, { requiredKeys: [] }),
      anyJson,
    ),
    metadata: anyJson,
    command: fc.oneof(fc.record({ resume: anyJson, update: anyJson, goto: anyJson }, { requiredKeys: [] }), anyJson),
    stream_subgraphs: fc.oneof(fc.boolean(), anyJson),
    on_disconnect: fc.oneof(fc.constantFrom("cancel", "continue"), anyJson),
    route_messages_by: fc.oneof(fc.constant("tag"), anyJson),
    multitask_strategy: fc.oneof(fc.constantFrom("reject", "enqueue", "interrupt", "rollback"), anyJson),
    if_not_exists: fc.oneof(fc.constantFrom("create", "reject"), anyJson),
    webhook: fc.oneof(fc.constant(null), anyJson),
    surprise: anyJson,
  },
  { requiredKeys: [] },
);
const rawBody = fc.oneof(
  runRequest.map((body) => JSON.stringify(body)),
  anyJson.map((value) => JSON.stringify(value)),
  fc.string(),
  fc.constantFrom("", "{", "[", "null", '{"assistant_id":', "\u0000", "1e999999", '{"__proto__": {"x": 1}}', '{"assistant_id":"joke-poem","input":{"__proto__":{"x":1}}}'),
);

describe("fuzzed server request bodies", () => {
  it("never answer 5xx: 2xx, or 4xx with a JSON error that says what is wrong", async (context) => {
    const threadResponse = await handler(new Request("http://weft.test/threads", { method: "POST", body: "{}", headers: { "content-type": "application/json" } }));
    assert.equal(threadResponse.status, 200);
    const threadId = (await threadResponse.json()).thread_id as string;
    const paths = ["/runs/stream", `/threads/${threadId}/runs/stream`, "/threads/no-such-thread/runs/stream", "/threads", "/assistants/search", `/threads/${threadId}/runs/no-such-run/cancel`];
    const statuses: Record<string, number> = {};
    let runErrors = 0;
    context.diagnostic(`fast-check seed ${SEED}, ${RUNS} runs`);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 6, arbitrary: fc.constantFrom(paths[0]!, paths[1]!) }, { weight: 4, arbitrary: fc.constantFrom(...paths) }),
        fc.oneof({ weight: 3, arbitrary: runRequest.map((request) => JSON.stringify(request)) }, { weight: 2, arbitrary: rawBody }),
        fc.oneof({ weight: 8, arbitrary: fc.constant("application/json") }, { weight: 1, arbitrary: fc.constantFrom("text/plain", undefined) }), async (path, body, contentType) => {
        const headers: Record<string, string> = contentType === undefined ? {} : { "content-type": contentType };
        const response = await withTimeout(handler(new Request(`http://weft.test${path}`, { method: "POST", body, headers })), 5_000, `POST ${path}`);
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        assert.ok(response.status < 500, `POST ${path} ${body} answered ${response.status}: ${await response.clone().text()}`);
        if (response.status >= 400) {
          const error = await response.json();
          assert.equal(typeof error.message, "string", `a 4xx has a message: ${JSON.stringify(error)}`);
          assert.ok(error.message.length > 10, `the message says something: ${error.message}`);
          return;
        }
        const text = await withTimeout(response.text(), 5_000, `the body of POST ${path} ${body}`);
        if ((response.headers.get("content-type") ?? "").includes("text/event-stream")) {
          const errors = text.split("\n\n").filter((block) => block.split("\n").includes("event: error"));
          for (const block of errors) {
            runErrors++;
            const data = JSON.parse(block.split("\n").find((line) => line.startsWith("data: "))!.slice(6));
            assert.ok(typeof data.message === "string" && data.message.length > 10, `an error event says what went wrong: ${block}`);
          }
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    recordFigures(context, "fuzz-server", { seed: SEED, runs: RUNS, statuses, runErrorEvents: runErrors });
  });
});
