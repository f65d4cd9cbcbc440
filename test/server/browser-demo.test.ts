// The browser demos of `weft serve`, in headless Chromium (Debian's package, driven by playwright-core).
// The chat page at / (useChat on the server's /ai-sdk routes, with the demo's weather agent): tokens
// grow, reasoning is folded, tool calls are cards with their results, the thread is listed, regenerate
// and stop work. The joke/poem page: type "cats", click, watch both panes grow token by token during
// the run, and end with the run's final state. Fails, not skips, when Chromium is missing.
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { chromium, type Browser } from "playwright-core";
import type { RunningServer } from "weft/server";
import { startServe } from "../../src/cli/serve-command.js";

const CHROMIUM = process.env.WEFT_CHROMIUM ?? "/usr/bin/chromium";
const OUTPUT = join(process.cwd(), "test-output");

let server: RunningServer;
let browser: Browser;

before(async () => {
  assert.ok(
    existsSync(CHROMIUM),
    `Chromium is not at ${CHROMIUM}; install it with \`apt-get update && apt-get install -y chromium\` (or set WEFT_CHROMIUM).`,
  );
  server = await startServe(undefined, { port: 0, pace: 80, seed: 7 });
  // launch() gives the browser a new, empty profile directory of its own and removes it on close.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

it("fills the Joke and Poem panes token by token from one run, ending with the run's final state", async () => {
  const page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
  await page.goto(`${server.url}/joke-poem`);
  assert.equal(await page.title(), "Weft — joke and poem");
  // Record every change of each pane, and whether the run was still going when it happened.
  await page.evaluate(() => {
    const samples: Array<{ pane: string; length: number; running: boolean }> = [];
    (window as unknown as { samples: typeof samples }).samples = samples;
    for (const pane of ["joke", "poem"]) {
      const element = document.getElementById(pane)!;
      new MutationObserver(() => {
        samples.push({ pane, length: element.textContent!.length, running: document.body.dataset.state === "running" });
      }).observe(element, { childList: true, characterData: true, subtree: true });
    }
  });
  await page.fill("#topic", "cats");
  await page.click("#go");
  await page.waitForSelector("body[data-state=done]", { timeout: 20_000 });

  const samples = await page.evaluate(() => (window as unknown as { samples: Array<{ pane: string; length: number; running: boolean }> }).samples);
  for (const pane of ["joke", "poem"]) {
    const lengths = samples.filter((sample) => sample.pane === pane && sample.running && sample.length > 0).map((sample) => sample.length);
    assert.ok(lengths.length >= 3, `${pane} pane seen at ${lengths.length} lengths during the run; want >= 3`);
    assert.ok(lengths.every((length, index) => index === 0 || length > lengths[index - 1]!), `${pane} pane only grows: ${lengths.join(",")}`);
  }

  const joke = await page.textContent("#joke");
  const poem = await page.textContent("#poem");
  const threadId = await page.getAttribute("body", "data-thread-id");
  const state = await (await fetch(`${server.url}/threads/${threadId}/state`)).json();
  assert.equal(state.values.topic, "cats");
  assert.equal(joke, state.values.joke);
  assert.equal(poem, state.values.poem);
  assert.ok(joke!.length > 20 && poem!.length > 20, `both panes filled: ${JSON.stringify({ joke, poem })}`);

  mkdirSync(OUTPUT, { recursive: true });
  await page.screenshot({ path: join(OUTPUT, "server-demo.png"), fullPage: true });
  await page.close();
});

it("the chat page at / streams the weather agent's answer, folds its reasoning, shows tool cards, lists the thread, regenerates and stops", async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
  const failedRequests: string[] = [];
  const consoleErrors: string[] = [];
  page.on("requestfailed", (request) => failedRequests.push(`${request.method()} ${new URL(request.url()).pathname}`));
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(error.message));
  await page.goto(`${server.url}/`);
  assert.equal(await page.title(), "Weft — chat");
  await page.waitForFunction(() => new URLSearchParams(location.search).has("chat"));
  const chatId = new URL(page.url()).searchParams.get("chat")!;
  await page.waitForFunction(() => document.body.dataset.status === "ready");
  // Record every change of the answer while the turn streams.
  await page.evaluate(() => {
    const lengths: number[] = [];
    (window as unknown as { lengths: number[] }).lengths = lengths;
    new MutationObserver(() => {
      const answer = Array.from(document.querySelectorAll("li.assistant:last-child p.text")).at(-1)?.textContent ?? "";
      if (document.body.dataset.status === "streaming" && answer.length > (lengths.at(-1) ?? 0)) lengths.push(answer.length);
    }).observe(document.getElementById("messages")!, { childList: true, characterData: true, subtree: true });
  });
  await page.fill("#input", "Weather in Paris?");
  await page.click("#send");
  await page.waitForFunction(() => document.body.dataset.status === "streaming");
  await page.waitForFunction(() => document.body.dataset.status === "ready", undefined, { timeout: 20_000 });

  const lengths = await page.evaluate(() => (window as unknown as { lengths: number[] }).lengths);
  assert.ok(lengths.length >= 3, `the answer was seen at ${lengths.length} lengths while it streamed; want >= 3`);
  const state = await (await fetch(`${server.url}/threads/${chatId}/state`)).json();
  const messages = state.values.messages as Array<{ type: string; content: string }>;
  assert.deepEqual(messages.map((message) => message.type), ["human", "ai", "tool", "tool", "ai"]);
  assert.equal(await page.textContent("li.assistant:last-child p.text:last-of-type"), messages.at(-1)!.content, "the answer is the thread's state");
  assert.match(messages.at(-1)!.content, /^In Paris it is /);
  assert.equal(await page.textContent(".tool[data-tool=get_weather][data-state=output-available] output"), messages[2]!.content);
  assert.equal(await page.textContent(".tool[data-tool=celsius_to_fahrenheit][data-state=output-available] output"), messages[3]!.content);
  assert.equal(await page.getAttribute("details.reasoning", "open"), null, "reasoning is folded");
  assert.match((await page.textContent("details.reasoning"))!, /The user asks about Paris/);
  await page.waitForSelector(`nav a[data-thread="${chatId}"]`, { timeout: 10_000 });

  // Regenerate: the answer is made again from the question, not added to it.
  await page.click("#regenerate");
  await page.waitForFunction(() => document.body.dataset.status !== "ready");
  await page.waitForFunction(() => document.body.dataset.status === "ready", undefined, { timeout: 20_000 });
  const regenerated = await (await fetch(`${server.url}/threads/${chatId}/state`)).json();
  assert.deepEqual(regenerated.values.messages.map((message: { type: string }) => message.type), ["human", "ai", "tool", "tool", "ai"]);
  assert.equal(await page.locator("li.assistant").count(), 1);

  // Stop mid-answer: the run ends interrupted on the server.
  await page.fill("#input", "Weather in Rome?");
  await page.click("#send");
  await page.waitForFunction(() => document.querySelectorAll("li.assistant").length === 2 && document.querySelector("li.assistant:last-child details.reasoning") !== null);
  const stopped = page.waitForResponse((response) => response.url().endsWith(`/ai-sdk/agent/${chatId}/stop`));
  await page.click("#stop");
  assert.equal((await stopped).status(), 204);
  const runs = await (await fetch(`${server.url}/threads/${chatId}/runs?limit=10`)).json();
  assert.deepEqual(runs.map((run: { status: string }) => run.status).sort(), ["interrupted", "success", "success"]);

  mkdirSync(OUTPUT, { recursive: true });
  await page.screenshot({ path: join(OUTPUT, "server-chat.png"), fullPage: true });
  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(failedRequests, ["POST /ai-sdk/agent"], "only the request stop() closed failed");
  await page.close();
});

