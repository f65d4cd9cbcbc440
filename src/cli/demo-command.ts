// `weft demo`: the seed's joke/poem graph on whichever model is available, tokens streamed live.
import { readdirSync } from "node:fs";
import { type Command, InvalidArgumentError, Option } from "commander";
import { createDemoModels } from "./demo-models.js";
import { type DemoTag, runDemo } from "./run-demo.js";
import { scriptedAgentModel } from "../demo/agent-demo.js";
import { runAgentDemo } from "./run-agent-demo.js";
import { type ModelChoice, describeChoice, selectModel } from "./select-model.js";
import { shouldColor } from "./terminal-colors.js";
import { WeftError } from "../errors.js";

interface DemoFlags {
  topic: string;
  only?: DemoTag;
  mode: "messages" | "custom";
  model?: string;
  separator: string;
  json?: boolean;
  seed?: number;
  temperature?: number;
  maxTokens?: number;
  pace: number;
  agent?: boolean;
}

const DEFAULT_PACE = 25;

const MODEL_HELP = `
Model (printed on stderr as "Using model: ..."), the first that applies:
  1. --model, else WEFT_MODEL: openai:<name>, anthropic:<name>, a path to a .gguf file, or tiny
     (anthropic: through the AI SDK: needs @ai-sdk/anthropic and ANTHROPIC_API_KEY; ANTHROPIC_BASE_URL honoured)
  2. OpenAI gpt-4o-mini when OPENAI_API_KEY or OPENAI_BASE_URL is set
     (OPENAI_BASE_URL reaches any OpenAI-compatible server: Ollama, vLLM, llama.cpp server, LM Studio)
  3. the first .gguf file in WEFT_MODELS_DIR (default ./models), run in-process by llama.cpp
  4. the built-in tiny model: a small n-gram demo model, offline, no download

Examples:
  weft demo
  weft demo --topic "the sea" --only poem --separator "|"
  weft demo --mode custom --json
  weft demo --agent --topic Oslo    (a tool-calling agent; OpenAI-compatible and Anthropic models call the tools,
                                     else a scripted model does; a .gguf or tiny model given with --model cannot)
  weft demo --model ./models/qwen2.5-0.5b-instruct-q4_k_m.gguf
  OPENAI_API_KEY=sk-... weft demo --model openai:gpt-4o-mini
  ANTHROPIC_API_KEY=sk-ant-... weft demo --model anthropic:claude-sonnet-4-5`;

/** Add `weft demo` to the program. */
export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("run the seed's joke/poem graph and stream every token as it is generated")
    .option("--topic <topic>", "what the joke and the poem are about", "cats")
    .addOption(new Option("--only <tag>", "show only the joke or only the poem (the seed's filter on tags)").choices(["joke", "poem"]))
    .addOption(
      new Option("--mode <mode>", "messages: tagged chat models; custom: raw token streams sent through config.writer")
        .choices(["messages", "custom"])
        .default("messages"),
    )
    .option("--model <model>", "openai:<name>, anthropic:<name>, a path to a .gguf file, or tiny (see below)")
    .option("--separator <text>", 'printed after every token (the seed prints "|")', "")
    .option("--json", "print NDJSON instead: one [chunk, metadata] line per streamed chunk")
    .option("--seed <integer>", "sampling seed of the tiny and .gguf models (same seed, same text)", parseInteger(0))
    .option("--temperature <number>", "sampling temperature (0 = always the likeliest token)", parseNumber(0))
    .option("--max-tokens <integer>", "the most tokens per answer (.gguf default 256)", parseInteger(1))
    .option("--pace <tokens-per-second>", "speed of the tiny model; 0 = as fast as possible", parseNumber(0), DEFAULT_PACE)
    .option("--agent", "run a tool-calling agent instead (--topic is the city); streams tokens, tool calls and tool results")
    .addHelpText("after", MODEL_HELP)
    .action(async (flags: DemoFlags) => {
      const choice = selectModel({ flag: flags.model, env: process.env, cwd: process.cwd(), listFolder });
      if (flags.agent === true) return runAgentCommand(choice, flags);
      process.stderr.write(`Using model: ${describeChoice(choice)}\n`);
      const models = await createDemoModels(choice, {
        seed: flags.seed,
        temperature: flags.temperature,
        maxTokens: flags.maxTokens,
        pace: flags.pace,
      });
      // A closed pipe (`weft demo | head -3`) ends the demo quietly instead of crashing on EPIPE.
      const closed = new AbortController();
      process.stdout.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code !== "EPIPE") throw error;
        closed.abort(error);
      });
      await runDemo(
        models,
        {
          topic: flags.topic,
          only: flags.only,
          mode: flags.mode,
          separator: flags.separator,
          json: flags.json === true,
          colors: !flags.json && shouldColor(process.stdout, process.env),
        },
        (text) => {
          if (!closed.signal.aborted) process.stdout.write(text);
        },
        closed.signal,
      );
    });
}

