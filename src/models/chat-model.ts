// The chat-model contract. A provider implements one streaming method, `streamParts`; `invoke`,
// `stream`, `withConfig` and `bindTools` are built on it here, once, for every provider.
// This is where a token enters the stream bus: model -> stream/ -> runtime/ -> the caller.
import { WeftError, describeError } from "../errors.js";
import { assembleToolCalls } from "../core/assemble-tool-calls.js";
import { toMessages } from "../core/message-coercion.js";
import { keepShape } from "../core/keep-shape.js";
import type { RunnableConfig } from "../runtime/config.js";
import { taskContextOf } from "../runtime/config.js";
import { currentConfig } from "../runtime/context.js";
import type { RunStream } from "../stream/run-stream.js";
import {
  AIMessage,
  AIMessageChunk,
  type Message,
  type MessagesInput,
  type ToolCallChunk,
  type Usage,
} from "../core/messages.js";

import { type BindToolsOptions, type ChatToolChoice, type ToolDefinition, type ToolInput, toToolChoice, toToolDefinition } from "./tool-definition.js";
import { StructuredOutput, type StructuredOutputOptions } from "./structured-output.js";
import type { ToolInputOf } from "./tool.js";

export { assembleToolCalls };
export type { BindToolsOptions, ChatToolChoice, ToolDefinition, ToolInput };


/**
 * What a provider yields while streaming. A plain string is a text token (the fast, common case);
 * objects carry tool-call fragments, usage, the finish reason, or the provider's id for the answer.
 */
export type ChatStreamPart =
  | string
  | { type: "tool-call"; index: number; id?: string; name?: string; args?: string }
  | { type: "reasoning"; text: string }
  | { type: "usage"; usage: Usage }
  | { type: "finish"; reason: string }
  | { type: "response-id"; id: string };

/** What a provider receives for one call. */
export interface ChatModelRequest {
  messages: Message[];
  tools: readonly ToolDefinition[];
  signal: AbortSignal | undefined;
  /** Which tool the model must call (bindTools' `tool_choice`); undefined: the model decides. */
  toolChoice?: ChatToolChoice;
  /** `false`: at most one tool call per answer (bindTools' `parallel_tool_calls`). */
  parallelToolCalls?: boolean;
}

/** Per-call options: a config (from a node, or your own) plus an optional signal. */
export type ChatCallOptions = RunnableConfig;

export const NOSTREAM_TAG = "nostream";

/**
 * Base of every chat model. Subclasses implement `streamParts` and set `provider` and `modelName`.
 *
 * Inside a graph node, every call streams its tokens to the run's `messages` mode with metadata
 * (node, step, tags, ls_* keys); pass the node's `config`, or rely on AsyncLocalStorage on Node.
 */
export abstract class BaseChatModel {
  /** `ls_provider` in stream metadata, e.g. "openai". */
  abstract readonly provider: string;
  /** `ls_model_name` in stream metadata. */
  abstract readonly modelName: string;
  temperature: number | undefined;
  tags: readonly string[];
  metadata: Readonly<Record<string, unknown>>;
  protected tools: readonly ToolDefinition[] = [];
  protected toolChoice: ChatToolChoice | undefined = undefined;
  protected parallelToolCalls: boolean | undefined = undefined;

  constructor(fields: { tags?: readonly string[]; metadata?: Record<string, unknown>; temperature?: number } = {}) {
    if (fields.tags !== undefined && (!Array.isArray(fields.tags) || fields.tags.some((tag) => typeof tag !== "string"))) {
      throw new WeftError("INVALID_OPTIONS", "Model `tags` must be an array of strings, e.g. { tags: [\"joke\"] }.");
    }
    this.tags = fields.tags ?? [];
    this.metadata = fields.metadata ?? {};
    this.temperature = fields.temperature;
  }

  /** Stream the answer to `request`. The one method a provider implements. */
  protected abstract streamParts(request: ChatModelRequest): AsyncIterable<ChatStreamPart>;

  /** Call the model and resolve to the whole answer; inside a graph every token streams as it comes. */
  async invoke(input: MessagesInput, options?: ChatCallOptions): Promise<AIMessage> {
    const call = this.startCall(input, options);
    // One microtask before the provider starts, so the caller is awaiting this call: the code that
    // runs after the caller's `await` (the rest of the engine's step) runs now, not between the first
    // token and its delivery.
    await undefined;
    try {
      for await (const part of this.streamParts(call.request)) {
        call.accept(part);
        if (call.stream !== undefined && call.stream.mustWait) await call.stream.drained();
      }
    } catch (error) {
      throw call.failure(error);
    }
    return call.finish();
  }

  /** Call the model and iterate its chunks; inside a graph they also stream to the run. */
  async *stream(input: MessagesInput, options?: ChatCallOptions): AsyncGenerator<AIMessageChunk, AIMessage, undefined> {
    const call = this.startCall(input, options);
    try {
      for await (const part of this.streamParts(call.request)) {
        const chunk = call.accept(part, true);
        if (chunk !== undefined) yield chunk;
        if (call.stream !== undefined && call.stream.mustWait) await call.stream.drained();
      }
    } catch (error) {
      throw call.failure(error);
    }
    return call.finish();
  }

