import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { WeftError } from "../errors.js";
import { eventStreamResponse, formatServerSentEvent } from "./sse.js";

describe("formatServerSentEvent", () => {
  it("writes event, id and one data line of JSON", () => {
    assert.equal(formatServerSentEvent({ event: "values", id: "3", data: { topic: "cats" } }), 'event: values\nid: 3\ndata: {"topic":"cats"}\n\n');
    assert.equal(formatServerSentEvent({ event: "end", data: undefined }), "event: end\ndata: null\n\n");
  });

  it("keeps data with line breaks on one line", () => {
    const text = formatServerSentEvent({ event: "messages", data: ["a\nb\r\nevent: forged\n\n"] });
    assert.equal(text.split("\n").length, 4, "event, data, blank line");
    assert.equal(text, 'event: messages\ndata: ["a\\nb\\r\\nevent: forged\\n\\n"]\n\n');
  });

  it("refuses an event name or id holding CR, LF or NUL", () => {
    for (const bad of ["a\nb", "a\rb", "a\r\nevent: x", "a\0"]) {
      assert.throws(() => formatServerSentEvent({ event: bad, data: 1 }), (error: unknown) => WeftError.isInstance(error) && error.code === "SERVER");
      assert.throws(() => formatServerSentEvent({ event: "ok", id: bad, data: 1 }), /line break or NUL/);
    }
  });
});

describe("eventStreamResponse", () => {
  it("streams events lazily and ends with the source", async () => {
    let pulled = 0;
    const response = eventStreamResponse(
      async function* () {
        for (let index = 1; index <= 3; index++) {
          pulled++;
          yield { event: "n", id: String(index), data: index };
        }
      },
      { heartbeatMs: 0 },
    );
    assert.equal(response.headers.get("content-type"), "text/event-stream; charset=utf-8");
    assert.equal(pulled, 0, "nothing read before the client reads");
    const text = await response.text();
    assert.equal(text, "event: n\nid: 1\ndata: 1\n\nevent: n\nid: 2\ndata: 2\n\nevent: n\nid: 3\ndata: 3\n\n");
  });

  it("a failing source ends the stream with an error event", async () => {
    const response = eventStreamResponse(
      async function* () {
        yield { event: "n", data: 1 };
        throw new WeftError("MODEL_CALL", "boom");
      },
      { heartbeatMs: 0 },
    );
    assert.equal(await response.text(), 'event: n\ndata: 1\n\nevent: error\ndata: {"error":"MODEL_CALL","message":"boom"}\n\n');
  });

  it("a client that cancels aborts the source's signal and calls onDisconnect once", async () => {
    let sourceSignal: AbortSignal | undefined;
    let disconnects = 0;
    const response = eventStreamResponse(
      async function* (signal) {
        sourceSignal = signal;
        yield { event: "n", data: 1 };
        await new Promise((resolve) => signal.addEventListener("abort", resolve));
      },
      { heartbeatMs: 0, onDisconnect: () => disconnects++ },
    );
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    assert.equal(sourceSignal?.aborted, true);
    assert.equal(disconnects, 1);
  });

  it("an aborted request signal stops the stream as a disconnect", async () => {
    const request = new AbortController();
    let disconnects = 0;
    const response = eventStreamResponse(
      async function* (signal) {
        yield { event: "n", data: 1 };
        await new Promise((resolve) => signal.addEventListener("abort", resolve));
      },
      { heartbeatMs: 0, signal: request.signal, onDisconnect: () => disconnects++ },
    );
    const reader = response.body!.getReader();
    await reader.read();
    const next = reader.read();
    request.abort();
    assert.deepEqual(await next, { done: true, value: undefined });
    assert.equal(disconnects, 1);
  });
});

