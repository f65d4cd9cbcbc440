// ChatOpenAI's failure paths over a real socket: retries, errors after N tokens, resets, malformed
// lines, stalls, and aborts that must close the HTTP request within 50 ms.
// npm test runs this file alone (scripts/run-tests.mjs): its abort checks bound a latency.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { performance } from "node:perf_hooks";
import OpenAI from "openai";
import { START, StateGraph, WeftError, type NodeConfig } from "weft";
import { ChatOpenAI } from "weft/openai";
import { FaultPlan, startOpenAICompatibleServer, type ScriptedResponse } from "weft/testing";
import { collectGarbage } from "./support/collect-garbage.js";
import { withTimeout } from "./reliability/support.js";

const POEM = ["Soft ", "paws ", "at ", "dawn, ", "a ", "purr ", "like ", "rain; ", "the ", "cat ", "returns ", "to ", "sleep ", "again."];

async function withServer<Result>(responses: ScriptedResponse[], run: (url: string, server: Awaited<ReturnType<typeof startOpenAICompatibleServer>>) => Promise<Result>) {
  const server = await startOpenAICompatibleServer({ responses });
  try {
    return await run(server.url, server);
  } finally {
    await server.close();
  }
}

/** A one-node graph that asks `model` for a poem; used to see what a failure looks like to a graph's caller. */
function poemGraph(model: ChatOpenAI) {
  type State = { poem: string };
  return new StateGraph<State>()
    .addNode("write", async (_state: State, config: NodeConfig) => ({ poem: (await model.invoke("Write a short poem about cats", config)).content }))
    .addEdge(START, "write")
    .compile();
}

/** Drain a messages-mode stream; returns the tokens seen and the error it ended with. */
async function drain(stream: AsyncIterable<[{ text: string }, unknown]>) {
  const tokens: string[] = [];
  try {
    for await (const [chunk] of stream) if (chunk.text) tokens.push(chunk.text);
  } catch (error) {
    return { tokens, error };
  }
  return { tokens, error: undefined };
}

function isWeftError(error: unknown, code: string): error is WeftError {
  return WeftError.isInstance(error) && error.code === code;
}

/** A quiet client: the SDK logs malformed lines to the console, which would clutter test output. */
function quietClient(url: string) {
  return new OpenAI({ apiKey: "sk-test", baseURL: url, logLevel: "off" });
}

describe("ChatOpenAI: HTTP errors and retries", () => {
  it("429 then 500 before the first token are retried by the SDK and the call succeeds", async () => {
    await withServer([{ status: 429, retryAfterMs: 1 }, { status: 500, retryAfterMs: 1 }, { text: ["ok"] }], async (url, server) => {
      const model = new ChatOpenAI({ model: "m", baseURL: url, maxRetries: 2 });
      assert.equal((await model.invoke("hi")).content, "ok");
      assert.equal(server.requests.length, 3);
    });
  });

  it("Retry-After in seconds is honoured too", async () => {
    await withServer([{ status: 503, retryAfterSeconds: 0.01 }, { text: ["ok"] }], async (url, server) => {
      const model = new ChatOpenAI({ model: "m", baseURL: url, maxRetries: 1 });
      assert.equal((await model.invoke("hi")).content, "ok");
      assert.equal(server.requests.length, 2);
    });
  });

  it("when retries run out: MODEL_CALL with status, isRetryable, the cause, and exactly maxRetries + 1 requests", async () => {
    await withServer([{ status: 503, times: 3, retryAfterMs: 1, errorMessage: "Overloaded." }], async (url, server) => {
      const model = new ChatOpenAI({ model: "m", baseURL: url, maxRetries: 2 });
      const error = await model.invoke("hi").catch((caught: unknown) => caught);
      assert.ok(isWeftError(error, "MODEL_CALL"), String(error));
      assert.equal(error.details.status, 503);
      assert.equal(error.details.isRetryable, true);
      assert.equal(error.details.partialText, "");
      assert.equal(error.details.provider, "openai");
      assert.match(error.message, /answered HTTP 503: Overloaded\. .*raise `maxRetries`/);
      assert.equal((error.cause as { status?: number }).status, 503);
      assert.equal(server.requests.length, 3);
    });
  });

  it("a 400 is not retried and is not retryable; a 401 says to check the key", async () => {
    await withServer([{ status: 400, errorMessage: "Bad temperature" }, { status: 401 }], async (url, server) => {
      const model = new ChatOpenAI({ model: "m", baseURL: url, maxRetries: 3 });
      const bad = await model.invoke("hi").catch((caught: unknown) => caught);
      assert.ok(isWeftError(bad, "MODEL_CALL"));
      assert.deepEqual([bad.details.status, bad.details.isRetryable], [400, false]);
      assert.equal(server.requests.length, 1);
      const unauthorized = await model.invoke("hi").catch((caught: unknown) => caught);
      assert.ok(isWeftError(unauthorized, "MODEL_CALL"));
      assert.match(unauthorized.message, /HTTP 401.*OPENAI_API_KEY/);
      assert.equal(server.requests.length, 2);
    });
  });

  it("a connection dropped before any answer: a clear connection error, retryable", async () => {
    await withServer([{ dropConnection: true }], async (url, server) => {
      const model = new ChatOpenAI({ model: "m", baseURL: url, maxRetries: 0 });
      const error = await model.invoke("hi").catch((caught: unknown) => caught);
      assert.ok(isWeftError(error, "MODEL_CALL"), String(error));
      assert.match(error.message, /No answer from OpenAI-compatible server http:\/\/127\.0\.0\.1:\d+\/v1 \(model "m"\): other side closed\. Check that the server runs/);
      assert.equal(error.details.isRetryable, true);
      assert.equal(error.details.partialText, "");
      assert.equal(server.requests.length, 1);
    });
  });

  it("a server that is not there: a clear connection error, retryable", async () => {
    const server = await startOpenAICompatibleServer();
    const url = server.url;
    await server.close();
    const model = new ChatOpenAI({ model: "m", baseURL: url, maxRetries: 0 });
    const error = await model.invoke("hi").catch((caught: unknown) => caught);
    assert.ok(isWeftError(error, "MODEL_CALL"));
    assert.match(error.message, /No answer from OpenAI-compatible server http:\/\/127\.0\.0\.1:\d+\/v1 \(model "m"\): connect ECONNREFUSED .*baseURL/);
    assert.equal(error.details.isRetryable, true);
  });
});

