#!/usr/bin/env node
// The `weft` command line. Each command lives in its own module; adding one is one line below.
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { WeftError, describeError } from "../errors.js";
import { registerDemoCommand } from "./demo-command.js";
import { registerServeCommand } from "./serve-command.js";

/** Usage errors (unknown flags, bad values, a model or the package it needs that cannot be found) exit with this code. */
const USAGE_ERROR = 2;
const USAGE_CODES = new Set(["INVALID_OPTIONS", "MODEL_NOT_FOUND", "MISSING_DEPENDENCY"]);

export function createProgram(): Command {
  const program = new Command("weft")
    .description("Weft: stateful LLM graphs that stream every token with its metadata")
    .version(packageVersion())
    // Settings before commands: subcommands inherit them.
    .exitOverride()
    .showHelpAfterError("(add --help for usage)");
  registerDemoCommand(program);
  registerServeCommand(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await createProgram().parseAsync(argv);
  } catch (error) {
    process.exitCode = exitCode(error);
  }
}

function exitCode(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander has printed the message (or the help) already.
    return error.code === "commander.helpDisplayed" || error.code === "commander.version" ? 0 : USAGE_ERROR;
  }
  process.stderr.write(`weft: ${describeError(error)}\n`);
  return WeftError.isInstance(error) && USAGE_CODES.has(error.code) ? USAGE_ERROR : 1;
}

function packageVersion(): string {
  // Two folders below the package root from both src/cli and dist/cli.
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return manifest.version;
}

await main(process.argv);
