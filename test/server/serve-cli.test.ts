// `weft serve` as a user runs it: a child process of the CLI, serving a module's graphs or the demo.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import { postJson, readSse } from "./fixtures.js";

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const MODULE = fileURLToPath(new URL("./modules/two-graphs.ts", import.meta.url));

function startCli(args: string[]) {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", MAIN, "serve", "--port", "0", ...args], {
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