/**
 * `weft demo --agent`: OpenAI-compatible and Anthropic models call the tools themselves. A model
 * picked without being asked for (a .gguf file found, or the tiny model) cannot call tools, so a
 * scripted model that does runs instead; asked for with --model or WEFT_MODEL, it is a usage error.
 */
async function runAgentCommand(choice: ModelChoice, flags: DemoFlags): Promise<void> {
  const city = flags.topic === "cats" ? "Paris" : flags.topic;
  let llm;
  if (choice.kind === "openai") {
    const { ChatOpenAI } = await import("../models/openai/index.js");
    llm = new ChatOpenAI({ model: choice.model, temperature: flags.temperature, maxTokens: flags.maxTokens });
    process.stderr.write(`Using model: ${describeChoice(choice)}\n`);
  } else if (choice.kind === "anthropic") {
    const { createAnthropicModel } = await import("./anthropic-model.js");
    llm = await createAnthropicModel(choice.model, { seed: flags.seed, temperature: flags.temperature, maxTokens: flags.maxTokens, pace: flags.pace }, process.env);
    process.stderr.write(`Using model: ${describeChoice(choice)}\n`);
  } else {
    const source = flags.model !== undefined && flags.model.trim() !== "" ? "--model" : process.env.WEFT_MODEL?.trim() ? "WEFT_MODEL" : undefined;
    if (source !== undefined) {
      const what = choice.kind === "gguf" ? `the .gguf model ${choice.path}` : "the tiny model";
      throw new WeftError(
        "INVALID_OPTIONS",
        `--agent needs a model that calls tools, and ${what} (from ${source}) cannot; use ${source} openai:<name> or anthropic:<name>, or leave ${source} out for the scripted demo model.`,
      );
    }
    llm = scriptedAgentModel(city, flags.pace);
    process.stderr.write("Using model: a scripted tool-calling demo model (for a real one: OPENAI_API_KEY, OPENAI_BASE_URL, --model openai:<name> or --model anthropic:<name>)\n");
  }
  const closed = new AbortController();
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    closed.abort(error);
  });
  await runAgentDemo(llm, { question: `What is the weather in ${city}, and what is 20°C in Fahrenheit?`, json: flags.json === true }, (text) => {
    if (!closed.signal.aborted) process.stdout.write(text);
  }, closed.signal);
}

function listFolder(path: string): string[] | undefined {
  try {
    return readdirSync(path);
  } catch {
    return undefined;
  }
}

function parseInteger(min: number) {
  return (value: string): number => {
    const number = Number(value);
    if (value.trim() === "" || !Number.isInteger(number) || number < min) throw new InvalidArgumentError(`expected an integer >= ${min}.`);
    return number;
  };
}

function parseNumber(min: number) {
  return (value: string): number => {
    const number = Number(value);
    if (value.trim() === "" || !Number.isFinite(number) || number < min) throw new InvalidArgumentError(`expected a number >= ${min}.`);
    return number;
  };
}
