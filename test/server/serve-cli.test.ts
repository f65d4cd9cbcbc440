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

