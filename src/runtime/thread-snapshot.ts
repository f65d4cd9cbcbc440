// What getState() and getStateHistory() show of a saved checkpoint.
import { type CheckpointMetadata, checkFormat } from "../core/checkpoint-format.js";
import type { CheckpointConfig, CheckpointTuple, Checkpointer } from "../core/checkpointer.js";
import { checkpointTarget } from "../core/checkpointer.js";
import type { GraphSpec } from "../core/graph-spec.js";
import type { Interrupt } from "../core/interrupt.js";
import type { RunnableConfig } from "./config.js";
import { readSavedTasks } from "./saved-tasks.js";

/** A thread's state at one checkpoint, as getState() and getStateHistory() give it. */
export interface StateSnapshot<State = Record<string, any>> {
  values: State;
  /** The nodes of the superstep after this checkpoint (the tasks that run when the thread continues). */
  next: string[];
  /** The config that names this checkpoint (thread_id, checkpoint_ns, checkpoint_id). */
  config: RunnableConfig;
  metadata: CheckpointMetadata | undefined;
  createdAt: string | undefined;
  parentConfig: RunnableConfig | undefined;
  /** The pending tasks, with the interrupts that paused them and the error of a failed attempt. */
  tasks: Array<SnapshotTask>;
}

/** A pending task of a snapshot. */
export interface SnapshotTask {
  id: string;
  name: string;
  interrupts: Interrupt[];
  error?: { code: string; message: string };
  /** With `getState(config, { subgraphs: true })`: the state of the subgraph this task runs, where it has one. */
  state?: StateSnapshot;
}

export function snapshotOf<State>(tuple: CheckpointTuple): StateSnapshot<State> {
  checkFormat(tuple.checkpoint, `thread "${tuple.config.configurable.thread_id}"`);
  const saved = readSavedTasks(tuple.pendingWrites);
  const tasks = tuple.checkpoint.pending_tasks;
  return {
    values: tuple.checkpoint.channel_values as State,
    next: tasks.map((task) => task.node),
    config: tuple.config,
    metadata: tuple.metadata,
    createdAt: tuple.checkpoint.ts,
    parentConfig: tuple.parentConfig,
    tasks: tasks.map((task) => {
      const progress = saved.get(task.id);
      const entry: SnapshotTask = { id: task.id, name: task.node, interrupts: progress?.interrupts ?? [] };
      if (progress?.error !== undefined) entry.error = progress.error;
      return entry;
    }),
  };
}

export function emptySnapshot<State>(config: RunnableConfig): StateSnapshot<State> {
  return { values: {} as State, next: [], config, metadata: undefined, createdAt: undefined, parentConfig: undefined, tasks: [] };
}

export function threadConfig(config: RunnableConfig | undefined): CheckpointConfig {
  checkpointTarget(config as CheckpointConfig | undefined);
  return config as CheckpointConfig;
}

/**
 * The thread's state at `config`; with `subgraphs`, each pending task that runs a subgraph carries
 * that subgraph's own state (its checkpoint namespace is the task's `node:taskId`), recursively.
 */
export async function readSnapshot<State>(
  spec: GraphSpec,
  checkpointer: Checkpointer,
  config: CheckpointConfig,
  subgraphs: boolean,
): Promise<StateSnapshot<State>> {
  const tuple = await checkpointer.getTuple(config);
  if (tuple === undefined) return emptySnapshot<State>(config);
  const snapshot = snapshotOf<State>(tuple);
  if (!subgraphs) return snapshot;
  const namespace = tuple.config.configurable.checkpoint_ns;
  for (const task of snapshot.tasks) {
    const run = spec.nodes.get(task.name)?.run;
    const childSpec = typeof run === "object" ? run.graphSpec : undefined;
    if (childSpec === undefined) continue;
    const childNamespace = namespace === "" ? `${task.name}:${task.id}` : `${namespace}|${task.name}:${task.id}`;
    const child = await readSnapshot<Record<string, unknown>>(childSpec, checkpointer, { configurable: { thread_id: tuple.config.configurable.thread_id, checkpoint_ns: childNamespace } }, true);
    if (child.metadata !== undefined) task.state = child;
  }
  return snapshot;
}
