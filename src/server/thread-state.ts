// GET /threads/{id}/state: the thread's state in the LangGraph server's ThreadState shape, from
// the graph's checkpointer when it has one, else from the values the last run ended with.
import type { AnyGraph, ThreadRecord } from "./run-manager.js";

export async function threadStateOf(thread: ThreadRecord, graph: AnyGraph | undefined): Promise<Record<string, unknown>> {
  if (graph?.checkpointer === undefined) {
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
  const snapshot = await graph.getState({ configurable: { thread_id: thread.thread_id } });
  const checkpointOf = (config: { configurable?: Record<string, unknown> } | undefined) =>
    config?.configurable?.checkpoint_id === undefined
      ? null
      : {
          thread_id: config.configurable.thread_id,
          checkpoint_ns: config.configurable.checkpoint_ns ?? "",
          checkpoint_id: config.configurable.checkpoint_id,
          checkpoint_map: null,
        };
  return {
    values: snapshot.values,
    next: snapshot.next,
    tasks: snapshot.tasks.map((task) => ({ id: task.id, name: task.name, interrupts: task.interrupts, error: null, checkpoint: null, state: null })),
    metadata: snapshot.metadata ?? {},
    created_at: snapshot.createdAt ?? null,
    checkpoint: checkpointOf(snapshot.config as { configurable?: Record<string, unknown> }),
    parent_checkpoint: checkpointOf(snapshot.parentConfig as { configurable?: Record<string, unknown> } | undefined),
    interrupts: snapshot.tasks.flatMap((task) => task.interrupts),
  };
}
