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
