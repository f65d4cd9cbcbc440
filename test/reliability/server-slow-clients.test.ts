// Stalled SSE clients: 50 runs of 20,000 tokens each, every client stops reading after its first
// event and resumes only once every run has ended. The event log's blocks stay within its byte bound,
// the heap keeps no events, the server's resident set, once it is idle, is within the log's bound of
// where it started (plus a fixed allowance), and every client that resumes gets every token, or an
// explicit EVENTS_LOST error naming the lost ids, after which Last-Event-ID continues with the events
// still kept and the thread's state holds the whole answer. WEFT_RELIABILITY_LONG=1 runs 100 clients.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { after, before, it } from "node:test";
import { type ParsedEvent, postJson, readSse } from "../server/fixtures.js";
import { recordFigures, withTimeout } from "./support.js";

const CLIENTS = process.env.WEFT_RELIABILITY_LONG === "1" ? 100 : 50;
const TOKENS = 20_000;
const MAX_BYTES_PER_RUN = 1024 * 1024;
const MAX_BYTES = 64 * 1024 * 1024;
// What the server may hold beyond its start and the log's bound once idle: V8's heap after a burst
// (young generation at its smallest, old generation with its working slack) and the C allocator's
// native state (measured beyond the log: +7 MiB on Node 22, +16 on Node 24). Node 20's V8 (11) has no
// memory-reducing collection reachable from JavaScript: its full collection keeps the pages V8 pooled
// during the burst, 61-156 MiB from run to run (docs/server.md "Memory"), so it gets a larger allowance.
const V8_KEEPS_POOLED_PAGES = Number(process.versions.v8.split(".")[0]) < 12;
const ALLOWANCE = (V8_KEEPS_POOLED_PAGES ? 160 : 96) * 1024 * 1024;
const tokens = Array.from({ length: TOKENS }, (_, index) => `t${index} `);

/** The server process's resident memory and its peak so far, in bytes (Linux /proc). */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]) * 1024;
  return { rss: kib("VmRSS"), peak: kib("VmHWM") };
}

let child: ChildProcess;
let lines: AsyncIterator<string>;

