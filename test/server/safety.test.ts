// The server's guards: API key, body limit, validation naming the field, CORS, SSE framing that
// cannot be split, tag routing, and cancelling the model call when the client leaves.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { StateGraph, START, type NodeConfig } from "weft";
import { FakeChatModel } from "weft/testing";
import { type RunningServer, createHandler, serve } from "weft/server";
import type { ChatModelRequest, ChatStreamPart } from "../../src/models/chat-model.js";
import { JOKE, POEM, jokePoemGraph, postJson, readSse, startServer } from "./fixtures.js";

describe("weft/server safety", () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ apiKey: "s3cret", maxBodyBytes: 2048, cors: { origins: ["http://app.example"] } });
  });
  after(() => server.close());
  const key = { "X-Api-Key": "s3cret" };

  it("answers 401 without the API key, and accepts it as X-Api-Key or Bearer", async () => {
    const missing = await postJson(`${server.url}/threads`, {});
    assert.equal(missing.status, 401);
    assert.deepEqual(await missing.json(), {
      error: "unauthorized",
      message: "Missing or wrong API key; send it in the X-Api-Key header (or Authorization: Bearer <key>).",
      field: "X-Api-Key",
    });
    assert.equal((await postJson(`${server.url}/threads`, {}, { "X-Api-Key": "wrong" })).status, 401);
    assert.equal((await postJson(`${server.url}/threads`, {}, key)).status, 200);
    assert.equal((await postJson(`${server.url}/threads`, {}, { Authorization: "Bearer s3cret" })).status, 200);
  });

  it("answers 413 for a body over the limit, declared or streamed", async () => {
    const big = { assistant_id: "joke-poem", input: { topic: "x".repeat(4000) } };
    const response = await postJson(`${server.url}/runs/stream`, big, key);
    assert.equal(response.status, 413);
    assert.equal((await response.json()).field, "body");
    // No Content-Length: a streamed body is counted as it arrives.
    const chunks = new ReadableStream({
      start(controller) {
        for (let index = 0; index < 5; index++) controller.enqueue(new TextEncoder().encode(" ".repeat(1000)));
        controller.close();
      },
    });
    const streamed = await fetch(`${server.url}/threads`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...key },
      body: chunks,
      duplex: "half",
    } as RequestInit);
    assert.equal(streamed.status, 413);
  });

  it("validates run requests with 4xx JSON errors that name the field", async () => {
    const cases: Array<[unknown, number, string, RegExp]> = [
      [{ assistant_id: "nope", input: {} }, 404, "assistant_id", /Assistant "nope" not found; this server has "joke-poem"/],
      [{ assistant_id: "joke-poem", stream_mode: "tokens" }, 422, "stream_mode", /Unknown stream_mode "tokens"/],
      [{ assistant_id: "joke-poem", stream_mode: ["values", 3] }, 422, "stream_mode", /Unknown stream_mode 3/],
      [{ assistant_id: "joke-poem", on_disconnect: "maybe" }, 422, "on_disconnect", /"cancel" or "continue"/],
      [{ assistant_id: "joke-poem", input: [1] }, 422, "input", /must be an object/],
      [{ assistant_id: "joke-poem", route_messages_by: "node" }, 422, "route_messages_by", /can only be "tag"/],
      [{ assistant_id: "joke-poem", webhook: "http://x" }, 422, "webhook", /not supported/],
      [{ input: {} }, 422, "assistant_id", /is required/],
      [[], 422, "body", /must be a JSON object/],
    ];
    for (const [body, status, field, message] of cases) {
      const response = await postJson(`${server.url}/runs/stream`, body, key);
      const json = await response.json();
      assert.equal(response.status, status, JSON.stringify(json));
      assert.equal(json.field, field);
      assert.match(json.message, message);
    }
    const broken = await fetch(`${server.url}/threads`, { method: "POST", headers: { "Content-Type": "application/json", ...key }, body: "{oops" });
    assert.equal(broken.status, 400);
    assert.equal((await fetch(`${server.url}/threads/missing/state`, { headers: key })).status, 404);
    assert.equal((await fetch(`${server.url}/nowhere`, { headers: key })).status, 404);
    assert.equal((await fetch(`${server.url}/threads`, { headers: key })).status, 405);
  });

  it("rejects a Last-Event-ID that is not an id of the run with 400", async () => {
    const response = await postJson(`${server.url}/runs/stream`, { assistant_id: "joke-poem", input: { topic: "cats" }, stream_resumable: true }, key);
    const events = await readSse(response);
    const runId = (events[0]!.data as { run_id: string }).run_id;
    const join = await fetch(`${server.url}/runs/${runId}/stream`, { headers: { ...key, "Last-Event-ID": "999" } });
    assert.equal(join.status, 400);
    assert.equal((await join.json()).field, "Last-Event-ID");
  });

  it("sends CORS headers only to allowed origins, and answers preflights", async () => {
    const preflight = await fetch(`${server.url}/threads`, {
      method: "OPTIONS",
      headers: { Origin: "http://app.example", "Access-Control-Request-Method": "POST" },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "http://app.example");
    assert.match(preflight.headers.get("access-control-allow-headers")!, /X-Api-Key/);
    const allowed = await postJson(`${server.url}/threads`, {}, { ...key, Origin: "http://app.example" });
    assert.equal(allowed.headers.get("access-control-allow-origin"), "http://app.example");
    const other = await postJson(`${server.url}/threads`, {}, { ...key, Origin: "http://evil.example" });
    assert.equal(other.headers.get("access-control-allow-origin"), null);
  });
});

