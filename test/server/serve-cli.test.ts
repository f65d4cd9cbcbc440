// `weft serve` as a user runs it: a child process of the CLI, serving a module's graphs or the demo.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { mkdirSync } from "node:fs";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { postJson, readSse } from "./fixtures.js";

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const MODULE = fileURLToPath(new URL("./modules/two-graphs.ts", import.meta.url));

function startCli(args: string[], nodeArguments = ["--conditions=source", "--import", "tsx", MAIN]) {
  const child = spawn(process.execPath, [...nodeArguments, "serve", "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`weft serve exited with ${code}: ${stderr}`)));
  });
  // A test that expects the process to fail never awaits the url.
  url.catch(() => undefined);
  return { child, url, exited, stderr: () => stderr };
}

it("weft serve <module> serves every exported compiled graph, and the page at /", async () => {
  const cli = startCli([MODULE]);
  try {
    const url = await cli.url;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const assistants = await (await postJson(`${url}/assistants/search`, {})).json();
    assert.deepEqual(assistants.map((assistant: { assistant_id: string }) => assistant.assistant_id).sort(), ["shout", "two-graphs"]);
    const events = await readSse(await postJson(`${url}/runs/stream`, { assistant_id: "shout", input: { text: "cats" } }));
    assert.deepEqual(events.at(-1)!.data, { text: "CATS" });
    const page = await fetch(`${url}/`);
    assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
    assert.match(await page.text(), /<h2>Joke<\/h2>[\s\S]*<h2>Poem<\/h2>/);
  } finally {
    cli.child.kill("SIGTERM");
    assert.equal(await cli.exited, 0);
  }
});

it("weft serve with a module that exports no graph exits 2 and says what to export", async () => {
  const cli = startCli([fileURLToPath(new URL("./fixtures.ts", import.meta.url))]);
  assert.equal(await cli.exited, 2);
  assert.match(cli.stderr(), /exports no compiled graph; export one/);
});

it("weft serve --event-bytes-per-run bounds each run's event log: an id before what is kept is 410", async () => {
  const cli = startCli(["--memory", "--pace", "0", "--event-bytes-per-run", "3000"]);
  try {
    const url = await cli.url;
    const thread = await (await postJson(`${url}/threads`, {})).json();
    const run = await (await postJson(`${url}/threads/${thread.thread_id}/runs`, { assistant_id: "joke-poem", input: { topic: "owls" }, stream_mode: "messages-tuple" })).json();
    const runPath = `/threads/${thread.thread_id}/runs/${run.run_id}`;
    await (await fetch(`${url}${runPath}/join`)).json();
    const late = await fetch(`${url}${runPath}/stream`, { headers: { "Last-Event-ID": "1" } });
    assert.equal(late.status, 410);
    const message = (await late.json()).message as string;
    assert.match(message, /were dropped .* 3000 bytes per run/);
    const keptAfter = /resume after id (\d+)/.exec(message)![1]!;
    const kept = await readSse(await fetch(`${url}${runPath}/stream`, { headers: { "Last-Event-ID": keptAfter } }));
    assert.deepEqual(
      kept.map((event) => Number(event.id)),
      kept.map((_, index) => Number(keptAfter) + 1 + index),
      "every event still kept, in order",
    );
    const bytes = kept.reduce((sum, event) => sum + event.event.length + JSON.stringify(event.data).length, 0);
    assert.ok(kept.length > 0 && bytes <= 3000, `${kept.length} events, ${bytes} bytes kept`);
    const state = await (await fetch(`${url}/threads/${thread.thread_id}/state`)).json();
    // The joke and the poem stream at once: what is kept of each is the end of its text.
    for (const tag of ["joke", "poem"]) {
      const tail = kept
        .map((event) => event.data as [{ content: string }, { tags: string[] }])
        .filter(([, metadata]) => metadata.tags.includes(tag))
        .map(([chunk]) => chunk.content)
        .join("");
      assert.ok((state.values[tag] as string).endsWith(tail), `the kept ${tag} tokens ${JSON.stringify(tail)} end its text`);
    }
  } finally {
    cli.child.kill("SIGTERM");
    assert.equal(await cli.exited, 0);
  }
});

it("weft serve --event-bytes-per-run 0 exits and says what it takes", async () => {
  const cli = startCli(["--memory", "--event-bytes-per-run", "0"]);
  assert.notEqual(await cli.exited, 0);
  assert.match(cli.stderr(), /--event-bytes-per-run.*expected a whole number >= 1/);
});

it("weft serve ./graphs.ts works on a plain Node, with no TypeScript loader preloaded, and finds graphs made by another copy of weft", async () => {
  // The CLI as npm installs it is JavaScript: bundle today's source into one file (packages stay
  // external, found in node_modules), and run it on Node with no --import. The module's own
  // `import "weft"` loads a second copy of the library (its source, through the loader the CLI registers).
  // Two folders below the package root, as dist/cli/main.js is (the CLI reads ../../package.json).
  const cacheDir = fileURLToPath(new URL("../../test-output/cli/", import.meta.url));
  mkdirSync(cacheDir, { recursive: true });
  const bundled = `${cacheDir}cli-${process.pid}.mjs`;
  await build({ entryPoints: [MAIN], outfile: bundled, bundle: true, platform: "node", format: "esm", packages: "external", logLevel: "silent" });
  const cli = startCli([MODULE], ["--conditions=source", bundled]);
  try {
    const url = await cli.url;
    const assistants = await (await postJson(`${url}/assistants/search`, {})).json();
    assert.deepEqual(assistants.map((assistant: { assistant_id: string }) => assistant.assistant_id).sort(), ["shout", "two-graphs"]);
    const events = await readSse(await postJson(`${url}/runs/stream`, { assistant_id: "shout", input: { text: "owls" } }));
    assert.deepEqual(events.at(-1)!.data, { text: "OWLS" });
  } finally {
    cli.child.kill("SIGTERM");
    assert.equal(await cli.exited, 0, cli.stderr());
  }
});

