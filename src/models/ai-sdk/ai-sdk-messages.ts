// Translation of Weft's messages and tools into the AI SDK's provider-level prompt and function tools.
import { WeftError } from "../../errors.js";
import { type MessageContent, textOf } from "../../core/content-blocks.js";
import type { Message } from "../../core/messages.js";
import type { ToolDefinition } from "../chat-model.js";
import type { AISDKFunctionTool, AISDKPromptMessage } from "./ai-sdk-types.js";

/** Weft messages as a LanguageModelV2/3/4 prompt; says which message is wrong when one cannot be sent. */
export function toAISDKPrompt(messages: readonly Message[]): AISDKPromptMessage[] {
  // A tool result names its tool in this prompt format; Weft's ToolMessage may carry only the call id.
  const toolNames = new Map<string, string>();
  return messages.map((message, index): AISDKPromptMessage => {
    switch (message.role) {
      case "system":
        return { role: "system", content: textOnly(message.content, index) };
      case "user":
        return { role: "user", content: [{ type: "text", text: textOnly(message.content, index) }] };
      case "assistant": {
        const content: Extract<AISDKPromptMessage, { role: "assistant" }>["content"] = [];
        const text = textOf(message.content);
        if (text !== "") content.push({ type: "text", text });
        for (const call of message.toolCalls) {
          toolNames.set(call.id, call.name);
          content.push({ type: "tool-call", toolCallId: call.id, toolName: call.name, input: call.args });
        }
        return { role: "assistant", content };
      }
      case "tool": {
        if (typeof message.toolCallId !== "string" || message.toolCallId === "") {
          throw new WeftError("INVALID_MESSAGES", `Message ${index} is a tool result without \`toolCallId\`; set it to the id of the tool call it answers.`);
        }
        const toolName = message.name ?? toolNames.get(message.toolCallId) ?? "";
        return { role: "tool", content: [{ type: "tool-result", toolCallId: message.toolCallId, toolName, output: { type: "text", value: textOnly(message.content, index) } }] };
      }
    }
  });
}

/** The text of a message; images are not sent through this adapter yet, and a message with one says so. */
function textOnly(content: MessageContent, index: number): string {
  if (typeof content !== "string" && content.some((block) => block.type !== "text")) {
    throw new WeftError("INVALID_MESSAGES", `Message ${index} has an image block; fromAISDK sends text content only. Send the text, or use a provider's own client for images.`);
  }
  return textOf(content);
}

/** Weft tool definitions as the AI SDK's function tools (JSON Schema as `inputSchema`). */
export function toAISDKTools(tools: readonly ToolDefinition[]): AISDKFunctionTool[] {
  return tools.map((tool) =>
    tool.description === undefined
      ? { type: "function", name: tool.name, inputSchema: tool.parameters }
      : { type: "function", name: tool.name, description: tool.description, inputSchema: tool.parameters },
  );
}
