// Any AI SDK language model (LanguageModelV2, V3 or V4: the providers of AI SDK 5, 6 and 7) as a Weft
// chat model. It calls the provider contract's own `doStream` and maps its stream parts onto Weft's
// one streaming contract; `streamText` is not needed, and no AI SDK package is imported here.
import { WeftError, describeValue } from "../../errors.js";
import { abortableDelay } from "../../runtime/abortable-delay.js";
import { BaseChatModel, type ChatModelRequest, type ChatStreamPart } from "../chat-model.js";
import { ProviderRequest } from "../provider-request.js";
import { isAPICallError, retryAfterMs, toModelCallError } from "./ai-sdk-errors.js";
import { toAISDKPrompt, toAISDKToolChoice, toAISDKTools } from "./ai-sdk-messages.js";
import type { AISDKCallOptions, AISDKFinishReason, AISDKLanguageModel, AISDKStreamPart, AISDKTaggedFileData, AISDKUsage } from "./ai-sdk-types.js";

export interface FromAISDKOptions {
  tags?: readonly string[];
  metadata?: Record<string, unknown>;
  temperature?: number;
  /** Upper bound on generated tokens (`maxOutputTokens`; providers that need one, like Anthropic, have a default). */
  maxTokens?: number;
  /** Passed to the provider as is, e.g. `{ anthropic: { thinking: { type: "enabled", budgetTokens: 1024 } } }`. */
  providerOptions?: Record<string, Record<string, any>>;
  /** Retries of retryable provider errors (429, 5xx, connection) before the answer starts (default 2, as `streamText`). */
  maxRetries?: number;
  /** Milliseconds without a stream part after which the request is closed with MODEL_CALL (default 600000). */
  timeout?: number;
}

const DEFAULT_TIMEOUT_MS = 600_000;
const DEFAULT_MAX_RETRIES = 2;
/** The AI SDK's own backoff when the server sends no Retry-After: 2 s, then doubling. */
const FIRST_RETRY_DELAY_MS = 2_000;

/**
 * Wrap an AI SDK language model as a Weft chat model: tokens, reasoning and tool-call fragments
 * stream into `messages` mode like every other Weft model's.
 *
 * @example
 * import { anthropic } from "@ai-sdk/anthropic";
 * import { fromAISDK } from "weft/ai-sdk";
 * const jokeModel = fromAISDK(anthropic("claude-sonnet-4-5"), { tags: ["joke"] });
 * const joke = await jokeModel.invoke([{ role: "user", content: "Write a joke about cats" }], config);
 */
export function fromAISDK(model: AISDKLanguageModel, options: FromAISDKOptions = {}): AISDKChatModel {
  return new AISDKChatModel(model, options);
}

/** A Weft chat model over an AI SDK language model (see `fromAISDK`). */
export class AISDKChatModel extends BaseChatModel {
  /** `ls_provider`: the AI SDK provider id before its first dot ("anthropic.messages" -> "anthropic"). */
  readonly provider: string;
  readonly modelName: string;
  /** The wrapped AI SDK model. */
  readonly languageModel: AISDKLanguageModel;
  readonly maxTokens: number | undefined;
  private readonly providerOptions: FromAISDKOptions["providerOptions"];
  private readonly maxRetries: number;
  private readonly timeoutMs: number;

  constructor(model: AISDKLanguageModel, options: FromAISDKOptions = {}) {
    validateModel(model);
    if (typeof options !== "object" || options === null) throw new WeftError("INVALID_OPTIONS", `fromAISDK options must be an object, not ${describeValue(options)}.`);
    super(options);
    validateOptions(options);
    this.languageModel = model;
    this.provider = model.provider.split(".")[0]!;
    this.modelName = model.modelId;
    this.maxTokens = options.maxTokens;
    this.providerOptions = options.providerOptions;
    this.maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    this.timeoutMs = options.timeout ?? DEFAULT_TIMEOUT_MS;
  }

