// `weft demo --agent` run as a child process: the scripted offline model, and an OpenAI-compatible
// server on 127.0.0.1 whose model calls the tools itself.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { startOpenAICompatibleServer } from "weft/testing";
import { REPOSITORY_ROOT } from "./support/test-gguf.js";

const emptyFolder = mkdtempSync(join(tmpdir(), "weft-agent-cli-"));
after(() => rmSync(emptyFolder, { recursive: true, force: true }));

function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cleanEnvironment = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(OPENAI_|WEFT_MODEL|NO_COLOR|FORCE_COLOR)/.test(name)));
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
});
