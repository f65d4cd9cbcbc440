// Translation between Weft's messages and tools and the chat-completions request format.
import type OpenAI from "openai";
import { WeftError } from "../../errors.js";
import type { ToolDefinition } from "../chat-model.js";
import type { ToolInput } from "../tool-definition.js";

/** A tool `ChatOpenAI.bindTools` accepts (see `ToolInput`), OpenAI's own tool format included. */
export type OpenAIToolInput = ToolInput;
import type { Message } from "../../core/messages.js";

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