describe("weft/server handler without a Node server", () => {
  it("answers Web Requests directly, mounted under a base path", async () => {
    const handler = createHandler({ graphs: { "joke-poem": jokePoemGraph() }, basePath: "/api", heartbeatMs: 0 });
    try {
      // A string body defaults to text/plain, which a JSON route refuses.
      const plain = await handler(new Request("http://app.example/api/assistants/search", { method: "POST", body: "{}" }));
      assert.equal(plain.status, 415);
      const assistants = await handler(
        new Request("http://app.example/api/assistants/search", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" }),
      );
      assert.deepEqual((await assistants.json()).map((assistant: { assistant_id: string }) => assistant.assistant_id), ["joke-poem"]);
      const response = await handler(
        new Request("http://app.example/api/runs/stream", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ assistant_id: "joke-poem", input: { topic: "cats" }, stream_mode: "values" }),
        }),
      );
      assert.match(response.headers.get("content-location")!, /^\/runs\/[0-9a-f-]{36}$/);
      const events = await readSse(response);
      assert.deepEqual(events.map((event) => event.event), ["metadata", "values", "values"]);
      assert.equal((await handler(new Request("http://app.example/assistants/search", { method: "POST" }))).status, 404);
    } finally {
      await handler.close();
    }
  });
});

