// `weft demo --agent` run as a child process: the scripted offline model, an OpenAI-compatible and an
// Anthropic server on 127.0.0.1 whose models call the tools themselves, and models that cannot.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { startAnthropicServer, startOpenAICompatibleServer } from "weft/testing";
import { REPOSITORY_ROOT } from "./support/test-gguf.js";

const emptyFolder = mkdtempSync(join(tmpdir(), "weft-agent-cli-"));
after(() => rmSync(emptyFolder, { recursive: true, force: true }));

function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cleanEnvironment = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(OPENAI_|ANTHROPIC_|WEFT_MODEL|NO_COLOR|FORCE_COLOR)/.test(name)));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--conditions=source", "--import", "tsx", "src/cli/main.ts", ...args],
      { cwd: REPOSITORY_ROOT, env: { ...cleanEnvironment, WEFT_MODELS_DIR: emptyFolder, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

describe("weft demo --agent", () => {
  it("offline: a scripted model calls both tools; reasoning, tokens, tool calls, progress and results stream", async () => {
    const result = await runCli(["demo", "--agent", "--topic", "Oslo", "--pace", "0"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^Using model: a scripted tool-calling demo model/);
    assert.equal(
      result.stdout,
      [
        "> What is the weather in Oslo, and what is 20°C in Fahrenheit?",
        "  (thinking) The user wants the weather in Oslo; I will ask the weather tool and convert 20°C for them.",
        "Let me check Oslo.",
        '  → get_weather({"city":"Oslo"})',
        '  → celsius_to_fahrenheit({"celsius":20})',
        "  … get_weather: asking the weather station in Oslo",
        "  ← get_weather: cloudy, 16°C",
        "  ← celsius_to_fahrenheit: 68°F",
        "The weather tool has the answer for Oslo, and 20°C is 68°F. Enjoy your day!",
        "",
      ].join("\n"),
    );
  });

  it("on an OpenAI-compatible server the model gets the tools and then their results", async () => {
    const server = await startOpenAICompatibleServer({
      responses: [
        { text: [], toolCalls: [{ id: "call_w", name: "get_weather", arguments: ['{"city":', '"Rome"}'] }] },
        { text: ["Rome ", "is ", "sunny."] },
      ],
    });
    try {
      const result = await runCli(["demo", "--agent", "--topic", "Rome"], { OPENAI_BASE_URL: server.url });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /^Using model: openai:gpt-4o-mini/);
      assert.match(result.stdout, /→ get_weather\(\{"city":"Rome"\}\)\n  … get_weather: asking the weather station in Rome\n  ← get_weather: windy, 16°C\nRome is sunny\.\n$/);
      const [first, second] = server.requests.filter((request) => request.path.endsWith("/chat/completions"));
      assert.deepEqual(first!.body.tools.map((entry: any) => entry.function.name), ["get_weather", "celsius_to_fahrenheit"]);
      assert.deepEqual(second!.body.messages.at(-1), { role: "tool", content: second!.body.messages.at(-1).content, tool_call_id: "call_w" });
      assert.match(second!.body.messages.at(-1).content, /^windy, 16°C$/);
    } finally {
      await server.close();
    }
  });

  it("--model anthropic:<name> runs the agent on Claude through the AI SDK: it gets the tools, then their results", async () => {
    const server = await startAnthropicServer({
      responses: [
        { text: ["Checking."], toolUses: [{ id: "toolu_w", name: "get_weather", input: ['{"city":', '"Rome"}'] }] },
        { text: ["Rome ", "is ", "windy."] },
      ],
    });
    try {
      const result = await runCli(["demo", "--agent", "--topic", "Rome", "--model", "anthropic:claude-test"], { ANTHROPIC_API_KEY: "sk-ant-test", ANTHROPIC_BASE_URL: server.url });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /^Using model: anthropic:claude-test \(from --model\)/);
      assert.match(result.stdout, /Checking\.\n  → get_weather\(\{"city":"Rome"\}\)\n  … get_weather: asking the weather station in Rome\n  ← get_weather: windy, 16°C\nRome is windy\.\n$/);
      const [first, second] = server.requests;
      assert.deepEqual([first!.body.model, first!.body.tools.map((entry: { name: string }) => entry.name)], ["claude-test", ["get_weather", "celsius_to_fahrenheit"]]);
      assert.deepEqual(second!.body.messages.at(-1), { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_w", content: "windy, 16°C" }] });
    } finally {
      await server.close();
    }
  });

  for (const [args, env, pattern] of [
    [["--model", "tiny"], {}, /--agent needs a model that calls tools, and the tiny model \(from --model\) cannot; use --model openai:<name> or anthropic:<name>, or leave --model out/],
    [["--model", "./models/x.gguf"], {}, /the \.gguf model .*x\.gguf \(from --model\) cannot; use --model openai:<name>/],
    [[], { WEFT_MODEL: "tiny" }, /the tiny model \(from WEFT_MODEL\) cannot; use WEFT_MODEL openai:<name> or anthropic:<name>, or leave WEFT_MODEL out/],
  ] as const) {
    it(`a model that cannot call tools, asked for (${args.join(" ") || "WEFT_MODEL=tiny"}), is a usage error, not a silent substitute`, async () => {
      const result = await runCli(["demo", "--agent", ...args], env);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, pattern);
      assert.equal(result.stdout, "");
    });
  }
});
