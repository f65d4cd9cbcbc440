// LangChain.js chat models stream into a run's `messages` mode through this callback handler, which
// every node's config carries as `callbacks`. A LangChain BaseChatModel called as
// `await model.invoke(messages, config)` sees a handler that prefers streaming, so it streams inside
// invoke and hands each chunk here, where it becomes a Weft AIMessageChunk with Weft's metadata.
// Duck-typed on purpose: @langchain/core stays an optional peer that nothing below models/ imports.
import { AIMessageChunk } from "../core/messages.js";
import type { WeftError } from "../errors.js";
import {
  completeToolCallChunks,
  reasoningChunk,
  streamedToolCallChunks,
  textAndReasoning,
  usageOf,
  type LangChainMessageLike,
} from "./langchain-chunks.js";
import { isAbortError, langChainCallError, langChainTimeoutError } from "./langchain-errors.js";
import { restoreRoutingKeys } from "./metadata.js";
import type { RunStream } from "./run-stream.js";
import { sourceSignalsOf } from "./signal-sources.js";

/**
 * The shape of a LangChain.js callback handler as far as Weft needs it. A node config's `callbacks`
 * is an array of these, so `{ ...config, callbacks: [...config.callbacks, myHandler] }` works and the
 * array can be passed wherever LangChain takes `callbacks`.
 */
export interface LangChainCallbackHandler {
  readonly name: string;
  handleChatModelStart?(...args: any[]): any;
  handleLLMNewToken?(...args: any[]): any;
  handleLLMEnd?(...args: any[]): any;
  handleLLMError?(...args: any[]): any;
}

/**
 * The `callbacks` of a node's config when the run streams `messages`: one handler that streams
 * LangChain.js chat models into it (when it does not, the config carries an empty array).
 * `nodeMetadata` is read only when a LangChain model starts, so it may refer to the config being built.
 */
export function langChainCallbacks(
  stream: RunStream,
  namespace: readonly string[],
  nodeMetadata: () => Readonly<Record<string, unknown>>,
): LangChainCallbackHandler[] {
  return [new StreamMessagesHandler(stream, namespace, nodeMetadata)];
}

const NOSTREAM_TAG = "nostream";

/** What the handler keeps for one chat-model run between its start and its end. */
interface ModelRun {
  readonly metadata: Record<string, unknown>;
  /** The message id all chunks of the run share: the provider's, else LangChain's `run-<runId>`. */
  id: string | undefined;
  streamed: boolean;
  /** The id of each streamed tool call by index, so every fragment of a call carries it (as Weft's models do). */
  toolCallIds: Map<number, string> | undefined;
  /** The text streamed so far, joined only if the call fails (`details.partialText`). */
  readonly textParts: string[];
  /** The signals the call's signal follows, held while it runs: its `timeout` timer among them (signal-sources.ts). */
  readonly heldSignals: AbortSignal[];
}

/**
 * The MODEL_CALL error for each error a LangChain chat model failed with while streaming into a run, keyed
 * by LangChain's error object: the node rethrows that object, and the runtime reports this in its place.
 */
const modelCallErrors = new WeakMap<object, WeftError>();

/**
 * The MODEL_CALL error (status, isRetryable, partialText; LangChain's error as `cause`) for an error a
 * LangChain chat model streaming into a run failed with, or undefined for any other error.
 */
export function langChainModelCallError(error: unknown): WeftError | undefined {
  return typeof error === "object" && error !== null ? modelCallErrors.get(error) : undefined;
}

/**
 * Streams LangChain.js chat-model runs into the run's stream bus. LangChain recognizes it as a
 * handler by its `name` and awaits each of its calls (`awaitHandlers`), so tokens arrive in order,
 * before invoke returns, and a slow consumer holds the model back (backpressure).
 */
class StreamMessagesHandler implements LangChainCallbackHandler {
  readonly name = "weft_stream_messages";
  /** Asks BaseChatModel.invoke to stream (LangChain's `callbackHandlerPrefersStreaming`). */
  readonly lc_prefer_streaming = true;
  /** Without it LangChain queues handler calls to run later, after invoke may have returned. */
  readonly awaitHandlers = true;
  readonly raiseError = false;
  readonly ignoreLLM = false;
  readonly ignoreChain = true;
  readonly ignoreAgent = true;
  readonly ignoreRetriever = true;
  readonly ignoreCustomEvent = true;
  /** Chat-model runs in progress, by LangChain run id; created with the first one. */
  private runs: Map<string, ModelRun> | undefined;

  constructor(
    private readonly stream: RunStream,
    private readonly namespace: readonly string[],
    private readonly nodeMetadata: () => Readonly<Record<string, unknown>>,
  ) {}

