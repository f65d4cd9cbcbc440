// LangChain.js messages read by duck typing, as Weft's chunks and usage: content strings or blocks
// (text, thinking, reasoning), tool_call_chunks, usage_metadata. Used by the callback handler that
// streams LangChain models into a run, and by `fromLangChain`; nothing here imports @langchain/core.
import { AIMessageChunk, type ToolCallChunk, type Usage } from "../core/messages.js";

/** The fields of a LangChain message (or message chunk) that Weft reads. */
export interface LangChainMessageLike {
  id?: unknown;
  content?: unknown;
  tool_call_chunks?: unknown;
  tool_calls?: unknown;
  usage_metadata?: { input_tokens?: unknown; output_tokens?: unknown; total_tokens?: unknown };
  additional_kwargs?: { reasoning_content?: unknown; stop_reason?: unknown };
  response_metadata?: { finish_reason?: unknown; stop_reason?: unknown };
}

export function reasoningChunk(text: string, id: string): AIMessageChunk {
  const chunk = new AIMessageChunk("", id);
  chunk.reasoning = text;
  return chunk;
}

/** The text and the reasoning of a LangChain message: a string, or content blocks (text, thinking, reasoning). */
export function textAndReasoning(message: LangChainMessageLike): { text: string; reasoning: string } {
  let text = "";
  let reasoning = "";
  const content = message.content;
  if (typeof content === "string") text = content;
  else if (Array.isArray(content)) {
    for (const block of content as Array<Record<string, unknown>>) {
      if (typeof block !== "object" || block === null) continue;
      if (block.type === "text" && typeof block.text === "string") text += block.text;
      else if (block.type === "thinking" && typeof block.thinking === "string") reasoning += block.thinking;
      else if (block.type === "reasoning" && typeof (block.reasoning ?? block.text) === "string") reasoning += (block.reasoning ?? block.text) as string;
    }
  }
  // OpenAI-compatible reasoning models through LangChain (DeepSeek and the like).
  const extra = message.additional_kwargs?.reasoning_content;
  if (typeof extra === "string") reasoning += extra;
  return { text, reasoning };
}

/** LangChain's `tool_call_chunks` as Weft's: fragments with the same index belong to one call. */
export function streamedToolCallChunks(chunks: unknown): ToolCallChunk[] {
  if (!Array.isArray(chunks) || chunks.length === 0) return [];
  return chunks.map((chunk: { index?: unknown; id?: unknown; name?: unknown; args?: unknown }, position) => {
    const fragment: ToolCallChunk = { index: typeof chunk.index === "number" ? chunk.index : position };
    if (typeof chunk.id === "string" && chunk.id !== "") fragment.id = chunk.id;
    if (typeof chunk.name === "string" && chunk.name !== "") fragment.name = chunk.name;
    if (typeof chunk.args === "string" && chunk.args !== "") fragment.args = chunk.args;
    return fragment;
  });
}

/** Complete tool calls (of a model that did not stream) as one fragment each. */
export function completeToolCallChunks(calls: unknown): ToolCallChunk[] {
  if (!Array.isArray(calls)) return [];
  return calls.map((call: { id?: unknown; name?: unknown; args?: unknown }, index) => {
    const fragment: ToolCallChunk = { index, args: JSON.stringify(call.args ?? {}) };
    if (typeof call.id === "string") fragment.id = call.id;
    if (typeof call.name === "string") fragment.name = call.name;
    return fragment;
  });
}

/** LangChain's `usage_metadata` as Weft's `Usage`, or undefined when the model sent none. */
export function usageOf(usage: LangChainMessageLike["usage_metadata"]): Usage | undefined {
  if (typeof usage !== "object" || usage === null) return undefined;
  const inputTokens = typeof usage.input_tokens === "number" ? usage.input_tokens : 0;
  const outputTokens = typeof usage.output_tokens === "number" ? usage.output_tokens : 0;
  const totalTokens = typeof usage.total_tokens === "number" ? usage.total_tokens : inputTokens + outputTokens;
  return { inputTokens, outputTokens, totalTokens };
}

/**
 * The finish reason a LangChain message (chunk) carries, if any, as the AI SDK's unified reason (what
 * `fromAISDK` reports): "stop", "length", "tool-calls", "content-filter", else "other". OpenAI-style
 * models put it in `response_metadata.finish_reason`; Anthropic's in `stop_reason` (the streamed
 * message_delta chunk: `additional_kwargs`).
 */
export function finishReasonOf(message: LangChainMessageLike): string | undefined {
  const reason = message.response_metadata?.finish_reason ?? message.response_metadata?.stop_reason ?? message.additional_kwargs?.stop_reason;
  if (typeof reason !== "string" || reason === "") return undefined;
  return UNIFIED_FINISH_REASONS.get(reason) ?? "other";
}

const UNIFIED_FINISH_REASONS: ReadonlyMap<string, string> = new Map([
  ["stop", "stop"],
  ["end_turn", "stop"],
  ["stop_sequence", "stop"],
  ["STOP", "stop"],
  ["length", "length"],
  ["max_tokens", "length"],
  ["MAX_TOKENS", "length"],
  ["model_context_window_exceeded", "length"],
  ["tool_calls", "tool-calls"],
  ["function_call", "tool-calls"],
  ["tool_use", "tool-calls"],
  ["content_filter", "content-filter"],
  ["refusal", "content-filter"],
  ["SAFETY", "content-filter"],
]);
