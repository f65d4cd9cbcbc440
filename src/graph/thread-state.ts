// Reading and editing a thread's saved state: getState(), getStateHistory(), updateState().
import type { CheckpointConfig, CheckpointMetadata, CheckpointTuple, Checkpointer } from "../core/checkpointer.js";
import { checkpointTarget } from "../core/checkpointer.js";
import { newCheckpointId } from "../core/checkpoint-id.js";
import { lockThread } from "../checkpoint/thread-lock.js";
import { WeftError } from "../errors.js";
import { type FinishedTask, type PreparedTask, applyWrites, prepareNextTasks, readState, routerResultToRoutes, staticRoutes, updateToWrites } from "../runtime/algo.js";
import type { RunnableConfig } from "../runtime/config.js";
import type { Interrupt } from "../runtime/interrupt.js";
import { startRoutes } from "../runtime/loop.js";
import { readSavedTasks } from "../runtime/saved-tasks.js";
import { ThreadRun, restoreChannels, taskIdMaker } from "../runtime/thread-run.js";
import { RunStream } from "../stream/run-stream.js";
import { END, START } from "../core/constants.js";
import type { GraphSpec } from "../core/graph-spec.js";

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
  tasks: Array<{ id: string; name: string; interrupts: Interrupt[]; error?: { code: string; message: string } }>;
}

export function snapshotOf<State>(tuple: CheckpointTuple): StateSnapshot<State> {
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
      const entry: StateSnapshot["tasks"][number] = { id: task.id, name: task.node, interrupts: progress?.interrupts ?? [] };
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
 * A new checkpoint with `values` applied as if node `asNode` had written them. Without `asNode` the
 * pending tasks stay as they were; with it, the next tasks are where `asNode` routes (END: none).
 */
export async function updateThreadState(
  spec: GraphSpec,
  checkpointer: Checkpointer,
  config: RunnableConfig,
  values: unknown,
  asNode: string | undefined,
): Promise<RunnableConfig> {
  const { threadId, namespace, checkpointId } = checkpointTarget(config as CheckpointConfig);
  if (asNode !== undefined && asNode !== START && asNode !== END && !spec.nodes.has(asNode)) {
    throw new WeftError("INVALID_UPDATE", `updateState() asNode "${asNode}" is not a node of this graph; use a node name, START or END.`, {
      details: { node: asNode },
    });
  }
  const release = lockThread(checkpointer, threadId, namespace);
  let releaseStore: (() => Promise<void>) | undefined;
  try {
    releaseStore = await checkpointer.lockThread(threadId, namespace);
    const tuple = await checkpointer.getTuple({ configurable: { thread_id: threadId, checkpoint_ns: namespace, checkpoint_id: checkpointId } });
    if (checkpointId !== undefined && tuple === undefined) {
      throw new WeftError("CHECKPOINT", `Thread "${threadId}" has no checkpoint "${checkpointId}".`, { details: { threadId, checkpointId } });
    }
    const channels = restoreChannels(spec, tuple?.checkpoint);
    const joins = structuredClone(tuple?.checkpoint.joins ?? {});
    const writer = asNode ?? (tuple === undefined ? START : undefined);
    applyWrites(channels, updateToWrites(spec, writer === START || writer === undefined ? "input" : writer, values));
    const state = readState(channels);
    const step = (tuple?.metadata.step ?? -1) + 1;
    const id = newCheckpointId();
    const makeId = taskIdMaker(id, step + 1);
    let tasks: PreparedTask[];
    const runConfig = { tags: [], metadata: {}, configurable: config.configurable ?? {}, signal: new AbortController().signal };
    if (writer === undefined) {
      tasks = tuple!.checkpoint.pending_tasks.map((task, index) => ({ ...task, id: makeId(task.node, index) }));
    } else if (writer === END) {
      tasks = [];
    } else if (writer === START) {
      tasks = prepareNextTasks(spec, [await startRoutes({ spec, ...runConfig }, state)], joins, makeId);
    } else {
      tasks = prepareNextTasks(spec, [await nodeRoutes(spec, writer, state, runConfig)], joins, makeId);
    }
    const thread = new ThreadRun(checkpointer, threadId, namespace, undefined, new RunStream({ modes: [], modeTuples: false, subgraphs: false }));
    thread.startFrom(tuple?.config);
    await thread.saveCheckpoint(id, state, tasks, joins, step, "update", { [asNode ?? "__update__"]: values });
    return { configurable: { ...config.configurable, thread_id: threadId, checkpoint_ns: namespace, checkpoint_id: id } };
  } finally {
    try {
      await releaseStore?.();
    } finally {
      release();
    }
  }
}

/** Where `node` routes on `state`: its edges and its conditional edges. */
async function nodeRoutes(spec: GraphSpec, node: string, state: Record<string, unknown>, config: any): Promise<FinishedTask> {
  const routes: FinishedTask["routes"][number][] = [...staticRoutes(spec, node)];
  for (const branch of spec.branches.get(node) ?? []) {
    routes.push(...routerResultToRoutes(spec, node, await branch.router(state, { ...config, writer: () => {} }), branch.pathMap));
  }
  return { node, routes };
}
