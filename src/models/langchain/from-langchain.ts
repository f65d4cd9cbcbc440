// A LangChain.js chat model (any @langchain/core BaseChatModel) as a Weft chat model, for calls that
// pass no config: `model.stream()` is read chunk by chunk and mapped onto Weft's one streaming
// contract. Inside a node, `await langChainModel.invoke(messages, config)` streams without this
// wrapper (stream/langchain-callbacks.ts). Duck-typed: @langchain/core is never imported here.
import { WeftError, describeValue } from "../../errors.js";
import type { Message } from "../../core/messages.js";
import { finishReasonOf, streamedToolCallChunks, textAndReasoning, usageOf, type LangChainMessageLike } from "../../stream/langchain-chunks.js";
import { langChainCallError } from "../../stream/langchain-errors.js";
import { BaseChatModel, type ChatModelRequest, type ChatStreamPart, type ToolDefinition } from "../chat-model.js";
import { ProviderRequest } from "../provider-request.js";
import type { BindToolsOptions, ToolInput } from "../tool-definition.js";

/** What Weft needs of a LangChain.js chat model; every @langchain/core BaseChatModel has it. */
export interface LangChainChatModelLike {
  stream(input: any, options?: any): Promise<AsyncIterable<unknown>>;
  bindTools?(tools: any[], kwargs?: any): { stream(input: any, options?: any): Promise<AsyncIterable<unknown>> };
  getLsParams?(options: any): { ls_provider?: string; ls_model_name?: string };
  _llmType?(): string;
  /** The model's own tags and metadata (`new ChatAnthropic({ tags, metadata })`). */
  tags?: string[];
  metadata?: Record<string, unknown>;
}

export interface FromLangChainOptions {
  /** Added after the LangChain model's own tags. */
  tags?: readonly string[];
  /** Merged over the LangChain model's own metadata. */
  metadata?: Record<string, unknown>;
  /** Milliseconds without a chunk after which the call is aborted with MODEL_CALL (default 600000). */
  timeout?: number;
}

const DEFAULT_TIMEOUT_MS = 600_000;

/**
 * Wrap a LangChain.js chat model as a Weft chat model: its tokens, reasoning (thinking blocks),
 * tool-call chunks and usage stream into `messages` mode like every other Weft model's, also when
 * the call passes no config (AsyncLocalStorage finds the node).
 *
 * @example
 * import { ChatAnthropic } from "@langchain/anthropic";
 * import { fromLangChain } from "weft/langchain";
 * const poemModel = fromLangChain(new ChatAnthropic({ model: "claude-sonnet-4-5" }), { tags: ["poem"] });
 * const poem = await poemModel.invoke("Write a short poem about cats");
 */
export function fromLangChain(model: LangChainChatModelLike, options: FromLangChainOptions = {}): LangChainChatModel {
  return new LangChainChatModel(model, options);
}

/** A Weft chat model over a LangChain.js chat model (see `fromLangChain`). */
export class LangChainChatModel extends BaseChatModel {
  readonly provider: string;
  readonly modelName: string;
  /** The wrapped LangChain model. */
  readonly chatModel: LangChainChatModelLike;
  private readonly timeoutMs: number;

  constructor(model: LangChainChatModelLike, options: FromLangChainOptions = {}) {
    if (typeof model !== "object" || model === null || typeof model.stream !== "function") {
      throw new WeftError("INVALID_OPTIONS", `fromLangChain takes a LangChain.js chat model (a BaseChatModel such as new ChatAnthropic({ ... })), not ${describeValue(model)}.`);
    }
    if (options.timeout !== undefined && (typeof options.timeout !== "number" || !(options.timeout > 0))) {
      throw new WeftError("INVALID_OPTIONS", `fromLangChain: \`timeout\` must be a number of milliseconds > 0, not ${describeValue(options.timeout)}.`);
    }
    const facts = lsParamsOf(model);
    const temperature = (model as { temperature?: unknown }).temperature;
    // The LangChain model's own tags and metadata count, as when it streams without this wrapper.
    const ownTags = Array.isArray(model.tags) ? model.tags : [];
    const tags = Array.isArray(options.tags) ? [...new Set([...ownTags, ...options.tags])] : (options.tags ?? ownTags);
    const metadata = { ...(isRecord(model.metadata) ? model.metadata : {}), ...options.metadata };
    super({ tags, metadata, temperature: typeof temperature === "number" ? temperature : undefined });
    this.chatModel = model;
    this.provider = facts.ls_provider ?? model._llmType?.() ?? "langchain";
    this.modelName = facts.ls_model_name ?? modelNameOf(model);
    this.timeoutMs = options.timeout ?? DEFAULT_TIMEOUT_MS;
  }

  /** Offer tools (passed to the LangChain model's own `bindTools` in OpenAI's function format, with `tool_choice` and `parallel_tool_calls`). */
  override bindTools(tools: readonly ToolInput[], options?: BindToolsOptions): this {
    if (typeof this.chatModel.bindTools !== "function") {
      throw new WeftError("INVALID_OPTIONS", `The LangChain model ${this.provider}:${this.modelName} has no bindTools(); it cannot call tools.`);
    }
    return super.bindTools(tools, options);
  }

