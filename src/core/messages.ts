// Chat messages: what goes into a model call and what comes out of it, token by token.
// Data only; reading other shapes (LangChain dicts, strings, tuples) into these is message-coercion.ts.
import { WeftError, describeValue } from "../errors.js";
import { keepShape } from "./keep-shape.js";
import { type MessageContent, checkContent, textOf } from "./content-blocks.js";
import { type LangChainMessageFields, type MessageFields, type ToolCall, type ToolStatus, type Usage, readMessageFields } from "./message-fields.js";

export type { ToolCall, Usage, ToolStatus, MessageFields, LangChainMessageFields };

export type MessageRole = "system" | "user" | "assistant" | "tool";

/** LangChain's name for a message's kind. */
export type MessageType = "human" | "ai" | "system" | "tool";

/** A fragment of a tool call as it streams: fragments with the same index belong together. */
export interface ToolCallChunk {
  index: number;
  id?: string;
  name?: string;
  args?: string;
}

/** Anything with a role and content: plain objects like `{ role: "user", content: "hi" }` qualify. */
export interface MessageInit extends MessageFields {
  role: MessageRole | "human" | "ai" | "developer";
  content: MessageContent;
}

/** Fields given to a message constructor as one object, LangChain style: `new HumanMessage({ content: "hi", id })`. */
export type MessageConstructorFields = { content?: MessageContent } & MessageFields & Record<string, unknown>;

const TYPE_OF_ROLE: Record<MessageRole, MessageType> = { user: "human", assistant: "ai", system: "system", tool: "tool" };

const CLASS_OF_ROLE: Record<MessageRole, string> = { user: "HumanMessage", assistant: "AIMessage", system: "SystemMessage", tool: "ToolMessage" };

/**
 * A message in a conversation. `content` is a string or content blocks; `text` is always a string.
 *
 * The fields LangChain.js has too are own fields under LangChain's names (`tool_calls`,
 * `tool_call_id`, `additional_kwargs`, `response_metadata`), so LangChain reads a Weft message
 * given to a LangChain model (its coercion copies own fields); `toolCalls`, `toolCallId`,
 * `additionalKwargs` and `responseMetadata` are the same values under Weft's names.
 */
export class Message {
  readonly role: MessageRole;
  content: MessageContent;
  id?: string;
  name?: string;
  /** The tool calls the model asked for (`toolCalls`); empty on other messages. */
  tool_calls: ToolCall[];
  /** The id of the tool call a tool message answers (`toolCallId`). */
  tool_call_id?: string;
  /** Provider-specific extras carried along (`additionalKwargs`). */
  additional_kwargs?: Record<string, unknown>;

  constructor(role: MessageRole, content: MessageContent, fields: MessageFields = {}) {
    this.role = role;
    // Checked here, once per message (never per streamed token: chunks are AIMessageChunk).
    this.content = typeof content === "string" ? content : checkContent(content, `new ${CLASS_OF_ROLE[role]}()`);
    if (fields.id !== undefined) this.id = fields.id;
    if (fields.name !== undefined) this.name = fields.name;
    this.tool_calls = fields.toolCalls ?? [];
    if (fields.toolCallId !== undefined) this.tool_call_id = fields.toolCallId;
    if (fields.additionalKwargs !== undefined) this.additional_kwargs = fields.additionalKwargs;
  }

  /** LangChain-style type name: "human", "ai", "system" or "tool". */
  get type(): MessageType {
    return TYPE_OF_ROLE[this.role];
  }

  /** The text of the message: `content` when it is a string, else its text blocks joined. */
  get text(): string {
    return textOf(this.content);
  }

  /** The tool calls the model asked for (the same array as `tool_calls`). */
  get toolCalls(): ToolCall[] {
    return this.tool_calls;
  }

  set toolCalls(calls: ToolCall[]) {
    this.tool_calls = calls;
  }

  /** The id of the tool call this message answers (the same as `tool_call_id`). */
  get toolCallId(): string | undefined {
    return this.tool_call_id;
  }

  set toolCallId(id: string | undefined) {
    this.tool_call_id = id;
  }

