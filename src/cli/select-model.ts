// Which model the demo runs, decided from the --model flag, the environment and the models folder.
// Pure: the caller passes the environment and a way to list a folder, so every rule is testable.
import { isAbsolute, join, resolve } from "node:path";
import { WeftError } from "../errors.js";

/** The model the demo will use, with the reason it was chosen (printed as "Using model: ..."). */
export type ModelChoice =
  | { kind: "openai"; model: string; reason: string }
  | { kind: "anthropic"; model: string; reason: string }
  | { kind: "gguf"; path: string; reason: string }
  | { kind: "tiny"; reason: string };

export interface ModelSelectionInput {
  /** The --model flag, if given. */
  flag?: string | undefined;
  /** The environment: WEFT_MODEL, OPENAI_API_KEY, OPENAI_BASE_URL, WEFT_MODELS_DIR. */
  env: Readonly<Record<string, string | undefined>>;
  /** The working directory that relative paths resolve from. */
  cwd: string;
  /** The file names in a folder, or undefined when it does not exist. */
  listFolder: (path: string) => readonly string[] | undefined;
}

export const DEFAULT_OPENAI_MODEL = "gpt-4o-mini";
export const DEFAULT_MODELS_FOLDER = "./models";
const MODEL_SPEC_HELP = '"openai:<model name>" (e.g. openai:gpt-4o-mini), "anthropic:<model name>" (e.g. anthropic:claude-sonnet-4-5), a path to a .gguf file, or "tiny"';

/**
 * Pick the demo's model, in this order:
 * 1. `--model` (or else `WEFT_MODEL`): `openai:<name>`, `anthropic:<name>`, a path to a `.gguf` file, or `tiny`;
 * 2. OpenAI `gpt-4o-mini` when `OPENAI_API_KEY` or `OPENAI_BASE_URL` is set;
 * 3. the first `.gguf` file (by name) in `WEFT_MODELS_DIR` (default `./models`);
 * 4. the built-in tiny demo model.
 */
export function selectModel(input: ModelSelectionInput): ModelChoice {
  const flag = nonEmpty(input.flag);
  if (flag !== undefined) return parseModelSpec(flag, "--model", input.cwd);
  const fromEnvironment = nonEmpty(input.env.WEFT_MODEL);
  if (fromEnvironment !== undefined) return parseModelSpec(fromEnvironment, "WEFT_MODEL", input.cwd);

  const keyVariable = nonEmpty(input.env.OPENAI_API_KEY) ? "OPENAI_API_KEY" : nonEmpty(input.env.OPENAI_BASE_URL) ? "OPENAI_BASE_URL" : undefined;
  if (keyVariable !== undefined) return { kind: "openai", model: DEFAULT_OPENAI_MODEL, reason: `${keyVariable} is set` };

  const folderSetting = nonEmpty(input.env.WEFT_MODELS_DIR);
  const folder = resolve(input.cwd, folderSetting ?? DEFAULT_MODELS_FOLDER);
  const firstModel = (input.listFolder(folder) ?? []).filter((name) => name.toLowerCase().endsWith(".gguf")).sort()[0];
  if (firstModel !== undefined) {
    return { kind: "gguf", path: join(folder, firstModel), reason: `the first .gguf file in ${folderSetting ? "WEFT_MODELS_DIR" : DEFAULT_MODELS_FOLDER}` };
  }
  return {
    kind: "tiny",
    reason: `no --model, WEFT_MODEL, OPENAI_API_KEY, OPENAI_BASE_URL or .gguf file in ${folderSetting ?? DEFAULT_MODELS_FOLDER}`,
  };
}

/** Read `openai:<name>`, `anthropic:<name>`, a `.gguf` path or `tiny`, or say what is accepted. */
export function parseModelSpec(spec: string, source: string, cwd: string): ModelChoice {
  const reason = `from ${source}`;
  if (spec === "tiny") return { kind: "tiny", reason };
  for (const kind of ["openai", "anthropic"] as const) {
    if (!spec.startsWith(`${kind}:`)) continue;
    const model = spec.slice(kind.length + 1).trim();
    if (model === "") throw new WeftError("INVALID_OPTIONS", `${source} "${spec}" names no model; use ${MODEL_SPEC_HELP}.`);
    return { kind, model, reason };
  }
  if (spec.toLowerCase().endsWith(".gguf")) return { kind: "gguf", path: isAbsolute(spec) ? spec : resolve(cwd, spec), reason };
  throw new WeftError("INVALID_OPTIONS", `${source} "${spec}" is not a model the demo knows; use ${MODEL_SPEC_HELP}.`);
}

/** How a choice is named in "Using model: ...". */
export function describeChoice(choice: ModelChoice): string {
  const name =
    choice.kind === "openai" || choice.kind === "anthropic" ? `${choice.kind}:${choice.model}` : choice.kind === "gguf" ? choice.path : "tiny, the built-in n-gram demo model";
  return `${name} (${choice.reason})`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
