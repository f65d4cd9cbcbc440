// The OpenAI provider: chat completions through the official `openai` SDK, streamed with usage.
// Works with OpenAI and any server that speaks its wire format (Ollama, vLLM, llama.cpp, LM Studio).
import OpenAI from "openai";
import { WeftError, describeValue } from "../../errors.js";
import { BaseChatModel, type ChatModelRequest, type ChatStreamPart } from "../chat-model.js";
import { ProviderRequest } from "../provider-request.js";
import { toModelCallError } from "./openai-errors.js";
import { toOpenAIMessages, toOpenAIToolChoice, toOpenAITools } from "./openai-messages.js";

export interface ChatOpenAIOptions {
  /** The model name, e.g. "gpt-4o-mini", or the name your compatible server knows ("llama3.2"). */
  model: string;
  tags?: readonly string[];
  metadata?: Record<string, unknown>;
  temperature?: number;
  /** Upper bound on generated tokens (`max_completion_tokens` on OpenAI, `max_tokens` elsewhere). */
  maxTokens?: number;
  /** An OpenAI-compatible server, ending in /v1. Default: OPENAI_BASE_URL, else OpenAI. */
  baseURL?: string;
  /** Default: OPENAI_API_KEY. Not needed for a local server reached through `baseURL`. */
  apiKey?: string;
  /** Milliseconds to wait for the answer to start, and at most between two chunks (default 600000). */
  timeout?: number;
  /** Retries on 408/409/429/5xx and connection failures before the first token (default 2, the SDK's). */
  maxRetries?: number;
  /** A ready `OpenAI` client to use instead of building one (then leave out `apiKey` and `baseURL`). */
  client?: OpenAI;
}

const DEFAULT_TIMEOUT_MS = 600_000;
const OPENAI_URL = "https://api.openai.com/v1";
/** Local servers ignore the key, but the SDK insists on one. */
const PLACEHOLDER_KEY = "not-needed";

/**
 * A chat model served by OpenAI or any OpenAI-compatible server.
 *
 * @example
 * const model = new ChatOpenAI({ model: "gpt-4o-mini", tags: ["joke"] });
 * const local = new ChatOpenAI({ model: "llama3.2", baseURL: "http://127.0.0.1:11434/v1" }); // Ollama
 * for await (const [chunk, metadata] of graph.stream(input, { streamMode: "messages" })) ...
 */
export class ChatOpenAI extends BaseChatModel {
  readonly provider = "openai";
  readonly modelName: string;
  readonly client: OpenAI;
  readonly maxTokens: number | undefined;
  private readonly timeoutMs: number;
  private readonly maxRetries: number | undefined;

  constructor(options: ChatOpenAIOptions) {
    if (typeof options !== "object" || options === null) {
      throw new WeftError("INVALID_OPTIONS", 'ChatOpenAI takes an options object, e.g. new ChatOpenAI({ model: "gpt-4o-mini" }).');
    }
    super(options);
    validateOptions(options);
    this.modelName = options.model;
    this.maxTokens = options.maxTokens;
    this.timeoutMs = options.timeout ?? DEFAULT_TIMEOUT_MS;
    this.maxRetries = options.maxRetries;
    this.client = options.client ?? createClient(options, this.timeoutMs);
  }

  protected async *streamParts(request: ChatModelRequest): AsyncIterable<ChatStreamPart> {
    const call = new ProviderRequest(request.signal, this.timeoutMs);
    let streamedCharacters = 0;
    const stall = () => stalled(call, this.modelName, this.baseURL, streamedCharacters);
    try {
      const pending = this.client.chat.completions.create(this.body(request), {
        signal: call.signal,
        ...(this.maxRetries === undefined ? {} : { maxRetries: this.maxRetries }),
        timeout: this.timeoutMs,
      });
      // The SDK sleeps between retries without watching the signal; do not wait that out on abort.
      const stream = await untilAborted(pending, call.signal);
      call.waiting();
      let sentId = false;
      for await (const chunk of stream) {
        call.received();
        if (!sentId && typeof chunk.id === "string" && chunk.id !== "") {
          sentId = true;
          yield { type: "response-id", id: chunk.id };
        }
        const choice = chunk.choices?.[0];
        const delta = choice?.delta;
        // OpenAI-compatible servers that reason (DeepSeek, vLLM, llama.cpp's server) send the
        // reasoning in a field of their own, before the answer: `reasoning_content` or `reasoning`.
        const reasoning = reasoningOf(delta);
        if (reasoning !== undefined) yield { type: "reasoning", text: reasoning };
        if (typeof delta?.content === "string" && delta.content !== "") {
          streamedCharacters += delta.content.length;
          yield delta.content;
        }
        for (const [position, call] of (delta?.tool_calls ?? []).entries()) {
          // Some compatible servers leave out `index`; their calls come one per delta entry.
          const index = typeof call.index === "number" ? call.index : position;
          const part: ChatStreamPart & { type: "tool-call" } = { type: "tool-call", index };
          if (call.id) part.id = call.id;
          if (call.function?.name) part.name = call.function.name;
          if (call.function?.arguments) part.args = call.function.arguments;
          yield part;
        }
        if (choice?.finish_reason) yield { type: "finish", reason: choice.finish_reason };
        if (chunk.usage) {
          const usage = chunk.usage;
          yield {
            type: "usage",
            usage: { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens, totalTokens: usage.total_tokens },
          };
        }
        call.waiting();
      }
      call.throwIfStopped(stall);
    } catch (error) {
      call.throwIfStopped(stall);
      throw toModelCallError(error, { model: this.modelName, baseURL: this.baseURL, streamedCharacters });
    } finally {
      call.close();
    }
  }

