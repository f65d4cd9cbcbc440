// The persistence side of a run on a thread: where it starts (input, resume or replay), saving each
// finished task's writes as it finishes, and a checkpoint after every superstep.
import type { Checkpoint, CheckpointConfig, CheckpointMetadata, CheckpointTuple, Checkpointer } from "../core/checkpointer.js";
import { newCheckpointId } from "../core/checkpoint-id.js";
import { WeftError } from "../errors.js";
import { type Command, isCommand } from "../core/command.js";
import type { GraphSpec } from "../core/graph-spec.js";
import type { RunStream } from "../stream/run-stream.js";
import {
  type Channels,
  type FinishedTask,
  type JoinState,
  type PreparedTask,
  applyWrites,
  createChannels,
  prepareNextTasks,
  readState,
  routerResultToRoutes,
  updateToWrites,
} from "./algo.js";
import { START } from "../core/constants.js";
import type { Interrupt } from "./interrupt.js";
import { ERROR_CHANNEL, INTERRUPT_CHANNEL, RESUME_CHANNEL, ROUTES_CHANNEL, type SavedTask, readSavedTasks } from "./saved-tasks.js";
import type { TaskResult } from "./task.js";
import { taskId } from "../core/task-id.js";

/** Static breakpoints: node names (or every node) to stop before or after. */
export interface Breakpoints {
  readonly before: ReadonlySet<string> | "*";
  readonly after: ReadonlySet<string> | "*";
}

const NO_BREAKPOINTS: Breakpoints = { before: new Set(), after: new Set() };

function hits(breakpoints: ReadonlySet<string> | "*", nodes: ReadonlyArray<{ node: string }>): boolean {
  if (breakpoints === "*") return nodes.length > 0;
  if (breakpoints.size === 0) return false;
  return nodes.some((task) => breakpoints.has(task.node));
}

/** Where a run on a thread starts. */
export interface ThreadStart {
  channels: Channels;
  joins: JoinState;
  /** The superstep the first tasks run in. */
  step: number;
  tasks: PreparedTask[];
  /** True when the run's input changed the state (so `values` mode shows it first). */
  inputApplied: boolean;
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

/** Task ids derive from the checkpoint the tasks belong to, so they are the same in every process that resumes it. */
export function taskIdMaker(checkpointId: string, step: number): (node: string, index: number) => string {
  return (node, index) => taskId(checkpointId, step, node, index);
}

export class ThreadRun {
  /** The checkpoint the current step's tasks belong to. */
  private current: CheckpointTuple["config"] | undefined;
  private saved = new Map<string, SavedTask>();
  private pendingSaves: Promise<void>[] = [];
  private releaseStoreLock: (() => Promise<void>) | undefined;

  constructor(
    readonly checkpointer: Checkpointer,
    readonly threadId: string,
    readonly namespace: string,
    private readonly requestedCheckpointId: string | undefined,
    private readonly stream: RunStream,
    private readonly breakpoints: Breakpoints = NO_BREAKPOINTS,
    /** The run's metadata, saved in each checkpoint's metadata (as LangGraph does). */
    private readonly runMetadata: Record<string, unknown> = {},
  ) {}

  /** A breakpoint before one of `tasks`' nodes. A run that resumes a thread passes the breakpoint it stopped at. */
  stopsBefore(tasks: readonly PreparedTask[], resuming: boolean): boolean {
    return !resuming && hits(this.breakpoints.before, tasks);
  }

  /** A breakpoint after one of the nodes that just ran. */
  stopsAfter(results: readonly TaskResult[]): boolean {
    return hits(this.breakpoints.after, results);
  }