describe("ChatOpenAI: failures mid-stream keep the tokens already streamed", () => {
  it("a reset after 4 tokens: the graph's caller gets those 4 tokens, then MODEL_CALL with partialText", async () => {
    await withServer([{ text: POEM, resetAfterChunks: 4 }], async (url) => {
      const model = new ChatOpenAI({ model: "m", baseURL: url, maxRetries: 0 });
      const { tokens, error } = await drain(poemGraph(model).stream({ poem: "" }, { streamMode: "messages" }));
      assert.deepEqual(tokens, POEM.slice(0, 4));
      assert.ok(isWeftError(error, "MODEL_CALL"), String(error));
      assert.equal(error.details.partialText, POEM.slice(0, 4).join(""));
      assert.equal(error.details.isRetryable, true);
      assert.equal(error.node, "write");
      assert.match(error.message, /closed before the answer was complete after 19 characters/);
    });
  });

  it("a malformed SSE line after 2 tokens: those tokens, then a clear MODEL_CALL error", async () => {
    await withServer([{ text: POEM, malformedAfterChunks: 2 }], async (url) => {
      const model = new ChatOpenAI({ model: "m", client: quietClient(url) });
      const { tokens, error } = await drain(poemGraph(model).stream({ poem: "" }, { streamMode: "messages" }));
      assert.deepEqual(tokens, POEM.slice(0, 2));
      assert.ok(isWeftError(error, "MODEL_CALL"), String(error));
      assert.match(error.message, /sent a stream line that is not valid JSON after 10 characters/);
      assert.equal(error.details.partialText, "Soft paws ");
      assert.equal(error.details.isRetryable, false);
    });
  });

  it("an error event in the stream after 3 tokens surfaces the server's message", async () => {
    const line = 'data: {"error":{"message":"The model is overloaded","type":"server_error"}}';
    await withServer([{ text: POEM, malformedAfterChunks: 3, malformedLine: line }], async (url) => {
      const model = new ChatOpenAI({ model: "m", baseURL: url });
      const error = await model.invoke("hi").catch((caught: unknown) => caught);
      assert.ok(isWeftError(error, "MODEL_CALL"));
      assert.match(error.message, /The model is overloaded/);
      assert.equal(error.details.partialText, POEM.slice(0, 3).join(""));
    });
  });

  it("a stream that stalls is closed after `timeout` ms without data, never a hang", async () => {
    await withServer([{ text: POEM, stallAfterChunks: 2 }], async (url, server) => {
      const model = new ChatOpenAI({ model: "m", baseURL: url, timeout: 100 });
      const error = await model.invoke("hi").catch((caught: unknown) => caught);
      assert.ok(isWeftError(error, "MODEL_CALL"));
      assert.match(error.message, /sent nothing for 100 ms after 10 characters/);
      assert.equal(error.details.partialText, "Soft paws ");
      assert.equal((await server.requests[0]!.closed).completed, false);
    });
  });
});

