// Running one task of a superstep: build its config, call the node, check what it returned,
// work out where it routes, and report it to the stream.
import { WeftError, describeError } from "../errors.js";
import { NAMESPACE_SEPARATOR } from "../core/constants.js";
import type { GraphSpec, NodeFunction, SubgraphRunner } from "../core/graph-spec.js";
import { isCommand } from "../core/command.js";
import type { Send } from "../core/send.js";
import { taskMetadata } from "../stream/metadata.js";
import { streamReturnedMessages } from "../stream/returned-messages.js";
import type { RunStream } from "../stream/run-stream.js";
import { type Channels, type PreparedTask, type Write, routerResultToRoutes, staticRoutes, updateToWrites } from "./algo.js";
import { TASK_CONTEXT, type NodeConfig, type TaskContext, type TaskScratchpad, type Writer } from "./config.js";
import { runWithConfig } from "./context.js";
import { type Interrupt, isGraphInterrupt } from "./interrupt.js";
import { localState } from "./local-state.js";
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
  /** The thread this run persists to (root runs of a graph compiled with a checkpointer). */
  readonly thread?: ThreadRun;
  /** In a subgraph: the parent task's interrupt state, which the subgraph's nodes share. */
  readonly parentScratchpad?: TaskScratchpad;
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
const NO_RESUME: unknown[] = [];

export async function runTask(
  run: RunContext,
  task: PreparedTask,
  step: number,
  state: Record<string, unknown>,
  channels: Channels,
): Promise<TaskResult> {
  const { spec, stream } = run;
  const scratchpad: TaskScratchpad = run.parentScratchpad ?? {
    taskId: task.id,
    checkpointed: run.thread !== undefined,
    resume: run.thread === undefined ? NO_RESUME : run.thread.resumeValues(task.id),
    interruptCounter: 0,
  };
  const node = spec.nodes.get(task.node);
  if (node === undefined) throw new WeftError("INVALID_GRAPH", `A task names unknown node "${task.node}".`);
  const checkpointNs = run.parentCheckpointNs
    ? `${run.parentCheckpointNs}${NAMESPACE_SEPARATOR}${task.node}:${task.id}`
    : `${task.node}:${task.id}`;
  const context: TaskContext = { stream, namespace: run.namespace, checkpointNs, taskId: task.id, recursionLimit: run.recursionLimit, scratchpad };
  const namespace = run.namespace;
  const config: NodeConfig = {
    tags: run.tags,
    metadata: taskMetadata(run.metadata, task, step, checkpointNs),
    configurable: run.configurable,
    signal: run.signal,
    writer: stream.wantsCustom ? (value) => stream.push("custom", namespace, value) : noWriter,
    [TASK_CONTEXT]: context,
  };
  const input = task.kind === "push" ? task.arg : state;
  if (stream.wantsDebug) {
    stream.push("debug", namespace, {
      type: "task",
      timestamp: new Date().toISOString(),
      step,
      payload: { id: task.id, name: task.node, input, triggers: task.triggers },
    });
  }

  let update: unknown;
  let writes: Write[];
  let routes: Array<string | Send>;
  try {
    update = await runWithConfig(config, () => callNode(node.run, input, config));
    // Messages mode: the messages this node returned that were not streamed as chunks, once each (stream/returned-messages.ts).
    if (stream.wantsMessages) streamReturnedMessages(stream, namespace, update, input, config);
    if (isSubgraph(node.run)) update = keepKnownKeys(spec, update as Record<string, unknown>);
    routes = [...staticRoutes(spec, task.node)];
    if (isCommand(update)) {
      if (update.goto.length > 0) routes.push(...routerResultToRoutes(spec, task.node, update.goto));
      update = update.update;
    }
    writes = updateToWrites(spec, task.node, update);
    const branches = spec.branches.get(task.node);
    if (branches !== undefined) {
      const local = localState(spec, channels, state, writes);
      for (const branch of branches) {
        const result = await runWithConfig(config, () => branch.router(local, config));
        routes.push(...routerResultToRoutes(spec, task.node, result, branch.pathMap));
      }
    }
  } catch (error) {
    if (isGraphInterrupt(error)) {
      if (stream.wantsDebug) {
        stream.push("debug", namespace, {
          type: "task_result",
          timestamp: new Date().toISOString(),
          step,
          payload: { id: task.id, name: task.node, error: null, result: [], interrupts: error.interrupts },
        });
      }
      return { task, node: task.node, writes: [], routes: [], update: undefined, interrupts: error.interrupts };
    }
    const failure = nodeError(task.node, error);
    if (stream.wantsDebug) {
      stream.push("debug", namespace, {
        type: "task_result",
        timestamp: new Date().toISOString(),
        step,
        payload: { id: task.id, name: task.node, error: failure.message, result: [], interrupts: [] },
      });
    }
    throw failure;
  }

  if (stream.wantsUpdates) stream.push("updates", namespace, { [task.node]: update ?? null });
  if (stream.wantsDebug) {
    stream.push("debug", namespace, {
      type: "task_result",
      timestamp: new Date().toISOString(),
      step,
      payload: { id: task.id, name: task.node, error: null, result: writes, interrupts: [] },
    });
  }
  return { task, node: task.node, writes, routes, update };
}

function callNode(run: NodeFunction | SubgraphRunner, input: unknown, config: NodeConfig): unknown {
  return isSubgraph(run) ? run.runAsSubgraph(input, config) : run(input, config);
}

function isSubgraph(run: NodeFunction | SubgraphRunner): run is SubgraphRunner {
  return typeof run !== "function";
}

/** A subgraph's final state updates only the keys its parent has. */
function keepKnownKeys(spec: GraphSpec, output: Record<string, unknown>): Record<string, unknown> {
  if (spec.schema === undefined) return output;
  const update: Record<string, unknown> = {};
  for (const key of Object.keys(output)) if (Object.prototype.hasOwnProperty.call(spec.schema, key)) update[key] = output[key];
  return update;
}

/** Errors leave a node naming it: WeftErrors keep their code, anything else becomes NODE_FAILED. */
export function nodeError(node: string, error: unknown): WeftError {
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
