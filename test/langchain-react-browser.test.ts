// The real useStream hook of @langchain/react v1 (the Agent Streaming Protocol: POST /threads/:id/commands
// and POST /threads/:id/stream/events) in headless Chromium against `weft serve` (startServe) serving a
// ReAct agent on a paced scripted model: the answer grows token by token, the tool call renders with its
// result, the final text is the thread's state, a second turn keeps the history, regenerate forks from
// the answer's parent checkpoint, stop() cancels the run on the server, a reload mid-run resumes without
// a gap or a duplicate, and an interrupt shows and is resumed. Run on the embedded
// default (SQLite records, checkpoints and run events) and on Postgres + Redis. Fails, not skips, when Chromium is missing.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { Redis } from "ioredis";
import type { Browser, Page } from "playwright-core";
import { bundlePage, launchChromium, watchPage } from "./support/chromium.js";
import { startServe } from "../src/cli/serve-command.js";
import type { RunningServer } from "weft/server";
import { ANSWER, llm } from "./fixtures/langchain-react-agent.js";

const PAGE = fileURLToPath(new URL("./fixtures/langchain-react-chat-page.ts", import.meta.url));
const AGENT_MODULE = fileURLToPath(new URL("./fixtures/langchain-react-agent.ts", import.meta.url));
const POSTGRES = process.env.WEFT_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";
const REDIS = process.env.WEFT_TEST_REDIS ?? "redis://127.0.0.1:6379";

let pageServer: Server;
let pageOrigin: string;
let browser: Browser;

before(async () => {
  const bundle = await bundlePage(PAGE, "iife");
  pageServer = createServer((req, res) => {
    const path = new URL(req.url!, "http://x").pathname;
    if (path === "/") res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end('<!doctype html><title>chat</title><link rel="icon" href="data:,"><div id="root"></div><script src="/app.js"></script>');
    else if (path === "/app.js") res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(bundle);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => pageServer.listen(0, "127.0.0.1", resolve));
  pageOrigin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => pageServer?.close(resolve));
});

/** The rendered text of every AI message, in order. */
const aiTexts = (page: Page) => page.evaluate(() => Array.from(document.querySelectorAll('li[data-role="ai"] p.text'), (p) => p.textContent));

async function waitForLastAi(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (expected) => Array.from(document.querySelectorAll('li[data-role="ai"] p.text')).at(-1)?.textContent === expected,
    text,
    { timeout: 10_000 },
  );
}

async function waitReady(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.status === "ready", undefined, { timeout: 10_000 });
}

async function ask(page: Page, text: string): Promise<void> {
  await waitReady(page);
  await page.fill("#input", text);
  await page.click("#send");
}

/** The thread's state as the server keeps it (the legacy route the hook also reads). */
async function stateOf(server: RunningServer, threadId: string): Promise<{ values: { messages: Array<{ type: string; content: string }> } }> {
  const response = await fetch(`${server.url}/threads/${threadId}/state`);
  assert.equal(response.status, 200);
  return (await response.json()) as never;
}

/**
 * The event streams the hook holds open while a run streams, which a reload cuts: the controller's root
 * pump (values, checkpoints, lifecycle, input, messages, tools) and its ThreadStream's lifecycle watcher.
 */
const OPEN_EVENT_STREAMS = 2;

async function runsOf(server: RunningServer, threadId: string): Promise<Array<{ run_id: string; status: string }>> {
  return (await (await fetch(`${server.url}/threads/${threadId}/runs?limit=100`)).json()) as never;
}

