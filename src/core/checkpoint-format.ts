// The persisted checkpoint format: exactly what a checkpointer writes to disk. It is its own versioned
// type, converted from and to the runtime's task type in one place (below), so a change to a
// runtime-internal type cannot change what is stored.
import { WeftError, describeValue } from "../errors.js";
import type { JoinState, PreparedTask } from "./task.js";

/** The format version this code writes and reads. */
export const CHECKPOINT_FORMAT_VERSION = 1;

/** A task of the next superstep, as saved in a checkpoint. */
export interface PersistedTask {
  id: string;
  node: string;
  kind: "pull" | "push";
  /** The Send argument of a push task. */
  arg?: unknown;
  triggers: string[];
  path: Array<string | number | boolean>;
}

/** The state of a thread between two supersteps. */
export interface Checkpoint {
  /** Format version ({@link CHECKPOINT_FORMAT_VERSION}). */
  v: number;
  /** Time-ordered id: later checkpoints have larger ids. */
  id: string;
  /** ISO time the checkpoint was made. */
  ts: string;
  /** The value of each state key. */
  channel_values: Record<string, unknown>;
  /** The tasks the next superstep runs (Weft keeps them here instead of recomputing them from versions). */
  pending_tasks: PersistedTask[];
  /** Progress of `addEdge([a, b], c)` joins. */
  joins: JoinState;
}

export interface CheckpointMetadata {
  /** "input": a run's input was applied; "loop": a superstep finished; "update": updateState(); "fork": a replay of a past checkpoint began. */
  source: "input" | "loop" | "update" | "fork";
  /** The superstep that produced the checkpoint (0 for a thread's first input). */
  step: number;
  /** What each node (or `__start__` for the input) wrote in that step. */
  writes: Record<string, unknown> | null;
  parents: Record<string, string>;
  [key: string]: unknown;
}

/** A write a task saved before the checkpoint after its step was made: `[taskId, channel, value]`. */
export type PendingWrite = [taskId: string, channel: string, value: unknown];

/** Channels of pending writes that are not state keys: where a task routed, its interrupts, their answers, its error. */
export const ROUTES_CHANNEL = "__routes__";
export const INTERRUPT_CHANNEL = "__interrupt__";
export const RESUME_CHANNEL = "__resume__";
export const ERROR_CHANNEL = "__error__";

export function toPersistedTask(task: PreparedTask): PersistedTask {
  const saved: PersistedTask = { id: task.id, node: task.node, kind: task.kind, triggers: [...task.triggers], path: [...task.path] };
  if (task.kind === "push") saved.arg = task.arg;
  return saved;
}

/**
 * The pending tasks of a checkpoint read back, after checking its format version. `hasNode` says
 * whether the graph still has a node; a saved task naming one it lost cannot run.
 */
export function readPendingTasks(checkpoint: Checkpoint, hasNode: (node: string) => boolean, where: string): PreparedTask[] {
  checkFormat(checkpoint, where);
  return checkpoint.pending_tasks.map((task) => {
    if (!hasNode(task.node)) {
      throw new WeftError(
        "CHECKPOINT",
        `Checkpoint "${checkpoint.id}" of ${where} has a pending task for node "${task.node}", which this graph no longer has. ` +
          `Add the node back to finish that run, or continue the thread from an earlier checkpoint (getStateHistory()) or with new input.`,
        { details: { checkpointId: checkpoint.id, node: task.node } },
      );
    }
    const prepared: PreparedTask = { id: task.id, node: task.node, kind: task.kind, triggers: task.triggers, path: task.path };
    return task.kind === "push" ? { ...prepared, arg: task.arg } : prepared;
  });
}

/** Refuse a checkpoint written in a format this code does not know. */
export function checkFormat(checkpoint: Checkpoint, where: string): void {
  if (checkpoint.v !== CHECKPOINT_FORMAT_VERSION) {
    throw new WeftError(
      "CHECKPOINT",
      `Checkpoint "${checkpoint.id}" of ${where} is in format version ${describeValue(checkpoint.v)}, but this version of Weft reads version ` +
        `${CHECKPOINT_FORMAT_VERSION}. It was written by another version of Weft: run that version to finish the thread, or start a new thread.`,
      { details: { checkpointId: checkpoint.id, version: checkpoint.v } },
    );
  }
}
