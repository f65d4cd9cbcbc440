// GET /threads/{id}/state and POST /threads/{id}/history: a thread's state in the LangGraph
// server's ThreadState shape, from the graph's checkpointer when it has one, else from the values
// the last run ended with.
import type { StateSnapshot } from "../runtime/thread-snapshot.js";
import { jsonEqual } from "./record-store.js";
import type { AnyGraph, ThreadRecord } from "./run-manager.js";

type ConfigLike = { configurable?: Record<string, unknown> } | undefined;

function checkpointOf(config: ConfigLike) {
  if (config?.configurable?.checkpoint_id === undefined) return null;
  return {
    thread_id: config.configurable.thread_id,
    checkpoint_ns: config.configurable.checkpoint_ns ?? "",
    checkpoint_id: config.configurable.checkpoint_id,
    checkpoint_map: null,
  };
}

function toThreadState(snapshot: StateSnapshot): Record<string, unknown> {
  return {
    values: snapshot.values,
    next: snapshot.next,
    tasks: snapshot.tasks.map((task) => ({ id: task.id, name: task.name, interrupts: task.interrupts, error: null, checkpoint: null, state: null })),
    metadata: snapshot.metadata ?? {},
    created_at: snapshot.createdAt ?? null,
    checkpoint: checkpointOf(snapshot.config as ConfigLike),
    parent_checkpoint: checkpointOf(snapshot.parentConfig as ConfigLike),
    interrupts: snapshot.tasks.flatMap((task) => task.interrupts),
  };
}

function recordState(thread: ThreadRecord): Record<string, unknown> {
  return {
    values: thread.values ?? {},
    next: [],
    tasks: [],
    metadata: {},
    created_at: thread.updated_at,
    checkpoint: null,
    parent_checkpoint: null,
    interrupts: [],
  };
}

/** The thread's state now, or at `checkpointId` (undefined when the thread has no such checkpoint). */
export async function threadStateOf(thread: ThreadRecord, graph: AnyGraph | undefined, checkpointId?: string): Promise<Record<string, unknown>> {
  if (graph?.checkpointer === undefined) return recordState(thread);
  const configurable = { thread_id: thread.thread_id, ...(checkpointId === undefined ? {} : { checkpoint_id: checkpointId }) };
  return toThreadState(await graph.getState({ configurable }));
}

/** The thread's states, newest first (one, the last run's values, without a checkpointer): `before` a checkpoint, with `metadata` matching. */
export async function threadHistoryOf(
  thread: ThreadRecord,
  graph: AnyGraph | undefined,
  limit: number,
  filter: { before?: string; metadata?: Record<string, unknown> } = {},
): Promise<Array<Record<string, unknown>>> {
  if (graph?.checkpointer === undefined) {
    return thread.values === null || filter.before !== undefined || filter.metadata !== undefined ? [] : [recordState(thread)];
  }
  const states: Array<Record<string, unknown>> = [];
  const before = filter.before === undefined ? undefined : { configurable: { thread_id: thread.thread_id, checkpoint_ns: "", checkpoint_id: filter.before } };
  // With a metadata filter the limit counts matching states, so the walk goes on past `limit` checkpoints.
  const options = { limit: filter.metadata === undefined ? limit : undefined, before };
  for await (const snapshot of graph.getStateHistory({ configurable: { thread_id: thread.thread_id } }, options)) {
    if (filter.metadata !== undefined && !matchesMetadata(snapshot.metadata ?? {}, filter.metadata)) continue;
    states.push(toThreadState(snapshot));
    if (states.length === limit) break;
  }
  return states;
}

function matchesMetadata(metadata: Record<string, unknown>, wanted: Record<string, unknown>): boolean {
  return Object.entries(wanted).every(([key, value]) => jsonEqual(metadata[key], value));
}
