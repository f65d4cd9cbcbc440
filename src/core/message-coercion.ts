// Reading every accepted message shape into Weft messages: Weft's `{ role, content }`, LangChain's
// `{ type: "human", content }` dicts and class instances, `[type, content]` tuples, a bare string
// (a human message), LangChain's serialized `{ lc: 1, type: "constructor", ... }` form, and chunks.
import { WeftError, describeValue } from "../errors.js";
import { assembleToolCalls } from "./assemble-tool-calls.js";
import { type MessageContent, checkContent } from "./content-blocks.js";
import { type MessageFields, readMessageFields } from "./message-fields.js";
import {
  AIMessage,
  AIMessageChunk,
  HumanMessage,
  Message,
  type MessageRole,
  type MessagesInput,
  RemoveMessage,
  SystemMessage,
  ToolMessage,
} from "./messages.js";

type Kind = MessageRole | "remove";

const KIND_OF_NAME: Record<string, Kind> = {
  user: "user",
  human: "user",
  assistant: "assistant",
  ai: "assistant",
  AIMessageChunk: "assistant",
  system: "system",
  developer: "system",
  tool: "tool",
  remove: "remove",
};

const KIND_OF_CLASS: Record<string, Kind> = {
  HumanMessage: "user",
  HumanMessageChunk: "user",
  AIMessage: "assistant",
  AIMessageChunk: "assistant",
  SystemMessage: "system",
  SystemMessageChunk: "system",
  ToolMessage: "tool",
  ToolMessageChunk: "tool",
  RemoveMessage: "remove",
};

/**
 * Read one message-like into a Weft message (or a RemoveMessage). Messages are returned as they are;
 * anything else makes a new message. `where` names the value in errors ("Message 2").
 */
/** A LangChain.js message instance (what LangChain's own isBaseMessage checks: a `_getType()` method). */
export function isLangChainMessage(value: unknown): value is { id?: string | null; _getType(): string } {
  return typeof value === "object" && value !== null && typeof (value as { _getType?: unknown })._getType === "function";
}

export function toMessage(like: unknown, where = "The message"): Message | RemoveMessage {
  if (like instanceof Message || like instanceof RemoveMessage) return like;
  if (like instanceof AIMessageChunk) return chunkToMessage(like);
  if (typeof like === "string") return new HumanMessage(like);
  if (Array.isArray(like)) {
    if (like.length !== 2 || typeof like[0] !== "string") {
      throw invalid(`${where} is an array of ${like.length}; a message tuple is [type, content], e.g. ["human", "hi"].`);
    }
    return build(kindOf(like[0], "type", where), { content: like[1] }, where);
  }
  if (typeof like !== "object" || like === null) {
    throw invalid(`${where} is ${describeValue(like)}; a message is a string, { role, content }, { type, content } or a message object.`);
  }
  const fields = like as Record<string, unknown>;
  if (typeof fields.lc === "number" && fields.type === "constructor" && Array.isArray(fields.id)) {
    const className = String(fields.id.at(-1));
    const kind = Object.prototype.hasOwnProperty.call(KIND_OF_CLASS, className) ? KIND_OF_CLASS[className] : undefined;
    if (kind === undefined) throw invalid(`${where} is a serialized LangChain ${className}, which Weft cannot read as a message.`);
    return build(kind, (fields.kwargs ?? {}) as Record<string, unknown>, where);
  }
  // As in LangChain, `role` wins over `type` when both are there.
  if (fields.role !== undefined) return build(kindOf(fields.role, "role", where), fields, where);
  if (fields.type !== undefined) return build(kindOf(fields.type, "type", where), fields, where);
  throw invalid(`${where} has neither \`role\` nor \`type\`; write { role: "user", content: "..." } (or LangChain's { type: "human", content }).`);
}

/** Reads any accepted model input into Weft messages, or says exactly which entry is wrong. */
export function toMessages(input: MessagesInput): Message[] {
  if (typeof input === "string") return [new HumanMessage(input)];
  if (!Array.isArray(input)) {
    throw invalid(`Chat models take a string or an array of { role, content } messages, not ${describeValue(input)}.`);
  }
  // Array.from visits the holes of a sparse array (map() would skip them and keep the holes).
  return Array.from(input as unknown[], (entry, index) => {
    const message = toMessage(entry, `Message ${index}`);
    if (message instanceof RemoveMessage) {
      throw invalid(`Message ${index} is a RemoveMessage, which only the messages reducer (addMessages) understands; a chat model takes real messages.`);
    }
    return message;
  });
}

function kindOf(name: unknown, field: "role" | "type", where: string): Kind {
  // Own keys only, so "constructor" or "toString" are not read as roles.
  if (typeof name === "string" && Object.prototype.hasOwnProperty.call(KIND_OF_NAME, name)) return KIND_OF_NAME[name]!;
  throw invalid(
    `${where} has ${field} ${describeValue(name)}; use one of "system", "user", "assistant", "tool" (or LangChain's types "human", "ai", "system", "tool").`,
  );
}

function build(kind: Kind, source: Record<string, unknown>, where: string): Message | RemoveMessage {
  if (kind === "remove") {
    if (typeof source.id !== "string" || source.id === "") throw invalid(`${where} is a remove message without an \`id\`; name the message to remove.`);
    return new RemoveMessage({ id: source.id });
  }
  const fields = readMessageFields(source, where);
  if (kind === "assistant") return new AIMessage(aiText(source.content, fields, where), fields);
  if (source.content === undefined) throw invalid(`${where} has no \`content\`; give a string or an array of content blocks.`);
  const content: MessageContent = checkContent(source.content, where);
  if (kind === "user") return new HumanMessage(content, fields);
  if (kind === "system") return new SystemMessage(content, fields);
  if (fields.toolCallId === undefined) {
    throw invalid(`${where} is a tool message without \`toolCallId\` (LangChain: \`tool_call_id\`); set it to the id of the tool call it answers.`);
  }
  return new ToolMessage(content, fields.toolCallId, fields);
}

/**
 * An AI message's content as text. Block lists (as Anthropic-style histories have them) keep their
 * text blocks; a reasoning block becomes `reasoning`; tool-use blocks are already in `tool_calls`.
 */
function aiText(content: unknown, fields: MessageFields, where: string): string {
  if (content === undefined || content === null) return "";
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) throw invalid(`${where} has content ${describeValue(content)}; content must be a string or an array of content blocks.`);
  let text = "";
  for (const block of content as Array<Record<string, unknown>>) {
    if (block?.type === "text" && typeof block.text === "string") text += block.text;
    else if (block?.type === "reasoning" && typeof block.reasoning === "string" && fields.reasoning === undefined) fields.reasoning = block.reasoning;
  }
  return text;
}

function chunkToMessage(chunk: AIMessageChunk): AIMessage {
  const fields: MessageFields = { id: chunk.id };
  if (chunk.toolCallChunks.length > 0) fields.toolCalls = assembleToolCalls(chunk.toolCallChunks);
  if (chunk.usage !== undefined) fields.usage = chunk.usage;
  if (chunk.reasoning !== undefined) fields.reasoning = chunk.reasoning;
  return new AIMessage(chunk.content, fields);
}

function invalid(message: string): WeftError {
  return new WeftError("INVALID_MESSAGES", message);
}