/** The whole scenario against one server; the model's script starts at its first response. */
async function chatScenario(server: RunningServer): Promise<void> {
  const page = await browser.newPage();
  const { failedRequests, errorResponses, consoleErrors } = watchPage(page);
  await page.goto(`${pageOrigin}/?api=${encodeURIComponent(server.url)}`);
  const callsBefore = llm.calls.length;

  // Turn 1: a few words and a tool call; the tool's result renders; then the answer, token by token.
  await ask(page, "Weather in Oslo?");
  llm.release(3);
  await waitForLastAi(page, "Let me check.");
  await page.waitForSelector('li.tool[data-tool="get_weather"]', { timeout: 10_000 });
  assert.equal(await page.textContent('li.tool[data-tool="get_weather"] .input'), '{"city":"Oslo"}');
  await page.waitForFunction(() => document.querySelector('li.tool[data-tool="get_weather"] output')?.textContent?.includes("Sunny in Oslo"), undefined, { timeout: 10_000 });
  const seen: string[] = [];
  for (let count = 1; count <= ANSWER.length; count++) {
    llm.release();
    const prefix = ANSWER.slice(0, count).join("");
    await waitForLastAi(page, prefix); // exactly this many tokens show before the next is let out
    seen.push(prefix);
  }
  assert.equal(seen.length, 6, "the answer was seen at six increasing lengths");
  await waitReady(page);
  const threadId = new URL(page.url()).searchParams.get("thread")!;
  assert.match(threadId, /^[0-9a-f-]{36}$/, "the hook made the thread id and the server created the thread on run.start");
  const state = await stateOf(server, threadId);
  assert.deepEqual(
    state.values.messages.map((message) => [message.type, message.content]),
    [["human", "Weather in Oslo?"], ["ai", "Let me check."], ["tool", "Sunny in Oslo"], ["ai", "It is sunny in Oslo today."]],
  );
  assert.deepEqual(await aiTexts(page), ["Let me check.", "It is sunny in Oslo today."], "the rendered answer is the thread's state");

  // Turn 2: the model's call gets the first turn from the thread.
  await ask(page, "What did I ask?");
  llm.release(4);
  await waitForLastAi(page, "You asked about Oslo.");
  await waitReady(page);
  assert.deepEqual(
    llm.calls[callsBefore + 2]!.map((message) => [message.role, message.text]),
    [["user", "Weather in Oslo?"], ["assistant", "Let me check."], ["tool", "Sunny in Oslo"], ["assistant", "It is sunny in Oslo today."], ["user", "What did I ask?"]],
  );

  // Regenerate the second answer: the hook forks from the message's parent checkpoint (the state before
  // the model answered), so the new answer replaces the old one and the model sees the same history.
  const parentCheckpoint = await page.getAttribute('li[data-role="ai"]:last-of-type', "data-parent-checkpoint");
  const history = (await (await fetch(`${server.url}/threads/${threadId}/history`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ limit: 100 }) })).json()) as Array<{
    checkpoint: { checkpoint_id: string };
    next: string[];
    values: { messages: Array<{ content: string }> };
  }>;
  const before = history.find((entry) => entry.checkpoint.checkpoint_id === parentCheckpoint)!;
  assert.deepEqual([before.next, before.values.messages.at(-1)!.content], [["agent"], "What did I ask?"], "the parent checkpoint is the state just before the answer");
  await page.click('li[data-role="ai"]:last-of-type button.regenerate');
  llm.release(5);
  await waitForLastAi(page, "Regenerated: you asked about Oslo.");
  await waitReady(page);
  assert.deepEqual(
    llm.calls[callsBefore + 3]!.map((message) => message.text),
    llm.calls[callsBefore + 2]!.map((message) => message.text),
    "the regenerated call saw the same history as the answer it replaces",
  );
  assert.deepEqual(
    (await stateOf(server, threadId)).values.messages.map((message) => message.content),
    ["Weather in Oslo?", "Let me check.", "Sunny in Oslo", "It is sunny in Oslo today.", "What did I ask?", "Regenerated: you asked about Oslo."],
  );
  assert.deepEqual(await aiTexts(page), ["Let me check.", "It is sunny in Oslo today.", "Regenerated: you asked about Oslo."]);

  // Turn 3: stop() mid-answer cancels the server's run.
  await ask(page, "Tell me more.");
  llm.release();
  await waitForLastAi(page, "This ");
  const running = (await runsOf(server, threadId)).find((run) => run.status === "running")!;
  await page.click("#stop");
  await waitReady(page);
  const joined = await fetch(`${server.url}/threads/${threadId}/runs/${running.run_id}/join`);
  await joined.body?.cancel();
  const stopped = (await runsOf(server, threadId)).find((run) => run.run_id === running.run_id)!;
  assert.equal(stopped.status, "interrupted", "stop() cancelled the run on the server");
  assert.equal((await aiTexts(page)).at(-1), "This ", "nothing renders after stop()");

  // Turn 4: reload mid-answer: the page reattaches to the running run and shows every token once.
  await ask(page, "And then?");
  llm.release(2);
  await waitForLastAi(page, "Reloaded and ");
  await page.reload();
  await waitForLastAi(page, "Reloaded and ");
  llm.release(2);
  await waitForLastAi(page, "Reloaded and still streaming.");
  await waitReady(page);
  // The whole conversation, each message once, as the thread keeps it (the stopped answer is not in it).
  const conversation = [
    ["human", "Weather in Oslo?"],
    ["ai", "Let me check."],
    ["tool", "Sunny in Oslo"],
    ["ai", "It is sunny in Oslo today."],
    ["human", "What did I ask?"],
    ["ai", "Regenerated: you asked about Oslo."],
    ["human", "Tell me more."],
    ["human", "And then?"],
    ["ai", "Reloaded and still streaming."],
  ];
  assert.deepEqual((await stateOf(server, threadId)).values.messages.map((message) => [message.type, message.content]), conversation);
  const rendered = await page.evaluate(() => Array.from(document.querySelectorAll("#messages > li"), (li) => [(li as HTMLElement).dataset.role, li.querySelector("p.text")?.textContent]));
  assert.deepEqual(rendered, conversation, "after the reload the page shows the thread's messages: no gap, no duplicate");

  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(errorResponses, []);
  // What the reload cut (the hook's open event streams) and the cancel stop() sent: the server answered
  // it 202 (the run was cancelled, checked above), but the SDK never reads a 202's empty body, and
  // Chromium reports a fetch whose body the page never reads as ERR_ABORTED.
  const eventStreams = `POST /threads/${threadId}/stream/events net::ERR_ABORTED`;
  assert.deepEqual(
    failedRequests.filter((request) => request !== eventStreams),
    [`POST /threads/${threadId}/runs/${running.run_id}/cancel net::ERR_ABORTED`],
    "no other request failed",
  );
  assert.equal(failedRequests.filter((request) => request === eventStreams).length, OPEN_EVENT_STREAMS, failedRequests.join("; "));
  await page.close();
}

