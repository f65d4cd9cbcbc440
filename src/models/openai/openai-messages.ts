// Translation between Weft's messages and tools and the chat-completions request format.
import type OpenAI from "openai";
import { WeftError, describeValue } from "../../errors.js";
import { jsonSchemaOf } from "../tool-schema.js";
import type { ToolDefinition } from "../chat-model.js";
import { type MessageContent, textOf } from "../../core/content-blocks.js";
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
  return messages.map((message, index): OpenAI.Chat.ChatCompletionMessageParam => {
    switch (message.role) {
      case "system":
        return { role: "system", content: textParts(message.content, index, "a system message") };
      case "user": {
        const content = userParts(message.content, index);
        return message.name === undefined ? { role: "user", content } : { role: "user", content, name: message.name };
      }
      case "assistant": {
        const text = textOf(message.content);
        if (message.toolCalls.length === 0) return { role: "assistant", content: text };
        return {
          role: "assistant",
          content: text === "" ? null : text,
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
        return { role: "tool", content: textParts(message.content, index, "a tool result"), tool_call_id: message.toolCallId };
    }
  });
}

/** User content: a string as it is, blocks as OpenAI content parts (images by URL or as data URLs). */
function userParts(content: MessageContent, index: number): string | OpenAI.Chat.ChatCompletionContentPart[] {
  if (typeof content === "string") return content;
  return content.map((block): OpenAI.Chat.ChatCompletionContentPart => {
    if (block.type === "text") return { type: "text", text: block.text };
    if (block.type === "image_url") {
      return { type: "image_url", image_url: typeof block.image_url === "string" ? { url: block.image_url } : block.image_url };
    }
    const mimeType = block.mimeType ?? block.mime_type;
    const url = block.url !== undefined && block.url !== "" ? block.url : `data:${mimeType};base64,${block.data}`;
    return { type: "image_url", image_url: { url } };
  });
}

/** System and tool content: OpenAI takes text only there. */
function textParts(content: MessageContent, index: number, what: string): string | OpenAI.Chat.ChatCompletionContentPartText[] {
  if (typeof content === "string") return content;
  return content.map((block) => {
    if (block.type !== "text") {
      throw new WeftError("INVALID_MESSAGES", `Message ${index} is ${what} with an image block; OpenAI chat completions take only text there. Send the image in a user message.`);
    }
    return { type: "text" as const, text: block.text };
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
