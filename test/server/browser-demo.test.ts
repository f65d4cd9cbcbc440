// The browser demo of `weft serve`, in headless Chromium (Debian's package, driven by
// playwright-core): type "cats", click, watch both panes grow token by token during the run,
// and end with the run's final state. Fails, not skips, when Chromium is missing.
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
  await page.goto(`${server.url}/`);
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