/** A graph that pauses at interrupt(): the page shows the question, and Approve resumes the run. */
async function interruptScenario(server: RunningServer): Promise<void> {
  const page = await browser.newPage();
  const { failedRequests, errorResponses, consoleErrors } = watchPage(page);
  await page.goto(`${pageOrigin}/?assistant=approval&api=${encodeURIComponent(server.url)}`);
  await ask(page, "Write the report.");
  await page.waitForSelector("#interrupt", { timeout: 10_000 });
  assert.equal(await page.textContent("#interrupt pre"), '{"question":"Send the report?"}');
  await waitReady(page);
  const threadId = new URL(page.url()).searchParams.get("thread")!;
  const paused = (await (await fetch(`${server.url}/threads/${threadId}/state`)).json()) as { next: string[] };
  assert.deepEqual(paused.next, ["ask"], "the thread waits at the interrupt");
  await page.click("#approve");
  await waitForLastAi(page, "Report sent: yes");
  await waitReady(page);
  assert.equal(await page.locator("#interrupt").count(), 0, "the interrupt is gone once answered");
  assert.deepEqual(
    (await stateOf(server, threadId)).values.messages.map((message) => [message.type, message.content]),
    [["human", "Write the report."], ["ai", "Report sent: yes"]],
  );
  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(errorResponses, []);
  assert.deepEqual(failedRequests, []);
  await page.close();
}

describe("@langchain/react v1 useStream against weft serve", () => {
  it("on the embedded default (SQLite records, checkpoints and run events)", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "weft-react-"));
    const server = await startServe(AGENT_MODULE, { port: 0, dataDir, corsOrigin: ["*"] });
    try {
      await chatScenario(server);
      await interruptScenario(server);
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("on Postgres and Redis", async () => {
    const schema = `weft_react_${randomUUID().replaceAll("-", "")}`;
    const prefix = `weft-react-${randomUUID()}:`;
    const server = await startServe(AGENT_MODULE, { port: 0, postgres: POSTGRES, postgresSchema: schema, redis: REDIS, redisPrefix: prefix, corsOrigin: ["*"] });
    try {
      await chatScenario(server);
      await interruptScenario(server);
    } finally {
      await server.close();
      const client = new pg.Client(POSTGRES);
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
      const redis = new Redis(REDIS);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });
});
