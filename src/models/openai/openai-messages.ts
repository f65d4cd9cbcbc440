// Translation between Weft's messages and tools and the chat-completions request format.
import type OpenAI from "openai";
import { WeftError, describeError, describeValue } from "../../errors.js";
import type { ToolDefinition } from "../chat-model.js";
import type { Message } from "../../core/messages.js";

/**
 * A tool `ChatOpenAI.bindTools` accepts: Weft's JSON-schema form, a schema object (zod 4 or any
 * Standard Schema library that can describe itself as JSON Schema), or OpenAI's own tool format.
 */
export type OpenAIToolInput =
  | ToolDefinition
  | { name: string; description?: string; schema: unknown }
  | { type: "function"; function: { name: string; description?: string; parameters?: Record<string, unknown> } };

/** Weft messages to chat-completions messages; says which message is wrong when one cannot be sent. */
export function toOpenAIMessages(messages: readonly Message[]): OpenAI.Chat.ChatCompletionMessageParam[] {
  return messages.map((message, index) => {
    switch (message.role) {
      case "system":
        return { role: "system", content: message.content };
      case "user":
        return message.name === undefined ? { role: "user", content: message.content } : { role: "user", content: message.content, name: message.name };
      case "assistant": {
        if (message.toolCalls.length === 0) return { role: "assistant", content: message.content };
        return {
          role: "assistant",
          content: message.content === "" ? null : message.content,
          tool_calls: message.toolCalls.map((call) => ({
            id: call.id,
            type: "function" as const,
            function: { name: call.name, arguments: JSON.stringify(call.args) },
          })),
        };
      }
      case "tool":
        if (typeof message.toolCallId !== "string" || message.toolCallId === "") {
          throw new WeftError(
            "INVALID_MESSAGES",
            `Message ${index} is a tool result without \`toolCallId\`; set it to the id of the tool call it answers.`,
          );
        }
        return { role: "tool", content: message.content, tool_call_id: message.toolCallId };
    }
  });
}

/** Weft tool definitions to the chat-completions `tools` parameter. */
export function toOpenAITools(tools: readonly ToolDefinition[]): OpenAI.Chat.ChatCompletionTool[] {
  return tools.map((tool) => ({
    type: "function",
    function: tool.description === undefined ? { name: tool.name, parameters: tool.parameters } : { name: tool.name, description: tool.description, parameters: tool.parameters },
  }));
}

/** Read any accepted tool form into a JSON-schema tool definition. */
export function toToolDefinition(tool: OpenAIToolInput): ToolDefinition {
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
      `Tool name ${describeValue(named.name)} is not accepted by OpenAI; use 1-64 letters, digits, "_" or "-".`,
    );
  }
  if (named.description !== undefined && typeof named.description !== "string") {
    throw new WeftError("INVALID_OPTIONS", `Tool "${named.name}" has a description that is not a string.`);
  }
  const description = named.description as string | undefined;
  if ("schema" in tool) return { name: named.name, description, parameters: jsonSchemaOf(tool.schema, named.name) };
  const parameters = (tool as ToolDefinition).parameters ?? EMPTY_OBJECT_SCHEMA;
  if (typeof parameters !== "object" || parameters === null || Array.isArray(parameters)) {
    throw new WeftError("INVALID_OPTIONS", `Tool "${named.name}" needs \`parameters\` as a JSON-schema object, not ${describeValue(parameters)}.`);
  }
  return { name: named.name, description, parameters };
}

const EMPTY_OBJECT_SCHEMA = { type: "object", properties: {} };

/** JSON Schema from a schema object: Standard JSON Schema (zod 4.2+, ...) or a `toJSONSchema()` method. */
function jsonSchemaOf(schema: unknown, toolName: string): Record<string, unknown> {
  const standard = (schema as { "~standard"?: { jsonSchema?: { input?: (options: { target: string }) => unknown } } } | null)?.["~standard"];
  let json: unknown;
  try {
    if (typeof standard?.jsonSchema?.input === "function") json = standard.jsonSchema.input({ target: "draft-07" });
    else if (typeof (schema as { toJSONSchema?: unknown })?.toJSONSchema === "function") json = (schema as { toJSONSchema: () => unknown }).toJSONSchema();
  } catch (error) {
    throw new WeftError("INVALID_OPTIONS", `The schema of tool "${toolName}" cannot be turned into JSON Schema: ${describeError(error)}`, { cause: error });
  }
  if (typeof json !== "object" || json === null) {
    throw new WeftError(
      "INVALID_OPTIONS",
      `The schema of tool "${toolName}" cannot describe itself as JSON Schema; use zod 4 (or another Standard JSON Schema library), or pass JSON-schema \`parameters\` instead of \`schema\`.`,
    );
  }
  const { $schema: _ignored, ...parameters } = json as Record<string, unknown>;
  return parameters;
}
