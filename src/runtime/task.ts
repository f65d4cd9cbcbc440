// Running one task of a superstep: reuse what it finished before a crash or pause, or build its
// config, call the node, check what it returned, work out where it routes, report it to the stream
// and save its writes as soon as it finishes.
import { type Command, isCommand, isParentCommand, ParentCommand } from "../core/command.js";
import { NAMESPACE_SEPARATOR } from "../core/constants.js";
import type { GraphSpec, NodeFunction, SubgraphRunner } from "../core/graph-spec.js";
import { type Interrupt, isGraphInterrupt } from "../core/interrupt.js";
import type { Send } from "../core/send.js";
import type { PreparedTask, Write } from "../core/task.js";
import { WeftError, describeError } from "../errors.js";
import { taskMetadata } from "../stream/metadata.js";
import { langChainCallbacks, langChainModelCallError } from "../stream/langchain-callbacks.js";
import { streamReturnedMessages } from "../stream/returned-messages.js";
import type { RunStream } from "../stream/run-stream.js";
import { type Channels, commandUpdateToWrites, staticRoutes, updateToWrites } from "./algo.js";
import { TASK_CONTEXT, type NodeConfig, type TaskContext, type TaskScratchpad, type Writer } from "./config.js";
import { activeConfigScopes, runWithConfig } from "./context.js";
import { abortReason } from "./abortable-delay.js";
import { localState } from "./local-state.js";
import { routesOf } from "./routes.js";
import type { ThreadRun } from "./thread-run.js";

/** Everything a graph run shares between its tasks. */
export interface RunContext {
  readonly spec: GraphSpec;
  readonly stream: RunStream;
  /** Namespace of this graph's events: `[]` for the root, the parent task's path for a subgraph. */
  readonly namespace: readonly string[];
  /** `langgraph_checkpoint_ns` of the parent task ("" for the root). */
  readonly parentCheckpointNs: string;
  readonly tags: string[];
  readonly metadata: Record<string, unknown>;
  readonly configurable: Record<string, unknown>;
  readonly signal: AbortSignal;
  readonly recursionLimit: number;
  /** Cancels the whole run (used when one task of a step fails). */
  readonly abortRun?: (reason: unknown) => void;
  /** The thread this run works on (ephemeral when the graph has no checkpointer). */
  readonly thread: ThreadRun;
  /** In a subgraph: the parent task's interrupt answers, which the subgraph's tasks read. */
  readonly parentScratchpad?: TaskScratchpad;
  /**
   * False when the graph was compiled with `implicitConfig: false`: its nodes run without
   * AsyncLocalStorage (they pass `config` themselves), so their promises pay no async-hook cost.
   */
  readonly implicitConfig?: boolean;
}

export interface TaskResult {
  readonly task: PreparedTask;
  readonly node: string;
  readonly writes: Write[];
  readonly routes: Array<string | Send>;
  /** What the node returned (the `updates` mode payload). */
  readonly update: unknown;
  /** Set when the node paused at interrupt(): the task did not finish and wrote nothing. */
  readonly interrupts?: Interrupt[];
}

const noWriter: Writer = () => {};

/** Run one task on the run's thread: a task that finished before is not run again. */
export async function runTask(run: RunContext, task: PreparedTask, step: number, state: Record<string, unknown>, channels: Channels): Promise<TaskResult> {
  const thread = run.thread;
  const finished = thread.finishedResult(task);
  if (finished !== undefined) {
    // As in LangGraph: a finished task's writes are streamed again, marked as cached.
    if (run.stream.wantsUpdates) run.stream.push("updates", run.namespace, { [task.node]: finished.update, __metadata__: { cached: true } });
    if (run.stream.wantsDebug) pushTaskEvent(run, task, step, task.kind === "push" ? task.arg : state);
    return finished;
  }
  let result: TaskResult;
  try {
    result = await executeTask(run, task, step, state, channels);
  } catch (error) {
    await thread.saveTaskError(task, error);
    throw error;
  }
  await thread.saveTaskResult(result);
  return result;
}