  protected async *streamParts(request: ChatModelRequest): AsyncIterable<ChatStreamPart> {
    const call = new ProviderRequest(request.signal, this.timeoutMs);
    let streamedCharacters = 0;
    const stall = () => this.idleError(streamedCharacters);
    let iterator: AsyncIterator<unknown> | undefined;
    try {
      const runnable = request.tools.length > 0 ? this.chatModel.bindTools!(request.tools.map(toOpenAIFunction), toolKwargs(request)) : this.chatModel;
      call.waiting();
      // This wrapper streams the call itself: `callbacks: []` keeps the node's LangChain callbacks,
      // which LangChain would find in its AsyncLocalStorage (runtime/langchain-context.ts), from streaming it twice.
      const stream = await runnable.stream(toLangChainMessages(request.messages), { signal: call.signal, callbacks: [] });
      iterator = stream[Symbol.asyncIterator]();
      let sentId = false;
      let usage: { inputTokens: number; outputTokens: number; totalTokens: number } | undefined;
      let finishReason: string | undefined;
      for (;;) {
        const next = await iterator.next();
        call.received();
        if (next.done) break;
        const chunk = next.value as LangChainMessageLike;
        if (!sentId && typeof chunk.id === "string" && chunk.id !== "") {
          sentId = true;
          yield { type: "response-id", id: chunk.id };
        }
        const parts = textAndReasoning(chunk);
        if (parts.reasoning !== "") yield { type: "reasoning", text: parts.reasoning };
        if (parts.text !== "") {
          streamedCharacters += parts.text.length;
          yield parts.text;
        }
        for (const fragment of streamedToolCallChunks(chunk.tool_call_chunks)) yield { type: "tool-call", ...fragment };
        // LangChain's chunks carry usage in pieces (Anthropic: input at the start, output at the end), summed as its concat() does.
        const piece = usageOf(chunk.usage_metadata);
        if (piece !== undefined) {
          usage = usage === undefined ? piece : { inputTokens: usage.inputTokens + piece.inputTokens, outputTokens: usage.outputTokens + piece.outputTokens, totalTokens: usage.totalTokens + piece.totalTokens };
        }
        finishReason = finishReasonOf(chunk) ?? finishReason;
        call.waiting();
      }
      call.throwIfStopped(stall);
      if (usage !== undefined) yield { type: "usage", usage };
      if (finishReason !== undefined) yield { type: "finish", reason: finishReason };
    } catch (error) {
      call.throwIfStopped(stall);
      throw WeftError.isInstance(error) ? error : langChainCallError(error, { provider: this.provider, model: this.modelName, streamedCharacters });
    } finally {
      call.close();
      void iterator?.return?.().catch(() => {});
    }
  }

  private idleError(streamedCharacters: number): WeftError {
    return new WeftError(
      "MODEL_CALL",
      `LangChain model ${this.provider}:${this.modelName} sent nothing for ${this.timeoutMs} ms after ${streamedCharacters} characters; the call was aborted. Raise \`timeout\` if the model is just slow.`,
      { details: { isRetryable: true } },
    );
  }
}

/** Weft messages as LangChain message-likes (plain objects LangChain's coerceMessageLikeToMessage reads). */
function toLangChainMessages(messages: readonly Message[]): Array<Record<string, unknown>> {
  return messages.map((message, index) => {
    switch (message.role) {
      case "system":
        return { role: "system", content: message.content };
      case "user":
        return message.name === undefined ? { role: "user", content: message.content } : { role: "user", content: message.content, name: message.name };
      case "assistant":
        return {
          role: "assistant",
          content: message.content,
          tool_calls: message.toolCalls.map((call) => ({ id: call.id, name: call.name, args: call.args, type: "tool_call" })),
        };
      case "tool":
        if (typeof message.toolCallId !== "string" || message.toolCallId === "") {
          throw new WeftError("INVALID_MESSAGES", `Message ${index} is a tool result without \`toolCallId\`; set it to the id of the tool call it answers.`);
        }
        return { role: "tool", content: message.content, tool_call_id: message.toolCallId };
    }
  });
}

/** bindTools' options in LangChain's words: "any" for a required call (what every LangChain provider reads), a tool by name. */
function toolKwargs(request: ChatModelRequest): Record<string, unknown> | undefined {
  const choice = request.toolChoice;
  if (choice === undefined && request.parallelToolCalls === undefined) return undefined;
  const kwargs: Record<string, unknown> = {};
  if (choice !== undefined) kwargs.tool_choice = choice.type === "tool" ? choice.name : choice.type === "required" ? "any" : choice.type;
  if (request.parallelToolCalls !== undefined) kwargs.parallel_tool_calls = request.parallelToolCalls;
  return kwargs;
}

function toOpenAIFunction(tool: ToolDefinition) {
  const definition: { name: string; description?: string; parameters: Record<string, unknown> } = { name: tool.name, parameters: tool.parameters };
  if (tool.description !== undefined) definition.description = tool.description;
  return { type: "function", function: definition };
}

function lsParamsOf(model: LangChainChatModelLike): { ls_provider?: string; ls_model_name?: string } {
  try {
    return model.getLsParams?.({}) ?? {};
  } catch {
    return {};
  }
}

function modelNameOf(model: LangChainChatModelLike): string {
  const fields = model as { model?: unknown; modelName?: unknown };
  if (typeof fields.model === "string") return fields.model;
  if (typeof fields.modelName === "string") return fields.modelName;
  return "unknown";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
