// What a graph's stream chunks look like on the LangGraph server's wire: SSE event names
// (`mode`, `mode|namespace`, `messages|tag`) and LangChain-style message dicts (whole messages
// serialize themselves so: Message.toJSON()). Incoming `messages` in either shape become Weft messages.
import { toMessage } from "../core/message-coercion.js";
import { AIMessageChunk } from "../core/messages.js";
import type { StreamMode } from "../stream/run-stream.js";
import { metadataJson } from "./event-json.js";

/** A message chunk as LangChain serializes it (what `@langchain/langgraph-sdk` clients expect). */
export function messageChunkToWire(chunk: AIMessageChunk): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    type: "AIMessageChunk",
    id: chunk.id,
    content: chunk.content,
    additional_kwargs: {},
    response_metadata: {},
    tool_calls: [],
    invalid_tool_calls: [],
    tool_call_chunks: chunk.toolCallChunks.map((part) => ({
      type: "tool_call_chunk",
      index: part.index,
      id: part.id ?? null,
      name: part.name ?? null,
      args: part.args ?? "",
    })),
  };
  if (chunk.reasoning !== undefined) wire.additional_kwargs = { reasoning_content: chunk.reasoning };
  if (chunk.usage !== undefined) {
    wire.usage_metadata = {
      input_tokens: chunk.usage.inputTokens ?? 0,
      output_tokens: chunk.usage.outputTokens ?? 0,
      total_tokens: chunk.usage.totalTokens ?? 0,
    };
  }
  return wire;
}

/**
 * `JSON.stringify(messageChunkToWire(chunk))`, made without the intermediate object for the chunk of
 * a plain text token (no tool-call pieces, reasoning or usage): one per token on the server's hot path.
 */
export function messageChunkJson(chunk: AIMessageChunk): string {
  if (chunk.toolCallChunks.length > 0 || chunk.reasoning !== undefined || chunk.usage !== undefined) return JSON.stringify(messageChunkToWire(chunk));
  // The id is left out when undefined, as JSON.stringify leaves out an undefined property.
  const id = chunk.id === undefined ? "" : `"id":${JSON.stringify(chunk.id)},`;
  return `{"type":"AIMessageChunk",${id}"content":${JSON.stringify(chunk.content)},${EMPTY_WIRE_FIELDS}}`;
}

const EMPTY_WIRE_FIELDS = '"additional_kwargs":{},"response_metadata":{},"tool_calls":[],"invalid_tool_calls":[],"tool_call_chunks":[]';

// A tag becomes part of an SSE event name only if it cannot break the framing or the
// `mode|namespace` convention clients parse.
const ROUTABLE_TAG = /^[^\r\n\0|]{1,100}$/;

export interface WireOptions {
  subgraphs: boolean;
  /** Name message events `messages|<tag>` after the model's own tag. */
  routeMessagesByTag: boolean;
  /** The run's own tags (config.tags), which every chunk carries and which route nothing. */
  runTags: readonly string[];
}

/** One graph stream item on the wire: its SSE name and data (for a message chunk, its data's JSON too). */
export interface WireEvent {
  event: string;
  data: unknown;
  /** The data's JSON, when made here (a messages event: its chunk's JSON spliced with its metadata's). */
  json?: string;
  mode: StreamMode;
  namespace: string[];
}

/** A message chunk's event: its data's JSON made at once, its wire object only for a reader that asks. */
class WireMessageEvent implements WireEvent {
  readonly mode = "messages" as const;
  readonly json: string;
  readonly #chunk: AIMessageChunk;
  readonly #metadata: Record<string, unknown>;

  constructor(
    readonly event: string,
    chunk: AIMessageChunk,
    metadata: Record<string, unknown>,
    readonly namespace: string[],
  ) {
    this.#chunk = chunk;
    this.#metadata = metadata;
    this.json = `[${messageChunkJson(chunk)},${metadataJson(metadata)}]`;
  }

  get data(): unknown {
    return [messageChunkToWire(this.#chunk), this.#metadata];
  }

  /** `{ event, data }`, as JSON.stringify sees a plain event. */
  toJSON(): { event: string; data: unknown } {
    return { event: this.event, data: this.data };
  }
}

/** The SSE event name and data of one graph stream item (`[mode, payload]` or `[namespace, mode, payload]`). */
export function wireEventOf(item: unknown[], options: WireOptions): WireEvent {
  const [namespace, mode, payload] = (options.subgraphs ? item : [[], ...item]) as [string[], StreamMode, unknown];
  const suffix = options.subgraphs && namespace.length > 0 ? `|${namespace.join("|")}` : "";
  if (mode === "messages") {
    const [chunk, metadata] = payload as [AIMessageChunk, Record<string, unknown> & { tags?: string[] }];
    let event = `messages${suffix}`;
    if (options.routeMessagesByTag) {
      const tag = (metadata.tags ?? []).find((each) => !options.runTags.includes(each) && ROUTABLE_TAG.test(each));
      if (tag !== undefined) event = `messages|${tag}`;
    }
    if (chunk instanceof AIMessageChunk) {
      return new WireMessageEvent(event, chunk, metadata, namespace);
    }
    return { event, data: [chunk, metadata], mode, namespace };
  }
  if (mode === "tools") return { event: `tools${suffix}`, data: toolEventToWire(payload as Record<string, unknown>), mode, namespace };
  return { event: `${mode}${suffix}`, data: payload, mode, namespace };
}

/** A tools-mode event for the wire: an error becomes `{ error, message }` (as the LangGraph server sends it). */
function toolEventToWire(event: Record<string, unknown>): Record<string, unknown> {
  if (event.event !== "on_tool_error") return event;
  const error = event.error;
  const wireError = error instanceof Error ? { error: error.name, message: error.message } : { error: "Error", message: String(error) };
  return { ...event, error: wireError };
}

/**
 * A run's input (or a Command's update) with its `messages` read into Weft messages when every entry
 * is a message object (`{ role, content }`, `{ type, content }`, LangChain's serialized form), so
 * graphs get message classes whatever their schema. Throws INVALID_MESSAGES naming a bad entry.
 */
export function stateFromWire(values: Record<string, unknown>): Record<string, unknown> {
  const messages = values.messages;
  if (!Array.isArray(messages) || messages.length === 0) return values;
  const looksLikeMessages = messages.every(
    (entry) => typeof entry === "object" && entry !== null && !Array.isArray(entry) && ("role" in entry || "type" in entry || "lc" in entry),
  );
  if (!looksLikeMessages) return values;
  return { ...values, messages: messages.map((entry, index) => toMessage(entry, `Message ${index}`)) };
}
