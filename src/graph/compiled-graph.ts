// A runnable graph: invoke() for the final state, stream() for everything on the way.
import type { CheckpointConfig, Checkpointer } from "../core/checkpointer.js";
import { WeftError, describeValue } from "../errors.js";
import { type NodeConfig, type RunnableConfig, taskContextOf } from "../runtime/config.js";
import { currentConfig } from "../runtime/context.js";
import { allowManyAbortListeners } from "../runtime/abortable-delay.js";
import { runLoop } from "../runtime/loop.js";
import { routesOf } from "../runtime/routes.js";
import type { RunContext } from "../runtime/task.js";
import { lockThread } from "../runtime/thread-lock.js";
import type { Breakpoints } from "../runtime/breakpoints.js";
import { checkBreakpoints } from "./breakpoint-options.js";
import { ThreadRun } from "../runtime/thread-run.js";
import { type StateSnapshot, readSnapshot, snapshotOf, threadConfig } from "../runtime/thread-snapshot.js";
import { AwaitableGraphStream } from "../stream/graph-stream.js";
import { type AwaitableRunEventStream, createRunEventStream } from "../stream/run-event-stream.js";
import { RunStream, type StreamMode } from "../stream/run-stream.js";
import { sourceSignalsOf } from "../stream/signal-sources.js";
import type { RunOptions, StreamOptions, StreamOutput } from "../stream/stream-types.js";
import { type Command, isCommand } from "../core/command.js";
import { NAMESPACE_SEPARATOR } from "../core/constants.js";
import type { GraphSpec, SubgraphRunner } from "../core/graph-spec.js";
import { type CheckedOptions, checkOptions } from "./run-options.js";

export interface CompileOptions {
  /** A name for the graph (used by the server and in debugging). */
  name?: string;
  /**
   * Where threads are saved. With one, every run needs `configurable: { thread_id }`; it continues
   * that thread, and getState()/updateState()/interrupt() work.
   */
  checkpointer?: Checkpointer;
  /** Breakpoints: stop the run before these nodes run ("*": before every node). Needs a checkpointer; continue with `invoke(null, config)`. */
  interruptBefore?: readonly string[] | "*";
  /** Breakpoints: stop the run after these nodes ran ("*": after every step). Needs a checkpointer. */
  interruptAfter?: readonly string[] | "*";
  /**
   * Default true: inside this graph's nodes, `model.invoke(messages)` without `config`, `getConfig()`,
   * `getWriter()`, `interrupt()` and a nested `graph.invoke()` find the running node through
   * AsyncLocalStorage. `false` says every node passes its `config` on (to model calls, tools and
   * subgraphs, and uses `config.writer`): nodes then run outside AsyncLocalStorage, which on Node 20
   * saves the async-hook cost of every promise they make (more than half of a streamed token's
   * cost). In such a graph a model called without `config` does not stream to the run, and
   * `getConfig()`, `getWriter()` and `interrupt()` throw NO_CONTEXT.
   */
  implicitConfig?: boolean;
}

/** A stream bus that nobody reads: invoke() runs with it, so no event is ever built. */
const SILENT_MODES: StreamMode[] = [];

/** What streamEvents() reads: every mode, `debug` for the tasks and checkpoints channels. */
const EVENT_MODES = ["values", "updates", "messages", "tools", "custom", "debug"] as const;

/**
 * A compiled graph. Run it with `invoke()` or `stream()`, or add it to another graph as a node.
 */
/** Marks compiled graphs so `instanceof` holds across two copies of the package (a CLI and a user's module). */
const COMPILED_GRAPH: unique symbol = Symbol.for("weft.CompiledGraph") as never;