  /** A view of this model with more tags and metadata (sharing the same client and counters). */
  withConfig(config: { tags?: readonly string[]; metadata?: Record<string, unknown> }): this {
    const view = Object.create(this) as this;
    view.tags = [...this.tags, ...(config.tags ?? [])];
    view.metadata = { ...this.metadata, ...config.metadata };
    return view;
  }

  /**
   * A view of this model that offers `tools` to the provider, in any form every model accepts:
   * tools made with `tool()`, `{ name, description, parameters }` with JSON-schema parameters,
   * `{ name, description, schema }` (zod 4, Standard Schema), or OpenAI's `{ type: "function", function }`.
   * `options.tool_choice` makes the model call a tool ("required", or one by name) or none;
   * `options.parallel_tool_calls: false` asks for one call at most. Providers that take them get
   * them (ChatOpenAI, fromAISDK, fromLangChain).
   */
  bindTools(tools: readonly ToolInput[], options: BindToolsOptions = {}): this {
    if (!Array.isArray(tools)) throw new WeftError("INVALID_OPTIONS", "bindTools() takes an array of tool definitions.");
    if (typeof options !== "object" || options === null) throw new WeftError("INVALID_OPTIONS", "bindTools(tools, options): `options` must be an object such as { tool_choice: \"required\" }.");
    for (const key of Object.keys(options)) {
      if (key !== "tool_choice" && key !== "parallel_tool_calls") {
        throw new WeftError("INVALID_OPTIONS", `bindTools(tools, options) has no option "${key}"; it takes tool_choice and parallel_tool_calls.`);
      }
    }
    if (options.parallel_tool_calls !== undefined && typeof options.parallel_tool_calls !== "boolean") {
      throw new WeftError("INVALID_OPTIONS", "bindTools: `parallel_tool_calls` must be true or false.");
    }
    const view = Object.create(this) as this;
    view.tools = tools.map(toToolDefinition);
    view.toolChoice = options.tool_choice === undefined ? undefined : toToolChoice(options.tool_choice, view.tools);
    view.parallelToolCalls = options.parallel_tool_calls;
    return view;
  }

  /**
   * A view of this model that answers with an object matching `schema` (zod 4, any Standard Schema,
   * or a JSON Schema): the schema is offered as the one tool, the model is made to call it, and the
   * call's arguments are checked and returned. As LangChain's `withStructuredOutput`.
   *
   * @example
   * const weather = await model.withStructuredOutput(z.object({ city: z.string(), sunny: z.boolean() })).invoke("Weather in Paris?");
   */
  withStructuredOutput<Schema>(schema: Schema, options: StructuredOutputOptions = {}): StructuredOutput<ToolInputOf<Schema>> {
    return new StructuredOutput(this, schema, options);
  }

  private startCall(input: MessagesInput, options: ChatCallOptions | undefined): ModelCall {
    const messages = toMessages(input);
    // An explicit config wins; otherwise the running node's config (AsyncLocalStorage on Node).
    const config = taskContextOf(options) !== undefined ? options : mergeConfig(currentConfig(), options);
    return new ModelCall(this, messages, config, this.tools, this.toolChoice, this.parallelToolCalls);
  }
}

function mergeConfig(base: RunnableConfig | undefined, extra: RunnableConfig | undefined): RunnableConfig | undefined {
  if (base === undefined) return extra;
  if (extra === undefined) return base;
  return {
    ...base,
    tags: [...(base.tags ?? []), ...(extra.tags ?? [])],
    metadata: { ...base.metadata, ...extra.metadata },
    signal: extra.signal ?? base.signal,
  };
}

/** The state of one model call: what it accumulated and where its chunks go. Built once per call. */
class ModelCall {
  readonly request: ChatModelRequest;
  /** The run's bus when this call's chunks are streamed, else undefined. */
  readonly stream: RunStream | undefined;
  private readonly namespace: readonly string[];
  private readonly metadata: Record<string, unknown> | undefined;
  private id: string;
  private started = false;
  // Text tokens so far, joined once at the end: appending to a string makes one cons-string per
  // token that lives as long as the call, which the young-generation GC copies over and over.
  private readonly textParts: string[] = [];
  private reasoningParts: string[] | undefined;
  private toolCallChunks: ToolCallChunk[] | undefined;
  /** The id of each streamed tool call by index, so every fragment of a call carries it. */
  private toolCallIds: Map<number, string> | undefined;
  /** True once a chunk of this call reached messages mode (its final message is then not streamed again). */
  private streamedAny = false;
  private usage: Usage | undefined;
  private finishReason: string | undefined;