  protected async *streamParts(request: ChatModelRequest): AsyncIterable<ChatStreamPart> {
    const call = new ProviderRequest(request.signal, this.timeoutMs);
    let streamedCharacters = 0;
    const stall = () => this.idleError(streamedCharacters);
    let reader: ReadableStreamDefaultReader<unknown> | undefined;
    try {
      const { stream } = await this.openStream(request, call);
      reader = stream.getReader();
      // Weft's tool-call fragments carry an index; the AI SDK's carry the call id.
      const toolIndexes = new Map<string, number>();
      const providerExecuted = new Set<string>();
      call.waiting();
      for (;;) {
        const { done, value } = await reader.read();
        call.received();
        if (done) break;
        const part = value as AISDKStreamPart;
        switch (part.type) {
          case "text-delta":
            if (part.delta !== "") {
              streamedCharacters += part.delta.length;
              yield part.delta;
            }
            break;
          case "reasoning-delta":
            if (part.delta !== "") yield { type: "reasoning", text: part.delta };
            break;
          case "tool-input-start":
            if (part.providerExecuted === true) providerExecuted.add(part.id);
            else {
              toolIndexes.set(part.id, toolIndexes.size);
              yield { type: "tool-call", index: toolIndexes.size - 1, id: part.id, name: part.toolName };
            }
            break;
          case "tool-input-delta": {
            const index = toolIndexes.get(part.id);
            if (index !== undefined && part.delta !== "") yield { type: "tool-call", index, args: part.delta };
            break;
          }
          case "tool-call":
            // Providers that stream a call's input sent it already; others send only the whole call.
            if (part.providerExecuted !== true && !providerExecuted.has(part.toolCallId) && !toolIndexes.has(part.toolCallId)) {
              toolIndexes.set(part.toolCallId, toolIndexes.size);
              yield { type: "tool-call", index: toolIndexes.size - 1, id: part.toolCallId, name: part.toolName, args: part.input };
            }
            break;
          case "response-metadata":
            if (typeof part.id === "string" && part.id !== "") yield { type: "response-id", id: part.id };
            break;
          case "finish": {
            const usage = toUsage(part.usage);
            if (usage !== undefined) yield { type: "usage", usage };
            yield { type: "finish", reason: finishReasonOf(part.finishReason) };
            break;
          }
          case "error":
            throw part.error;
        }
        call.waiting();
      }
      call.throwIfStopped(stall);
    } catch (error) {
      call.throwIfStopped(stall);
      throw WeftError.isInstance(error) ? error : toModelCallError(error, { provider: this.provider, model: this.modelName, streamedCharacters });
    } finally {
      call.close();
      reader?.cancel().catch(() => {});
    }
  }

  /** `doStream`, retried on retryable errors before the answer starts (honouring Retry-After). */
  private async openStream(request: ChatModelRequest, call: ProviderRequest): Promise<{ stream: ReadableStream<unknown> }> {
    const signal = call.signal;
    const options: AISDKCallOptions<string | URL | AISDKTaggedFileData> = { prompt: toAISDKPrompt(request.messages, this.languageModel.specificationVersion), abortSignal: signal };
    if (request.tools.length > 0) {
      options.tools = toAISDKTools(request.tools);
      options.toolChoice = toAISDKToolChoice(request.toolChoice);
      if (request.parallelToolCalls !== undefined) {
        throw new WeftError(
          "INVALID_OPTIONS",
          `fromAISDK: the AI SDK has no common \`parallel_tool_calls\` option; leave it out of bindTools and set the provider's own in \`providerOptions\` (Anthropic: { anthropic: { disableParallelToolUse: true } }).`,
        );
      }
    }
    if (this.temperature !== undefined) options.temperature = this.temperature;
    if (this.maxTokens !== undefined) options.maxOutputTokens = this.maxTokens;
    if (this.providerOptions !== undefined) options.providerOptions = this.providerOptions;
    for (let attempt = 0; ; attempt++) {
      call.waiting();
      try {
        // The prompt's file data is in the shape of the model's version (toAISDKPrompt).
        return await (this.languageModel.doStream as (options: AISDKCallOptions<unknown>) => PromiseLike<{ stream: ReadableStream<unknown> }>).call(this.languageModel, options);
      } catch (error) {
        call.received();
        if (signal.aborted || !isAPICallError(error) || !error.isRetryable || attempt >= this.maxRetries) throw error;
        await abortableDelay(retryAfterMs(error) ?? FIRST_RETRY_DELAY_MS * 2 ** attempt, signal);
      }
    }
  }

