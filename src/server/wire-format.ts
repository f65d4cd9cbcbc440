// What a graph's stream chunks look like on the LangGraph server's wire: SSE event names
// (`mode`, `mode|namespace`, `messages|tag`) and LangChain-style message dicts.
import { AIMessageChunk } from "../core/messages.js";
import type { StreamMode } from "../stream/run-stream.js";

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
  if (chunk.usage !== undefined) {
    wire.usage_metadata = {
      input_tokens: chunk.usage.inputTokens ?? 0,
      output_tokens: chunk.usage.outputTokens ?? 0,
      total_tokens: chunk.usage.totalTokens ?? 0,
    };
  }
  return wire;
}

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

/** The SSE event name and data of one graph stream item (`[mode, payload]` or `[namespace, mode, payload]`). */
export function wireEventOf(item: unknown[], options: WireOptions): { event: string; data: unknown; mode: StreamMode; namespace: string[] } {
  const [namespace, mode, payload] = (options.subgraphs ? item : [[], ...item]) as [string[], StreamMode, unknown];
  const suffix = options.subgraphs && namespace.length > 0 ? `|${namespace.join("|")}` : "";
  if (mode === "messages") {
    const [chunk, metadata] = payload as [AIMessageChunk, Record<string, unknown> & { tags?: string[] }];
    const data = [chunk instanceof AIMessageChunk ? messageChunkToWire(chunk) : chunk, metadata];
    if (options.routeMessagesByTag) {
      const tag = (metadata.tags ?? []).find((each) => !options.runTags.includes(each) && ROUTABLE_TAG.test(each));
      if (tag !== undefined) return { event: `messages|${tag}`, data, mode, namespace };
    }
    return { event: `messages${suffix}`, data, mode, namespace };
  }
  return { event: `${mode}${suffix}`, data: payload, mode, namespace };
}