  handleChatModelStart(
    _model: unknown,
    _messages: unknown,
    runId: string,
    _parentRunId?: string,
    extraParams?: { options?: { signal?: unknown } },
    tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
  ): void {
    const allTags = Array.isArray(tags) ? tags : [];
    if (allTags.includes(NOSTREAM_TAG)) return;
    // LangChain merged the node's metadata, the model's ls_* facts and the model's own metadata, in
    // that order; the node's langgraph_* keys are put back, since a model's metadata never moves a token.
    // `name` is the call's `runName`, as LangGraph.js puts it (undefined unless the call names itself).
    const merged: Record<string, unknown> = { name: runName, ...metadata, tags: [...allTags] };
    restoreRoutingKeys(merged, this.nodeMetadata());
    const heldSignals = sourceSignalsOf(extraParams?.options?.signal);
    (this.runs ??= new Map()).set(runId, { metadata: merged, id: undefined, streamed: false, toolCallIds: undefined, textParts: [], heldSignals });
  }

  handleLLMNewToken(token: string, _index: unknown, runId: string, _parentRunId?: string, _tags?: string[], fields?: { chunk?: { message?: unknown } }) {
    const run = this.runs?.get(runId);
    if (run === undefined) return;
    const message = fields?.chunk?.message as LangChainMessageLike | undefined;
    run.id ??= typeof message?.id === "string" && message.id !== "" ? message.id : `run-${runId}`;
    const parts = message === undefined ? { text: token, reasoning: "" } : textAndReasoning(message);
    const toolCallChunks = message === undefined ? [] : streamedToolCallChunks(message.tool_call_chunks);
    for (const fragment of toolCallChunks) {
      if (fragment.id !== undefined) (run.toolCallIds ??= new Map()).set(fragment.index, fragment.id);
      else {
        const id = run.toolCallIds?.get(fragment.index);
        if (id !== undefined) fragment.id = id;
      }
    }
    if (parts.reasoning !== "") this.push(run, reasoningChunk(parts.reasoning, run.id));
    if (parts.text !== "") run.textParts.push(parts.text);
    if (parts.text !== "" || toolCallChunks.length > 0) this.push(run, new AIMessageChunk(parts.text, run.id, toolCallChunks.length > 0 ? toolCallChunks : undefined));
    if (this.stream.mustWait) return this.stream.drained();
    return undefined;
  }

  handleLLMEnd(output: { generations?: Array<Array<{ message?: unknown; text?: unknown }>> }, runId: string) {
    const run = this.runs?.get(runId);
    if (run === undefined) return;
    this.runs!.delete(runId);
    const generation = output?.generations?.[0]?.[0];
    const message = generation?.message as LangChainMessageLike | undefined;
    const id = run.id ?? (typeof message?.id === "string" && message.id !== "" ? message.id : `run-${runId}`);
    const usage = usageOf(message?.usage_metadata);
    if (!run.streamed) {
      // A model that cannot stream: its whole answer as one chunk, as LangGraph.js does.
      const parts = message === undefined ? { text: typeof generation?.text === "string" ? generation.text : "", reasoning: "" } : textAndReasoning(message);
      if (parts.reasoning !== "") this.push(run, reasoningChunk(parts.reasoning, id));
      const toolCallChunks = message === undefined ? [] : completeToolCallChunks(message.tool_calls);
      this.push(run, new AIMessageChunk(parts.text, id, toolCallChunks.length > 0 ? toolCallChunks : undefined, usage));
    } else if (usage !== undefined) {
      // Weft's models report usage once, on the last chunk of a call, as the call's total.
      this.push(run, new AIMessageChunk("", id, undefined, usage));
    }
    // The answer is in the stream now: a node that returns it does not stream it again.
    this.stream.markStreamed(id);
    if (this.stream.mustWait) return this.stream.drained();
    return undefined;
  }

  handleLLMError(error: unknown, runId: string): void {
    const run = this.runs?.get(runId);
    if (run === undefined) return;
    this.runs!.delete(runId);
    if (typeof error !== "object" || error === null) return;
    const partialText = run.textParts.join("");
    const facts = { provider: String(run.metadata.ls_provider ?? "langchain"), model: String(run.metadata.ls_model_name ?? "unknown"), streamedCharacters: partialText.length, partialText };
    if (!isAbortError(error)) modelCallErrors.set(error, langChainCallError(error, facts));
    // LangChain's `timeout` call option aborts the call (and records `timeoutMs` in its metadata); any
    // other abort stays the caller's (the runtime reports the run's abort as ABORTED).
    else if (typeof run.metadata.timeoutMs === "number") modelCallErrors.set(error, langChainTimeoutError(error, facts, run.metadata.timeoutMs));
  }

  /** A config may be logged or serialized; the run's bus behind the handler is not part of it. */
  toJSON(): { name: string } {
    return { name: this.name };
  }

  private push(run: ModelRun, chunk: AIMessageChunk): void {
    run.streamed = true;
    this.stream.push("messages", this.namespace, [chunk, run.metadata]);
  }
}