  /** Load the thread and work out the first step: apply the input, resume pending tasks, or answer interrupts. */
  async begin(
    spec: GraphSpec,
    input: unknown,
    startRoutes: (state: Record<string, unknown>) => Promise<FinishedTask>,
  ): Promise<ThreadStart> {
    this.releaseStoreLock = await this.checkpointer.lockThread(this.threadId, this.namespace);
    const target = { configurable: { thread_id: this.threadId, checkpoint_ns: this.namespace, checkpoint_id: this.requestedCheckpointId } };
    const tuple = await this.checkpointer.getTuple(target);
    if (this.requestedCheckpointId !== undefined && tuple === undefined) {
      throw new WeftError("CHECKPOINT", `Thread "${this.threadId}" has no checkpoint "${this.requestedCheckpointId}"; list them with graph.getStateHistory(config).`, {
        details: { threadId: this.threadId, checkpointId: this.requestedCheckpointId },
      });
    }
    const channels = restoreChannels(spec, tuple?.checkpoint);
    const joins: JoinState = structuredClone(tuple?.checkpoint.joins ?? {});
    const lastStep = tuple?.metadata.step ?? -1;
    this.current = tuple?.config;

    if (input !== null && input !== undefined && !isCommand(input)) {
      applyWrites(channels, updateToWrites(spec, "input", input));
      const state = readState(channels);
      const checkpointId = newCheckpointId();
      const step = lastStep + 1;
      const tasks = prepareNextTasks(spec, [await startRoutes(state)], joins, taskIdMaker(checkpointId, step + 1));
      await this.saveCheckpoint(checkpointId, state, tasks, joins, step, "input", { __start__: input });
      return { channels, joins, step: step + 1, tasks, inputApplied: true };
    }

    if (isCommand(input) && (input.update !== undefined || input.goto.length > 0)) {
      return this.steer(spec, input, tuple, channels, joins, lastStep, startRoutes);
    }
    if (tuple === undefined) {
      throw new WeftError(
        "INVALID_INPUT",
        `Thread "${this.threadId}" has no checkpoint to ${isCommand(input) ? "resume" : "continue"}; start it with an input object.`,
        { details: { threadId: this.threadId } },
      );
    }
    if (this.requestedCheckpointId !== undefined && !isCommand(input)) {
      // Replaying a past checkpoint forks the thread: a copy becomes the latest checkpoint, and its
      // tasks run again from scratch (so a pause or crash in the replay resumes on the fork).
      const checkpointId = newCheckpointId();
      const makeId = taskIdMaker(checkpointId, lastStep + 1);
      const tasks = tuple.checkpoint.pending_tasks.map((task, index) => ({ ...task, id: makeId(task.node, index) }));
      await this.saveCheckpoint(checkpointId, tuple.checkpoint.channel_values, tasks, joins, lastStep, "fork", null);
      return { channels, joins, step: lastStep + 1, tasks, inputApplied: false };
    }
    // Continuing the latest checkpoint keeps what its tasks had finished (after a crash or a
    // failure) and the answers to their interrupts.
    this.saved = readSavedTasks(tuple.pendingWrites);
    if (isCommand(input)) await this.answerInterrupts(input);
    return { channels, joins, step: lastStep + 1, tasks: tuple.checkpoint.pending_tasks, inputApplied: false };
  }

  /**
   * A Command input with `update` and/or `goto`: a new checkpoint with the update applied, whose tasks
   * are `goto`'s (or the pending ones, keeping what they had finished and their interrupt answers);
   * then `resume`, if given, answers the interrupts.
   */
  private async steer(
    spec: GraphSpec,
    command: Command,
    tuple: CheckpointTuple | undefined,
    channels: Channels,
    joins: JoinState,
    lastStep: number,
    startRoutes: (state: Record<string, unknown>) => Promise<FinishedTask>,
  ): Promise<ThreadStart> {
    const saved = tuple === undefined ? new Map<string, SavedTask>() : readSavedTasks(tuple.pendingWrites);
    if (command.update !== undefined) applyWrites(channels, updateToWrites(spec, "input", command.update));
    const state = readState(channels);
    const checkpointId = newCheckpointId();
    const step = lastStep + 1;
    const makeId = taskIdMaker(checkpointId, step + 1);
    const carried = new Map<string, SavedTask>();
    let tasks: PreparedTask[];
    if (command.goto.length > 0) {
      tasks = prepareNextTasks(spec, [{ node: START, routes: routerResultToRoutes(spec, START, command.goto) }], joins, makeId);
    } else if (tuple === undefined) {
      tasks = prepareNextTasks(spec, [await startRoutes(state)], joins, makeId);
    } else {
      tasks = tuple.checkpoint.pending_tasks.map((task, index) => {
        const id = makeId(task.node, index);
        const progress = saved.get(task.id);
        if (progress !== undefined) carried.set(id, progress);
        return { ...task, id };
      });
    }
    await this.saveCheckpoint(checkpointId, state, tasks, joins, step, "input", { __start__: command.update ?? null });
    for (const [id, progress] of carried) {
      const writes: Array<readonly [string, unknown]> =
        progress.routes !== undefined ? [...progress.writes, [ROUTES_CHANNEL, progress.routes]] : progress.interrupts.length > 0 ? [[INTERRUPT_CHANNEL, progress.interrupts]] : [];
      for (const answer of progress.resume) writes.push([RESUME_CHANNEL, answer]);
      if (writes.length > 0) await this.checkpointer.putWrites(this.currentConfig(), writes, id);
    }
    this.saved = carried;
    if (command.resume !== undefined) await this.answerInterrupts(command);
    return { channels, joins, step: step + 1, tasks, inputApplied: true };
  }

  /** The run ended (in any way): let other processes have the thread. */
  async finish(): Promise<void> {
    const release = this.releaseStoreLock;
    this.releaseStoreLock = undefined;
    // Best effort: a lock that fails to release is freed by the store when this process's
    // connection ends (Postgres) or the process exits (SQLite); the run's own outcome stands.
    await release?.().catch(() => {});
  }

  /** Make the next checkpoint a child of `config` (updateState() does not call begin()). */
  startFrom(config: CheckpointTuple["config"] | undefined): void {
    this.current = config;
  }

  /** What a task finished before the run stopped, to reuse instead of running it again. */
  finishedResult(task: PreparedTask): TaskResult | undefined {
    const saved = this.saved.get(task.id);
    if (saved?.routes === undefined) return undefined;
    return { task, node: task.node, writes: saved.writes, routes: saved.routes, update: Object.fromEntries(saved.writes) };
  }

