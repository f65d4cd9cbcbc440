// The real useChat hook (@ai-sdk/react) in headless Chromium against a chat route that runs Weft's
// createReactAgent through toUIMessageStreamResponse: tokens render one by one, the tool call renders
// with its result, the answer is the graph's final state, the second turn has the first in its history,
// and stop() cancels the run on the server. The model's tokens wait for the test (PacedChatModel), so
// every step waits for a DOM condition instead of for time. Fails, not skips, when Chromium is missing.
import assert from "node:assert/strict";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { z } from "zod";
import { type Message, tool } from "weft";
import { type UIMessage, fromUIMessages, toUIMessageStreamResponse } from "weft/ai-sdk/ui";
import { createReactAgent } from "weft/prebuilt";
import { PacedChatModel } from "./support/paced-chat-model.js";
import { bundlePage, launchChromium, watchPage } from "./support/chromium.js";

const PAGE = fileURLToPath(new URL("./fixtures/ai-sdk-chat-page.ts", import.meta.url));
const ANSWER = ["It ", "is ", "sunny ", "in ", "Oslo ", "today."];

const getWeather = tool(async ({ city }: { city: string }) => `Sunny in ${city}`, {
  name: "get_weather",
  description: "The weather in a city",
  schema: z.object({ city: z.string() }),
});
const llm = new PacedChatModel({
  responses: [
    { content: ["Let ", "me ", "check."], toolCalls: [{ id: "call_1", name: "get_weather", args: { city: "Oslo" } }] },
    ANSWER,
    ["You ", "asked ", "about ", "Oslo."],
    ["This ", "answer ", "is ", "stopped."],
  ],
});
llm.pace();
const agent = createReactAgent({ llm, tools: [getWeather] });

/** What the server saw of each POST: the run (its signal) and its final state. */
const runs: Array<{ signal: AbortSignal; final: { messages: Message[] } | undefined }> = [];

/** The chat route, as a Next.js route handler would be written: Request in, Response out. */
async function chatRoute(request: Request): Promise<Response> {
  const { messages } = (await request.json()) as { messages: UIMessage[] };
  const stream = agent.stream({ messages: fromUIMessages(messages) }, { streamMode: ["messages", "custom", "tools", "values"] });
  const record: (typeof runs)[number] = { signal: stream.signal, final: undefined };
  runs.push(record);
  // Records the last values on the way through. Not an async generator: its return() would wait for the
  // pending next(), so a client's cancel would not reach the run while the model is mid-answer.
  const iterator = stream[Symbol.asyncIterator]();
  const recorded: AsyncIterable<unknown> = {
    [Symbol.asyncIterator]: () => ({
      async next() {
        const result = await iterator.next();
        if (!result.done && result.value[0] === "values") record.final = result.value[1] as { messages: Message[] };
        return result;
      },
      return: () => iterator.return!(),
    }),
  };
  return toUIMessageStreamResponse(recorded);
}

/** Serve a Web Response on node:http; a client that disconnects cancels its body (and so the run). */
async function send(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  res.writeHead(response.status, headers);
  if (response.body === null) return void res.end();
  const reader = response.body.getReader();
  res.on("close", () => {
    if (!res.writableFinished) void reader.cancel(new Error("client disconnected"));
  });
  for (let result = await reader.read(); !result.done; result = await reader.read()) res.write(result.value);
  res.end();
}

async function requestOf(req: IncomingMessage, origin: string): Promise<Request> {
  const body: Buffer[] = [];
  for await (const piece of req) body.push(piece as Buffer);
  return new Request(new URL(req.url!, origin), { method: req.method, headers: req.headers as Record<string, string>, body: req.method === "POST" ? Buffer.concat(body) : undefined });
}

let server: Server;
let origin: string;
let browser: Browser;
let bundle: string;