  private idleError(streamedCharacters: number): WeftError {
    return new WeftError(
      "MODEL_CALL",
      `${this.provider} model "${this.modelName}" sent nothing for ${this.timeoutMs} ms after ${streamedCharacters} characters; the stream was closed. Raise \`timeout\` if the model is just slow.`,
      { details: { isRetryable: true } },
    );
  }
}

function toUsage(usage: AISDKUsage | undefined): { inputTokens: number; outputTokens: number; totalTokens: number } | undefined {
  if (usage === undefined) return undefined;
  const input = typeof usage.inputTokens === "object" ? usage.inputTokens?.total : usage.inputTokens;
  const output = typeof usage.outputTokens === "object" ? usage.outputTokens?.total : usage.outputTokens;
  if (input === undefined && output === undefined) return undefined;
  const total = "totalTokens" in usage && typeof usage.totalTokens === "number" ? usage.totalTokens : (input ?? 0) + (output ?? 0);
  return { inputTokens: input ?? 0, outputTokens: output ?? 0, totalTokens: total };
}

/** The AI SDK's unified finish reason ("stop", "tool-calls", "length", ...), the same for every provider. */
function finishReasonOf(reason: AISDKFinishReason): string {
  return typeof reason === "string" ? reason : reason.unified;
}

function validateModel(model: unknown): asserts model is AISDKLanguageModel {
  const candidate = model as Partial<AISDKLanguageModel> | null;
  const version = typeof candidate === "object" && candidate !== null ? candidate.specificationVersion : undefined;
  if (version === ("v1" as string)) {
    throw new WeftError(
      "INVALID_OPTIONS",
      "fromAISDK: this is an AI SDK 4 model (LanguageModelV1); Weft takes the providers of AI SDK 5 and later (LanguageModelV2, V3, V4): upgrade the provider package, e.g. npm install @ai-sdk/anthropic@latest.",
    );
  }
  if (
    typeof candidate !== "object" ||
    candidate === null ||
    (version !== "v2" && version !== "v3" && version !== "v4") ||
    typeof candidate.doStream !== "function" ||
    typeof candidate.provider !== "string" ||
    typeof candidate.modelId !== "string"
  ) {
    throw new WeftError(
      "INVALID_OPTIONS",
      `fromAISDK takes an AI SDK language model (LanguageModelV2, V3 or V4), such as anthropic("claude-sonnet-4-5") from @ai-sdk/anthropic, not ${describeValue(model)}.`,
    );
  }
}

function validateOptions(options: FromAISDKOptions): void {
  const fail = (message: string) => {
    throw new WeftError("INVALID_OPTIONS", `fromAISDK: ${message}`);
  };
  const { temperature, maxTokens, maxRetries, timeout, providerOptions } = options;
  if (temperature !== undefined && (typeof temperature !== "number" || !(temperature >= 0))) fail(`\`temperature\` must be a number >= 0, not ${describeValue(temperature)}.`);
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || maxTokens < 1)) fail(`\`maxTokens\` must be a whole number >= 1, not ${describeValue(maxTokens)}.`);
  if (maxRetries !== undefined && (!Number.isInteger(maxRetries) || maxRetries < 0)) fail(`\`maxRetries\` must be a whole number >= 0, not ${describeValue(maxRetries)}.`);
  if (timeout !== undefined && (typeof timeout !== "number" || !(timeout > 0) || !Number.isFinite(timeout))) {
    fail(`\`timeout\` must be a number of milliseconds > 0, not ${describeValue(timeout)}.`);
  }
  if (providerOptions !== undefined && (typeof providerOptions !== "object" || providerOptions === null || Array.isArray(providerOptions))) {
    fail(`\`providerOptions\` must be an object keyed by provider, e.g. { anthropic: { ... } }, not ${describeValue(providerOptions)}.`);
  }
}
