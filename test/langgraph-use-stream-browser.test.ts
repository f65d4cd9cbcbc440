// The LangGraph SDK's real useStream hook (@langchain/langgraph-sdk/react) in headless Chromium
// against the Weft server, set up as `weft serve` sets it up (SQLite records, checkpoints and
// run events) and on Postgres + Redis (BullMQ queue, Redis Streams log). One conversation
// covers: tokens growing in, the final text equal to the thread's state, history kept across turns,
// reload mid-run resuming (reconnectOnMount) with no gap or duplicate, stop() cancelling the run on
// the server, an interrupt shown and resumed, tool calls rendered with their results, and regenerate
// forking from the checkpoint before the message. The model's tokens wait for the test
// (PacedChatModel), so each step waits for a DOM condition, never for time. A last test runs
// `weft serve <module> --cors-origin` itself (startServe) with the page on another origin. Each test
// runs once per SDK version users run: the page bundled with @langchain/langgraph-sdk 1.x and again
// with 2.x (the `@langchain/langgraph-sdk-v2` alias) in its place, with the same version's Client.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Client as ClientV1, type ThreadState } from "@langchain/langgraph-sdk";
import { Client as ClientV2 } from "@langchain/langgraph-sdk-v2";
import type { Browser, Page } from "playwright-core";
import { z } from "zod";
import { type Message, interrupt, tool } from "weft";
import { PostgresSaver } from "weft/checkpoint/postgres";
import { SqliteSaver } from "weft/checkpoint/sqlite";
import { createReactAgent } from "weft/prebuilt";
import { PostgresRecordStore, type RunningServer, SqliteEventLog, SqliteRecordStore, createBullmqRunQueue, createHandler, createRedisEventLog, serve } from "weft/server";
import { startServe } from "../src/cli/serve-command.js";
import { PacedChatModel } from "./support/paced-chat-model.js";
import { bundlePage, launchChromium } from "./support/chromium.js";
import { removeServiceData } from "./support/service-data.js";

const PAGE = fileURLToPath(new URL("./fixtures/langgraph-chat-page.ts", import.meta.url));
const DATABASE_URL = process.env.WEFT_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REDIS_URL = "redis://127.0.0.1:6379";
const HTML = '<!doctype html><title>chat</title><link rel="icon" href="data:,"><div id="root"></div><script src="/app.js"></script>';
const ANSWER = ["It ", "is ", "sunny ", "in ", "Oslo."];
const STORY = ["Once ", "upon ", "a ", "time."];

type WireMessage = { id: string; type: string; content: string; tool_calls?: unknown[]; tool_call_id?: string };
type AgentState = { messages: WireMessage[] };

function agentOnPacedModel() {
  const llm = new PacedChatModel({
    responses: [
      { content: ["Let ", "me ", "check."], toolCalls: [{ id: "call_weather", name: "get_weather", args: { city: "Oslo" } }] },
      ANSWER,
      ["You ", "asked ", "about ", "Oslo."],
      STORY,
      ["One, ", "two, ", "three."],
      { toolCalls: [{ id: "call_permission", name: "ask_permission", args: { action: "delete your files" } }] },
      ["Deleted."],
      ["Removed."],
    ],
  });
  llm.pace();
  const getWeather = tool(async ({ city }: { city: string }) => `Sunny in ${city}`, {
    name: "get_weather",
    description: "The weather in a city",
    schema: z.object({ city: z.string() }),
  });
  const askPermission = tool(async ({ action }: { action: string }) => `approved: ${interrupt<string>({ question: `May I ${action}?` })}`, {
    name: "ask_permission",
    description: "Ask the user before doing something",
    schema: z.object({ action: z.string() }),
  });
  return { llm, agent: createReactAgent({ llm, tools: [getWeather, askPermission], name: "agent" }) };
}

interface Backend {
  server: RunningServer;
  release(): Promise<void>;
}