  /** Provider-specific extras (the same object as `additional_kwargs`). */
  get additionalKwargs(): Record<string, unknown> | undefined {
    return this.additional_kwargs;
  }

  set additionalKwargs(extras: Record<string, unknown> | undefined) {
    this.additional_kwargs = extras;
  }

  /** LangChain's dict form (`{ type, content, id, tool_calls, ... }`), as the LangGraph server sends messages. */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { type: this.type, content: this.content };
    if (this.id !== undefined) json.id = this.id;
    if (this.name !== undefined) json.name = this.name;
    json.additional_kwargs = this.additional_kwargs ?? {};
    if (this.role === "assistant" || this.tool_calls.length > 0) {
      json.tool_calls = this.tool_calls.map((call) => ({ type: "tool_call", id: call.id, name: call.name, args: call.args }));
    }
    if (this.tool_call_id !== undefined) json.tool_call_id = this.tool_call_id;
    return json;
  }
}

/** Reads the one-object constructor form, LangChain style, into content and fields. */
function fromObject(given: MessageConstructorFields, kind: string): { content: MessageContent; fields: MessageFields } {
  // The content is checked by the Message constructor.
  return { content: given.content ?? "", fields: readMessageFields(given, `new ${kind}()`) };
}

function isFieldsObject(value: unknown): value is MessageConstructorFields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A message from the user. */
export class HumanMessage extends Message {
  constructor(content: MessageContent | MessageConstructorFields, fields?: MessageFields) {
    const read = isFieldsObject(content) ? fromObject(content, "HumanMessage") : { content, fields };
    super("user", read.content, read.fields);
  }
}

/** Instructions for the model. */
export class SystemMessage extends Message {
  constructor(content: MessageContent | MessageConstructorFields, fields?: MessageFields) {
    const read = isFieldsObject(content) ? fromObject(content, "SystemMessage") : { content, fields };
    super("system", read.content, read.fields);
  }
}

/** The result of one tool call, answering the call with id `toolCallId`. */
export class ToolMessage extends Message {
  declare tool_call_id: string;
  /** "error" when the tool failed and `content` holds the error. */
  status: ToolStatus;
  /** Anything the tool returned besides `content`, kept for the application and not sent to the model. */
  artifact?: unknown;

  constructor(content: MessageContent | MessageConstructorFields, toolCallId?: string, fields: MessageFields = {}) {
    const read = isFieldsObject(content) ? fromObject(content, "ToolMessage") : { content, fields: { ...fields, toolCallId: toolCallId ?? fields.toolCallId } };
    if (typeof read.fields.toolCallId !== "string") {
      throw new WeftError("INVALID_MESSAGES", `A ToolMessage needs the id of the tool call it answers: new ToolMessage(content, toolCallId), not ${describeValue(read.fields.toolCallId)}.`);
    }
    super("tool", read.content, read.fields);
    this.status = read.fields.status ?? "success";
    if (read.fields.artifact !== undefined) this.artifact = read.fields.artifact;
  }

  override get toolCallId(): string {
    return this.tool_call_id;
  }

  override set toolCallId(id: string) {
    this.tool_call_id = id;
  }

  override toJSON(): Record<string, unknown> {
    const json = super.toJSON();
    json.status = this.status;
    if (this.artifact !== undefined) json.artifact = this.artifact;
    return json;
  }
}

/** The whole answer of one model call. Its `content` is always text; reasoning is kept apart in `reasoning`. */
export class AIMessage extends Message {
  declare content: string;
  usage?: Usage;
  /** The model's reasoning ("thinking") text, kept apart from `content`. */
  reasoning?: string;
  /** Provider facts such as the finish reason (`responseMetadata`). */
  response_metadata: Record<string, unknown>;

  constructor(content: string | MessageConstructorFields, fields: MessageFields = {}) {
    const read = isFieldsObject(content) ? fromObject(content, "AIMessage") : { content, fields };
    const text = typeof read.content === "string" ? read.content : textOf(checkContent(read.content, "new AIMessage()"));
    super("assistant", text, read.fields);
    if (read.fields.usage !== undefined) this.usage = read.fields.usage;
    if (read.fields.reasoning !== undefined) this.reasoning = read.fields.reasoning;
    this.response_metadata = read.fields.responseMetadata ?? {};
  }