export class CompiledGraph<State extends Record<string, any> = Record<string, any>, Update = Partial<State>>
  implements SubgraphRunner
{
  readonly [COMPILED_GRAPH] = true;

  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as { [COMPILED_GRAPH]?: unknown })[COMPILED_GRAPH] === true;
  }

  readonly name: string;
  readonly checkpointer: Checkpointer | undefined;
  private readonly breakpoints: Breakpoints;
  private readonly compileOptions: CompileOptions;
  /** False when compile({ implicitConfig: false }): nodes run outside AsyncLocalStorage. */
  private readonly implicitConfig: boolean;

  constructor(
    protected readonly spec: GraphSpec,
    options: CompileOptions = {},
  ) {
    this.name = options.name ?? "LangGraph";
    this.checkpointer = options.checkpointer;
    this.breakpoints = checkBreakpoints(spec, options, "INVALID_GRAPH");
    this.compileOptions = options;
    if (options.implicitConfig !== undefined && typeof options.implicitConfig !== "boolean") {
      throw new WeftError("INVALID_GRAPH", `compile({ implicitConfig }) takes true or false, not ${JSON.stringify(options.implicitConfig)}.`);
    }
    this.implicitConfig = options.implicitConfig ?? true;
  }

  /**
   * Run the graph to the end and resolve to the final state. Inside a node it runs as a subgraph.
   * With a `streamMode` other than "values" it resolves to the chunks `stream()` would yield, as in LangGraph.
   *
   * @example
   * const updates = await graph.invoke({ topic: "cats" }, { streamMode: "updates" }); // [{ writeJoke: { joke: "..." } }]
   */
  invoke<const Modes extends Exclude<StreamMode, "values"> | readonly StreamMode[], const Subgraphs extends boolean = false>(
    input: Update | State | Command | null,
    options: StreamOptions<Modes, Subgraphs> & { streamMode: Modes },
  ): Promise<Array<StreamOutput<State, Modes, Subgraphs>>>;
  invoke(input: Update | State | Command | null, options?: RunOptions & { streamMode?: "values" }): Promise<State>;
  async invoke(input: Update | State | Command | null, options?: StreamOptions): Promise<unknown> {
    const parent = parentConfig(options);
    if (parent !== undefined) return (await this.runAsSubgraph(input, parent, options)) as State;
    if (options?.streamMode !== undefined && options.streamMode !== "values") {
      const chunks: unknown[] = [];
      for await (const chunk of this.stream(input, options)) chunks.push(chunk);
      return chunks;
    }
    const checked = checkOptions(options, null);
    const stream = new RunStream({ modes: SILENT_MODES, modeTuples: false, subgraphs: false });
    return (await this.runRoot(input, checked, stream, this.runBreakpoints(options)).promise) as State;
  }

  /**
   * Run the graph on each input concurrently (LangChain's `Runnable.batch`): resolves to the results
   * in input order. `options` is one config for every run or one per input; `maxConcurrency` caps the
   * runs at once; `returnExceptions` puts a run's error in its place instead of rejecting.
   *
   * @example
   * const [first, second] = await graph.batch([{ topic: "cats" }, { topic: "dogs" }], { recursionLimit: 10 }, { maxConcurrency: 2 });
   */
  async batch(
    inputs: ReadonlyArray<Update | State | Command | null>,
    options?: RunOptions | ReadonlyArray<RunOptions | undefined>,
    batchOptions: { returnExceptions?: boolean; maxConcurrency?: number } = {},
  ): Promise<Array<State | Error>> {
    if (!Array.isArray(inputs)) throw new WeftError("INVALID_INPUT", `batch() takes an array of inputs, not ${describeValue(inputs)}.`);
    if (Array.isArray(options) && options.length !== inputs.length) {
      throw new WeftError("INVALID_OPTIONS", `batch() got ${options.length} options for ${inputs.length} inputs; pass one options object, or one per input.`);
    }
    const limit = batchOptions.maxConcurrency;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
      throw new WeftError("INVALID_OPTIONS", `batch() maxConcurrency must be a whole number >= 1, not ${describeValue(limit)}.`);
    }
    const configOf = (index: number): RunOptions | undefined => (Array.isArray(options) ? options[index] : (options as RunOptions | undefined));
    const results: Array<State | Error> = new Array(inputs.length);
    let next = 0;
    let failed = false;
    const worker = async () => {
      // After a failure (without returnExceptions) the batch has rejected: start no further runs.
      while (next < inputs.length && !failed) {
        const index = next++;
        try {
          results[index] = await this.invoke(inputs[index]!, configOf(index));
        } catch (error) {
          if (batchOptions.returnExceptions !== true) {
            failed = true;
            throw error;
          }
          results[index] = error as Error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit ?? inputs.length, inputs.length) }, worker));
    return results;
  }

  /**
   * Run the graph and stream what happens. With `streamMode: "messages"` every token of every
   * model call made inside the run arrives as `[chunk, metadata]` as soon as it is generated.
   */
  stream<const Modes extends StreamMode | readonly StreamMode[] = "updates", const Subgraphs extends boolean = false>(
    input: Update | State | Command | null,
    options?: StreamOptions<Modes, Subgraphs>,
  ): AwaitableGraphStream<StreamOutput<State, Modes, Subgraphs>> {
    const checked = checkOptions(options as StreamOptions | undefined, "updates");
    const stream = new RunStream({
      modes: checked.modes,
      modeTuples: checked.modeTuples,
      subgraphs: checked.subgraphs,
      highWaterMark: checked.highWaterMark,
    });
    const { controller, promise } = this.runRoot(input, checked, stream, this.runBreakpoints(options));
    stream.onCancel = (reason) => controller.abort(reason);
    promise.then(
      () => stream.close(),
      (error: unknown) => stream.fail(error),
    );
    return new AwaitableGraphStream(stream, controller);
  }

  /**
   * Run the graph and stream its events with typed projections (LangGraph.js's `streamEvents(..., { version: "v3" })`):
   * every event with a sequence number, `.messages` (one stream per model call, with `.text`, `.reasoning`,
   * `.toolCalls`, `.usage`), `.values`, `.output`, `.subgraphs`, `.lifecycle`, `.interrupts`, and `abort()`.
   *
   * @example
   * const run = await graph.streamEvents(input, { version: "v3" });
   * for await (const message of run.messages) for await (const token of message.text) process.stdout.write(token);
   */
  streamEvents(input: Update | State | Command | null, options: RunOptions & { version: "v3" }): AwaitableRunEventStream<State> {
    if ((options as { version?: unknown } | undefined)?.version !== "v3") {
      throw new WeftError("INVALID_OPTIONS", 'streamEvents() streams the v3 protocol: pass { version: "v3" } (LangChain\'s v1/v2 callback events are not built; use stream() for those modes).');
    }
    const { version: _version, ...runOptions } = options;
    return createRunEventStream<State>(this.stream(input, { ...runOptions, streamMode: EVENT_MODES, subgraphs: true }));
  }

  /** Run as a node of a parent graph: same stream bus, namespaced events, the parent task's signal. */
  async runAsSubgraph(input: unknown, config: NodeConfig, options?: RunOptions): Promise<Record<string, unknown>> {
    const context = taskContextOf(config);
    if (context === undefined) throw new WeftError("INVALID_OPTIONS", "runAsSubgraph() needs the config of a running node.");
    const controller = new AbortController();
    allowManyAbortListeners(controller.signal);
    const parentSignal = config.signal;
    const onParentAbort = () => controller.abort(parentSignal.reason);
    if (parentSignal.aborted) controller.abort(parentSignal.reason);
    else parentSignal.addEventListener("abort", onParentAbort, { once: true });
    // The first subgraph run of a task checkpoints under the task's namespace (`node:taskId`), as in
    // LangGraph; further runs in the same task get their own.
    const call = context.subgraphCalls++;
    const checkpointNs = call === 0 ? context.checkpointNs : `${context.checkpointNs}#${call}`;
    const run: RunContext = {
      spec: this.spec,
      stream: context.stream,
      namespace: checkpointNs.split(NAMESPACE_SEPARATOR),
      parentCheckpointNs: checkpointNs,
      tags: options?.tags ? [...config.tags, ...options.tags] : config.tags,
      metadata: options?.metadata ? { ...config.metadata, ...options.metadata } : config.metadata,
      configurable: options?.configurable ? { ...config.configurable, ...options.configurable } : config.configurable,
      signal: controller.signal,
      recursionLimit: options?.recursionLimit ?? context.recursionLimit,
      abortRun: (reason) => controller.abort(reason),
      thread: context.thread.child(checkpointNs),
      parentScratchpad: context.scratchpad,
      implicitConfig: this.implicitConfig,
    };
    try {
      return await runLoop(run, this.declaredKeysOf(input));
    } finally {
      parentSignal.removeEventListener("abort", onParentAbort);
    }
  }

  /** The subgraph's spec, so a parent can read this graph's checkpoints under its namespace. */
  get graphSpec(): GraphSpec {
    return this.spec;
  }

  /** A subgraph receives the parent state filtered to the keys it declares (as in LangGraph). */
  private declaredKeysOf(input: unknown): unknown {
    const schema = this.spec.schema;
    if (schema === undefined || typeof input !== "object" || input === null || Array.isArray(input) || isCommand(input)) return input;
    const filtered: Record<string, unknown> = {};
    for (const key of Object.keys(input)) if (Object.prototype.hasOwnProperty.call(schema, key)) filtered[key] = (input as Record<string, unknown>)[key];
    return filtered;
  }

  private runRoot(input: unknown, checked: CheckedOptions, stream: RunStream, breakpoints: Breakpoints) {
    const { thread, release } = this.openThread(input, checked, stream, breakpoints);
    const controller = new AbortController();
    allowManyAbortListeners(controller.signal);
    const external = checked.signal;
    // Held for the run: on Node 20 a timeout inside an AbortSignal.any() is otherwise collected (signal-sources.ts).
    const heldSignals = sourceSignalsOf(external);
    const onExternalAbort = () => controller.abort(external!.reason);
    if (external?.aborted) controller.abort(external.reason);
    else external?.addEventListener("abort", onExternalAbort, { once: true });
    const run: RunContext = {
      spec: this.spec,
      stream,
      namespace: [],
      parentCheckpointNs: "",
      tags: checked.tags,
      metadata: checked.metadata,
      configurable: checked.configurable,
      signal: controller.signal,
      recursionLimit: checked.recursionLimit,
      abortRun: (reason) => controller.abort(reason),
      thread,
      implicitConfig: this.implicitConfig,
    };
    const promise = runLoop(run, input).finally(async () => {
      external?.removeEventListener("abort", onExternalAbort);
      heldSignals.length = 0;
      try {
        await thread.finish();
      } finally {
        release?.();
      }
    });
    return { controller, promise };
  }

  /** The run's thread: ephemeral without a checkpointer; with one, the configured thread, locked (THREAD_BUSY when a run holds it). */
  private openThread(input: unknown, checked: CheckedOptions, stream: RunStream, breakpoints: Breakpoints): { thread: ThreadRun; release?: () => void } {
    const checkpointer = this.checkpointer;
    if (checkpointer === undefined) {
      if (isCommand(input)) {
        throw new WeftError("INVALID_INPUT", "A Command input resumes a saved thread, so the graph needs a checkpointer: compile({ checkpointer }).");
      }
      return { thread: new ThreadRun({ checkpointer: undefined, threadId: "", namespace: "", stream, runMetadata: checked.metadata }) };
    }
    const { threadId, namespace, checkpointId } = this.threadTarget(checked.configurable);
    const release = lockThread(checkpointer, threadId, namespace);
    const thread = new ThreadRun({ checkpointer, threadId, namespace, checkpointId, stream, breakpoints, runMetadata: checked.metadata });
    return { thread, release };
  }

  private threadTarget(configurable: Record<string, unknown>): { threadId: string; namespace: string; checkpointId: string | undefined } {
    const threadId = configurable.thread_id;
    if (typeof threadId !== "string" || threadId === "") {
      throw new WeftError(
        "CHECKPOINT",
        `This graph has a checkpointer, so every run needs a thread: pass { configurable: { thread_id: "..." } } ` +
          `(any string naming the conversation; reuse it to continue the thread).`,
        { details: { threadId } },
      );
    }
    const namespace = typeof configurable.checkpoint_ns === "string" ? configurable.checkpoint_ns : "";
    const checkpointId = configurable.checkpoint_id;
    if (checkpointId !== undefined && typeof checkpointId !== "string") {
      throw new WeftError("CHECKPOINT", "`configurable.checkpoint_id` must be a checkpoint id string (from getState() or getStateHistory()).");
    }
    return { threadId, namespace, checkpointId };
  }

  /**
   * The thread's state: values, the nodes that run next, and pending interrupts. With
   * `configurable.checkpoint_id` the state at that checkpoint.
   *
   * @example
   * const snapshot = await graph.getState({ configurable: { thread_id: "t1" } });
   * console.log(snapshot.values, snapshot.next, snapshot.tasks[0]?.interrupts);
   */
  async getState(config: RunnableConfig, options: { subgraphs?: boolean } = {}): Promise<StateSnapshot<State>> {
    return readSnapshot<State>(this.spec, this.requireCheckpointer("getState"), threadConfig(config), options.subgraphs === true);
  }

  /** Every checkpoint of the thread, newest first. */
  async *getStateHistory(config: RunnableConfig, options: { limit?: number; before?: RunnableConfig } = {}): AsyncIterable<StateSnapshot<State>> {
    const checkpointer = this.requireCheckpointer("getStateHistory");
    const target = threadConfig(config);
    for await (const tuple of checkpointer.list(target, { limit: options.limit, before: options.before as CheckpointConfig | undefined })) {
      yield snapshotOf<State>(tuple, this.spec);
    }
  }

  /**
   * Save a new checkpoint with `values` applied as if node `asNode` wrote them (its reducers apply);
   * the next run continues from it. With `asNode` the next tasks are where that node routes.
   * Resolves to the config naming the new checkpoint.
   *
   * @example
   * await graph.updateState({ configurable: { thread_id: "t1" } }, { draft: "edited" }, "writer");
   */
  async updateState(config: RunnableConfig, values: Update | Record<string, unknown>, asNode?: string): Promise<RunnableConfig> {
    const checkpointer = this.requireCheckpointer("updateState");
    const { threadId, namespace, checkpointId } = this.threadTarget(threadConfig(config).configurable);
    const release = lockThread(checkpointer, threadId, namespace);
    try {
      const stream = new RunStream({ modes: SILENT_MODES, modeTuples: false, subgraphs: false });
      const thread = new ThreadRun({ checkpointer, threadId, namespace, checkpointId, stream });
      const routerConfig = { tags: [], metadata: {}, configurable: config.configurable ?? {}, signal: new AbortController().signal, writer: () => {}, callbacks: [] };
      const saved = await thread.updateState(this.spec, values, asNode, (node, state) => routesOf(this.spec, node, state, routerConfig));
      return { configurable: { ...config.configurable, ...saved.configurable } };
    } finally {
      release();
    }
  }

  /**
   * The same graph (name, breakpoints) saving its threads with `checkpointer`.
   *
   * @example
   * const served = graph.withCheckpointer(SqliteSaver.fromPath("threads.db"));
   */
  withCheckpointer(checkpointer: Checkpointer): CompiledGraph<State, Update> {
    return new CompiledGraph<State, Update>(this.spec, { ...this.compileOptions, checkpointer });
  }

  /** The graph's breakpoints, or the run's own when it names some. */
  private runBreakpoints(options: RunOptions | undefined): Breakpoints {
    if (options?.interruptBefore === undefined && options?.interruptAfter === undefined) return this.breakpoints;
    const given = checkBreakpoints(this.spec, { checkpointer: this.checkpointer, ...options }, "INVALID_OPTIONS");
    return {
      before: options.interruptBefore === undefined ? this.breakpoints.before : given.before,
      after: options.interruptAfter === undefined ? this.breakpoints.after : given.after,
    };
  }

  private requireCheckpointer(method: string): Checkpointer {
    if (this.checkpointer === undefined) {
      throw new WeftError("CHECKPOINT", `${method}() reads saved threads, so the graph needs a checkpointer: compile({ checkpointer: new MemorySaver() }).`);
    }
    return this.checkpointer;
  }
}

/** The running node's config when this call happens inside a node (passed, or found through AsyncLocalStorage). */
function parentConfig(options: RunnableConfig | undefined): NodeConfig | undefined {
  if (taskContextOf(options) !== undefined) return options as NodeConfig;
  return currentConfig();
}