  /** The base URL requests go to. */
  get baseURL(): string {
    return this.client.baseURL;
  }

  private body(request: ChatModelRequest): OpenAI.Chat.ChatCompletionCreateParamsStreaming {
    const body: OpenAI.Chat.ChatCompletionCreateParamsStreaming = {
      model: this.modelName,
      messages: toOpenAIMessages(request.messages),
      stream: true,
      stream_options: { include_usage: true },
    };
    if (this.temperature !== undefined) body.temperature = this.temperature;
    if (this.maxTokens !== undefined) {
      // OpenAI's newer models only take max_completion_tokens; compatible servers know max_tokens.
      if (this.baseURL.startsWith(OPENAI_URL)) body.max_completion_tokens = this.maxTokens;
      else body.max_tokens = this.maxTokens;
    }
    if (request.tools.length > 0) {
      body.tools = toOpenAITools(request.tools);
      if (request.toolChoice !== undefined) body.tool_choice = toOpenAIToolChoice(request.toolChoice);
      if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
    }
    return body;
  }
}

/** The reasoning text of a delta, in either field compatible servers use, or undefined. */
function reasoningOf(delta: object | undefined): string | undefined {
  if (delta === undefined) return undefined;
  const fields = delta as { reasoning_content?: unknown; reasoning?: unknown };
  const text = fields.reasoning_content ?? fields.reasoning;
  return typeof text === "string" && text !== "" ? text : undefined;
}

/** The error of a stream closed because the server sent nothing for `call.idleMs` (the SDK's own timeout stops at the headers). */
function stalled(call: ProviderRequest, model: string, baseURL: string, streamedCharacters: number): WeftError {
  return new WeftError(
    "MODEL_CALL",
    `OpenAI-compatible server ${baseURL} (model "${model}") sent nothing for ${call.idleMs} ms after ${streamedCharacters} characters; the stream was closed. Raise \`timeout\` if the model is just slow.`,
    { details: { isRetryable: true, baseURL } },
  );
}

function untilAborted<Value>(promise: PromiseLike<Value>, signal: AbortSignal): Promise<Value> {
  return new Promise<Value>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => (signal.removeEventListener("abort", onAbort), resolve(value)),
      (error: unknown) => (signal.removeEventListener("abort", onAbort), reject(error)),
    );
  });
}

function createClient(options: ChatOpenAIOptions, timeout: number): OpenAI {
  const baseURL = options.baseURL ?? nonEmpty(process.env.OPENAI_BASE_URL);
  const apiKey = options.apiKey ?? nonEmpty(process.env.OPENAI_API_KEY) ?? (baseURL !== undefined ? PLACEHOLDER_KEY : undefined);
  if (apiKey === undefined) {
    throw new WeftError(
      "INVALID_OPTIONS",
      "ChatOpenAI has no API key: set the OPENAI_API_KEY environment variable (or pass { apiKey }). " +
        "For a local OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio) set OPENAI_BASE_URL or pass { baseURL } instead.",
    );
  }
  return new OpenAI({
    apiKey,
    ...(baseURL === undefined ? {} : { baseURL }),
    timeout,
    ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
  });
}

function validateOptions(options: ChatOpenAIOptions): void {
  const fail = (message: string) => {
    throw new WeftError("INVALID_OPTIONS", `ChatOpenAI: ${message}`);
  };
  if (typeof options.model !== "string" || options.model.trim() === "") {
    fail(`\`model\` must be a model name such as "gpt-4o-mini", not ${describeValue(options.model)}.`);
  }
  const { temperature, maxTokens, timeout, maxRetries, baseURL, apiKey, client } = options;
  if (temperature !== undefined && (typeof temperature !== "number" || !(temperature >= 0 && temperature <= 2))) {
    fail(`\`temperature\` must be a number from 0 to 2, not ${describeValue(temperature)}.`);
  }
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || maxTokens < 1)) {
    fail(`\`maxTokens\` must be a whole number >= 1, not ${describeValue(maxTokens)}.`);
  }
  if (timeout !== undefined && (typeof timeout !== "number" || !(timeout > 0) || !Number.isFinite(timeout))) {
    fail(`\`timeout\` must be a number of milliseconds > 0, not ${describeValue(timeout)}.`);
  }
  if (maxRetries !== undefined && (!Number.isInteger(maxRetries) || maxRetries < 0)) {
    fail(`\`maxRetries\` must be a whole number >= 0, not ${describeValue(maxRetries)}.`);
  }
  if (baseURL !== undefined && (typeof baseURL !== "string" || !URL.canParse(baseURL))) {
    fail(`\`baseURL\` must be a URL such as "http://127.0.0.1:11434/v1", not ${describeValue(baseURL)}.`);
  }
  if (apiKey !== undefined && (typeof apiKey !== "string" || apiKey === "")) {
    fail(`\`apiKey\` must be a non-empty string, not ${describeValue(apiKey)}.`);
  }
  if (client !== undefined) {
    if (typeof client !== "object" || client === null || typeof client.chat?.completions?.create !== "function") {
      fail(`\`client\` must be an OpenAI client (new OpenAI({ ... })), not ${describeValue(client)}.`);
    }
    if (baseURL !== undefined || apiKey !== undefined) fail("pass either `client` or `apiKey`/`baseURL`, not both; the client already has them.");
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
