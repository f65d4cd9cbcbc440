// Chat messages: what goes into a model call and what comes out of it, token by token.
import { WeftError, describeValue } from "../errors.js";

export type MessageRole = "system" | "user" | "assistant" | "tool";

/** A complete tool call requested by the model. */
export interface ToolCall {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

/** A fragment of a tool call as it streams: fragments with the same index belong together. */
export interface ToolCallChunk {
  index: number;
  id?: string;
  name?: string;
  args?: string;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/** Anything with a role and text content: plain objects like `{ role: "user", content: "hi" }` qualify. */
export interface MessageInit {
  role: MessageRole | "human" | "ai";
  content: string;
  id?: string;
  name?: string;
  toolCalls?: ToolCall[];
  toolCallId?: string;
}

/** A message in a conversation. */
export class Message {
  readonly role: MessageRole;
  content: string;
  id?: string;
  name?: string;
  toolCallId?: string;
  toolCalls: ToolCall[];

  constructor(role: MessageRole, content: string, fields: Partial<MessageInit> = {}) {
    this.role = role;
    this.content = content;
    if (fields.id !== undefined) this.id = fields.id;
    if (fields.name !== undefined) this.name = fields.name;
    if (fields.toolCallId !== undefined) this.toolCallId = fields.toolCallId;
    this.toolCalls = fields.toolCalls ?? [];
  }

  /** LangChain-style type name: "human", "ai", "system" or "tool". */
  get type(): "human" | "ai" | "system" | "tool" {
    return this.role === "user" ? "human" : this.role === "assistant" ? "ai" : this.role;
  }

  toJSON(): MessageInit {
    const json: MessageInit = { role: this.role, content: this.content };
    if (this.id !== undefined) json.id = this.id;
    if (this.name !== undefined) json.name = this.name;
    if (this.toolCallId !== undefined) json.toolCallId = this.toolCallId;
    if (this.toolCalls.length > 0) json.toolCalls = this.toolCalls;
    return json;
  }
}

export class HumanMessage extends Message {
  constructor(content: string, fields?: Partial<MessageInit>) {
    super("user", content, fields);
  }
}

export class SystemMessage extends Message {
  constructor(content: string, fields?: Partial<MessageInit>) {
    super("system", content, fields);
  }
}

export class ToolMessage extends Message {
  constructor(content: string, toolCallId: string, fields?: Partial<MessageInit>) {
    super("tool", content, { ...fields, toolCallId });
  }
}

/** The whole answer of one model call. */
export class AIMessage extends Message {
  usage?: Usage;
  /** The model's reasoning ("thinking") text, kept apart from `content`. */
  reasoning?: string;
  /** Provider facts such as the finish reason. */
  responseMetadata: Record<string, unknown>;

  constructor(content: string, fields: Partial<MessageInit> & { usage?: Usage; responseMetadata?: Record<string, unknown>; reasoning?: string } = {}) {
    super("assistant", content, fields);
    if (fields.usage !== undefined) this.usage = fields.usage;
    if (fields.reasoning !== undefined) this.reasoning = fields.reasoning;
    this.responseMetadata = fields.responseMetadata ?? {};
  }
}

/**
 * One streamed piece of an answer. All chunks of one model call share the same `id`.
 * Kept deliberately small: one is allocated per token.
 */
export class AIMessageChunk {
  readonly role = "assistant" as const;
  content: string;
  id: string;
  toolCallChunks: ToolCallChunk[];
  usage?: Usage;
  /** A piece of the model's reasoning ("thinking") text; `content` is "" on such a chunk. */
  reasoning?: string;

  constructor(content: string, id: string, toolCallChunks: ToolCallChunk[] = EMPTY_TOOL_CALL_CHUNKS, usage?: Usage) {
    this.content = content;
    this.id = id;
    this.toolCallChunks = toolCallChunks;
    if (usage !== undefined) this.usage = usage;
  }

  get type(): "AIMessageChunk" {
    return "AIMessageChunk";
  }

  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { type: "AIMessageChunk", role: "assistant", content: this.content, id: this.id };
    if (this.toolCallChunks.length > 0) json.toolCallChunks = this.toolCallChunks;
    if (this.usage !== undefined) json.usage = this.usage;
    if (this.reasoning !== undefined) json.reasoning = this.reasoning;
    return json;
  }
}

const EMPTY_TOOL_CALL_CHUNKS: ToolCallChunk[] = Object.freeze([]) as unknown as ToolCallChunk[];

/** What a chat model accepts: a string (one user message) or a list of messages. */
export type MessagesInput = string | ReadonlyArray<Message | MessageInit>;

const ROLE_ALIASES: Record<string, MessageRole> = {
  system: "system",
  user: "user",
  human: "user",
  assistant: "assistant",
  ai: "assistant",
  tool: "tool",
};

/** Reads any accepted input into Weft messages, or says exactly which entry is wrong. */
export function toMessages(input: MessagesInput): Message[] {
  if (typeof input === "string") return [new HumanMessage(input)];
  if (!Array.isArray(input)) {
    throw new WeftError(
      "INVALID_MESSAGES",
      `Chat models take a string or an array of { role, content } messages, not ${describeValue(input)}.`,
    );
  }
  // Array.from visits the holes of a sparse array (map() would skip them and keep the holes).
  return Array.from(input as unknown[], (entry, index) => {
    if (entry instanceof Message) return entry;
    if (typeof entry !== "object" || entry === null) {
      throw new WeftError("INVALID_MESSAGES", `Message ${index} is ${describeValue(entry)}; each message must be an object { role, content }.`);
    }
    const given = (entry as MessageInit).role;
    // Own keys only, so "constructor" or "toString" are not read as roles.
    const role = typeof given === "string" && Object.prototype.hasOwnProperty.call(ROLE_ALIASES, given) ? ROLE_ALIASES[given] : undefined;
    if (role === undefined) {
      throw new WeftError(
        "INVALID_MESSAGES",
        `Message ${index} has role ${describeValue((entry as MessageInit).role)}; use one of "system", "user", "assistant", "tool".`,
      );
    }
    const content = (entry as MessageInit).content;
    if (typeof content !== "string") {
      throw new WeftError("INVALID_MESSAGES", `Message ${index} has content ${describeValue(content)}; content must be a string.`);
    }
    return new Message(role, content, entry as MessageInit);
  });
}