describe("weft/server streams", () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('route_messages_by: "tag" names message events after the model tag', async () => {
    const response = await postJson(`${server.url}/runs/stream`, {
      assistant_id: "joke-poem",
      input: { topic: "cats" },
      stream_mode: ["messages-tuple", "values"],
      route_messages_by: "tag",
    });
    assert.equal(response.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const events = await readSse(response);
    const byName = (name: string) => events.filter((event) => event.event === name).map((event) => (event.data as [{ content: string }])[0].content);
    assert.deepEqual(byName("messages|joke"), JOKE);
    assert.deepEqual(byName("messages|poem"), POEM);
    assert.equal(events.filter((event) => event.event === "messages").length, 0);
    assert.deepEqual(events.at(-1)!.data, { topic: "cats", joke: JOKE.join(""), poem: POEM.join("") });
  });

  it("a tag that could split an SSE field never becomes an event name", async () => {
    const model = new FakeChatModel({ responses: [["a ", "b"]], tags: ["evil\nevent: forged", "pipe|tag"] });
    const graph = new StateGraph<{ topic: string; joke: string }>()
      .addNode("write", async (state: { topic: string }, config: NodeConfig) => ({ joke: (await model.invoke(state.topic, config)).content }))
      .addEdge(START, "write")
      .compile();
    const local = await serve(createHandler({ graphs: { tagged: graph }, heartbeatMs: 0 }), { port: 0 });
    try {
      const response = await postJson(`${local.url}/runs/stream`, {
        assistant_id: "tagged",
        input: { topic: "x" },
        stream_mode: "messages-tuple",
        route_messages_by: "tag",
      });
      const text = await response.text();
      assert.deepEqual(
        text.split("\n").filter((line) => line.startsWith("event:")),
        ["event: metadata", "event: messages", "event: messages"],
      );
      assert.doesNotMatch(text, /^event: forged/m);
    } finally {
      await local.close();
    }
  });

  it("names subgraph events mode|namespace with stream_subgraphs", async () => {
    const inner = new StateGraph<{ topic: string; joke: string }>()
      .addNode("write", (state: { topic: string }) => ({ joke: `about ${state.topic}` }))
      .addEdge(START, "write")
      .compile();
    const outer = new StateGraph<{ topic: string; joke: string }>()
      .addNode("inner", inner)
      .addEdge(START, "inner")
      .compile();
    const handler = createHandler({ graphs: { nested: outer }, heartbeatMs: 0 });
    const local = await serve(handler, { port: 0 });
    try {
      const response = await postJson(`${local.url}/runs/stream`, { assistant_id: "nested", input: { topic: "owls" }, stream_mode: "updates", stream_subgraphs: true });
      const events = await readSse(response);
      const names = events.map((event) => event.event);
      assert.equal(names[0], "metadata");
      assert.match(names[1]!, /^updates\|inner:[0-9a-f-]{36}$/);
      assert.equal(names[2], "updates");
      assert.deepEqual(events[1]!.data, { write: { joke: "about owls" } });
      assert.deepEqual(events[2]!.data, { inner: { topic: "owls", joke: "about owls" } });
    } finally {
      await local.close();
    }
  });

  it("with on_disconnect=cancel, a client that leaves aborts the model call", async () => {
    let sawAbort!: (aborted: boolean) => void;
    const modelStopped = new Promise<boolean>((resolve) => {
      sawAbort = resolve;
    });
    let produced = 0;
    // Streams 3 tokens, then waits for the next one until its call is aborted.
    class WatchedModel extends FakeChatModel {
      protected override async *streamParts(request: ChatModelRequest): AsyncIterable<ChatStreamPart> {
        try {
          for await (const part of super.streamParts(request)) {
            if (produced === 3) {
              const signal = request.signal!;
              await new Promise((_resolve, reject) => {
                if (signal.aborted) reject(signal.reason);
                signal.addEventListener("abort", () => reject(signal.reason), { once: true });
              });
            }
            produced++;
            yield part;
          }
          sawAbort(false);
        } catch (error) {
          sawAbort(request.signal?.aborted === true);
          throw error;
        }
      }
    }
    const model = new WatchedModel({ responses: [["t0 ", "t1 ", "t2 ", "t3 ", "t4 "]], tags: ["joke"] });
    const graph = new StateGraph<{ topic: string; joke: string }>()
      .addNode("write", async (state: { topic: string }, config: NodeConfig) => ({ joke: (await model.invoke(state.topic, config)).content }))
      .addEdge(START, "write")
      .compile();
    const local = await serve(createHandler({ graphs: { slow: graph }, heartbeatMs: 0 }), { port: 0 });
    try {
      const thread = await (await postJson(`${local.url}/threads`, {})).json();
      const response = await postJson(`${local.url}/threads/${thread.thread_id}/runs/stream`, {
        assistant_id: "slow",
        input: { topic: "cats" },
        stream_mode: "messages-tuple",
        stream_resumable: true,
        on_disconnect: "cancel",
      });
      const seen = await readSse(response, (event) => event.event === "messages" && (event.data as [{ content: string }])[0].content === "t2 ");
      const runId = (seen[0]!.data as { run_id: string }).run_id;
      assert.equal(await modelStopped, true, "the model call saw its signal aborted");
      assert.equal(produced, 3, "the model stopped where it was waiting");
      // The run's log ends with an error event naming the abort, and the run is marked interrupted.
      const replay = await readSse(await fetch(`${local.url}/threads/${thread.thread_id}/runs/${runId}/stream`));
      assert.deepEqual(replay.at(-1)!.event, "error");
      assert.equal((replay.at(-1)!.data as { error: string }).error, "ABORTED");
      const run = await (await fetch(`${local.url}/threads/${thread.thread_id}/runs/${runId}`)).json();
      assert.equal(run.status, "interrupted");
      const threadAfter = await (await fetch(`${local.url}/threads/${thread.thread_id}`)).json();
      assert.equal(threadAfter.status, "idle");
    } finally {
      await local.close();
    }
  });

  it("POST .../cancel stops a running run; wait=1 answers once it ended", async () => {
    const local = await startServer({ delayMs: 20 });
    try {
      const thread = await (await postJson(`${local.url}/threads`, {})).json();
      const response = await postJson(`${local.url}/threads/${thread.thread_id}/runs/stream`, {
        assistant_id: "joke-poem",
        input: { topic: "cats" },
        stream_mode: "messages-tuple",
      });
      let runId = "";
      let cancelled: Promise<Response> | undefined;
      const events = await readSse(response, (event) => {
        if (event.event === "metadata") {
          runId = (event.data as { run_id: string }).run_id;
          cancelled = fetch(`${local.url}/threads/${thread.thread_id}/runs/${runId}/cancel?wait=1`, { method: "POST" });
        }
      });
      assert.equal((await cancelled!).status, 204);
      assert.equal(events.at(-1)!.event, "error");
      assert.ok(events.filter((event) => event.event === "messages").length < JOKE.length + POEM.length);
      const run = await (await fetch(`${local.url}/threads/${thread.thread_id}/runs/${runId}`)).json();
      assert.equal(run.status, "interrupted");
    } finally {
      await local.close();
    }
  });
});