describe("eventStreamResponse batching", () => {
  const decoder = new TextDecoder();

  it("writes the events ready in one turn as one chunk, and keeps a pending event for the next chunk in order", async () => {
    let release: (() => void) | undefined;
    const response = eventStreamResponse(
      async function* () {
        for (let index = 1; index <= 3; index++) yield { event: "n", id: String(index), data: index };
        // Not ready in this turn: the batch ends without it, and the next read gets it first.
        await new Promise<void>((resolve) => (release = resolve));
        yield { event: "n", id: "4", data: 4 };
        yield { event: "n", id: "5", data: 5 };
      },
      { heartbeatMs: 0 },
    );
    const reader = response.body!.getReader();
    const first = await reader.read();
    assert.equal(decoder.decode(first.value), "event: n\nid: 1\ndata: 1\n\nevent: n\nid: 2\ndata: 2\n\nevent: n\nid: 3\ndata: 3\n\n");
    const second = reader.read();
    release!();
    assert.equal(decoder.decode((await second).value), "event: n\nid: 4\ndata: 4\n\nevent: n\nid: 5\ndata: 5\n\n");
    assert.deepEqual(await reader.read(), { done: true, value: undefined });
  });

  it("bounds a chunk at about 64 KB and loses nothing across chunks", async () => {
    const big = "x".repeat(1000);
    const response = eventStreamResponse(
      async function* () {
        for (let index = 0; index < 200; index++) yield { event: "n", id: String(index), data: big };
      },
      { heartbeatMs: 0 },
    );
    const reader = response.body!.getReader();
    const chunks: string[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(decoder.decode(value));
    }
    assert.ok(chunks.length >= 3, `200 KB came in ${chunks.length} chunks`);
    assert.ok(chunks.every((chunk) => chunk.length < 64 * 1024 + 1100), "no chunk past the bound by more than one event");
    const ids = chunks.join("").match(/^id: (\d+)$/gm)!.map((line) => Number(line.slice(4)));
    assert.deepEqual(ids, Array.from({ length: 200 }, (_, index) => index));
  });

  it("a source failing mid-batch still sends the events before the failure, then the error event", async () => {
    const response = eventStreamResponse(
      async function* () {
        yield { event: "n", data: 1 };
        yield { event: "n", data: 2 };
        throw new WeftError("MODEL_CALL", "boom");
      },
      { heartbeatMs: 0 },
    );
    assert.equal(await response.text(), 'event: n\ndata: 1\n\nevent: n\ndata: 2\n\nevent: error\ndata: {"error":"MODEL_CALL","message":"boom"}\n\n');
  });

  it("writes a batch event by event: one that cannot be framed ends the stream after those before it", async () => {
    const response = eventStreamResponse(
      async function* () {
        yield [
          { event: "values", data: 1, id: "1" },
          { event: "values", data: 2, id: "2" },
          { event: "values|a\nb", data: 3, id: "3" },
        ];
      },
      { heartbeatMs: 0 },
    );
    const text = await response.text();
    assert.ok(text.startsWith("event: values\nid: 1\ndata: 1\n\nevent: values\nid: 2\ndata: 2\n\nevent: error\ndata: "), text);
    assert.match(text, /line break or NUL/);
  });

  it("serialises a messages event's shared metadata once and writes the same bytes as JSON.stringify", () => {
    const metadata = { langgraph_node: "agent", tags: ["joke"], ls_temperature: undefined };
    let reads = 0;
    const counted = {
      toJSON() {
        reads++;
        return metadata;
      },
    };
    for (const token of ["a", "b\n", "c"]) {
      const data = [{ type: "AIMessageChunk", content: token }, counted];
      assert.equal(formatServerSentEvent({ event: "messages", data }), `event: messages\ndata: ${JSON.stringify(data)}\n\n`);
    }
    // JSON.stringify above read it 3 times; the formatter once for all three events.
    assert.equal(reads, 4);
    assert.equal(formatServerSentEvent({ event: "messages|joke", data: [undefined, metadata] }), `event: messages|joke\ndata: ${JSON.stringify([undefined, metadata])}\n\n`);
  });
});

describe("eventStreamResponse heartbeats", () => {
  it("writes a comment every heartbeatMs while the source is quiet", async (context) => {
    context.mock.timers.enable({ apis: ["setInterval"] });
    const response = eventStreamResponse(
      async function* (signal) {
        await new Promise((resolve) => signal.addEventListener("abort", resolve));
      },
      { heartbeatMs: 1000 },
    );
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const next = reader.read();
    context.mock.timers.tick(1000);
    assert.deepEqual(await next, { done: false, value: ": heartbeat\n\n" });
    await reader.cancel();
  });
});