  constructor(
    private readonly model: BaseChatModel,
    messages: Message[],
    config: RunnableConfig | undefined,
    tools: readonly ToolDefinition[],
    toolChoice: ChatToolChoice | undefined,
    parallelToolCalls: boolean | undefined,
  ) {
    // Every key set on every call, so all requests share one shape.
    this.request = { messages, tools, signal: config?.signal, toolChoice, parallelToolCalls };
    this.id = `run-${crypto.randomUUID()}`;
    const context = taskContextOf(config);
    const tags = config?.tags && config.tags.length > 0 ? [...config.tags, ...model.tags] : model.tags;
    if (context !== undefined && context.stream.wantsMessages && !tags.includes(NOSTREAM_TAG)) {
      this.stream = context.stream;
      this.namespace = context.namespace;
      // Built once per call and shared by every chunk of it: never copied per token.
      this.metadata = {
        ...config!.metadata,
        ...model.metadata,
        ...routingKeys(config!.metadata),
        tags: [...tags],
        ls_provider: model.provider,
        ls_model_name: model.modelName,
        ls_model_type: "chat",
        ls_temperature: model.temperature,
      };
    } else {
      this.stream = undefined;
      this.namespace = [];
      this.metadata = undefined;
    }
  }

  /** Take one part from the provider; returns the chunk when one was built (always when `wanted`). */
  accept(part: ChatStreamPart, wanted = false): AIMessageChunk | undefined {
    let chunk: AIMessageChunk | undefined;
    if (typeof part === "string") {
      this.started = true;
      this.textParts.push(part);
      if (this.stream !== undefined || wanted) chunk = new AIMessageChunk(part, this.id);
    } else if (part.type === "tool-call") {
      this.started = true;
      const fragment: ToolCallChunk = { index: part.index };
      // Providers send a call's id on its first fragment only; repeating it lets a UI keep parallel calls apart by id.
      const id = part.id ?? this.toolCallIds?.get(part.index);
      if (part.id !== undefined) (this.toolCallIds ??= new Map()).set(part.index, part.id);
      if (id !== undefined) fragment.id = id;
      if (part.name !== undefined) fragment.name = part.name;
      if (part.args !== undefined) fragment.args = part.args;
      (this.toolCallChunks ??= []).push(fragment);
      chunk = new AIMessageChunk("", this.id, [fragment]);
    } else if (part.type === "reasoning") {
      this.started = true;
      (this.reasoningParts ??= []).push(part.text);
      chunk = new AIMessageChunk("", this.id);
      chunk.reasoning = part.text;
    } else if (part.type === "usage") {
      this.usage = part.usage;
      chunk = new AIMessageChunk("", this.id, undefined, part.usage);
    } else if (part.type === "finish") {
      this.finishReason = part.reason;
      return undefined;
    } else if (part.type === "response-id") {
      if (!this.started) this.id = part.id;
      return undefined;
    }
    if (chunk !== undefined && this.stream !== undefined) {
      this.streamedAny = true;
      this.stream.push("messages", this.namespace, [chunk, this.metadata]);
    }
    return chunk;
  }

  finish(): AIMessage {
    if (this.streamedAny) this.stream!.markStreamed(this.id);
    const responseMetadata: Record<string, unknown> = { model: this.model.modelName, provider: this.model.provider };
    if (this.finishReason !== undefined) responseMetadata.finishReason = this.finishReason;
    return new AIMessage(this.textParts.join(""), {
      id: this.id,
      toolCalls: this.toolCallChunks ? assembleToolCalls(this.toolCallChunks) : [],
      usage: this.usage,
      responseMetadata,
      reasoning: this.reasoningParts?.join(""),
    });
  }

  /** Turn whatever the provider threw into a WeftError that keeps the partial output. */
  failure(error: unknown): WeftError {
    const partialText = this.textParts.join("");
    const details = { provider: this.model.provider, model: this.model.modelName, partialText };
    if (WeftError.isInstance(error)) {
      Object.assign(error.details, details, error.details);
      return error;
    }
    if (this.request.signal?.aborted) {
      return new WeftError("ABORTED", `The call to ${this.model.provider} model "${this.model.modelName}" was aborted.`, {
        cause: error,
        details,
      });
    }
    return new WeftError(
      "MODEL_CALL",
      `The call to ${this.model.provider} model "${this.model.modelName}" failed after ${partialText.length} characters: ${describeError(error)}`,
      { cause: error, details },
    );
  }
}

// One call built at load, so the class's map outlives every call (core/keep-shape.ts); it takes one
// part, so V8 compiles accept() now and not between a process's first token and its delivery.
keepShape(new ModelCall({ tags: [] } as unknown as BaseChatModel, [], undefined, [], undefined, undefined)).accept("");

/** The keys that say where a token came from (`langgraph_*`, `checkpoint_ns`): a model's own metadata never overrides them. */
function routingKeys(metadata: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (metadata === undefined) return undefined;
  let keys: Record<string, unknown> | undefined;
  for (const key in metadata) {
    if (key.startsWith("langgraph_") || key === "checkpoint_ns") (keys ??= {})[key] = metadata[key];
  }
  return keys;
}