  /** The answers to a task's interrupts so far, in order. */
  resumeValues(taskIdentifier: string): unknown[] {
    const saved = this.saved.get(taskIdentifier);
    return saved === undefined || saved.resume.length === 0 ? [] : saved.resume.map((resume) => resume.value);
  }

  /** Save a finished task's writes (or its interrupts) now, so a crash later in the step does not lose them. */
  saveTaskResult(result: TaskResult): Promise<void> {
    const writes: Array<readonly [string, unknown]> =
      result.interrupts !== undefined ? [[INTERRUPT_CHANNEL, result.interrupts]] : [...result.writes, [ROUTES_CHANNEL, result.routes]];
    const saving = this.checkpointer.putWrites(this.currentConfig(), writes, result.task.id);
    this.pendingSaves.push(saving.catch(() => {}));
    return saving;
  }

  /** Record why a task failed, so getState() can show it; the task runs again when the thread continues. */
  saveTaskError(task: PreparedTask, error: unknown): Promise<void> {
    if (!WeftError.isInstance(error) || error.code === "ABORTED") return Promise.resolve();
    const saving = this.checkpointer
      .putWrites(this.currentConfig(), [[ERROR_CHANNEL, { code: error.code, message: error.message }]], task.id)
      .catch(() => {}); // the task's own error is what the run reports
    this.pendingSaves.push(saving);
    return saving;
  }

  /** Wait for task saves still in flight (after a sibling failed, before the error leaves the run). */
  async settle(): Promise<void> {
    await Promise.all(this.pendingSaves);
    this.pendingSaves = [];
  }

  async saveCheckpoint(
    checkpointId: string,
    values: Record<string, unknown>,
    tasks: PreparedTask[],
    joins: JoinState,
    step: number,
    source: CheckpointMetadata["source"],
    writes: Record<string, unknown> | null,
  ): Promise<void> {
    const checkpoint: Checkpoint = {
      v: 1,
      id: checkpointId,
      ts: new Date().toISOString(),
      channel_values: values,
      pending_tasks: tasks,
      joins: structuredClone(joins),
    };
    const metadata: CheckpointMetadata = { ...this.runMetadata, source, step, writes, parents: {} };
    const parentConfig = this.current;
    this.current = await this.checkpointer.put(
      { configurable: { thread_id: this.threadId, checkpoint_ns: this.namespace, checkpoint_id: parentConfig?.configurable.checkpoint_id } },
      checkpoint,
      metadata,
    );
    this.saved = new Map();
    this.pendingSaves = [];
    if (this.stream.wantsDebug) {
      this.stream.push("debug", [], {
        type: "checkpoint",
        timestamp: checkpoint.ts,
        step,
        payload: {
          config: this.current,
          parentConfig,
          values: checkpoint.channel_values,
          metadata,
          next: tasks.map((task) => task.node),
          tasks: tasks.map((task) => ({ id: task.id, name: task.node, interrupts: [] })),
        },
      });
    }
  }

  private currentConfig(): CheckpointConfig {
    if (this.current === undefined) throw new WeftError("CHECKPOINT", "Internal: a task finished before its checkpoint was saved.");
    return this.current;
  }

  /** Save a Command's resume value(s) as answers to the pending interrupts they address. */
  private async answerInterrupts(command: Command): Promise<void> {
    const pending: Array<{ taskId: string; interrupt: Interrupt }> = [];
    for (const [taskIdentifier, saved] of this.saved) for (const interrupt of saved.interrupts) pending.push({ taskId: taskIdentifier, interrupt });
    if (command.resume === undefined) {
      throw new WeftError("INVALID_INPUT", "A Command given as run input needs `resume`, `update` or `goto`.");
    }
    if (pending.length === 0) {
      throw new WeftError("INVALID_INPUT", `Thread "${this.threadId}" has no pending interrupt to resume; start a new turn with an input object.`, {
        details: { threadId: this.threadId, checkpointId: this.current?.configurable.checkpoint_id },
      });
    }
    const resume = command.resume;
    const ids = new Set(pending.map((entry) => entry.interrupt.id));
    const byId =
      typeof resume === "object" && resume !== null && Object.getPrototypeOf(resume) === Object.prototype && Object.keys(resume).length > 0 &&
      Object.keys(resume).every((key) => ids.has(key));
    const answers = pending.filter((entry) => !byId || Object.prototype.hasOwnProperty.call(resume, entry.interrupt.id));
    for (const { taskId: taskIdentifier, interrupt } of answers) {
      const value = byId ? (resume as Record<string, unknown>)[interrupt.id] : resume;
      await this.checkpointer.putWrites(this.currentConfig(), [[RESUME_CHANNEL, { id: interrupt.id, value }]], taskIdentifier);
      this.saved.get(taskIdentifier)!.resume.push({ id: interrupt.id, value });
    }
  }
}
