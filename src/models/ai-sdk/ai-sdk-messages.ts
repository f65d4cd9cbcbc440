// Translation of Weft's messages and tools into the AI SDK's provider-level prompt and function tools.
import { WeftError } from "../../errors.js";
import { type MessageContent, textOf } from "../../core/content-blocks.js";
import type { Message } from "../../core/messages.js";
import type { ChatToolChoice, ToolDefinition } from "../chat-model.js";
import type { AISDKCallOptions, AISDKFilePart, AISDKFunctionTool, AISDKPromptMessage, AISDKTaggedFileData } from "./ai-sdk-types.js";

/** Weft messages as a LanguageModelV2/3/4 prompt; says which message is wrong when one cannot be sent. */
export function toAISDKPrompt(messages: readonly Message[], version: "v2" | "v3" | "v4"): AISDKPromptMessage<string | URL | AISDKTaggedFileData>[] {
  const prompt = toUntaggedPrompt(messages);
  if (version !== "v4") return prompt;
  // V4 tags a file's data: base64 text as { type: "data" }, a URL as { type: "url" }.
  for (const message of prompt) {
    if (message.role !== "user") continue;
    for (const part of message.content as Array<{ type: "text"; text: string } | AISDKFilePart<string | URL | AISDKTaggedFileData>>) {
      if (part.type === "file") part.data = part.data instanceof URL ? { type: "url", url: part.data } : { type: "data", data: part.data as string };
    }
  }
  return prompt;
}

function toUntaggedPrompt(messages: readonly Message[]): AISDKPromptMessage[] {
  // A tool result names its tool in this prompt format; Weft's ToolMessage may carry only the call id.
  const toolNames = new Map<string, string>();
  return messages.map((message, index): AISDKPromptMessage => {
    switch (message.role) {
      case "system":
        return { role: "system", content: textOnly(message.content, index) };
      case "user":
        return { role: "user", content: userParts(message.content, index) };
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

/** User content as text and file parts: an image by URL as a URL, base64 data (or a `data:` URL) as base64 text with its media type. */
function userParts(content: MessageContent, index: number): Array<{ type: "text"; text: string } | AISDKFilePart> {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return content.map((block, blockIndex) => {
    if (block.type === "text") return { type: "text", text: block.text };
    const where = `Message ${index}, content block ${blockIndex},`;
    if (block.type === "image_url") return imageFromUrl(typeof block.image_url === "string" ? block.image_url : block.image_url.url, undefined, where);
    const mediaType = block.mimeType ?? block.mime_type;
    if (block.url !== undefined && block.url !== "") return imageFromUrl(block.url, mediaType, where);
    return { type: "file", data: block.data!, mediaType: mediaType! };
  });
}

function imageFromUrl(url: string, mediaType: string | undefined, where: string): AISDKFilePart {
  if (url.startsWith("data:")) {
    const parsed = /^data:([^;,]+)((?:;[^;,]*)*?);base64,(.*)$/s.exec(url);
    if (parsed === null) throw new WeftError("INVALID_MESSAGES", `${where} is an image data URL that is not base64; give data:<type>;base64,<data>.`);
    return { type: "file", data: parsed[3]!, mediaType: parsed[1]! };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WeftError("INVALID_MESSAGES", `${where} has image URL ${JSON.stringify(url.slice(0, 100))}, which is not a URL; give an absolute URL or base64 \`data\` with \`mimeType\`.`);
  }
  return { type: "file", data: parsed, mediaType: mediaType ?? "image/*" };
}

/** The text of a system or tool message, where the AI SDK takes text only. */
function textOnly(content: MessageContent, index: number): string {
  if (typeof content !== "string" && content.some((block) => block.type !== "text")) {
    throw new WeftError("INVALID_MESSAGES", `Message ${index} is a system or tool message with an image block; the AI SDK takes text there. Send the image in a user message.`);
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

/** bindTools' `tool_choice` as the AI SDK's `toolChoice` (default: the model decides). */
export function toAISDKToolChoice(choice: ChatToolChoice | undefined): NonNullable<AISDKCallOptions["toolChoice"]> {
  if (choice === undefined) return { type: "auto" };
  return choice.type === "tool" ? { type: "tool", toolName: choice.name } : choice;
}