async function executeTask(
  run: RunContext,
  task: PreparedTask,
  step: number,
  state: Record<string, unknown>,
  channels: Channels,
): Promise<TaskResult> {
  const { spec, stream } = run;
  const thread = run.thread;
  const parent = run.parentScratchpad;
  const scratchpad: TaskScratchpad = {
    taskId: task.id,
    checkpointed: parent?.checkpointed ?? thread.persistent,
    resume: parent?.resume ?? thread.resumeValues(task.id),
    interruptCounter: 0,
  };
  const node = spec.nodes.get(task.node);
  if (node === undefined) throw new WeftError("INVALID_GRAPH", `A task names unknown node "${task.node}".`);
  const namespace = run.namespace;
  const config = taskConfig(run, task, step, scratchpad, run.tags);
  const input = task.kind === "push" ? task.arg : state;
  if (stream.wantsDebug) pushTaskEvent(run, task, step, input);

  let update: unknown;
  let writes: Write[];
  let routes: Array<string | Send>;
  try {
    update = await callNode(node.run, input, config, run.implicitConfig !== false);
    // Messages mode: the messages this node returned that were not streamed as chunks, once each (stream/returned-messages.ts).
    if (stream.wantsMessages) streamReturnedMessages(stream, namespace, update, input, config);
    if (isSubgraph(node.run)) update = keepKnownKeys(spec, update as Record<string, unknown>);
    let goto: ReadonlyArray<string | Send> | undefined;
    if (isCommand(update)) {
      if (update.graph === "__parent__") {
        if (run.parentScratchpad === undefined) {
          throw new WeftError(
            "INVALID_NODE_RETURN",
            `Node "${task.node}" returned new Command({ graph: Command.PARENT }), but it runs in the root graph, which has no parent graph.`,
            { details: { node: task.node } },
          );
        }
        throw new ParentCommand(update);
      }
      goto = update.goto;
      writes = commandUpdateToWrites(spec, task.node, update.update);
      // Updates mode shows a list of [key, value] pairs as LangGraph does: one object per pair.
      update = Array.isArray(update.update) ? writes.map(([key, value]) => ({ [key]: value })) : update.update;
    } else writes = updateToWrites(spec, task.node, update);
    if (goto === undefined && !spec.branches.has(task.node)) routes = [...staticRoutes(spec, task.node)];
    else {
      const routing = spec.branches.has(task.node) ? localState(spec, channels, state, writes) : state;
      routes = (await routesOf(spec, task.node, routing, config, goto)).routes as Array<string | Send>;
    }
  } catch (error) {
    if (isParentCommand(error)) throw error;
    if (isGraphInterrupt(error)) {
      if (stream.wantsDebug) {
        stream.push("debug", namespace, {
          type: "task_result",
          timestamp: new Date().toISOString(),
          step,
          payload: { id: task.id, name: task.node, error: null, result: {}, interrupts: error.interrupts },
        });
      }
      return { task, node: task.node, writes: [], routes: [], update: undefined, interrupts: error.interrupts };
    }
    const failure = run.signal.aborted && !WeftError.isInstance(error) ? abortedIn(task.node, run.signal, error) : nodeError(task.node, error);
    if (stream.wantsDebug) {
      stream.push("debug", namespace, {
        type: "task_result",
        timestamp: new Date().toISOString(),
        step,
        payload: { id: task.id, name: task.node, error: failure.message, result: {}, interrupts: [] },
      });
    }
    throw failure;
  }

  // A node that wrote nothing shows as `{}` (LangGraph streams the task's writes as an object).
  if (stream.wantsUpdates) stream.push("updates", namespace, { [task.node]: update ?? {} });
  if (stream.wantsDebug) {
    stream.push("debug", namespace, {
      type: "task_result",
      timestamp: new Date().toISOString(),
      step,
      payload: { id: task.id, name: task.node, error: null, result: Object.fromEntries(writes), interrupts: [] },
    });
  }
  return { task, node: task.node, writes, routes, update };
}

/**
 * The config a task's code gets: the run's tags, metadata and signal, the task's routing metadata,
 * the writer and LangChain callbacks into the run's stream, and the task's context (for model calls,
 * interrupt() and subgraphs). Nodes and START's routers (the `__start__` task) get it alike.
 */
export function taskConfig(run: RunContext, task: PreparedTask, step: number, scratchpad: TaskScratchpad, tags: string[]): NodeConfig {
  const { stream, namespace } = run;
  const checkpointNs = run.parentCheckpointNs
    ? `${run.parentCheckpointNs}${NAMESPACE_SEPARATOR}${task.node}:${task.id}`
    : `${task.node}:${task.id}`;
  const context: TaskContext = { stream, namespace, checkpointNs, taskId: task.id, recursionLimit: run.recursionLimit, scratchpad, thread: run.thread, subgraphCalls: 0 };
  const config: NodeConfig = {
    tags,
    metadata: taskMetadata(run.metadata, task, step, checkpointNs),
    configurable: run.configurable,
    signal: run.signal,
    writer: stream.wantsCustom ? (value) => stream.push("custom", namespace, value) : noWriter,
    // LangChain.js chat models called with this config stream into `messages` mode (stream/langchain-callbacks.ts).
    callbacks: stream.wantsMessages ? langChainCallbacks(stream, namespace, () => config.metadata) : [],
    [TASK_CONTEXT]: context,
  };
  return config;
}

