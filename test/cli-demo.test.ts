// `weft demo` run as a child process, as a user runs it: the tiny model, an OpenAI-compatible
// server on 127.0.0.1, and stories260K through --model; output, --only, --json, --mode custom, exit codes.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { TinyChatModel } from "weft/models/tiny";
import { startAnthropicServer, startOpenAICompatibleServer, type AnthropicServer, type OpenAICompatibleServer } from "weft/testing";
import { REPOSITORY_ROOT, requireTestGguf } from "./support/test-gguf.js";

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const emptyFolder = mkdtempSync(join(tmpdir(), "weft-cli-"));
after(() => rmSync(emptyFolder, { recursive: true, force: true }));

/** Run `weft ...args` from the repository with an environment that selects nothing by accident. */
function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const cleanEnvironment = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(OPENAI_|ANTHROPIC_|WEFT_MODEL|NO_COLOR|FORCE_COLOR)/.test(name)),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--conditions=source", "--import", "tsx", "src/cli/main.ts", ...args],
      { cwd: REPOSITORY_ROOT, env: { ...cleanEnvironment, WEFT_MODELS_DIR: emptyFolder, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

/** What the tiny model writes for the demo's two prompts with this seed, chunk by chunk. */
async function tinyAnswers(seed: number, topic = "cats"): Promise<{ joke: string[]; poem: string[] }> {
  const chunks = async (prompt: string) => {
    const result: string[] = [];
    for await (const chunk of new TinyChatModel({ seed }).stream(prompt)) if (chunk.content !== "") result.push(chunk.content);
    return result;
  };
  return { joke: await chunks(`Write a joke about ${topic}`), poem: await chunks(`Write a short poem about ${topic}`) };
}

type JsonLine = [{ content: string; role?: string; type?: string }, { tags: string[]; [key: string]: unknown }];

function parseLines(stdout: string): JsonLine[] {
  return stdout
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as JsonLine);
}

describe("weft demo with the built-in tiny model", { concurrency: true }, () => {
  it("prints the headings and every token, and says which model it uses", async () => {
    const expected = await tinyAnswers(5);
    const result = await runCli(["demo", "--seed", "5", "--pace", "0"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^Using model: tiny, the built-in n-gram demo model \(no --model, WEFT_MODEL, OPENAI_API_KEY/);
    assert.equal(result.stdout, `Writing joke...\n${expected.joke.join("")}\n\nWriting poem...\n${expected.poem.join("")}\n`);
    assert.doesNotMatch(result.stdout, /\x1b\[/, "no colours when stdout is not a terminal");
  });

  it("keeps only the poem with --only poem, the seed's separator between tokens", async () => {
    const expected = await tinyAnswers(8, "the sea");
    const result = await runCli(["demo", "--seed", "8", "--pace", "0", "--topic", "the sea", "--only", "poem", "--separator", "|"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `Writing poem...\n${expected.poem.map((token) => `${token}|`).join("")}\n`);
  });

  it("stops after the joke with --only joke", async () => {
    const expected = await tinyAnswers(8);
    const result = await runCli(["demo", "--seed", "8", "--only", "joke", "--pace", "0"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^Using model: [^\n]+\n$/, "stopping the run early prints no error");
    assert.equal(result.stdout, `Writing joke...\n${expected.joke.join("")}\n`);
  });

  it("prints NDJSON [chunk, metadata] lines with the models' tags and metadata", async () => {
    const expected = await tinyAnswers(2);
    const result = await runCli(["demo", "--seed", "2", "--pace", "0", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    const lines = parseLines(result.stdout);
    const text = (tag: string) => lines.filter(([chunk, metadata]) => metadata.tags.includes(tag) && chunk.content !== "").map(([chunk]) => chunk.content);
    assert.deepEqual(text("joke"), expected.joke);
    assert.deepEqual(text("poem"), expected.poem);
    for (const [chunk, metadata] of lines) {
      assert.equal(chunk.type, "AIMessageChunk");
      assert.equal(metadata.ls_provider, "weft-tiny");
      assert.equal(metadata.langgraph_node, "callModel");
      assert.equal(metadata.tags.length, 1);
    }
    assert.deepEqual([...new Set(lines.map(([, metadata]) => metadata.tags[0]))], ["joke", "poem"], "all joke chunks come before the poem's");
  });

  it("streams through config.writer with --mode custom", async () => {
    const expected = await tinyAnswers(4);
    const json = await runCli(["demo", "--seed", "4", "--pace", "0", "--mode", "custom", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    const lines = parseLines(json.stdout);
    assert.deepEqual(
      lines.map(([chunk, metadata]) => [chunk.role, metadata.tags[0]]),
      [...expected.joke.map(() => ["assistant", "joke"]), ...expected.poem.map(() => ["assistant", "poem"])],
    );
    assert.deepEqual(lines.map(([chunk]) => chunk.content), [...expected.joke, ...expected.poem]);
    assert.equal(lines[0]![1].langgraph_node, "callModel");
    const text = await runCli(["demo", "--seed", "4", "--pace", "0", "--mode", "custom"]);
    assert.equal(text.stdout, `Writing joke...\n${expected.joke.join("")}\n\nWriting poem...\n${expected.poem.join("")}\n`);
  });

  it("colours tokens by tag when colour is forced (as on a terminal)", async () => {
    const expected = await tinyAnswers(6);
    const result = await runCli(["demo", "--seed", "6", "--pace", "0"], { FORCE_COLOR: "1" });
    assert.equal(
      result.stdout,
      `Writing joke...\n${expected.joke.map((token) => `\x1b[36m${token}\x1b[39m`).join("")}\n\n` +
        `Writing poem...\n${expected.poem.map((token) => `\x1b[35m${token}\x1b[39m`).join("")}\n`,
    );
    const plain = await runCli(["demo", "--seed", "6", "--pace", "0"], { FORCE_COLOR: "1", NO_COLOR: "1" });
    assert.doesNotMatch(plain.stdout, /\x1b\[/);
  });

  it("ends quietly when the reader closes the pipe (weft demo | head -1)", async () => {
    const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", "src/cli/main.ts", "demo", "--json", "--pace", "50"], {
      cwd: REPOSITORY_ROOT,
      env: { ...process.env, WEFT_MODELS_DIR: emptyFolder, WEFT_MODEL: "tiny" },
    });
    let stderr = "";
    child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
    const firstLine = await new Promise<string>((resolve) => {
      let text = "";
      child.stdout.on("data", (data: Buffer) => {
        text += data.toString();
        if (text.includes("\n")) resolve(text.slice(0, text.indexOf("\n")));
      });
    });
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    assert.equal(JSON.parse(firstLine)[1].tags[0], "joke");
    assert.equal(code, 0);
    assert.match(stderr, /^Using model: tiny, the built-in n-gram demo model \(from WEFT_MODEL\)\n$/);
  });

  it("paces the tiny model's tokens by default", async () => {
    const expected = await tinyAnswers(1);
    const tokens = expected.joke.length + expected.poem.length;
    const started = performance.now();
    const result = await runCli(["demo", "--seed", "1", "--pace", "100"]);
    assert.equal(result.code, 0, result.stderr);
    // Two calls, each paced from its own start: at least (n - 1) intervals of 10 ms per answer.
    assert.ok(performance.now() - started >= (tokens - 2) * 10, `${tokens} tokens at 100/s`);
  });
});

describe("weft demo usage errors", { concurrency: true }, () => {
  for (const [args, message] of [
    [["demo", "--bogus"], /unknown option '--bogus'/],
    [["demo", "--only", "story"], /argument 'story' is invalid\. Allowed choices are joke, poem/],
    [["demo", "--seed", "-1"], /'--seed <integer>' argument '-1' is invalid\. expected an integer >= 0/],
    [["demo", "--model", "gpt-4o-mini"], /--model "gpt-4o-mini" is not a model the demo knows; use "openai:<model name>"/],
    [["demo", "--model", "missing/model.gguf"], /No \.gguf model file at .*missing\/model\.gguf \(from --model\)/],
    [["demo", "--model", "anthropic:claude-sonnet-4-5"], /--model anthropic:claude-sonnet-4-5 needs an API key: set the ANTHROPIC_API_KEY environment variable/],
    [["demo", "--model", "anthropic:"], /--model "anthropic:" names no model/],
    [["serve-nothing"], /unknown command 'serve-nothing'/],
  ] as const) {
    it(`exits with code 2 on: weft ${args.join(" ")}`, async () => {
      const result = await runCli([...args]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, message);
      assert.equal(result.stdout, "");
    });
  }

  it("explains the model choice in --help and exits 0", async () => {
    const result = await runCli(["demo", "--help"]);
    assert.equal(result.code, 0);
    for (const text of ["--topic <topic>", "--only <tag>", "--mode <mode>", "--separator <text>", "--json", "WEFT_MODELS_DIR", "OPENAI_BASE_URL", "WEFT_MODEL"]) {
      assert.ok(result.stdout.includes(text), `help mentions ${text}`);
    }
  });
});

describe("weft demo with OpenAI (an OpenAI-compatible server on 127.0.0.1)", { concurrency: true }, () => {
  const JOKE = ["Why ", "do ", "cats ", "purr? ", "Applause."];
  const POEM = ["Soft ", "paws,\n", "soft ", "night."];
  let server: OpenAICompatibleServer;
  before(async () => {
    server = await startOpenAICompatibleServer({
      respond: (request) => ({ text: JSON.stringify(request.body.messages).includes("poem") ? POEM : JOKE }),
    });
  });
  after(() => server.close());

  it("uses gpt-4o-mini when OPENAI_BASE_URL is set, streaming the server's tokens", async () => {
    const result = await runCli(["demo", "--separator", "|"], { OPENAI_BASE_URL: server.url });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^Using model: openai:gpt-4o-mini \(OPENAI_BASE_URL is set\)/);
    assert.equal(result.stdout, `Writing joke...\n${JOKE.join("|")}|\n\nWriting poem...\n${POEM.join("|")}|\n`);
  });

  it("streams the raw SDK tokens through the writer in custom mode, with --model openai:<name>", async () => {
    const result = await runCli(["demo", "--mode", "custom", "--json", "--model", "openai:test-model"], { OPENAI_BASE_URL: server.url });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^Using model: openai:test-model \(from --model\)/);
    assert.deepEqual(
      parseLines(result.stdout).map(([chunk, metadata]) => [chunk.content, metadata.tags]),
      [...JOKE.map((token) => [token, ["joke"]]), ...POEM.map((token) => [token, ["poem"]])],
    );
  });
});

describe("weft demo with Anthropic through the AI SDK (an Anthropic server on 127.0.0.1)", () => {
  const JOKE = ["Why ", "do ", "cats ", "purr? ", "Applause."];
  const POEM = ["Soft ", "paws,\n", "soft ", "night."];
  let server: AnthropicServer;
  before(async () => {
    server = await startAnthropicServer({
      respond: (request) => ({ text: JSON.stringify(request.body.messages).includes("poem") ? POEM : JOKE }),
    });
  });
  after(() => server.close());

  for (const [spelling, baseURL] of [["the server root", () => server.url], ["a URL ending in /v1", () => server.apiURL]] as const) {
    it(`--model anthropic:<name> streams Claude's tokens, ANTHROPIC_BASE_URL given as ${spelling}`, async () => {
      const before = server.requests.length;
      const result = await runCli(["demo", "--separator", "|", "--model", "anthropic:claude-test"], { ANTHROPIC_API_KEY: "sk-ant-test", ANTHROPIC_BASE_URL: baseURL() });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /^Using model: anthropic:claude-test \(from --model\)/);
      assert.equal(result.stdout, `Writing joke...\n${JOKE.join("|")}|\n\nWriting poem...\n${POEM.join("|")}|\n`);
      const requests = server.requests.slice(before);
      assert.deepEqual(requests.map((request) => [request.path, request.headers["x-api-key"], request.body.model]), [
        ["/v1/messages", "sk-ant-test", "claude-test"],
        ["/v1/messages", "sk-ant-test", "claude-test"],
      ]);
    });
  }
});

describe("weft demo with a GGUF model (stories260K) in process", { concurrency: true }, () => {
  it("runs the file given with --model, streaming llama.cpp tokens with their metadata", async () => {
    const result = await runCli(["demo", "--model", requireTestGguf(), "--temperature", "0", "--max-tokens", "12", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^Using model: .*stories260K\.gguf \(from --model\)/);
    const lines = parseLines(result.stdout);
    const tags = lines.map(([, metadata]) => metadata.tags[0]);
    assert.equal(tags.filter((tag) => tag === "joke").length, 12);
    assert.equal(tags.filter((tag) => tag === "poem").length, 12);
    for (const [, metadata] of lines) {
      assert.equal(metadata.ls_provider, "llama-cpp");
      assert.equal(metadata.ls_model_name, "stories260K.gguf");
      assert.equal(metadata.ls_temperature, 0);
    }
  });

  it("finds the first .gguf in WEFT_MODELS_DIR and prints its tokens", async () => {
    const folder = mkdtempSync(join(tmpdir(), "weft-models-"));
    try {
      symlinkSync(requireTestGguf(), join(folder, "stories.gguf"));
      const result = await runCli(["demo", "--temperature", "0", "--max-tokens", "8", "--only", "joke"], { WEFT_MODELS_DIR: folder });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, `Using model: ${join(folder, "stories.gguf")} (the first .gguf file in WEFT_MODELS_DIR)\n`);
      assert.match(result.stdout, /^Writing joke...\n.+\n$/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
