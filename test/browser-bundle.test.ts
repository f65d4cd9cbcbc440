// The core runs where there is no AsyncLocalStorage: the seed's joke/poem graph (src/demo/joke-poem-graph.ts, driven by test/fixtures/browser-seed.ts),
// bundled for the browser by esbuild through the package's "browser" export conditions, runs in headless
// Chromium and streams the same tokens and metadata as the same graph on Node. esbuild's browser platform
// cannot resolve `node:` built-ins (none is marked external), so a successful build proves the entries
// "weft" and "weft/testing" give a browser no Node-only import. Fails, not skips, when Chromium is missing.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type BuildFailure, build } from "esbuild";
import { type Browser, chromium } from "playwright-core";
import { JOKE, POEM, type SeedRun, runSeed } from "./fixtures/browser-seed.js";

const CHROMIUM = process.env.WEFT_CHROMIUM ?? "/usr/bin/chromium";
const ENTRY = fileURLToPath(new URL("./fixtures/browser-seed.ts", import.meta.url));

/** Bundle `entry` for the browser as an IIFE exposing its exports on `globalThis.seed`. */
async function bundleForBrowser(entry: { path: string } | { contents: string }) {
  const result = await build({
    ...("path" in entry ? { entryPoints: [entry.path] } : { stdin: { contents: entry.contents, resolveDir: process.cwd(), loader: "ts" } }),
    bundle: true,
    platform: "browser",
    format: "iife",
    globalName: "seed",
    target: "es2022",
    // "source" picks src/ inside each export's "browser" condition, as the tests use src/ on Node.
    conditions: ["source"],
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const external = Object.values(result.metafile.inputs).flatMap((input) => input.imports.filter((each) => each.external).map((each) => each.path));
  return { text: result.outputFiles[0]!.text, external };
}

/** The run with what differs between any two runs (random message ids, the task id in the namespace) made positional. */
function normalize(run: SeedRun) {
  const ids = new Map<string | undefined, string>();
  return {
    configLookup: run.configLookup,
    chunks: run.chunks.map(({ content, id, metadata }) => {
      if (!ids.has(id)) ids.set(id, `message ${ids.size + 1}`);
      const namespace = String(metadata.langgraph_checkpoint_ns);
      assert.match(namespace, /^callModel:[0-9a-f-]{36}$/, "the node's checkpoint namespace is its name and task id");
      assert.equal(metadata.checkpoint_ns, namespace);
      return {
        content,
        id: ids.get(id),
        metadata: { ...metadata, langgraph_checkpoint_ns: "callModel:<task>", checkpoint_ns: "callModel:<task>" },
      };
    }),
  };
}

const metadataFor = (tag: string) => ({
  langgraph_step: 1,
  langgraph_node: "callModel",
  langgraph_triggers: ["branch:to:callModel"],
  langgraph_path: ["__pregel_pull", "callModel"],
  langgraph_checkpoint_ns: "callModel:<task>",
  checkpoint_ns: "callModel:<task>",
  tags: [tag],
  ls_provider: "fake",
  ls_model_name: "gpt-4o-mini",
  ls_model_type: "chat",
  ls_temperature: undefined,
});

const EXPECTED_CHUNKS = [
  ...JOKE.map((content) => ({ content, id: "message 1", metadata: metadataFor("joke") })),
  ...POEM.map((content) => ({ content, id: "message 2", metadata: metadataFor("poem") })),
];

describe("the seed's graph bundled for the browser", () => {
  let bundle: string;
  let external: string[];
  let server: Server;
  let url: string;
  let browser: Browser;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `Chromium is not at ${CHROMIUM}; install it with \`apt-get install -y chromium\` (or set WEFT_CHROMIUM).`);
    ({ text: bundle, external } = await bundleForBrowser({ path: ENTRY }));
    // Served from 127.0.0.1 (a secure context, as a real page would be: crypto.randomUUID needs one).
    server = createServer((request, response) => {
      if (request.url === "/seed.js") {
        response.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(bundle);
      } else if (request.url === "/") {
        response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end('<!doctype html><title>seed</title><script src="/seed.js"></script>');
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    // launch() gives the browser a new, empty profile directory of its own and removes it on close.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it("esbuild refuses a Node-only entry for the browser, so the seed's build proves it is Node-free", async () => {
    await assert.rejects(bundleForBrowser({ contents: 'export { createHandler } from "weft/server";' }), (error: BuildFailure) => {
      const unresolved = error.errors.map((each) => `${each.location?.file}: ${each.text}`);
      assert.ok(
        unresolved.some((line) => /^src\/server\/[a-z-]+\.ts: Could not resolve "node:crypto"$/.test(line)),
        `weft/server's node:crypto import is refused: ${unresolved.join("; ")}`,
      );
      return true;
    });
    assert.deepEqual(external, [], "the seed's bundle leaves no import to the runtime");
  });

  it("streams the same tokens and metadata in Chromium, without AsyncLocalStorage, as on Node", async () => {
    const onNode = normalize(await runSeed());
    assert.deepEqual(onNode.chunks, EXPECTED_CHUNKS);
    assert.equal(onNode.configLookup, "found", "on Node, getConfig() finds the node's config through AsyncLocalStorage");

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(url);
    const inBrowser = await page.evaluate(async () => {
      const { runSeed } = (globalThis as unknown as { seed: { runSeed: () => Promise<SeedRun> } }).seed;
      return { hasProcess: typeof (globalThis as { process?: unknown }).process !== "undefined", run: await runSeed() };
    });
    await page.close();
    assert.deepEqual(errors, []);
    assert.equal(inBrowser.hasProcess, false, "the page has no Node `process`");
    const inChromium = normalize(inBrowser.run);
    assert.match(inChromium.configLookup, /getConfig\(\) needs AsyncLocalStorage, which this runtime lacks/);
    assert.deepEqual(inChromium.chunks, onNode.chunks);
  });
});