  /** LangChain's name for `usage`. */
  get usage_metadata(): { input_tokens: number; output_tokens: number; total_tokens: number } | undefined {
    return this.usage === undefined ? undefined : { input_tokens: this.usage.inputTokens, output_tokens: this.usage.outputTokens, total_tokens: this.usage.totalTokens };
  }

  /** Provider facts such as the finish reason (the same object as `response_metadata`). */
  get responseMetadata(): Record<string, unknown> {
    return this.response_metadata;
  }

  set responseMetadata(metadata: Record<string, unknown>) {
    this.response_metadata = metadata;
  }

  override toJSON(): Record<string, unknown> {
    const json = super.toJSON();
    json.invalid_tool_calls = [];
    json.response_metadata = this.response_metadata;
    if (this.usage !== undefined) json.usage_metadata = this.usage_metadata;
    if (this.reasoning !== undefined) json.reasoning = this.reasoning;
    return json;
  }
}

/**
 * One streamed piece of an answer. All chunks of one model call share the same `id`, which is also
 * the id of the final AIMessage, so a UI can reconcile them.
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

  /** "ai", as LangChain.js 1.x gives for its AIMessageChunk (the wire form, `toJSON()`, says "AIMessageChunk"). */
  get type(): "ai" {
    return "ai";
  }

  /** The chunk's text (the same as `content`). */
  get text(): string {
    return this.content;
  }

  /** LangChain's name for `toolCallChunks` (the same array). */
  get tool_call_chunks(): ToolCallChunk[] {
    return this.toolCallChunks;
  }

  /** LangChain's name and shape for `usage` (made when read; chunks keep only `usage`). */
  get usage_metadata(): { input_tokens: number; output_tokens: number; total_tokens: number } | undefined {
    return this.usage === undefined ? undefined : { input_tokens: this.usage.inputTokens, output_tokens: this.usage.outputTokens, total_tokens: this.usage.totalTokens };
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
keepShape(new AIMessageChunk("", ""));

/** The id of a RemoveMessage that clears the whole list (LangGraph's value). */
export const REMOVE_ALL_MESSAGES = "__remove_all__";

/**
 * An instruction to the messages reducer (addMessages): delete the message with this id, or every
 * message with {@link REMOVE_ALL_MESSAGES}. It never stays in the state.
 *
 * @example
 * return { messages: [new RemoveMessage({ id: state.messages[0].id! })] };
 */
export class RemoveMessage {
  readonly id: string;

  constructor(fields: { id: string }) {
    const id = (fields as { id?: unknown } | undefined)?.id;
    if (typeof id !== "string" || id === "") {
      throw new WeftError("INVALID_MESSAGES", `new RemoveMessage({ id }) needs the string id of the message to remove (or REMOVE_ALL_MESSAGES), not ${describeValue(id)}.`);
    }
    this.id = id;
  }

  get type(): "remove" {
    return "remove";
  }

  toJSON(): Record<string, unknown> {
    return { type: "remove", id: this.id, content: "" };
  }
}

/** What a chat model accepts: a string (one user message) or a list of messages in any accepted shape. */
export type MessagesInput = string | ReadonlyArray<Message | MessageInit | MessageLike>;

/** A LangChain message dict (`{ type: "human", content }`) or a LangChain message instance. */
export type MessageDict = { type: string; content?: unknown } & LangChainMessageFields;

/** LangChain's serialized form (`JSON.stringify(new HumanMessage("hi"))`). */
export interface SerializedMessage {
  lc: number;
  type: "constructor";
  id: readonly string[];
  kwargs: Record<string, unknown>;
}

/** Anything the messages reducer and chat models read as a message. */
export type MessageLike =
  | Message
  | RemoveMessage
  | AIMessageChunk
  | string
  | readonly [role: string, content: MessageContent]
  | MessageInit
  | MessageDict
  | SerializedMessage;
