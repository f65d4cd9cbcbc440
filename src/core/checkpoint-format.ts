// The persisted checkpoint format: exactly what a checkpointer writes to disk. Its types are its own
// and versioned; this file is the one place the runtime's tasks, routes, interrupts and joins are
// converted to and from them, so a change to a runtime-internal type cannot change what is stored.
import { WeftError, describeValue } from "../errors.js";
import type { Interrupt } from "./interrupt.js";
import { Send } from "./send.js";
import type { JoinState, PreparedTask, Write } from "./task.js";

/** The format version this code writes (2: routes, interrupts and joins in their own persisted shapes). */
export const CHECKPOINT_FORMAT_VERSION = 2;
/**
 * Version 1 (Weft 0.1 before format 2) is still read, so threads saved by it go on: its joins are keyed
 * by the waiting edge's position in the graph, and its routes are node names and Send objects.
 */
const READABLE_VERSIONS: readonly number[] = [1, 2];

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
  /** Progress of `addEdge([a, b], c)` joins, by join name (`join:a+b:c`): the sources that finished since the target last ran. */
  joins: Record<string, string[]>;
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

/** A route of a finished task, as saved (the value of a `__routes__` write is an array of them). */
export type PersistedRoute = { kind: "node"; node: string } | { kind: "send"; node: string; arg: unknown };
/** An interrupt raised by a task (the value of an `__interrupt__` write is an array of them), or an answer to one (a `__resume__` write). */
export interface PersistedInterrupt {
  id: string;
  value: unknown;
}
/** Why a task's last attempt failed (an `__error__` write). */
export interface PersistedError {
  code: string;
  message: string;
}

export function toPersistedTask(task: PreparedTask): PersistedTask {
  const saved: PersistedTask = { id: task.id, node: task.node, kind: task.kind, triggers: [...task.triggers], path: [...task.path] };
  if (task.kind === "push") saved.arg = task.arg;
  return saved;
}

/** The pending writes of a finished task: its state writes, then its routes (present only once the task finished). */
export function finishedTaskWrites(writes: readonly Write[], routes: ReadonlyArray<string | Send>): Array<readonly [string, unknown]> {
  const persisted: PersistedRoute[] = routes.map((route) =>
    typeof route === "string" ? { kind: "node", node: route } : { kind: "send", node: route.node, arg: route.arg },
  );
  return [...writes, [ROUTES_CHANNEL, persisted]];
}

export function interruptWrite(interrupts: readonly Interrupt[]): readonly [string, PersistedInterrupt[]] {
  return [INTERRUPT_CHANNEL, interrupts.map((each) => ({ id: each.id, value: each.value }))];
}

export function resumeWrite(id: string, value: unknown): readonly [string, PersistedInterrupt] {
  return [RESUME_CHANNEL, { id, value }];
}

export function errorWrite(code: string, message: string): readonly [string, PersistedError] {
  return [ERROR_CHANNEL, { code, message }];
}

/** What a task of a checkpoint had done before the run stopped, read back from its pending writes. */
export interface SavedTask {
  /** State writes of the task, once it finished. */
  writes: Write[];
  /** Where the task routed; present only when the task finished (the routes write comes last). */
  routes: Array<string | Send> | undefined;
  /** Interrupts raised and not yet answered. */
  interrupts: Interrupt[];
  /** Answers to the task's interrupts, in order. */
  resume: PersistedInterrupt[];
  /** The error of the task's last failed attempt, unless it finished since. */
  error: PersistedError | undefined;
}

/** A checkpoint and the writes saved against it, as a checkpointer returns them. */
export interface SavedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly pendingWrites: readonly PendingWrite[];
}

