// Bad input on every kind of route answers a 4xx naming the field, never a 500, never a partial
// write; the keep-alive connection stays usable after any 4xx (also a 413 whose body was never read).
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { MemorySaver } from "weft";
import { type RunningServer, MemoryRecordStore } from "weft/server";
import { postJson, readSse, startServer } from "./fixtures.js";

/** Write raw requests on one socket and resolve with the status lines of the first `count` responses. */
function rawExchange(port: number, requests: string[], count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let data = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`Timed out waiting for ${count} responses on one connection (a hang); got: ${JSON.stringify(data.slice(0, 400))}`));
    }, 10_000);
    socket.on("data", (chunk) => {
      data += chunk;
      const statuses = data.match(/HTTP\/1\.1 \d{3}/g) ?? [];
      if (statuses.length >= count) {
        clearTimeout(timer);
        socket.destroy();
        resolve(statuses);
      }
    });
    socket.on("error", reject);
    for (const request of requests) socket.write(request);
  });
}

describe("bad input", () => {
  let server: RunningServer;
  const store = new MemoryRecordStore();
  before(async () => {
    server = await startServer({ store, checkpointer: new MemorySaver(), maxBodyBytes: 1024 * 1024 });
  });
  after(() => server.close());

  it("a 413 whose body was never read leaves the keep-alive connection usable", async () => {
    const big = "x".repeat(2_000_000);
    const statuses = await rawExchange(
      server.port,
      [`POST /threads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${big.length}\r\n\r\n${big}`, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n"],
      2,
    );
    assert.deepEqual(statuses, ["HTTP/1.1 413", "HTTP/1.1 200"]);
  });

  it("a 422 leaves the keep-alive connection usable", async () => {
    const body = JSON.stringify({ thread_id: 42 });
    const statuses = await rawExchange(
      server.port,
      [`POST /threads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n"],
      2,
    );
    assert.deepEqual(statuses, ["HTTP/1.1 422", "HTTP/1.1 200"]);
  });

  it("bad percent-encoding in a path answers 400 naming the path", async () => {
    const response = await fetch(`${server.url}/threads/%E0%A4%A`);
    assert.equal(response.status, 400);
    assert.equal((await response.json()).field, "path");
  });

  it("deeply nested JSON answers 422 naming the body, and a deep run input neither deletes the thread nor leaves a run", async () => {
    const thread = await (await postJson(`${server.url}/threads`, {})).json();
    const deep = `{"assistant_id":"joke-poem","input":{"topic":${"[".repeat(40_000)}${"]".repeat(40_000)}}}`;
    const response = await fetch(`${server.url}/threads/${thread.thread_id}/runs/stream`, { method: "POST", headers: { "Content-Type": "application/json" }, body: deep });
    assert.equal(response.status, 422);
    assert.equal((await response.json()).field, "body");
    assert.equal((await fetch(`${server.url}/threads/${thread.thread_id}`)).status, 200);
    assert.deepEqual(await store.listRuns({ threadId: thread.thread_id, limit: 10, offset: 0 }), []);
    const events = await readSse(await postJson(`${server.url}/threads/${thread.thread_id}/runs/stream`, { assistant_id: "joke-poem", input: { topic: "cats" } }));
    assert.equal(events.at(-1)!.event, "values", "the thread still runs");
  });

  for (const [field, value] of [
    ["on_completion", "explode"],
    ["durability", "never"],
    ["if_not_exists", "maybe"],
    ["checkpoint_during", "yes"],
    ["multitask_strategy", "queue"],
    ["checkpoint", "abc"],
    ["checkpoint", { checkpoint_id: "x", checkpoint_ns: "child:1" }],
    ["checkpoint_id", 5],
    ["strict_resume", "yes"],
  ] as const) {
    it(`a bogus ${field} answers 422 naming it, and writes no run`, async () => {
      const thread = await (await postJson(`${server.url}/threads`, {})).json();
      const response = await postJson(`${server.url}/threads/${thread.thread_id}/runs`, { assistant_id: "joke-poem", input: { topic: "cats" }, [field]: value });
      assert.equal(response.status, 422);
      const { field: named } = (await response.json()) as { field: string };
      assert.equal(named.split(".")[0], field);
      assert.deepEqual(await store.listRuns({ threadId: thread.thread_id, limit: 10, offset: 0 }), []);
    });
  }

  it("a stateless run from a checkpoint, and both checkpoint and checkpoint_id, answer 422 naming checkpoint_id", async () => {
    const stateless = await postJson(`${server.url}/runs`, { assistant_id: "joke-poem", input: null, checkpoint_id: "c1" });
    assert.equal(stateless.status, 422);
    assert.equal((await stateless.json()).field, "checkpoint_id");
    const thread = await (await postJson(`${server.url}/threads`, {})).json();
    const both = await postJson(`${server.url}/threads/${thread.thread_id}/runs`, { assistant_id: "joke-poem", input: null, checkpoint_id: "c1", checkpoint: { checkpoint_id: "c1" } });
    assert.equal(both.status, 422);
    assert.equal((await both.json()).field, "checkpoint_id");
  });

  it("POST /threads/{id}/state with bad values or on a thread without a graph answers 4xx naming the field", async () => {
    const thread = await (await postJson(`${server.url}/threads`, {})).json();
    const badValues = await postJson(`${server.url}/threads/${thread.thread_id}/state`, { values: [1] });
    assert.equal(badValues.status, 422);
    assert.equal((await badValues.json()).field, "values");
    const unknownField = await postJson(`${server.url}/threads/${thread.thread_id}/state`, { values: {}, node: "x" });
    assert.equal(unknownField.status, 422);
    assert.equal((await unknownField.json()).field, "node");
  });

  for (const [path, body, field] of [
    ["/assistants/search", { limit: -1 }, "limit"],
    ["/assistants/search", { limit: 1.5 }, "limit"],
    ["/assistants/search", { offset: "0" }, "offset"],
    ["/threads/search", { limit: 100_000 }, "limit"],
    ["/threads/search", { status: "sleeping" }, "status"],
    ["/threads", { if_exists: "overwrite" }, "if_exists"],
    ["/threads", { metadata: [] }, "metadata"],
    ["/threads", { surprise: 1 }, "surprise"],
    ["/threads/search", { values: ["a"] }, "values"],
    ["/threads/search", { ids: "t1" }, "ids"],
    ["/threads/search", { select: ["password"] }, "select"],
    ["/threads/search", { sort_order: "random" }, "sort_order"],
    ["/threads/search", { extract: { a: "values.a" } }, "extract"],
  ] as const) {
    it(`POST ${path} ${JSON.stringify(body)} answers 422 naming ${field}`, async () => {
      const response = await postJson(`${server.url}${path}`, body);
      assert.equal(response.status, 422);
      assert.equal((await response.json()).field, field);
    });
  }

  it("a bad history limit and a bad run-list limit answer 422 naming limit", async () => {
    const thread = await (await postJson(`${server.url}/threads`, {})).json();
    const history = await postJson(`${server.url}/threads/${thread.thread_id}/history`, { limit: 0 });
    assert.equal(history.status, 422);
    assert.equal((await history.json()).field, "limit");
    const list = await fetch(`${server.url}/threads/${thread.thread_id}/runs?limit=abc`);
    assert.equal(list.status, 422);
    assert.equal((await list.json()).field, "limit");
  });
});
