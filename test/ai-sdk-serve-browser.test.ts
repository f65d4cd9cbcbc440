// The real useChat hook (@ai-sdk/react) in headless Chromium against `weft serve`'s own /ai-sdk routes
// (no chat route of the app's), on the embedded default (SQLite records and checkpoints, in-process log
// and queue) and on Postgres + Redis (BullMQ queue, Redis event log). A createReactAgent whose model
// waits for the test before each token (PacedChatModel), so every step waits for the DOM, not for time:
// tokens render one by one, the tool call renders with its result, the answer is the thread's state,
// the second turn keeps history, regenerate forks from the question, a reload mid-answer resumes it
// with no gap or duplicate, stop cancels the run on the server, an interrupt is shown and answered.
// Fails, not skips, when Chromium, Postgres or Redis is missing.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { z } from "zod";
import { type Checkpointer, interrupt, tool } from "weft";
import { PostgresSaver } from "weft/checkpoint/postgres";
import { SqliteSaver } from "weft/checkpoint/sqlite";
import { createReactAgent } from "weft/prebuilt";
import {
  PostgresRecordStore,
  type RunningServer,
  SqliteEventLog,
  SqliteRecordStore,
  createBullmqRunQueue,
  createHandler,
  createRedisEventLog,
  serve,
} from "weft/server";
import { PacedChatModel } from "./support/paced-chat-model.js";
import { bundlePage, launchChromium, watchPage } from "./support/chromium.js";
import { removeServiceData } from "./support/service-data.js";

const PAGE = fileURLToPath(new URL("./fixtures/ai-sdk-serve-chat-page.ts", import.meta.url));
const DATABASE_URL = process.env.WEFT_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const ANSWER = ["It ", "is ", "sunny ", "in ", "Oslo ", "today."];
const SURVIVOR = ["This ", "answer ", "survives ", "a ", "reload."];

let browser: Browser;
let pageHtml: string;

