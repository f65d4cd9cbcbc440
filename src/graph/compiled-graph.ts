// A runnable graph: invoke() for the final state, stream() for everything on the way.
import { WeftError } from "../errors.js";
import { type NodeConfig, type RunnableConfig, taskContextOf } from "../runtime/config.js";
import { currentConfig } from "../runtime/context.js";
import { allowManyAbortListeners } from "../runtime/abortable-delay.js";
import { runLoop } from "../runtime/loop.js";
import type { RunContext } from "../runtime/task.js";
import { AwaitableGraphStream } from "../stream/graph-stream.js";
import { RunStream, type StreamMode } from "../stream/run-stream.js";
import type { RunOptions, StreamOptions, StreamOutput } from "../stream/stream-types.js";
import { NAMESPACE_SEPARATOR } from "./constants.js";
import type { GraphSpec, SubgraphRunner } from "./graph-spec.js";
import { type CheckedOptions, checkOptions } from "./run-options.js";

export interface CompileOptions {
  /** A name for the graph (used by the server and in debugging). */
  name?: string;
}

/** A stream bus that nobody reads: invoke() runs with it, so no event is ever built. */
const SILENT_MODES: StreamMode[] = [];

/**
 * A compiled graph. Run it with `invoke()` or `stream()`, or add it to another graph as a node.
 */
export class CompiledGraph<State extends Record<string, any> = Record<string, any>, Update = Partial<State>>
  implements SubgraphRunner
{
  readonly name: string;

  constructor(
    protected readonly spec: GraphSpec,
    options: CompileOptions = {},
  ) {
    this.name = options.name ?? "LangGraph";
  }

  /** Run the graph to the end and resolve to the final state. Inside a node it runs as a subgraph. */
  async invoke(input: Update | State, options?: RunOptions): Promise<State> {
    const parent = parentConfig(options);
    if (parent !== undefined) return (await this.runAsSubgraph(input, parent, options)) as State;
    const checked = checkOptions(options, null);
    const stream = new RunStream({ modes: SILENT_MODES, modeTuples: false, subgraphs: false });
    return (await this.runRoot(input, checked, stream).promise) as State;
  }

  /**
   * Run the graph and stream what happens. With `streamMode: "messages"` every token of every
   * model call made inside the run arrives as `[chunk, metadata]` as soon as it is generated.
   */
  stream<const Modes extends StreamMode | readonly StreamMode[] = "values", const Subgraphs extends boolean = false>(
    input: Update | State,
    options?: StreamOptions<Modes, Subgraphs>,
  ): AwaitableGraphStream<StreamOutput<State, Modes, Subgraphs>> {
    const checked = checkOptions(options as StreamOptions | undefined, "values");
    const stream = new RunStream({
      modes: checked.modes,
      modeTuples: checked.modeTuples,
      subgraphs: checked.subgraphs,
      highWaterMark: checked.highWaterMark,
    });
    const { controller, promise } = this.runRoot(input, checked, stream);
    stream.onCancel = (reason) => controller.abort(reason);
    promise.then(
      () => stream.close(),
      (error: unknown) => stream.fail(error),
    );
    return new AwaitableGraphStream(stream, controller);
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
    const run: RunContext = {
      spec: this.spec,
      stream: context.stream,
      namespace: context.checkpointNs.split(NAMESPACE_SEPARATOR),
      parentCheckpointNs: context.checkpointNs,
      tags: options?.tags ? [...config.tags, ...options.tags] : config.tags,
      metadata: options?.metadata ? { ...config.metadata, ...options.metadata } : config.metadata,
      configurable: options?.configurable ? { ...config.configurable, ...options.configurable } : config.configurable,
      signal: controller.signal,
      recursionLimit: options?.recursionLimit ?? context.recursionLimit,
      abortRun: (reason) => controller.abort(reason),
    };
    try {
      return await runLoop(run, input);
    } finally {
      parentSignal.removeEventListener("abort", onParentAbort);
    }
  }

  private runRoot(input: unknown, checked: CheckedOptions, stream: RunStream) {
    const controller = new AbortController();
    allowManyAbortListeners(controller.signal);
    const external = checked.signal;
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
    };
    const promise = runLoop(run, input).finally(() => external?.removeEventListener("abort", onExternalAbort));
    return { controller, promise };
  }
}

/** The running node's config when this call happens inside a node (passed, or found through AsyncLocalStorage). */
function parentConfig(options: RunnableConfig | undefined): NodeConfig | undefined {
  if (taskContextOf(options) !== undefined) return options as NodeConfig;
  return currentConfig();
}
