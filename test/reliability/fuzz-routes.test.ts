// Every route of weft/server, fuzzed with fast-check (seed 20261124): malformed paths, methods,
// query strings, headers and bodies. Never a 5xx; a 4xx carries a JSON error with a message; and a
// 4xx changes no record (the thread, its run and its state are compared before and after).
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import fc from "fast-check";
import { MemorySaver } from "weft";
import { MemoryRecordStore, createHandler } from "weft/server";
import { jokePoemGraph } from "../server/fixtures.js";
import { recordFigures, withTimeout } from "./support.js";

const SEED = 20261124;
const RUNS = Number(process.env.WEFT_FUZZ_RUNS ?? (process.env.WEFT_RELIABILITY_LONG === "1" ? 3000 : 400));

const store = new MemoryRecordStore();
const handler = createHandler({ graphs: { "joke-poem": jokePoemGraph() }, checkpointer: new MemorySaver(), store, heartbeatMs: 0, maxBodyBytes: 64 * 1024 });
let threadId = "";
let runId = "";
before(async () => {
  const created = await handler(new Request("http://x/threads", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ metadata: { keep: true } }) }));
  threadId = ((await created.json()) as { thread_id: string }).thread_id;
  const run = await handler(
    new Request(`http://x/threads/${threadId}/runs/wait`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ assistant_id: "joke-poem", input: { topic: "cats" } }) }),
  );
  assert.equal(run.status, 200);
  runId = (await store.listRuns({ threadId, limit: 1, offset: 0 }))[0]!.run.run_id;
});
after(() => handler.close());

const ROUTES: Array<[method: string, path: string]> = [
  ["POST", "/assistants/search"],
  ["GET", "/assistants/{a}"],
  ["POST", "/threads"],
  ["POST", "/threads/search"],
  ["GET", "/threads/{t}"],
  ["PATCH", "/threads/{t}"],
  ["DELETE", "/threads/{t}"],
  ["GET", "/threads/{t}/state"],
  ["POST", "/threads/{t}/history"],
  ["POST", "/threads/{t}/runs"],
  ["GET", "/threads/{t}/runs"],
  ["POST", "/threads/{t}/runs/stream"],
  ["POST", "/threads/{t}/runs/wait"],
  ["POST", "/runs"],
  ["POST", "/runs/stream"],
  ["GET", "/threads/{t}/runs/{r}"],
  ["GET", "/threads/{t}/runs/{r}/stream"],
  ["GET", "/runs/{r}/stream"],
  ["GET", "/threads/{t}/runs/{r}/join"],
  ["POST", "/threads/{t}/runs/{r}/cancel"],
  ["GET", "/ok"],
  ["GET", "/info"],
];

const anyJson = fc.jsonValue({ maxDepth: 4 });
const badSegment = fc.oneof(fc.constantFrom("%", "%E0%A4%A", "%00", "..", "%2F", "__proto__", "constructor", "x".repeat(300)), fc.string({ maxLength: 20 }).map(encodeURIComponent));
const body = fc.oneof(
  anyJson.map((value) => JSON.stringify(value)),
  fc.record({
    assistant_id: fc.oneof(fc.constant("joke-poem"), anyJson),
    input: anyJson,
    multitask_strategy: fc.oneof(fc.constantFrom("reject", "enqueue", "interrupt", "rollback"), anyJson),
    on_completion: anyJson,
    durability: anyJson,
    if_not_exists: anyJson,
    checkpoint_during: anyJson,
    limit: fc.oneof(fc.integer({ min: -5, max: 5000 }), fc.double(), anyJson),
    offset: anyJson,
    metadata: anyJson,
    status: anyJson,
    thread_id: fc.oneof(fc.constant("__THREAD__"), anyJson),
    if_exists: anyJson,
    stream_mode: anyJson,
  }, { requiredKeys: [] }).map((value) => JSON.stringify(value)),
  fc.constantFrom("{", "[1,", `{"a":${"[".repeat(500)}${"]".repeat(500)}}`, "\u0000", "null", `{"__proto__":{"polluted":1}}`),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => new TextDecoder().decode(new Uint8Array([0xff, ...bytes]))),
);
const request = fc.record({
  route: fc.constantFrom(...ROUTES),
  /** Mostly the route's own method (so the request reaches its validation), sometimes another. */
  otherMethod: fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, { arbitrary: fc.constantFrom("GET", "POST", "PATCH", "DELETE", "PUT"), weight: 1 }),
  segment: fc.oneof(fc.constant("valid"), badSegment),
  query: fc.oneof(fc.constant(""), fc.constantFrom("?limit=-1", "?limit=abc", "?offset=1e99", "?status=bogus", "?wait=maybe", "?cancel_on_disconnect=1", "?%zz")),
  contentType: fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded", undefined),
  lastEventId: fc.option(fc.oneof(fc.constantFrom("0", "99999999", "-1", "1-0", ""), fc.string({ maxLength: 10 }))),
  body: fc.option(body),
});

async function snapshot(): Promise<string> {
  const thread = await store.getThread(threadId);
  const run = await store.getRun(runId);
  return JSON.stringify({ thread, run: run?.run });
}

it(`every route, ${RUNS} malformed requests: never a 5xx, and a 4xx changes no record`, async (context) => {
  const statuses: Record<number, number> = {};
  await fc.assert(
    fc.asyncProperty(request, async (generated) => {
      const each = { ...generated, method: generated.otherMethod ?? generated.route[0] };
      // Deleting the fuzzed thread would leave nothing to compare; a DELETE names another thread.
      if (each.method === "DELETE" && each.segment === "valid") each.segment = "another-thread";
      const path = generated.route[1]
        .replace("{t}", each.segment === "valid" ? threadId : each.segment)
        .replace("{r}", each.segment === "valid" ? runId : each.segment)
        .replace("{a}", each.segment === "valid" ? "joke-poem" : each.segment);
      const headers: Record<string, string> = {};
      if (each.contentType !== undefined) headers["Content-Type"] = each.contentType;
      if (each.lastEventId !== null) headers["Last-Event-ID"] = each.lastEventId;
      const hasBody = each.body !== null && each.method !== "GET";
      const before = await snapshot();
      const abort = new AbortController();
      const response = await withTimeout(
        handler(new Request(`http://x${path}${each.query}`, { method: each.method, headers, body: hasBody ? each.body!.replaceAll("__THREAD__", threadId) : undefined, signal: abort.signal })),
        10_000,
        `${each.method} ${path}`,
      );
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      if (response.status >= 500) assert.fail(`${each.method} ${path}${each.query} answered ${response.status}: ${await response.text()}`);
      if (response.status >= 400) {
        const error = (await response.json()) as { message?: unknown };
        assert.equal(typeof error.message, "string");
        assert.equal(await snapshot(), before, `${each.method} ${path} answered ${response.status} but changed a record`);
      } else {
        abort.abort();
        await response.body?.cancel().catch(() => undefined);
      }
    }),
    { seed: SEED, numRuns: RUNS },
  );
  recordFigures(context, "fuzz-routes", { seed: SEED, runs: RUNS, statuses });
});
