// What getState() and getStateHistory() show of a saved checkpoint.
import { type CheckpointMetadata, type PersistedTask, readSavedTasks } from "../core/checkpoint-format.js";
import type { CheckpointConfig, CheckpointTuple, Checkpointer } from "../core/checkpointer.js";
import { checkpointTarget } from "../core/checkpointer.js";
import type { GraphSpec } from "../core/graph-spec.js";
import type { Interrupt } from "../core/interrupt.js";
import type { PreparedTask } from "../core/task.js";
import { applyWrites, readState, sortForWrites } from "./algo.js";
import type { RunnableConfig } from "./config.js";
import { restoreChannels, subgraphConfig } from "./checkpoint-parts.js";

/** A thread's state at one checkpoint, as getState() and getStateHistory() give it. */
export interface StateSnapshot<State = Record<string, any>> {
  values: State;
  /** The nodes of the superstep after this checkpoint (the tasks that run when the thread continues). */
  next: string[];
  /** The config that names this checkpoint (thread_id, checkpoint_ns, checkpoint_id). */
  config: RunnableConfig;
  /** Absent when the thread has no checkpoint yet (as are `createdAt` and `parentConfig`). */
  metadata?: CheckpointMetadata;
  createdAt?: string;
  parentConfig?: RunnableConfig;
  /** The pending tasks, with the interrupts that paused them and the error of a failed attempt. */
  tasks: Array<SnapshotTask>;
}

/** A pending task of a snapshot (LangGraph's shape). */
export interface SnapshotTask {
  id: string;
  name: string;
  /** LangGraph's task path: `["__pregel_pull", node]` or `["__pregel_push", index, false]`. */
  path: ReadonlyArray<string | number | boolean>;
  interrupts: Interrupt[];
  error?: { code: string; message: string };
  /**
   * For a task that runs a subgraph: the config naming the subgraph's checkpoints (`thread_id`,
   * `checkpoint_ns`), or with `getState(config, { subgraphs: true })` the subgraph's own state.
   */
  state?: StateSnapshot | RunnableConfig;
  /** What the task wrote, once it finished (its state writes by key); undefined before. */
  result: Record<string, unknown> | undefined;
}

/**
 * A checkpoint as a snapshot. With `applyPendingWrites` (getState() of the latest checkpoint, as in
 * LangGraph) the writes of tasks that already finished show in `values`, and `next` lists only the
 * tasks still to run. `spec` gives the subgraph tasks their `state`.
 */
export function snapshotOf<State>(tuple: CheckpointTuple, spec: GraphSpec, applyPendingWrites = false): StateSnapshot<State> {
  const threadId = tuple.config.configurable.thread_id;
  const saved = readSavedTasks(tuple, `thread "${threadId}"`);
  const tasks = inDefinitionOrder(spec, tuple.checkpoint.pending_tasks);
  let values = tuple.checkpoint.channel_values;
  const finished = tasks.filter((task) => saved.get(task.id)?.routes !== undefined);
  if (applyPendingWrites && finished.length > 0) {
    const channels = restoreChannels(spec, tuple.checkpoint);
    const ordered = sortForWrites(finished.map((task) => ({ task: task as PreparedTask })));
    applyWrites(channels, ordered.flatMap(({ task }) => saved.get(task.id)!.writes));
    values = readState(channels);
  }
  const namespace = tuple.config.configurable.checkpoint_ns;
  return {
    values: values as State,
    next: (applyPendingWrites ? tasks.filter((task) => !finished.includes(task)) : tasks).map((task) => task.node),
    config: tuple.config,
    metadata: { ...tuple.metadata, thread_id: threadId },
    createdAt: tuple.checkpoint.ts,
    parentConfig: tuple.parentConfig,
    tasks: tasks.map((task) => {
      const progress = saved.get(task.id);
      const entry: SnapshotTask = { id: task.id, name: task.node, path: task.path, interrupts: progress?.interrupts ?? [], result: undefined };
      if (progress?.error !== undefined) entry.error = progress.error;
      const state = subgraphConfig(spec, threadId, namespace, task);
      if (state !== undefined) entry.state = state;
      if (progress?.routes !== undefined) entry.result = Object.fromEntries(progress.writes);
      return entry;
    }),
  };
}

/**
 * A snapshot lists tasks as LangGraph's getState() does: Send tasks first, then the others in the
 * order their nodes were added (the run itself orders those by node name).
 */
function inDefinitionOrder(spec: GraphSpec, tasks: readonly PersistedTask[]): PersistedTask[] {
  const order = (task: PersistedTask) => (task.kind === "push" ? -1 : (spec.nodes.get(task.node)?.order ?? spec.nodes.size));
  return [...tasks].sort((a, b) => order(a) - order(b));
}


export function emptySnapshot<State>(config: RunnableConfig): StateSnapshot<State> {
  return { values: {} as State, next: [], config, tasks: [] };
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
  const snapshot = snapshotOf<State>(tuple, spec, config.configurable.checkpoint_id === undefined);
  if (!subgraphs) return snapshot;
  for (const task of snapshot.tasks) {
    if (task.state === undefined) continue;
    const run = spec.nodes.get(task.name)!.run as { graphSpec: GraphSpec };
    task.state = await readSnapshot<Record<string, unknown>>(run.graphSpec, checkpointer, task.state as CheckpointConfig, true);
  }
  return snapshot;
}
