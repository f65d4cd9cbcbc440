// Translation between Weft's messages and tools and the chat-completions request format.
import type OpenAI from "openai";
import { WeftError, describeValue } from "../../errors.js";
import type { ChatToolChoice, ToolDefinition } from "../chat-model.js";
import type { ToolInput } from "../tool-definition.js";
import { type MessageContent, textOf } from "../../core/content-blocks.js";
import type { Message } from "../../core/messages.js";

/** A tool `ChatOpenAI.bindTools` accepts (see `ToolInput`), OpenAI's own tool format included. */
export type OpenAIToolInput = ToolInput;
export { toToolDefinition } from "../tool-definition.js";

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

/** bindTools' `tool_choice` as the chat-completions `tool_choice` parameter. */
export function toOpenAIToolChoice(choice: ChatToolChoice): OpenAI.Chat.ChatCompletionToolChoiceOption {
  return choice.type === "tool" ? { type: "function", function: { name: choice.name } } : choice.type;
}
