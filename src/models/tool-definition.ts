// The tool forms every chat model's bindTools accepts, read into one JSON-schema ToolDefinition:
// Weft's `{ name, description, parameters }`, a schema object (zod 4 or any Standard JSON Schema
// library), or OpenAI's `{ type: "function", function }` format.
import { WeftError, describeValue } from "../errors.js";
import { jsonSchemaOf } from "./tool-schema.js";

/** A tool the model may call: a name, a description and JSON-schema parameters. */
export interface ToolDefinition {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
}

/**
 * A tool `bindTools` accepts: Weft's JSON-schema form, a schema object (zod 4 or any
 * Standard Schema library that can describe itself as JSON Schema), or OpenAI's own tool format.
 */
export type ToolInput =
  | ToolDefinition
  | { name: string; description?: string; schema: unknown }
  | { type: "function"; function: { name: string; description?: string; parameters?: Record<string, unknown> } };

/** Read any accepted tool form into a JSON-schema tool definition. */
export function toToolDefinition(tool: ToolInput): ToolDefinition {
  if (typeof tool !== "object" || tool === null) {
    throw new WeftError("INVALID_OPTIONS", `A tool must be an object { name, description, parameters } or { name, description, schema }, not ${describeValue(tool)}.`);
  }
  if ("type" in tool && tool.type === "function" && typeof tool.function === "object" && tool.function !== null) {
    return toToolDefinition({ name: tool.function.name, description: tool.function.description, parameters: tool.function.parameters ?? EMPTY_OBJECT_SCHEMA });
  }
  const named = tool as { name?: unknown; description?: unknown };
  if (typeof named.name !== "string" || !/^[a-zA-Z0-9_-]{1,64}$/.test(named.name)) {
    throw new WeftError(
      "INVALID_OPTIONS",
      `Tool name ${describeValue(named.name)} is not accepted by OpenAI or Anthropic; use 1-64 letters, digits, "_" or "-".`,
    );
  }
  if (named.description !== undefined && typeof named.description !== "string") {
    throw new WeftError("INVALID_OPTIONS", `Tool "${named.name}" has a description that is not a string.`);
  }
  const description = named.description as string | undefined;
  // A tool made with tool() has both `schema` and the JSON Schema made from it, `parameters`.
  const given = (tool as { parameters?: unknown }).parameters;
  if (given === undefined && "schema" in tool) return { name: named.name, description, parameters: jsonSchemaOf(tool.schema, named.name) };
  const parameters = given ?? EMPTY_OBJECT_SCHEMA;
  if (typeof parameters !== "object" || parameters === null || Array.isArray(parameters)) {
    throw new WeftError("INVALID_OPTIONS", `Tool "${named.name}" needs \`parameters\` as a JSON-schema object, not ${describeValue(parameters)}.`);
  }
  return { name: named.name, description, parameters: parameters as Record<string, unknown> };
}

const EMPTY_OBJECT_SCHEMA = { type: "object", properties: {} };

/**
 * Which tool the model must call, in Weft's words: `auto` (the model decides), `none`, `required`
 * (some tool), or the named tool.
 */
export type ChatToolChoice = { type: "auto" } | { type: "none" } | { type: "required" } | { type: "tool"; name: string };

/**
 * `tool_choice` as LangChain's and OpenAI's `bindTools(tools, { tool_choice })` take it: "auto", "none",
 * "required" (LangChain's "any" too), a tool's name, or `{ type: "function", function: { name } }`
 * (Anthropic's `{ type: "tool", name }` too).
 */
export type ToolChoiceInput = "auto" | "none" | "required" | "any" | (string & {}) | { type: "function"; function: { name: string } } | { type: "tool"; name: string };

/** Options of `bindTools(tools, options)`, with LangChain's names. */
export interface BindToolsOptions {
  /** Which tool the model must call; default: the model decides. */
  tool_choice?: ToolChoiceInput;
  /** `false` asks for at most one tool call per answer (ChatOpenAI's `parallel_tool_calls`). */
  parallel_tool_calls?: boolean;
}

/** Read `tool_choice` against the tools it may name. */
export function toToolChoice(choice: ToolChoiceInput, tools: readonly ToolDefinition[]): ChatToolChoice {
  const named = (name: unknown): ChatToolChoice => {
    if (typeof name !== "string" || !tools.some((tool) => tool.name === name)) {
      const names = tools.map((tool) => `"${tool.name}"`).join(", ") || "none";
      throw new WeftError("INVALID_OPTIONS", `bindTools: \`tool_choice\` names tool ${describeValue(name)}, which is not one of the tools bound (${names}).`);
    }
    return { type: "tool", name };
  };
  if (choice === "auto" || choice === "none" || choice === "required") return { type: choice as "auto" | "none" | "required" };
  if (choice === "any") return { type: "required" };
  if (typeof choice === "string") return named(choice);
  if (typeof choice === "object" && choice !== null) {
    if (choice.type === "function" && typeof choice.function === "object" && choice.function !== null) return named(choice.function.name);
    if (choice.type === "tool") return named(choice.name);
  }
  throw new WeftError(
    "INVALID_OPTIONS",
    `bindTools: \`tool_choice\` must be "auto", "none", "required", a tool's name or { type: "function", function: { name } }, not ${describeValue(choice)}.`,
  );
}