/** The server's memory right after a full garbage collection: what it retains. */
interface MemoryReport {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}
async function retainedOf(): Promise<MemoryReport> {
  child.stdin!.write("gc\n");
  return JSON.parse((await withTimeout(lines.next(), 30_000, "the server's memory report")).value as string) as MemoryReport;
}
/** The server's resident set after its next idle check (idle-memory.ts), and what that check reclaimed. */
async function idleOf(): Promise<{ rss: number; reclaimed?: { rssBefore: number; rssAfter: number; pauseMs: number } }> {
  child.stdin!.write("idle\n");
  return JSON.parse((await withTimeout(lines.next(), 30_000, "the server's idle check")).value as string);
}
let server: { url: string };
before(async () => {
  child = spawn(
    process.execPath,
    ["--expose-gc", "--conditions=source", "--import", "tsx", new URL("./fixtures/slow-clients-server.ts", import.meta.url).pathname, String(TOKENS), String(CLIENTS), String(MAX_BYTES_PER_RUN), String(MAX_BYTES)],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  server = JSON.parse((await withTimeout(lines.next(), 30_000, "the server starting")).value as string) as { url: string };
});
after(async () => {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
});

it(`${CLIENTS} stalled clients x ${TOKENS} tokens: every token or an explicit gap, memory within the bound`, async (context) => {
  // Warm up (one run, read to the end), so the baseline includes the code paths the runs use.
  const warm = await (await postJson(`${server.url}/threads`, {})).json();
  await readSse(await postJson(`${server.url}/threads/${warm.thread_id}/runs/stream`, { assistant_id: "joke-poem", input: { topic: "warm" }, stream_mode: "messages-tuple" }));
  const start = memoryOf(child.pid!);
  const startRetained = await retainedOf();
  // The same load read promptly: what the server holds for 50 runs whose clients keep up (the runs'
  // logs, kept for their TTL, and their threads' state), to compare the stalled clients with.
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const thread = await (await postJson(`${server.url}/threads`, {})).json();
      const events = await readSse(await postJson(`${server.url}/threads/${thread.thread_id}/runs/stream`, { assistant_id: "joke-poem", input: { topic: "load" }, stream_mode: "messages-tuple" }));
      // A client reading as fast as it can still falls behind a model with no delay on a busy machine:
      // it gets every token, or an explicit gap, as the stalled clients below.
      const received = events.filter((event) => event.event === "messages").map((event) => (event.data as [{ content: string }])[0].content);
      const lost = events.find((event) => event.event === "error");
      if (lost === undefined) assert.deepEqual(received, [...tokens, "ok"], "a prompt client without a gap got every token in order");
      else {
        assert.equal((lost.data as { error: string }).error, "EVENTS_LOST");
        assert.deepEqual(received, tokens.slice(0, received.length), "before its gap, a prompt client got the tokens in order");
      }
    }),
  );
  const promptIdle = await idleOf();
  const promptRetained = await retainedOf();
  const threads: string[] = [];
  const streams: Array<{ response: Response; reader: ReadableStreamDefaultReader<Uint8Array>; first: ParsedEvent[] }> = [];
  for (let index = 0; index < CLIENTS; index++) {
    const thread = await (await postJson(`${server.url}/threads`, {})).json();
    threads.push(thread.thread_id);
    const response = await postJson(`${server.url}/threads/${thread.thread_id}/runs/stream`, { assistant_id: "joke-poem", input: { topic: "load" }, stream_mode: "messages-tuple" });
    assert.equal(response.status, 200);
    streams.push({ response, reader: undefined as never, first: [] });
  }
  // Every run ends while its client reads nothing.
  const runIds = streams.map((each) => each.response.headers.get("content-location")!.split("/").at(-1)!);
  for (const [index, runId] of runIds.entries()) {
    await withTimeout(fetch(`${server.url}/threads/${threads[index]}/runs/${runId}/join`).then((response) => response.json()), 300_000, `run ${index} ending`);
  }
  const stalled = memoryOf(child.pid!);
  const stalledIdle = await idleOf();
  const stalledRetained = await retainedOf();
  let complete = 0;
  let gaps = 0;
  let tokensDelivered = 0;
  for (const [index, each] of streams.entries()) {
    const events = await readSse(each.response);
    const received = events.filter((event) => event.event === "messages").map((event) => (event.data as [{ content: string }])[0].content);
    tokensDelivered += received.length;
    const lost = events.find((event) => event.event === "error");
    if (lost === undefined) {
      assert.deepEqual(received, [...tokens, "ok"], `client ${index}: every token in order`);
      complete++;
      continue;
    }
    gaps++;
    const data = lost.data as { error: string; lost_after_id: string; last_lost_id: string; message: string };
    assert.equal(data.error, "EVENTS_LOST");
    assert.match(data.message, /GET \/threads\/\{thread_id\}\/state/);
    assert.equal(lost.id, data.last_lost_id);
    // What the client received before the gap is a prefix, and the ids say exactly what is missing.
    assert.deepEqual(received, tokens.slice(0, received.length));
    // Resume after the gap: the events still kept, ending with the run's last token.
    const resumed = await readSse(await fetch(`${server.url}/threads/${threads[index]}/runs/${runIds[index]}/stream`, { headers: { "Last-Event-ID": lost.id! } }));
    assert.equal(Number(resumed[0]!.id), Number(lost.id) + 1, "continues right after the lost ids");
    const rest = resumed.filter((event) => event.event === "messages").map((event) => (event.data as [{ content: string }])[0].content);
    assert.deepEqual(rest.at(-1), "ok");
    const lostCount = Number(data.last_lost_id) - Number(data.lost_after_id);
    assert.equal(received.length + lostCount + rest.length, TOKENS + 1, "received + lost + resumed = every token, none twice");
    const state = await (await fetch(`${server.url}/threads/${threads[index]}/state`)).json();
    assert.equal(state.values.joke, tokens.join(""), "the thread's state holds the whole answer");
  }
  const end = memoryOf(child.pid!);
  const figures = {
    clients: CLIENTS,
    tokensPerRun: TOKENS,
    complete,
    gaps,
    tokensDeliveredBeforeGaps: tokensDelivered,
    maxBytesPerRun: MAX_BYTES_PER_RUN,
    maxBytes: MAX_BYTES,
    serverStartRssMiB: Math.round(start.rss / 2 ** 20),
    serverRssWhileStalledMiB: Math.round(stalled.rss / 2 ** 20),
    serverRssIdlePromptClientsMiB: Math.round(promptIdle.rss / 2 ** 20),
    serverRssIdleWhileStalledMiB: Math.round(stalledIdle.rss / 2 ** 20),
    reclaimedAfterPromptMiB: promptIdle.reclaimed && Math.round((promptIdle.reclaimed.rssBefore - promptIdle.reclaimed.rssAfter) / 2 ** 20),
    reclaimedWhileStalledMiB: stalledIdle.reclaimed && Math.round((stalledIdle.reclaimed.rssBefore - stalledIdle.reclaimed.rssAfter) / 2 ** 20),
    reclaimPauseMs: [promptIdle.reclaimed?.pauseMs, stalledIdle.reclaimed?.pauseMs].map((pause) => pause && Math.round(pause)),
    serverPeakRssMiB: Math.round(end.peak / 2 ** 20),
    serverHeapAfterGcStartMiB: Math.round(startRetained.heapUsed / 2 ** 20),
    serverHeapAfterGcWhileStalledMiB: Math.round(stalledRetained.heapUsed / 2 ** 20),
    serverRssAfterGcStartMiB: Math.round(startRetained.rss / 2 ** 20),
    serverRssAfterGcPromptClientsMiB: Math.round(promptRetained.rss / 2 ** 20),
    serverHeapAfterGcPromptClientsMiB: Math.round(promptRetained.heapUsed / 2 ** 20),
    serverRssAfterGcWhileStalledMiB: Math.round(stalledRetained.rss / 2 ** 20),
    serverHeapTotalAfterGcStartMiB: Math.round(startRetained.heapTotal / 2 ** 20),
    serverHeapTotalAfterGcWhileStalledMiB: Math.round(stalledRetained.heapTotal / 2 ** 20),
    serverExternalAfterGcWhileStalledMiB: Math.round(stalledRetained.external / 2 ** 20),
    serverArrayBuffersAfterGcWhileStalledMiB: Math.round(stalledRetained.arrayBuffers / 2 ** 20),
  };
  recordFigures(context, "server-slow-clients", figures);
  assert.equal(complete + gaps, CLIENTS);
  // The event log keeps its events outside the heap (event-blocks.ts), and maxBytes bounds the blocks
  // they take: the array buffers hold at most that, the log's spare blocks (4 MiB) and socket buffers.
  assert.ok(stalledRetained.arrayBuffers < MAX_BYTES + 8 * 2 ** 20, `${Math.round(stalledRetained.arrayBuffers / 2 ** 20)} MiB of array buffers (the log's blocks)`);
  // Threads, runs and checkpoints are in SQLite, so what the heap keeps is neither events nor state.
  const heapGrowth = stalledRetained.heapUsed - startRetained.heapUsed;
  assert.ok(heapGrowth < 16 * 2 ** 20, `the heap kept ${Math.round(heapGrowth / 2 ** 20)} MiB more after GC while the clients stalled`);
  // Stalled clients leave no more heap than the same load read promptly (the log's memory is bounded
  // by maxBytes either way, asserted above).
  const stalledOverPrompt = stalledRetained.heapUsed - promptRetained.heapUsed;
  assert.ok(stalledOverPrompt < 8 * 2 ** 20, `stalled clients kept ${Math.round(stalledOverPrompt / 2 ** 20)} MiB more heap than prompt ones`);
  // Once idle, the server has given back what the burst of 1,000,000 tokens made V8 commit: its
  // resident set is within the log's bound (and a fixed allowance) of where it started.
  const idleGrowth = stalledIdle.rss - start.rss;
  assert.ok(idleGrowth < MAX_BYTES + ALLOWANCE, `idle with ${CLIENTS} stalled clients, the server's RSS grew ${Math.round(idleGrowth / 2 ** 20)} MiB (bound ${Math.round((MAX_BYTES + ALLOWANCE) / 2 ** 20)})`);
});