before(async () => {
  const built = await bundlePage(PAGE, "iife");
  bundle = built;
  server = createServer((req, res) => {
    if (req.url === "/") res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end('<!doctype html><title>chat</title><link rel="icon" href="data:,"><div id="root"></div><script src="/app.js"></script>');
    else if (req.url === "/app.js") res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(bundle);
    else if (req.url === "/api/chat" && req.method === "POST") {
      requestOf(req, origin)
        .then(chatRoute)
        .then((response) => send(response, res))
        .catch((error: unknown) => res.writeHead(500).end(String(error)));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/** The text parts of the last assistant message, as rendered. */
const lastAnswer = (page: Page) => page.evaluate(() => Array.from(document.querySelectorAll('li[data-role="assistant"]:last-child p.text'), (p) => p.textContent));

async function waitForLastText(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (expected) => Array.from(document.querySelectorAll('li[data-role="assistant"]:last-child p.text')).at(-1)?.textContent === expected,
    text,
    { timeout: 10_000 },
  );
}

async function ask(page: Page, text: string): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.status === "ready", undefined, { timeout: 10_000 });
  await page.fill("#input", text);
  await page.click("#send");
}

it("useChat renders a Weft agent's turn token by token, with its tool call, keeps history, and stop() cancels the run", async () => {
  const page = await browser.newPage();
  const { failedRequests, errorResponses, consoleErrors } = watchPage(page);
  await page.goto(`${origin}/`);

  // Turn 1: the model says a few words and calls the tool; the tool's result renders; then the answer, token by token.
  await ask(page, "Weather in Oslo?");
  llm.release(3);
  await waitForLastText(page, "Let me check.");
  await page.waitForSelector('li[data-role="assistant"] .tool[data-tool="get_weather"][data-state="output-available"]', { timeout: 10_000 });
  assert.equal(await page.textContent(".tool[data-tool=get_weather] .input"), '{"city":"Oslo"}');
  assert.equal(await page.textContent(".tool[data-tool=get_weather] output"), "Sunny in Oslo");
  const seen: string[] = [];
  for (let count = 1; count <= ANSWER.length; count++) {
    llm.release();
    const prefix = ANSWER.slice(0, count).join("");
    await waitForLastText(page, prefix); // the DOM shows exactly this many tokens before the next is let out
    seen.push(prefix);
  }
  assert.equal(seen.length, 6, "the answer was seen at six increasing lengths");
  await page.waitForFunction(() => document.body.dataset.status === "ready", undefined, { timeout: 10_000 });
  const firstTurn = runs[0]!.final!.messages;
  assert.deepEqual(await lastAnswer(page), ["Let me check.", "It is sunny in Oslo today."]);
  assert.equal(firstTurn.at(-1)!.text, "It is sunny in Oslo today.", "the rendered answer is the graph's final state");
  assert.deepEqual(
    firstTurn.map((message) => message.role),
    ["user", "assistant", "tool", "assistant"],
  );

  // Turn 2: useChat posts the whole conversation; the model's call gets the first turn's messages.
  await ask(page, "What did I ask?");
  llm.release(4);
  await waitForLastText(page, "You asked about Oslo.");
  const shape = (messages: readonly Message[]) => messages.map((message) => ({ role: message.role, text: message.text, toolCalls: message.toolCalls, toolCallId: message.toolCallId }));
  assert.deepEqual(shape(llm.calls[2]!), [...shape(firstTurn), { role: "user", text: "What did I ask?", toolCalls: [], toolCallId: undefined }]);
  assert.equal(await page.locator('li[data-role="assistant"]').count(), 2);

  // Turn 3: stop() mid-answer aborts the server's run.
  await ask(page, "Tell me more.");
  llm.release();
  await waitForLastText(page, "This ");
  const run = runs[2]!;
  const aborted = new Promise<void>((resolve) => (run.signal.aborted ? resolve() : run.signal.addEventListener("abort", () => resolve(), { once: true })));
  await page.click("#stop");
  let bound: NodeJS.Timeout | undefined;
  await Promise.race([aborted, new Promise((_, reject) => (bound = setTimeout(() => reject(new Error("the server's run was not aborted within 10 s of stop()")), 10_000)))]);
  clearTimeout(bound);
  assert.equal(run.signal.aborted, true);
  await page.waitForFunction(() => document.body.dataset.status === "ready", undefined, { timeout: 10_000 });
  assert.deepEqual(await lastAnswer(page), ["This "], "nothing renders after stop()");

  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(errorResponses, []);
  assert.deepEqual(failedRequests, ["POST /api/chat net::ERR_ABORTED"], "only the request stop() aborted failed");
  await page.close();
});