before(async () => {
  const built = await bundlePage(PAGE, "esm");
  const script = built.replaceAll("</script", "<\\/script");
  pageHtml = `<!doctype html><title>chat</title><link rel="icon" href="data:,"><div id="root"></div><script type="module">${script}</script>`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

function agentOn(llm: PacedChatModel) {
  const getWeather = tool(async ({ city }: { city: string }) => `Sunny in ${city}`, {
    name: "get_weather",
    description: "The weather in a city",
    schema: z.object({ city: z.string() }),
  });
  const sendEmail = tool(
    async ({ to }: { to: string }) => {
      const answer = interrupt<string, string>(`Send the email to ${to}?`);
      return answer === "yes" ? `Sent to ${to}` : "Not sent";
    },
    { name: "send_email", description: "Send an email", schema: z.object({ to: z.string() }) },
  );
  return createReactAgent({ llm, tools: [getWeather, sendEmail] });
}

function pacedModel(): PacedChatModel {
  const llm = new PacedChatModel({
    responses: [
      { content: ["Let ", "me ", "check."], toolCalls: [{ id: "call_1", name: "get_weather", args: { city: "Oslo" } }] },
      ANSWER,
      ["You ", "asked ", "about ", "Oslo."],
      ["Oslo, ", "again."],
      SURVIVOR,
      ["This ", "answer ", "is ", "stopped."],
      { content: ["Emailing."], toolCalls: [{ id: "call_2", name: "send_email", args: { to: "Bob" } }] },
      ["Email ", "sent."],
    ],
  });
  llm.pace();
  return llm;
}

interface Backend {
  name: string;
  start(llm: PacedChatModel): Promise<{ server: RunningServer; cleanup(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: "the embedded default (SQLite records, checkpoints and run events)",
    async start(llm) {
      const dir = mkdtempSync(join(tmpdir(), "weft-usechat-"));
      const checkpointer = new SqliteSaver(join(dir, "checkpoints.db"));
      const store = new SqliteRecordStore(join(dir, "records.db"));
      const eventLog = new SqliteEventLog(join(dir, "events.db"));
      const server = await serve(createHandler({ graphs: { agent: agentOn(llm) }, checkpointer, store, eventLog, heartbeatMs: 0, page: pageHtml }), { port: 0 });
      return {
        server,
        async cleanup() {
          await server.close();
          await eventLog.close();
          await store.close();
          checkpointer.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: "Postgres + Redis (BullMQ queue, Redis event log)",
    async start(llm) {
      const suffix = randomUUID().replaceAll("-", "").slice(0, 12);
      const schema = `weft_usechat_${suffix}`;
      const keyPrefix = `weft-usechat-${suffix}:`;
      const checkpointer: Checkpointer & { close(): Promise<void> } = new PostgresSaver(DATABASE_URL, { schema });
      await (checkpointer as PostgresSaver).setup();
      const store = new PostgresRecordStore(DATABASE_URL, { schema });
      const eventLog = await createRedisEventLog({ url: "redis://127.0.0.1:6379", keyPrefix });
      const queue = await createBullmqRunQueue({ url: "redis://127.0.0.1:6379", prefix: `${keyPrefix}queue` });
      const server = await serve(createHandler({ graphs: { agent: agentOn(llm) }, checkpointer, store, eventLog, queue, heartbeatMs: 0, page: pageHtml }), { port: 0 });
      return {
        server,
        async cleanup() {
          await server.close();
          await eventLog.close();
          await store.close();
          await checkpointer.close();
          await removeServiceData({ keyPrefix, schema });
        },
      };
    },
  },
];

/** The texts of the last assistant message, as rendered. */
const lastAnswer = (page: Page) => page.evaluate(() => Array.from(document.querySelectorAll('li[data-role="assistant"]:last-child p.text'), (p) => p.textContent));

async function waitForLastText(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (expected) => Array.from(document.querySelectorAll('li[data-role="assistant"]:last-child p.text')).at(-1)?.textContent === expected,
    text,
    { timeout: 10_000 },
  );
}

const waitReady = (page: Page) => page.waitForFunction(() => document.body.dataset.status === "ready", undefined, { timeout: 10_000 });

async function ask(page: Page, text: string): Promise<void> {
  await waitReady(page);
  await page.fill("#input", text);
  await page.click("#send");
}

/** Let the answer out token by token, checking the page shows each longer prefix before the next. */
async function streamAnswer(page: Page, llm: PacedChatModel, tokens: readonly string[], from = 0): Promise<string[]> {
  const seen: string[] = [];
  for (let count = from + 1; count <= tokens.length; count++) {
    llm.release();
    const prefix = tokens.slice(0, count).join("");
    await waitForLastText(page, prefix);
    seen.push(prefix);
  }
  return seen;
}

for (const backend of backends) {
  describe(`useChat against weft serve on ${backend.name}`, () => {
    const llm = pacedModel();
    let server: RunningServer;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ server, cleanup } = await backend.start(llm));
    });
    after(async () => cleanup?.());

    it("streams, renders the tool call, keeps history, regenerates from the question, resumes after a reload, stops on the server, and answers an interrupt", async () => {
      const chatId = `chat-${randomUUID().slice(0, 8)}`;
      const page = await browser.newPage();
      const { failedRequests, errorResponses, consoleErrors } = watchPage(page);
      const state = async () => (await (await fetch(`${server.url}/threads/${chatId}/state`)).json()) as { values: { messages: Array<{ type: string; content: string }> } };
      const runStatuses = async () => ((await (await fetch(`${server.url}/threads/${chatId}/runs?limit=100`)).json()) as Array<{ status: string }>).map((run) => run.status);
      await page.goto(`${server.url}/?chat=${chatId}`);

      // Turn 1: a few words and a tool call; the tool's result renders; then the answer, token by token.
      await ask(page, "Weather in Oslo?");
      await streamAnswer(page, llm, ["Let ", "me ", "check."]);
      await page.waitForSelector('li[data-role="assistant"] .tool[data-tool="get_weather"][data-state="output-available"]', { timeout: 10_000 });
      assert.equal(await page.textContent(".tool[data-tool=get_weather] .input"), '{"city":"Oslo"}');
      assert.equal(await page.textContent(".tool[data-tool=get_weather] output"), "Sunny in Oslo");
      const seen = await streamAnswer(page, llm, ANSWER);
      assert.equal(seen.length, 6, "the answer was seen at six increasing lengths");
      await waitReady(page);
      assert.deepEqual(await lastAnswer(page), ["Let me check.", "It is sunny in Oslo today."]);
      assert.equal((await state()).values.messages.at(-1)!.content, "It is sunny in Oslo today.", "the rendered answer is the thread's state");

      // Turn 2 keeps the history: the model's call has turn 1's messages.
      await ask(page, "What did I ask?");
      await streamAnswer(page, llm, ["You ", "asked ", "about ", "Oslo."]);
      await waitReady(page);
      assert.deepEqual(llm.calls[2]!.map((message) => message.text), ["Weather in Oslo?", "Let me check.", "Sunny in Oslo", "It is sunny in Oslo today.", "What did I ask?"]);

      // Regenerate turn 2: a fork from the checkpoint that added the question.
      await page.click("#regenerate");
      await streamAnswer(page, llm, ["Oslo, ", "again."]);
      await waitReady(page);
      assert.deepEqual(llm.calls[3]!.map((message) => message.text), llm.calls[2]!.map((message) => message.text), "the same history as the answer it replaces");
      assert.deepEqual(
        (await state()).values.messages.map((message) => message.content),
        ["Weather in Oslo?", "Let me check.", "Sunny in Oslo", "It is sunny in Oslo today.", "What did I ask?", "Oslo, again."],
      );
      assert.equal(await page.locator('li[data-role="assistant"]').count(), 2);

      // Turn 3: reload mid-answer. The page starts from the saved messages and useChat resumes the answer from its start.
      await ask(page, "Tell me something.");
      await streamAnswer(page, llm, SURVIVOR.slice(0, 2));
      await page.reload();
      await waitForLastText(page, SURVIVOR.slice(0, 2).join(""));
      assert.deepEqual(await lastAnswer(page), ["This answer "], "the replay shows the answer so far, once");
      await streamAnswer(page, llm, SURVIVOR, 2);
      await waitReady(page);
      assert.deepEqual(
        await page.evaluate(() => Array.from(document.querySelectorAll("li"), (li) => `${li.dataset.role}: ${Array.from(li.querySelectorAll("p.text"), (p) => p.textContent).join(" | ")}`)),
        [
          "user: Weather in Oslo?",
          "assistant: Let me check. | It is sunny in Oslo today.",
          "user: What did I ask?",
          "assistant: Oslo, again.",
          "user: Tell me something.",
          "assistant: This answer survives a reload.",
        ],
        "no gap, no duplicate, history intact after the reload",
      );
      assert.equal((await state()).values.messages.at(-1)!.content, "This answer survives a reload.");

      // Turn 4: stop mid-answer cancels the run on the server.
      await ask(page, "Go on.");
      await streamAnswer(page, llm, ["This "]);
      // The stop route answers once the run has ended on the server.
      const stopped = page.waitForResponse((response) => response.url().endsWith(`/ai-sdk/agent/${chatId}/stop`));
      await page.click("#stop");
      assert.equal((await stopped).status(), 204);
      await waitReady(page);
      const statuses = await runStatuses();
      assert.deepEqual([statuses.filter((status) => status === "interrupted").length, statuses.includes("running")], [1, false], statuses.join());
      assert.deepEqual(await lastAnswer(page), ["This "], "nothing renders after stop");

      // Turn 5: a tool that asks first. The question renders; Approve resumes the run.
      await ask(page, "Email Bob");
      await streamAnswer(page, llm, ["Emailing."]);
      await page.waitForSelector(".interrupt .approve", { timeout: 10_000 });
      assert.equal(await page.textContent(".interrupt span"), "Send the email to Bob?");
      await waitReady(page);
      await page.click(".interrupt .approve");
      await streamAnswer(page, llm, ["Email ", "sent."]);
      await waitReady(page);
      await page.waitForSelector('.tool[data-tool="send_email"][data-state="output-available"]', { timeout: 10_000 });
      assert.equal(await page.textContent('.tool[data-tool="send_email"] output'), "Sent to Bob");
      assert.equal(await page.locator('.tool[data-tool="send_email"]').count(), 1, "the answer filled the card that asked");
      assert.deepEqual(await lastAnswer(page), ["Emailing.", "Email sent."]);
      assert.equal((await state()).values.messages.at(-1)!.content, "Email sent.");

      assert.deepEqual(consoleErrors, []);
      assert.deepEqual(errorResponses, []);
      // Only the two answers cut off on the page: turn 3's by the reload, turn 4's by useChat's stop().
      assert.deepEqual(failedRequests, ["POST /ai-sdk/agent net::ERR_ABORTED", "POST /ai-sdk/agent net::ERR_ABORTED"]);
      await page.close();
    });
  });
}
