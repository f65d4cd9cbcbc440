// The parts a thread's checkpoints are made of and read back into: task ids, the channels of a saved
// checkpoint, the graph's join names, a step's writes for the checkpoint's metadata, and the config
// naming a subgraph task's own checkpoints. ThreadRun (thread-run.ts) makes the checkpoints.
import type { Checkpoint } from "../core/checkpoint-format.js";
import type { CheckpointConfig } from "../core/checkpointer.js";
import { type GraphSpec, joinName } from "../core/graph-spec.js";
import type { PreparedTask } from "../core/task.js";
import { taskId } from "../core/task-id.js";
import { type Channels, applyWrites, createChannels } from "./algo.js";
import type { TaskResult } from "./task.js";

/** Task ids derive from the checkpoint the tasks belong to, so they are the same in every process that resumes it. */
export function taskIdMaker(checkpointId: string, step: number): (node: string, index: number) => string {
  return (node, index) => taskId(checkpointId, step, node, index);
}

/** Tasks that run again from scratch on a new checkpoint (a fork, updateState()) get new ids: the one place tasks are re-numbered. */
export function renumber(tasks: readonly PreparedTask[], checkpointId: string, step: number): PreparedTask[] {
  const makeId = taskIdMaker(checkpointId, step);
  return tasks.map((task, index) => ({ ...task, id: makeId(task.node, index) }));
}

/**
 * For a task that runs a subgraph: the config naming the subgraph's checkpoints (its namespace is
 * the task's `node:taskId` under the graph's own), as LangGraph gives it in a snapshot task's `state`.
 */
export function subgraphConfig(
  spec: GraphSpec,
  threadId: string,
  namespace: string,
  task: { readonly id: string; readonly node: string },
): CheckpointConfig | undefined {
  const run = spec.nodes.get(task.node)?.run;
  if (typeof run !== "object" || run.graphSpec === undefined) return undefined;
  const taskNamespace = `${task.node}:${task.id}`;
  return { configurable: { thread_id: threadId, checkpoint_ns: namespace === "" ? taskNamespace : `${namespace}|${taskNamespace}` } };
}

/** The names of the graph's waiting edges, whose progress a checkpoint keeps. */
export function joinNames(spec: GraphSpec): readonly string[] {
  return spec.waitingEdges.map((edge) => joinName(edge.sources, edge.target));
}

/** The channels of a saved checkpoint. */
export function restoreChannels(spec: GraphSpec, checkpoint: Checkpoint | undefined): Channels {
  const channels = createChannels(spec);
  if (checkpoint === undefined) return channels;
  const writes: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(checkpoint.channel_values)) {
    const channel = channels.get(key);
    if (channel !== undefined) channel.restore(value);
    // A schema-less graph keeps every key; a graph with a schema drops keys it no longer has.
    else if (spec.schema === undefined) writes.push([key, value]);
  }
  applyWrites(channels, writes);
  return channels;
}

/** `metadata.writes` of a step's checkpoint: what each node returned (a list when Sends ran a node several times). */
export function stepWrites(results: readonly TaskResult[]): Record<string, unknown> {
  const byNode = new Map<string, unknown[]>();
  for (const result of results) {
    const updates = byNode.get(result.node);
    if (updates === undefined) byNode.set(result.node, [result.update ?? null]);
    else updates.push(result.update ?? null);
  }
  const writes: Record<string, unknown> = {};
  for (const [node, updates] of byNode) writes[node] = updates.length === 1 ? updates[0] : updates;
  return writes;
}