/** A debug `task` event: the task is about to run (LangGraph's payload: its run metadata without the langgraph_* keys). */
function pushTaskEvent(run: RunContext, task: PreparedTask, step: number, input: unknown): void {
  const payload: Record<string, unknown> = { id: task.id, name: task.node, input, triggers: task.triggers, interrupts: [] };
  const metadata = userMetadata(run);
  if (metadata !== undefined) payload.metadata = metadata;
  run.stream.push("debug", run.namespace, { type: "task", timestamp: new Date().toISOString(), step, payload });
}

/** Keys the runtime puts in a task's metadata; a debug task event leaves them out (they are its own fields). */
const RUNTIME_METADATA_KEYS = new Set([
  "thread_id",
  "checkpoint_id",
  "checkpoint_ns",
  "checkpoint_map",
  "langgraph_step",
  "langgraph_node",
  "langgraph_triggers",
  "langgraph_path",
  "langgraph_checkpoint_ns",
]);

function userMetadata(run: RunContext): Record<string, unknown> | undefined {
  let metadata: Record<string, unknown> | undefined;
  for (const key of Object.keys(run.metadata)) if (!RUNTIME_METADATA_KEYS.has(key)) (metadata ??= {})[key] = run.metadata[key];
  if (run.tags.length > 0) (metadata ??= {}).tags = run.tags;
  return metadata;
}

/**
 * Call the node with `config` as the current config. A Command.PARENT raised by a subgraph it runs
 * becomes this node's own return value: it updates and routes this graph.
 */
async function callNode(run: NodeFunction | SubgraphRunner, input: unknown, config: NodeConfig, implicitConfig: boolean): Promise<unknown> {
  const call = () => (isSubgraph(run) ? run.runAsSubgraph(input, config) : run(input, config));
  try {
    // On Node 20 an entered AsyncLocalStorage puts hooks on every promise of the process (~60% of a
    // streamed token's cost in bench case b); a graph whose nodes pass `config` can skip it. Inside
    // another node's scope the hooks are on anyway, and entering keeps that outer node's config
    // from being found here.
    return await (implicitConfig || activeConfigScopes() > 0 ? runWithConfig(config, call) : call());
  } catch (error) {
    if (isParentCommand(error)) return withoutGraph(error.command);
    throw error;
  }
}

function withoutGraph(command: Command): Command {
  return Object.assign(Object.create(Object.getPrototypeOf(command) as object) as Command, command, { graph: undefined });
}

function isSubgraph(run: NodeFunction | SubgraphRunner): run is SubgraphRunner {
  return typeof run !== "function";
}

/** A subgraph's final state updates only the keys its parent has. */
function keepKnownKeys(spec: GraphSpec, output: Record<string, unknown>): Record<string, unknown> {
  if (spec.schema === undefined || isCommand(output)) return output;
  const update: Record<string, unknown> = {};
  for (const key of Object.keys(output)) if (Object.prototype.hasOwnProperty.call(spec.schema, key)) update[key] = output[key];
  return update;
}

/**
 * A node that failed because the run was aborted (a provider SDK throwing its own abort error):
 * the run's abort reason when it is an abort, so the caller sees ABORTED, not a node failure.
 */
function abortedIn(node: string, signal: AbortSignal, error: unknown): WeftError {
  const reason = abortReason(signal);
  if (WeftError.isInstance(reason) && reason.code !== "ABORTED") return nodeError(node, error);
  const aborted = new WeftError("ABORTED", `Node "${node}" stopped: ${WeftError.isInstance(reason) ? reason.message : "the run was aborted."}`, {
    cause: error,
    details: { node },
  });
  aborted.node = node;
  return aborted;
}

/**
 * Errors leave a node naming it: WeftErrors keep their code, a LangChain chat model's failure while
 * streaming into the run becomes the MODEL_CALL its callback handler built, anything else NODE_FAILED.
 */
export function nodeError(node: string, error: unknown): WeftError {
  if (!WeftError.isInstance(error)) error = langChainModelCallError(error) ?? error;
  if (WeftError.isInstance(error)) {
    if (error.node === undefined) {
      error.node = node;
      if (!error.message.includes(`"${node}"`)) error.message = `Node "${node}": ${error.message}`;
    }
    return error;
  }
  const wrapped = new WeftError("NODE_FAILED", `Node "${node}" failed: ${describeError(error)}`, { cause: error, details: { node } });
  wrapped.node = node;
  return wrapped;
}