describe("ChatOpenAI: the stall timeout counts only the server's silence", () => {
  it("a consumer slower than `timeout` between chunks does not trip it", async () => {
    await withServer([{ text: ["a", "b", "c"] }], async (url) => {
      const model = new ChatOpenAI({ model: "m", baseURL: url, timeout: 60 });
      const tokens: string[] = [];
      for await (const chunk of model.stream("hi")) {
        if (!chunk.content) continue;
        tokens.push(chunk.content);
        // A deliberately slow consumer: holds each token longer than the timeout.
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual(tokens, ["a", "b", "c"]);
    });
  });
});

describe("ChatOpenAI: abort closes the HTTP request within 50 ms", () => {
  /**
   * Stream a stalled answer, run `abort` after 3 tokens, and measure until the server sees the socket
   * close. On a loaded 2-core machine one run can be descheduled for tens of ms, so every one of
   * ATTEMPTS runs is measured and their p90 (the 18th fastest of 20) must be within budget: two slow
   * runs are tolerated, a slow path in most runs is not. Every run must still close the socket
   * (within 2 s) and keep its tokens.
   */
  const ATTEMPTS = 20;
  async function measureAbort(start: (model: ChatOpenAI) => { tokens: AsyncIterable<string>; abort: () => void }) {
    const attempts: Awaited<ReturnType<typeof measureOnce>>[] = [];
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) attempts.push(await measureOnce(start));
    const sorted = attempts.map((result) => result.elapsedMs).sort((a, b) => a - b);
    return {
      attempts,
      p90Ms: sorted[Math.ceil(0.9 * ATTEMPTS) - 1]!,
      figures: attempts.map((result) => `${result.elapsedMs.toFixed(2)} ms`).join(", "),
    };
  }

  async function measureOnce(start: (model: ChatOpenAI) => { tokens: AsyncIterable<string>; abort: () => void }) {
    return withServer([{ text: POEM, stallAfterChunks: 3 }], async (url, server) => {
      const model = new ChatOpenAI({ model: "m", baseURL: url });
      const { tokens, abort } = start(model);
      const seen: string[] = [];
      let abortedAt = 0;
      let error: unknown;
      try {
        for await (const token of tokens) {
          seen.push(token);
          if (seen.length === 3) {
            abortedAt = performance.now();
            abort();
          }
        }
      } catch (caught) {
        error = caught;
      }
      let guard: NodeJS.Timeout | undefined;
      const stillOpen = new Promise<never>((_, reject) => {
        guard = setTimeout(() => reject(new Error("the server still had the socket open 2 s after the abort")), 2_000);
      });
      const closed = await Promise.race([server.requests[0]!.closed, stillOpen]).finally(() => clearTimeout(guard));
      return { seen, error, closed, elapsedMs: closed.at - abortedAt };
    });
  }

  async function* contents(stream: AsyncIterable<[{ text: string }, unknown]>) {
    for await (const [chunk] of stream) if (chunk.text) yield chunk.text;
  }

  it("the call's own signal", async (t) => {
    const result = await measureAbort((model) => {
      const controller = new AbortController();
      return {
        tokens: (async function* () {
          for await (const chunk of model.stream("poem", { signal: controller.signal })) if (chunk.content) yield chunk.content;
        })(),
        abort: () => controller.abort(),
      };
    });
    for (const attempt of result.attempts) {
      assert.deepEqual(attempt.seen, POEM.slice(0, 3));
      assert.ok(isWeftError(attempt.error, "ABORTED"), String(attempt.error));
      assert.equal(attempt.closed.completed, false);
    }
    t.diagnostic(`socket closed after abort: ${result.figures}`);
    assert.ok(result.p90Ms < 50, `socket closed after abort (p90 of ${ATTEMPTS} under 50 ms): ${result.figures}`);
  });

  it("the run's signal option and stream.abort() in a graph", async (t) => {
    for (const how of ["signal", "stream.abort()"] as const) {
      const result = await measureAbort((model) => {
        const controller = new AbortController();
        const stream = poemGraph(model).stream({ poem: "" }, { streamMode: "messages", signal: controller.signal });
        return { tokens: contents(stream), abort: () => (how === "signal" ? controller.abort() : stream.abort()) };
      });
      for (const attempt of result.attempts) {
        assert.deepEqual(attempt.seen, POEM.slice(0, 3), how);
        assert.ok(isWeftError(attempt.error, "ABORTED"), `${how}: ${String(attempt.error)}`);
        assert.equal(attempt.closed.completed, false);
      }
      t.diagnostic(`${how}: socket closed after abort: ${result.figures}`);
      assert.ok(result.p90Ms < 50, `${how}: socket closed after abort (p90 of ${ATTEMPTS} under 50 ms): ${result.figures}`);
    }
  });

  it("leaving the for-await loop of a graph stream", async (t) => {
    const result = await measureAbort((model) => {
      const stream = poemGraph(model).stream({ poem: "" }, { streamMode: "messages" });
      let stop = false;
      return {
        tokens: (async function* () {
          for await (const [chunk] of stream) {
            if (chunk.text) yield chunk.text;
            if (stop) break;
          }
        })(),
        abort: () => (stop = true),
      };
    });
    for (const attempt of result.attempts) {
      assert.deepEqual(attempt.seen, POEM.slice(0, 3));
      assert.equal(attempt.error, undefined);
      assert.equal(attempt.closed.completed, false);
    }
    t.diagnostic(`socket closed after leaving the loop: ${result.figures}`);
    assert.ok(result.p90Ms < 50, `socket closed after leaving the loop (p90 of ${ATTEMPTS} under 50 ms): ${result.figures}`);
  });

  it("a call's signal of AbortSignal.any() with a timeout still aborts it after a garbage collection (Node 20 holds its sources weakly)", async () => {
    await withServer([{ text: POEM, stallAfterChunks: 3 }], async (url, server) => {
      const model = new ChatOpenAI({ model: "m", baseURL: url });
      const seen: string[] = [];
      const ended = (async () => {
        try {
          for await (const chunk of model.stream("poem", { signal: AbortSignal.any([new AbortController().signal, AbortSignal.timeout(200)]) })) {
            if (!chunk.content) continue;
            seen.push(chunk.content);
            // The call now waits on the stalled server; nothing but its signal refers to the timeout's.
            if (seen.length === 3) collectGarbage();
          }
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      const error = await withTimeout(ended, 5_000, "the 200 ms timeout aborting the call");
      assert.deepEqual(seen, POEM.slice(0, 3));
      assert.ok(isWeftError(error, "ABORTED"), String(error));
      assert.equal((await server.requests[0]!.closed).completed, false);
    });
  });

  it("an abort while the SDK waits to retry ends the call at once", async () => {
    // Kept short: the SDK's own sleep cannot be cancelled and holds the event loop until it ends.
    await withServer([{ status: 503, retryAfterMs: 800 }], async (url) => {
      const model = new ChatOpenAI({ model: "m", baseURL: url, maxRetries: 1 });
      const controller = new AbortController();
      const call = model.invoke("hi", { signal: controller.signal });
      const startedAt = performance.now();
      setTimeout(() => controller.abort(), 50);
      const error = await call.catch((caught: unknown) => caught);
      assert.ok(isWeftError(error, "ABORTED"), String(error));
      assert.ok(performance.now() - startedAt < 400, "did not wait out the 800 ms Retry-After");
    });
  });
});

describe("seeded faults", () => {
  it("the same seed gives the same faults; another seed gives others", () => {
    const draw = (seed: number) => {
      const plan = new FaultPlan({ seed, probability: 0.5 });
      return Array.from({ length: 40 }, () => plan.next(10));
    };
    assert.deepEqual(draw(7), draw(7));
    assert.notDeepEqual(draw(7), draw(8));
    assert.ok(draw(7).some((fault) => fault !== undefined) && draw(7).some((fault) => fault === undefined));
  });

  it("under random faults every call either returns the whole text or fails with a prefix of it, never hangs", async () => {
    const server = await startOpenAICompatibleServer({ responses: [{ text: POEM }], randomFaults: { seed: 42, probability: 0.5 } });
    try {
      const model = new ChatOpenAI({ model: "m", client: new OpenAI({ apiKey: "k", baseURL: server.url, logLevel: "off", maxRetries: 1 }), timeout: 2_000 });
      const outcomes = { ok: 0, failed: 0 };
      for (let call = 0; call < 30; call++) {
        try {
          assert.equal((await model.invoke("poem")).content, POEM.join(""));
          outcomes.ok++;
        } catch (error) {
          assert.ok(isWeftError(error, "MODEL_CALL"), String(error));
          assert.ok(POEM.join("").startsWith(error.details.partialText as string));
          outcomes.failed++;
        }
      }
      assert.ok(outcomes.ok > 0 && outcomes.failed > 0, JSON.stringify(outcomes));
      assert.ok(server.requests.some((request) => request.fault !== undefined));
    } finally {
      await server.close();
    }
  });
});
