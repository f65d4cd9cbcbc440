// Server cases (s1: one 5,000-token run; s50: 50 concurrent runs x 200 tokens), over HTTP with a
// plain client (node:http, counting `messages` events in the bytes). Each library runs its server and
// the client in one child process, the same way for every server, so the ratio compares servers:
// - weft-server: `createHandler` + `serve` with the default memory event log, messages-tuple mode;
// - raw-sse: a hand-written node:http SSE server that streams the same events (same JSON shape) from
//   an async generator and writes everything a turn produced in one socket write: the floor.
import { request as httpRequest, createServer } from "node:http";
import { TokenSource, check, makeTokens, measure, runChild } from "../lib/harness.mjs";

/** POST `body` to `url` and count the SSE events whose name starts with "messages". */
function streamRun(url, body) {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: "POST", headers: { "content-type": "application/json" }, agent: false }, (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`${url} answered ${response.statusCode}`));
        response.resume();
        return;
      }
      let messages = 0;
      let errors = 0;
      let tail = "";
      response.setEncoding("utf8");
      response.on("data", (text) => {
        const joined = tail + text;
        // Count whole events only: an event split across two reads is counted when its end arrives.
        const lastEnd = joined.lastIndexOf("\n\n");
        if (lastEnd < 0) {
          tail = joined;
          return;
        }
        const whole = joined.slice(0, lastEnd);
        tail = joined.slice(lastEnd + 2);
        let from = 0;
        for (;;) {
          const at = whole.indexOf("event: ", from);
          if (at < 0) break;
          if (whole.startsWith("messages", at + 7)) messages++;
          else if (whole.startsWith("error", at + 7)) errors++;
          from = at + 7;
        }
      });
      response.on("end", () => resolve({ messages, errors }));
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(JSON.stringify(body));
  });
}

/** Run `runs` concurrent streams of `tokens` tokens each against `url`; every token must arrive. */
async function measureServer(url, size, options, sources) {
  const body = { assistant_id: "agent", input: { topic: "cats" }, stream_mode: ["messages-tuple"] };
  return measure(
    async () => {
      for (const source of sources) source.reset();
      const started = performance.now();
      const results = await Promise.all(Array.from({ length: size.runs }, () => streamRun(url, body)));
      const delivered = results.reduce((sum, result) => sum + result.messages, 0);
      check(results.every((result) => result.errors === 0), `${url} sent an error event`);
      const produced = sources.reduce((sum, source) => sum + source.produced, 0);
      return { units: size.runs * size.tokens, produced, delivered, firstTokenMs: undefined, runMs: performance.now() - started };
    },
    { warmups: options.warmups },
  );
}

/** A pool of token sources, one per concurrent run, handed out in order and recycled. */
function sourcePool(size) {
  const sources = Array.from({ length: size.runs }, () => new TokenSource(makeTokens(size.tokens)));
  let next = 0;
  return { sources, take: () => sources[next++ % sources.length] };
}

async function weftServer(size, options) {
  const { BaseChatModel, START, StateGraph } = await import("weft");
  const { createHandler, serve } = await import("weft/server");
  const pool = sourcePool(size);
  class BenchChatModel extends BaseChatModel {
    provider = "bench";
    modelName = "bench-model";
    async *streamParts() {
      const source = pool.take();
      for (const token of source.tokens) {
        source.produced++;
        yield token;
      }
    }
  }
  const model = new BenchChatModel();
  const agent = new StateGraph()
    .addNode("callModel", async (state, config) => {
      const answer = await model.invoke([{ role: "user", content: `Write a story about ${state.topic}` }], config);
      return { text: answer.content };
    })
    .addEdge(START, "callModel")
    .compile();
  const server = await serve(createHandler({ graphs: { agent } }), { port: 0 });
  try {
    return await measureServer(`${server.url}/runs/stream`, size, options, pool.sources);
  } finally {
    await server.close();
  }
}

async function rawServer(size, options) {
  const pool = sourcePool(size);
  let runNumber = 0;
  async function* tokens(source) {
    for (const token of source.tokens) {
      source.produced++;
      yield token;
    }
  }
  const server = createServer((incoming, outgoing) => {
    incoming.resume();
    incoming.on("end", async () => {
      outgoing.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
      const runId = `run-${++runNumber}`;
      const metadata = JSON.stringify({ run_id: runId, langgraph_step: 1, langgraph_node: "callModel", langgraph_triggers: ["branch:to:callModel"], langgraph_path: ["__pregel_pull", "callModel"], langgraph_checkpoint_ns: "callModel:1", checkpoint_ns: "callModel:1", tags: [], ls_provider: "bench", ls_model_name: "bench-model", ls_model_type: "chat" });
      let pending = `event: metadata\ndata: ${JSON.stringify({ run_id: runId })}\n\n`;
      for await (const token of tokens(pool.take())) {
        pending += `event: messages\ndata: [${JSON.stringify({ type: "AIMessageChunk", id: runId, content: token, additional_kwargs: {}, response_metadata: {}, tool_calls: [], invalid_tool_calls: [], tool_call_chunks: [] })},${metadata}]\n\n`;
        // A producer without I/O never ends its turn by itself: every 16 KB it writes what it has in
        // one write and yields to the event loop (waiting for "drain" when the socket is full).
        if (pending.length >= 16384) {
          const written = outgoing.write(pending);
          pending = "";
          if (!written) await new Promise((resolve) => outgoing.once("drain", resolve));
          else await new Promise((resolve) => setImmediate(resolve));
        }
      }
      outgoing.end(`${pending}event: end\ndata: null\n\n`);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    return await measureServer(`http://127.0.0.1:${server.address().port}/runs/stream`, size, options, pool.sources);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/** The LangGraph.js API server (`@langchain/langgraph-api`, in memory, in this process) serving the same graph. */
async function langGraphApiServer(size, options) {
  process.env.BENCH_TOKENS = String(size.tokens);
  const { mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { fileURLToPath } = await import("node:url");
  const { startServer } = await import("@langchain/langgraph-api/server");
  // It keeps its records in files under cwd: a scratch directory per child.
  const cwd = mkdtempSync(join(tmpdir(), "weft-bench-lgapi-"));
  const graphPath = fileURLToPath(new URL("./langgraph-api-graph.mjs", import.meta.url));
  const port = 20000 + (process.pid % 20000);
  const { cleanup } = await startServer({ port, nWorkers: 1, host: "127.0.0.1", cwd, graphs: { agent: `${graphPath}:graph` } });
  const counter = { reset: () => (globalThis.benchProduced = 0), get produced() { return globalThis.benchProduced ?? 0; } };
  try {
    return await measureServer(`http://127.0.0.1:${port}/runs/stream`, size, options, [counter]);
  } finally {
    await cleanup();
    rmSync(cwd, { recursive: true, force: true });
  }
}

const SERVERS = { weft: weftServer, raw: rawServer, "langgraph-api": langGraphApiServer };
const serveCase = (size, options) => SERVERS[process.env.BENCH_SERVER](size, options);
await runChild({ s1: serveCase, s50: serveCase }, process.argv);
// The LangGraph API server keeps timers and workers alive after cleanup.
process.exit(0);