/** The server as `weft serve` runs it by default: SQLite records, checkpoints and run events in a data folder. */
async function embeddedBackend(graphs: Parameters<typeof createHandler>[0]["graphs"], page: (request: Request) => Response | undefined): Promise<Backend> {
  const dataDir = mkdtempSync(join(tmpdir(), "weft-use-stream-"));
  const checkpointer = new SqliteSaver(join(dataDir, "checkpoints.db"));
  const store = new SqliteRecordStore(join(dataDir, "records.db"));
  const eventLog = new SqliteEventLog(join(dataDir, "events.db"));
  const server = await serveWithBundle(createHandler({ graphs, checkpointer, store, eventLog, heartbeatMs: 0, page: HTML }), page);
  return {
    server,
    async release() {
      await server.close();
      await eventLog.close();
      await store.close();
      checkpointer.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Postgres records and checkpoints, Redis Streams events and a BullMQ queue, under a schema and key prefix of this run only. */
async function postgresRedisBackend(graphs: Parameters<typeof createHandler>[0]["graphs"], page: (request: Request) => Response | undefined): Promise<Backend> {
  const suffix = randomUUID().replaceAll("-", "").slice(0, 12);
  const schema = `weft_use_stream_${suffix}`;
  const keyPrefix = `weft-use-stream-${suffix}:`;
  const checkpointer = new PostgresSaver(DATABASE_URL, { schema });
  await checkpointer.setup();
  const store = new PostgresRecordStore(DATABASE_URL, { schema });
  const eventLog = await createRedisEventLog({ url: REDIS_URL, keyPrefix, blockMs: 1000 });
  const queue = await createBullmqRunQueue({ url: REDIS_URL, prefix: `${keyPrefix}queue` });
  const server = await serveWithBundle(createHandler({ graphs, checkpointer, store, eventLog, queue, heartbeatMs: 0, page: HTML }), page);
  return {
    server,
    async release() {
      await server.close();
      await eventLog.close();
      await store.close();
      await checkpointer.close();
      await removeServiceData({ keyPrefix, schema });
    },
  };
}

/** The handler behind serve(), with the page's script answered before it (same origin, as a UI served next to its API). */
function serveWithBundle(handler: ReturnType<typeof createHandler>, page: (request: Request) => Response | undefined): Promise<RunningServer> {
  const withBundle = Object.assign(async (request: Request) => page(request) ?? handler(request), { ready: handler.ready, close: handler.close });
  return serve(withBundle, { port: 0 });
}

/** The SDK versions the page runs on: the package its imports resolve to, and that version's Client. */
const SDKS = [
  { version: "1.x", alias: {}, Client: ClientV1 },
  { version: "2.x", alias: { "@langchain/langgraph-sdk": "@langchain/langgraph-sdk-v2" }, Client: ClientV2 as unknown as typeof ClientV1 },
] as const;
type Sdk = (typeof SDKS)[number] & { bundle: string };

let browser: Browser;
const servePage = (bundle: string) => (request: Request) =>
  new URL(request.url).pathname === "/app.js" ? new Response(bundle, { headers: { "content-type": "text/javascript; charset=utf-8" } }) : undefined;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

/** The texts of the rendered AI messages, in order. */
const aiTexts = (page: Page) => page.evaluate(() => Array.from(document.querySelectorAll('li[data-type="ai"] p.text'), (p) => p.textContent ?? ""));

async function waitForLastAiText(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (expected) => Array.from(document.querySelectorAll('li[data-type="ai"] p.text')).at(-1)?.textContent === expected,
    text,
    { timeout: 10_000 },
  );
}

const waitForStatus = (page: Page, status: "ready" | "streaming") =>
  page.waitForFunction((expected) => document.body.dataset.status === expected, status, { timeout: 10_000 });

async function ask(page: Page, text: string): Promise<void> {
  await waitForStatus(page, "ready");
  await page.fill("#input", text);
  await page.click("#send");
}

/** Messages of the thread's state as [type, text], for comparing with what the page shows. */
const shapeOf = (messages: WireMessage[]) => messages.map((message) => [message.type, message.content]);
const modelInput = (messages: readonly Message[]) => messages.map((message) => [message.role, message.text]);

async function conversation(makeBackend: typeof embeddedBackend, sdk: Sdk): Promise<void> {
  const { llm, agent } = agentOnPacedModel();
  const backend = await makeBackend({ agent }, servePage(sdk.bundle));
  const client = new sdk.Client({ apiUrl: backend.server.url, callerOptions: { maxRetries: 0 } });
  const page = await browser.newPage();
  const failedRequests: string[] = [];
  const errorResponses: string[] = [];
  const consoleErrors: string[] = [];
  page.on("requestfailed", (request) => failedRequests.push(`${request.method()} ${new URL(request.url()).pathname} ${request.failure()?.errorText}`));
  page.on("response", (response) => {
    if (response.status() >= 400) errorResponses.push(`${response.request().method()} ${new URL(response.url()).pathname} ${response.status()}`);
  });
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(error.message));
  try {
    await page.goto(`${backend.server.url}/`);
    const threadId = async () => (await page.evaluate(() => sessionStorage.getItem("thread-id")))!;
    const state = async () => (await client.threads.getState<AgentState>(await threadId())) as ThreadState<AgentState>;

    // Turn 1: a few words and a tool call whose result renders; then the answer, token by token.
    await ask(page, "Weather in Oslo?");
    llm.release(3);
    await waitForLastAiText(page, "Let me check.");
    await page.waitForSelector('.tool[data-tool="get_weather"][data-state="completed"]', { timeout: 10_000 });
    assert.equal(await page.textContent('.tool[data-tool="get_weather"] .args'), '{"city":"Oslo"}');
    assert.equal(await page.textContent('.tool[data-tool="get_weather"] output'), "Sunny in Oslo");
    const seen: string[] = [];
    for (let count = 1; count <= ANSWER.length; count++) {
      llm.release();
      const prefix = ANSWER.slice(0, count).join("");
      await waitForLastAiText(page, prefix); // exactly this many tokens show before the next is let out
      seen.push(prefix);
    }
    assert.deepEqual(seen, ["It ", "It is ", "It is sunny ", "It is sunny in ", "It is sunny in Oslo."]);
    await waitForStatus(page, "ready");
    const first = await state();
    assert.deepEqual(shapeOf(first.values.messages), [
      ["human", "Weather in Oslo?"],
      ["ai", "Let me check."],
      ["tool", "Sunny in Oslo"],
      ["ai", "It is sunny in Oslo."],
    ]);
    assert.deepEqual(await aiTexts(page), ["Let me check.", "It is sunny in Oslo."], "the page shows the thread's state");

    // Turn 2: the model's call gets the first turn as history.
    await ask(page, "What did I ask?");
    llm.release(4);
    await waitForLastAiText(page, "You asked about Oslo.");
    assert.deepEqual(modelInput(llm.calls[2]!), [
      ["user", "Weather in Oslo?"],
      ["assistant", "Let me check."],
      ["tool", "Sunny in Oslo"],
      ["assistant", "It is sunny in Oslo."],
      ["user", "What did I ask?"],
    ]);

    // Turn 3: reload mid-answer; the page rejoins the run and shows each token once.
    await ask(page, "Tell me a story");
    llm.release(2);
    await waitForLastAiText(page, "Once upon ");
    await page.reload();
    await waitForStatus(page, "streaming");
    await waitForLastAiText(page, "Once upon ");
    llm.release();
    await waitForLastAiText(page, "Once upon a ");
    llm.release();
    await waitForLastAiText(page, "Once upon a time.");
    await waitForStatus(page, "ready");
    assert.deepEqual(await aiTexts(page), ["Let me check.", "It is sunny in Oslo.", "You asked about Oslo.", "Once upon a time."], "no gap, no duplicate");
    assert.deepEqual(shapeOf((await state()).values.messages).at(-1), ["ai", "Once upon a time."]);

    // Turn 4: stop() mid-answer cancels the run on the server.
    await ask(page, "Count to ten");
    llm.release();
    await waitForLastAiText(page, "One, ");
    const stoppedRunId = (await page.evaluate((id) => sessionStorage.getItem(`lg:stream:${id}`), await threadId()))!;
    await page.click("#stop");
    await client.runs.join(await threadId(), stoppedRunId);
    assert.equal((await client.runs.get(await threadId(), stoppedRunId)).status, "interrupted");
    await waitForStatus(page, "ready");
    assert.deepEqual(shapeOf((await state()).values.messages).at(-1), ["human", "Count to ten"], "the cancelled answer is not in the thread");

    // Turn 5: the tool interrupts; the page shows the question and resumes with the answer.
    await ask(page, "Delete my files");
    await page.waitForSelector("#interrupt", { timeout: 10_000 });
    assert.equal(await page.textContent("#interrupt p"), "May I delete your files?");
    assert.equal((await client.threads.get(await threadId())).status, "interrupted");
    await page.click("#approve");
    llm.release();
    await waitForLastAiText(page, "Deleted.");
    await page.waitForSelector('.tool[data-tool="ask_permission"][data-state="completed"]', { timeout: 10_000 });
    assert.equal(await page.textContent('.tool[data-tool="ask_permission"] output'), "approved: yes");
    assert.equal(await page.locator("#interrupt").count(), 0);
    await waitForStatus(page, "ready");
    const beforeRegenerate = await state();
    const deleted = beforeRegenerate.values.messages.at(-1)!;
    assert.deepEqual([deleted.type, deleted.content], ["ai", "Deleted."]);

    // Turn 6: regenerate the last answer: a run from the checkpoint before it, a new branch.
    await page.locator('li[data-type="ai"]').last().locator("button.regenerate").click();
    llm.release();
    await waitForLastAiText(page, "Removed.");
    await waitForStatus(page, "ready");
    const after = await state();
    assert.deepEqual(shapeOf(after.values.messages), [...shapeOf(beforeRegenerate.values.messages.slice(0, -1)), ["ai", "Removed."]]);
    assert.deepEqual(modelInput(llm.calls[7]!), modelInput(llm.calls[6]!), "the regenerated call saw what the first answer's call saw");
    const history = await client.threads.getHistory<AgentState>(await threadId(), { limit: 200 });
    const firstWith = (text: string) => history.filter((each) => each.values.messages?.some((message) => message.content === text)).at(-1)!;
    const forkPoint = firstWith("Deleted.").parent_checkpoint!.checkpoint_id;
    // Replaying a checkpoint first saves a copy of it (source "fork", as LangGraph does); the new answer follows the copy.
    const byId = new Map(history.map((each) => [each.checkpoint.checkpoint_id, each]));
    const copy = byId.get(firstWith("Removed.").parent_checkpoint!.checkpoint_id!)!;
    assert.equal((copy.metadata as { source: string }).source, "fork");
    assert.equal(copy.parent_checkpoint!.checkpoint_id, forkPoint, "both answers branch from the same checkpoint");
    assert.deepEqual(copy.values, byId.get(forkPoint!)!.values);
    assert.deepEqual(shapeOf(history.find((each) => each.checkpoint.checkpoint_id === forkPoint)!.values.messages).at(-1), ["tool", "approved: yes"]);

    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(errorResponses, []);
    // Only what the reload and stop() cut off fails: the two streams they ended. The SDK leaves the
    // body of the cancel's 202 unread, which Chromium reports as aborted too (the server answered it:
    // the run ended "interrupted" above); when it is reported, it is that cancel and nothing else.
    const threadPath = `/threads/${await threadId()}`;
    const cancelPath = `POST ${threadPath}/runs/${stoppedRunId}/cancel net::ERR_ABORTED`;
    assert.deepEqual(
      failedRequests.filter((each) => each !== cancelPath),
      [`POST ${threadPath}/runs/stream net::ERR_ABORTED`, `POST ${threadPath}/runs/stream net::ERR_ABORTED`],
    );
  } finally {
    await page.close();
    await backend.release();
  }
}

for (const each of SDKS) {
  describe(`useStream of @langchain/langgraph-sdk ${each.version}`, () => {
    const sdk = { ...each, bundle: "" } as Sdk;
    before(async () => {
      sdk.bundle = await bundlePage(PAGE, "iife", sdk.alias);
      // esbuild names each bundled module's path: the page runs on this version's hook and only on it.
      assert.equal(sdk.bundle.includes("node_modules/@langchain/langgraph-sdk-v2/dist/react/"), sdk.version === "2.x");
      assert.equal(sdk.bundle.includes("node_modules/@langchain/langgraph-sdk/dist/react/"), sdk.version === "1.x");
    });

    it("against the server as `weft serve` runs it (SQLite records, checkpoints and run events)", () => conversation(embeddedBackend, sdk));

    it("against the server on Postgres and Redis (BullMQ queue, Redis Streams log)", () => conversation(postgresRedisBackend, sdk));

    it("on another origin against `weft serve <module> --cors-origin` itself", () => crossOrigin(sdk));
  });
}

async function crossOrigin({ bundle, Client }: Sdk): Promise<void> {
  // The page is served apart from the API, as agent-chat-ui is: the browser sends CORS requests.
  const pageServer = createServer((request, response) => {
    if (request.url?.startsWith("/app.js")) response.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(bundle);
    else response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(HTML);
  });
  await new Promise<void>((resolve) => pageServer.listen(0, "127.0.0.1", resolve));
  const pageOrigin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;
  const dataDir = mkdtempSync(join(tmpdir(), "weft-serve-use-stream-"));
  const server = await startServe(fileURLToPath(new URL("./fixtures/use-stream-agent.ts", import.meta.url)), { port: 0, dataDir, corsOrigin: [pageOrigin] });
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on("requestfailed", (request) => problems.push(`${request.method()} ${request.url()} ${request.failure()?.errorText}`));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`${response.request().method()} ${response.url()} ${response.status()}`);
  });
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  try {
    await page.goto(`${pageOrigin}/?api=${encodeURIComponent(server.url)}`);
    await ask(page, "Who serves you?");
    await waitForLastAiText(page, "Served by weft serve.");
    await waitForStatus(page, "ready");
    const threadId = (await page.evaluate(() => sessionStorage.getItem("thread-id")))!;
    const state = await new Client({ apiUrl: server.url, callerOptions: { maxRetries: 0 } }).threads.getState<AgentState>(threadId);
    assert.deepEqual(shapeOf(state.values.messages), [
      ["human", "Who serves you?"],
      ["ai", "Served by weft serve."],
    ]);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
    await server.close();
    await new Promise((resolve) => pageServer.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