/** Each task's progress at a checkpoint, from its pending writes; a write in a shape this code does not read is a CHECKPOINT error. */
export function readSavedTasks(saved: SavedCheckpoint, where: string): Map<string, SavedTask> {
  checkFormat(saved.checkpoint, where);
  const tasks = new Map<string, SavedTask>();
  for (const [taskId, channel, value] of saved.pendingWrites) {
    let task = tasks.get(taskId);
    if (task === undefined) tasks.set(taskId, (task = { writes: [], routes: undefined, interrupts: [], resume: [], error: undefined }));
    const bad = () => badWrite(saved.checkpoint, where, taskId, channel, value);
    if (channel === ROUTES_CHANNEL) task.routes = readRoutes(value, saved.checkpoint.v === 1, bad);
    else if (channel === INTERRUPT_CHANNEL) {
      if (!Array.isArray(value) || !value.every(isPersistedInterrupt)) throw bad();
      task.interrupts = value.map((each) => ({ id: each.id, value: each.value }));
    } else if (channel === RESUME_CHANNEL) {
      if (!isPersistedInterrupt(value)) throw bad();
      task.resume.push({ id: value.id, value: value.value });
    } else if (channel === ERROR_CHANNEL) {
      if (!isRecord(value) || typeof value.code !== "string" || typeof value.message !== "string") throw bad();
      task.error = { code: value.code, message: value.message };
    } else task.writes.push([channel, value]);
  }
  for (const task of tasks.values()) {
    if (task.routes !== undefined) {
      task.interrupts = [];
      task.error = undefined;
    } else {
      const answered = new Set(task.resume.map((resume) => resume.id));
      task.interrupts = task.interrupts.filter((pending) => !answered.has(pending.id));
      // Writes of a task that never finished are not kept (only finished tasks write state).
      task.writes = [];
    }
  }
  return tasks;
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
          `Add the node back to finish that run, or continue the thread with new input or from an earlier checkpoint (getStateHistory()).`,
        { details: { checkpointId: checkpoint.id, node: task.node } },
      );
    }
    const prepared: PreparedTask = { id: task.id, node: task.node, kind: task.kind, triggers: task.triggers, path: task.path };
    return task.kind === "push" ? { ...prepared, arg: task.arg } : prepared;
  });
}

/**
 * The join progress of a checkpoint, keeping only the joins the graph still has: `names` are the
 * graph's join names in the order its waiting edges were added (format 1 keyed progress by that position).
 */
export function readJoins(checkpoint: Checkpoint | undefined, names: readonly string[], where: string): JoinState {
  const joins: JoinState = {};
  if (checkpoint === undefined) return joins;
  checkFormat(checkpoint, where);
  const saved: unknown = checkpoint.joins;
  if (!isRecord(saved)) throw badShape(checkpoint, where, `its joins are ${describeValue(saved)}`);
  for (const [key, sources] of Object.entries(saved)) {
    if (!Array.isArray(sources) || !sources.every((source) => typeof source === "string")) {
      throw badShape(checkpoint, where, `join "${key}" holds ${describeValue(sources)}`);
    }
    const name = checkpoint.v === 1 && /^\d+$/.test(key) ? names[Number(key)] : key;
    if (name !== undefined && names.includes(name)) joins[name] = [...sources];
  }
  return joins;
}

/** Refuse a checkpoint written in a format this code does not know. */
export function checkFormat(checkpoint: Checkpoint, where: string): void {
  if (!READABLE_VERSIONS.includes(checkpoint.v)) {
    throw new WeftError(
      "CHECKPOINT",
      `Checkpoint "${checkpoint.id}" of ${where} is in format version ${describeValue(checkpoint.v)}, but this version of Weft reads versions ` +
        `${READABLE_VERSIONS.join(" and ")}. It was written by another version of Weft: run that version to finish the thread, or start a new thread.`,
      { details: { checkpointId: checkpoint.id, version: checkpoint.v } },
    );
  }
}

function readRoutes(value: unknown, formatOne: boolean, bad: () => WeftError): Array<string | Send> {
  if (!Array.isArray(value)) throw bad();
  return value.map((route: unknown) => {
    // Format 1 saved routes as they were in memory (a checkpoint of it may also hold format 2 writes made since).
    if (formatOne && (typeof route === "string" || route instanceof Send)) return route;
    if (!isRecord(route) || typeof route.node !== "string") throw bad();
    if (route.kind === "node") return route.node;
    if (route.kind === "send" && "arg" in route) return new Send(route.node, route.arg);
    throw bad();
  });
}

function isPersistedInterrupt(value: unknown): value is PersistedInterrupt {
  return isRecord(value) && typeof value.id === "string" && "value" in value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function badWrite(checkpoint: Checkpoint, where: string, taskId: string, channel: string, value: unknown): WeftError {
  return badShape(checkpoint, where, `task "${taskId}" saved ${describeValue(value)} on channel "${channel}"`);
}

function badShape(checkpoint: Checkpoint, where: string, what: string): WeftError {
  return new WeftError(
    "CHECKPOINT",
    `Checkpoint "${checkpoint.id}" of ${where} is not in the shape format version ${CHECKPOINT_FORMAT_VERSION} defines: ${what}. ` +
      `It was written by another version of Weft or changed outside it: run the version that wrote it to finish the thread, or start a new thread.`,
    { details: { checkpointId: checkpoint.id } },
  );
}
