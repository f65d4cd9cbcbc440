// The thread a run works on: where it starts (input, resume or replay), saving each finished task's
// writes as it finishes, and the one place checkpoints are made (after every superstep, for inputs,
// forks and updateState()). A run without a checkpointer works on an ephemeral thread that keeps
// nothing, so every run takes the same path and task ids are made the same way.
import type { Checkpoint, CheckpointMetadata } from "../core/checkpoint-format.js";
import {
  CHECKPOINT_FORMAT_VERSION,
  type SavedTask,
  errorWrite,
  finishedTaskWrites,
  interruptWrite,
  readJoins,
  readPendingTasks,
  readSavedTasks,
  resumeWrite,
  toPersistedTask,
} from "../core/checkpoint-format.js";
import type { CheckpointConfig, CheckpointTuple, Checkpointer } from "../core/checkpointer.js";
import { newCheckpointId } from "../core/checkpoint-id.js";
import { type Command, isCommand } from "../core/command.js";
import { END, START } from "../core/constants.js";
import type { GraphSpec } from "../core/graph-spec.js";
import type { Interrupt } from "../core/interrupt.js";
import type { FinishedTask, JoinState, PreparedTask } from "../core/task.js";
import { taskId } from "../core/task-id.js";
import { WeftError } from "../errors.js";
import type { RunStream } from "../stream/run-stream.js";
import { type Channels, applyWrites, commandUpdateToWrites, createChannels, prepareNextTasks, readState, routerResultToRoutes, updateToWrites } from "./algo.js";
import type { TaskResult } from "./task.js";
import { type Breakpoints, NO_BREAKPOINTS, hits } from "./breakpoints.js";
import { joinNames, renumber, restoreChannels, stepWrites, subgraphConfig, taskIdMaker } from "./checkpoint-parts.js";

/** Where a run on a thread starts. */
export interface ThreadStart {
  channels: Channels;
  joins: JoinState;
  /** The superstep the first tasks run in. */
  step: number;
  tasks: PreparedTask[];
  /** True when the run applied an input (an object, or a Command's update or goto) as its first step. */
  inputApplied: boolean;
  /** True when `values` mode shows the state before the first step: the input wrote a state key, or the run continues a thread. */
  showState: boolean;
}

/**
 * Decides the routes out of START for a state (the loop evaluates START's conditional edges), as the
 * `__start__` task of `step` (model calls in a START router stream under it, as in LangGraph).
 */
export type StartRoutes = (state: Record<string, unknown>, step: number, taskId: string) => Promise<FinishedTask>;

export interface ThreadRunOptions {
  /** Where checkpoints go; undefined for an ephemeral thread. */
  readonly checkpointer: Checkpointer | undefined;
  readonly threadId: string;
  /** The checkpoint namespace: "" for the root graph, the parent task's `node:taskId` for a subgraph. */
  readonly namespace: string;
  /** Replay or fork from this checkpoint instead of the latest. */
  readonly checkpointId?: string;
  readonly stream: RunStream;
  readonly breakpoints?: Breakpoints;
  /** The run's metadata, saved in each checkpoint's metadata (as LangGraph does). */
  readonly runMetadata?: Record<string, unknown>;
  /** A subgraph's thread continues its own latest checkpoint whenever it has one (its parent task is being re-run). */
  readonly subgraph?: boolean;
}

export class ThreadRun {
  readonly checkpointer: Checkpointer | undefined;
  readonly threadId: string;
  readonly namespace: string;
  private readonly requestedCheckpointId: string | undefined;
  private readonly stream: RunStream;
  private readonly breakpoints: Breakpoints;
  private readonly runMetadata: Record<string, unknown>;
  private readonly subgraph: boolean;
  /** The checkpoint the current step's tasks belong to. */
  private current: CheckpointTuple["config"] | undefined;
  private saved = new Map<string, SavedTask>();
  private pendingSaves: Promise<void>[] = [];
  private releaseStoreLock: (() => Promise<void>) | undefined;
  /** The graph this thread runs (set by begin() and updateState()), for what its debug events say of subgraph tasks. */
  private spec: GraphSpec | undefined;

  constructor(options: ThreadRunOptions) {
    this.checkpointer = options.checkpointer;
    this.threadId = options.threadId;
    this.namespace = options.namespace;
    this.requestedCheckpointId = options.checkpointId;
    this.stream = options.stream;
    this.breakpoints = options.breakpoints ?? NO_BREAKPOINTS;
    this.runMetadata = options.runMetadata ?? {};
    this.subgraph = options.subgraph === true;
  }

  /** True when checkpoints are saved (interrupt() can pause the run). */
  get persistent(): boolean {
    return this.checkpointer !== undefined;
  }

  /** The thread of a subgraph run by one of this thread's tasks: same store, the task's namespace. */
  child(namespace: string): ThreadRun {
    return new ThreadRun({
      checkpointer: this.checkpointer,
      threadId: this.threadId,
      namespace,
      stream: this.stream,
      runMetadata: this.runMetadata,
      subgraph: true,
    });
  }

  /** A breakpoint before one of `tasks`' nodes. A run that resumes a thread passes the breakpoint it stopped at. */
  stopsBefore(tasks: readonly PreparedTask[], resuming: boolean): boolean {
    return !resuming && hits(this.breakpoints.before, tasks);
  }

  /** A breakpoint after one of the nodes that just ran. */
  stopsAfter(results: readonly TaskResult[]): boolean {
    return hits(this.breakpoints.after, results);
  }

  /** Load the thread and work out the first step: apply the input, resume pending tasks, or answer interrupts. */
  async begin(spec: GraphSpec, input: unknown, startRoutes: StartRoutes): Promise<ThreadStart> {
    this.spec = spec;
    const checkpointer = this.checkpointer;
    if (checkpointer === undefined) return this.applyInput(spec, input, createChannels(spec), {}, -1, startRoutes);
    if (!this.subgraph) this.releaseStoreLock = await checkpointer.lockThread(this.threadId, this.namespace);
    const tuple = await checkpointer.getTuple(this.target(this.requestedCheckpointId));
    if (this.requestedCheckpointId !== undefined && tuple === undefined) {
      throw new WeftError("CHECKPOINT", `Thread "${this.threadId}" has no checkpoint "${this.requestedCheckpointId}"; list them with graph.getStateHistory(config).`, {
        details: { threadId: this.threadId, checkpointId: this.requestedCheckpointId },
      });
    }
    const joins = readJoins(tuple?.checkpoint, joinNames(spec), this.describe());
    const channels = restoreChannels(spec, tuple?.checkpoint);
    const lastStep = tuple?.metadata.step ?? -1;
    this.current = tuple?.config;

    if (this.subgraph && tuple !== undefined) {
      // The parent task runs again (after an interrupt or a crash): continue where the subgraph stopped.
      const tasks = this.pendingTasks(spec, tuple);
      this.saved = readSavedTasks(tuple, this.describe());
      return { channels, joins, step: lastStep + 1, tasks, inputApplied: false, showState: true };
    }
    // New input starts a new step from the state, as in LangGraph: the pending tasks are not read, so
    // a thread whose pending task names a node the graph lost still takes new input.
    if (input !== null && input !== undefined && !isCommand(input)) {
      return this.applyInput(spec, input, channels, joins, lastStep, startRoutes);
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
    const pending = this.pendingTasks(spec, tuple);
    if (this.requestedCheckpointId !== undefined && !isCommand(input)) {
      // Replaying a past checkpoint forks the thread: a copy becomes the latest checkpoint, and its
      // tasks run again from scratch (so a pause or crash in the replay resumes on the fork).
      const checkpointId = newCheckpointId();
      const tasks = renumber(pending, checkpointId, lastStep + 1);
      await this.saveCheckpoint(checkpointId, tuple.checkpoint.channel_values, tasks, joins, lastStep, "fork", null);
      return { channels, joins, step: lastStep + 1, tasks, inputApplied: false, showState: true };
    }
    // Continuing the latest checkpoint keeps what its tasks had finished (after a crash or a
    // failure) and the answers to their interrupts.
    this.saved = readSavedTasks(tuple, this.describe());
    if (isCommand(input)) await this.answerInterrupts(input);
    return { channels, joins, step: lastStep + 1, tasks: pending, inputApplied: false, showState: true };
  }

  /** A run's input object: applied as the `input` step, then the tasks START routes to. */
  private async applyInput(
    spec: GraphSpec,
    input: unknown,
    channels: Channels,
    joins: JoinState,
    lastStep: number,
    startRoutes: StartRoutes,
  ): Promise<ThreadStart> {
    const writes = updateToWrites(spec, "input", input);
    applyWrites(channels, writes);
    const state = readState(channels);
    const checkpointId = newCheckpointId();
    const step = lastStep + 1;
    const tasks = prepareNextTasks(spec, [await startRoutes(state, step, taskId(checkpointId, step, START))], joins, taskIdMaker(checkpointId, step + 1));
    await this.saveCheckpoint(checkpointId, state, tasks, joins, step, "input", { __start__: input ?? null });
    return { channels, joins, step: step + 1, tasks, inputApplied: true, showState: writes.length > 0 };
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
    startRoutes: StartRoutes,
  ): Promise<ThreadStart> {
    if (command.update !== undefined) applyWrites(channels, commandUpdateToWrites(spec, "input", command.update));
    const state = readState(channels);
    const checkpointId = newCheckpointId();
    const step = lastStep + 1;
    const carried = new Map<string, SavedTask>();
    let tasks: PreparedTask[];
    if (command.goto.length > 0) {
      tasks = prepareNextTasks(spec, [{ node: START, routes: routerResultToRoutes(spec, START, command.goto) }], joins, taskIdMaker(checkpointId, step + 1));
    } else if (tuple === undefined) {
      tasks = prepareNextTasks(spec, [await startRoutes(state, step, taskId(checkpointId, step, START))], joins, taskIdMaker(checkpointId, step + 1));
    } else {
      // The pending tasks keep their ids: their progress, interrupt answers and subgraph checkpoints stay theirs.
      tasks = this.pendingTasks(spec, tuple);
      for (const [id, progress] of readSavedTasks(tuple, this.describe())) if (tasks.some((task) => task.id === id)) carried.set(id, progress);
    }
    await this.saveCheckpoint(checkpointId, state, tasks, joins, step, "input", { __start__: command.update ?? null });
    for (const [id, progress] of carried) {
      const writes: Array<readonly [string, unknown]> =
        progress.routes !== undefined ? finishedTaskWrites(progress.writes, progress.routes) : progress.interrupts.length > 0 ? [interruptWrite(progress.interrupts)] : [];
      for (const answer of progress.resume) writes.push(resumeWrite(answer.id, answer.value));
      if (writes.length > 0) await this.checkpointer!.putWrites(this.currentConfig(), writes, id);
    }
    this.saved = carried;
    if (command.resume !== undefined) await this.answerInterrupts(command);
    return { channels, joins, step: step + 1, tasks, inputApplied: true, showState: true };
  }

  /**
   * updateState(): a new checkpoint with `values` applied as if node `asNode` had written them.
   * Without `asNode` the pending tasks stay as they were; with it, the next tasks are where `asNode`
   * routes (END: none). Resolves to the config naming the new checkpoint.
   */
  async updateState(
    spec: GraphSpec,
    values: unknown,
    asNode: string | undefined,
    routes: (node: string, state: Record<string, unknown>) => Promise<FinishedTask>,
  ): Promise<CheckpointTuple["config"]> {
    const checkpointer = this.requireStore("updateState");
    this.spec = spec;
    if (asNode !== undefined && asNode !== START && asNode !== END && !spec.nodes.has(asNode)) {
      throw new WeftError("INVALID_UPDATE", `updateState() asNode "${asNode}" is not a node of this graph; use a node name, START or END.`, {
        details: { node: asNode },
      });
    }
    this.releaseStoreLock = await checkpointer.lockThread(this.threadId, this.namespace);
    try {
      const tuple = await checkpointer.getTuple(this.target(this.requestedCheckpointId));
      if (this.requestedCheckpointId !== undefined && tuple === undefined) {
        throw new WeftError("CHECKPOINT", `Thread "${this.threadId}" has no checkpoint "${this.requestedCheckpointId}".`, {
          details: { threadId: this.threadId, checkpointId: this.requestedCheckpointId },
        });
      }
      const joins = readJoins(tuple?.checkpoint, joinNames(spec), this.describe());
      const channels = restoreChannels(spec, tuple?.checkpoint);
      const writer = asNode ?? (tuple === undefined ? START : undefined);
      applyWrites(channels, updateToWrites(spec, writer === START || writer === undefined ? "input" : writer, values));
      const state = readState(channels);
      const step = (tuple?.metadata.step ?? -1) + 1;
      const checkpointId = newCheckpointId();
      let tasks: PreparedTask[];
      // Only an update that keeps the pending tasks reads them (so asNode works on a thread whose task names a lost node).
      if (writer === undefined) tasks = renumber(tuple === undefined ? [] : this.pendingTasks(spec, tuple), checkpointId, step + 1);
      else if (writer === END) tasks = [];
      else tasks = prepareNextTasks(spec, [await routes(writer, state)], joins, taskIdMaker(checkpointId, step + 1));
      this.current = tuple?.config;
      await this.saveCheckpoint(checkpointId, state, tasks, joins, step, "update", { [asNode ?? "__update__"]: values });
      return this.current!;
    } finally {
      await this.finish();
    }
  }

  /** The run ended (in any way): let other processes have the thread. */
  async finish(): Promise<void> {
    const release = this.releaseStoreLock;
    this.releaseStoreLock = undefined;
    // Best effort: a lock that fails to release is freed by the store when this process's
    // connection ends (Postgres) or the process exits (SQLite); the run's own outcome stands.
    await release?.().catch(() => {});
  }

  /** What a task finished before the run stopped, to reuse instead of running it again. */
  finishedResult(task: PreparedTask): TaskResult | undefined {
    if (this.saved.size === 0) return undefined;
    const saved = this.saved.get(task.id);
    if (saved?.routes === undefined) return undefined;
    return { task, node: task.node, writes: saved.writes, routes: saved.routes, update: Object.fromEntries(saved.writes) };
  }

  /** The answers to a task's interrupts so far, by interrupt id. */
  resumeValues(taskIdentifier: string): ReadonlyMap<string, unknown> {
    const saved = this.saved.get(taskIdentifier);
    if (saved === undefined || saved.resume.length === 0) return NO_RESUME;
    return new Map(saved.resume.map((resume) => [resume.id, resume.value]));
  }

  /** Save a finished task's writes (or its interrupts) now, so a crash later in the step does not lose them. */
  saveTaskResult(result: TaskResult): Promise<void> {
    const checkpointer = this.checkpointer;
    if (checkpointer === undefined) return DONE;
    const writes = result.interrupts !== undefined ? [interruptWrite(result.interrupts)] : finishedTaskWrites(result.writes, result.routes);
    const saving = checkpointer.putWrites(this.currentConfig(), writes, result.task.id);
    this.pendingSaves.push(saving.catch(() => {}));
    return saving;
  }

  /** Record why a task failed, so getState() can show it; the task runs again when the thread continues. */
  saveTaskError(task: PreparedTask, error: unknown): Promise<void> {
    const checkpointer = this.checkpointer;
    if (checkpointer === undefined || !WeftError.isInstance(error) || error.code === "ABORTED" || error.code === "PARENT_COMMAND") return DONE;
    const saving = checkpointer
      .putWrites(this.currentConfig(), [errorWrite(error.code, error.message)], task.id)
      .catch(() => {}); // the task's own error is what the run reports
    this.pendingSaves.push(saving);
    return saving;
  }

  /** Wait for task saves still in flight (after a sibling failed, before the error leaves the run). */
  async settle(): Promise<void> {
    await Promise.all(this.pendingSaves);
    this.pendingSaves = [];
  }

  /** After a superstep: the next step's tasks, and the checkpoint that holds them. */
  async nextStep(
    spec: GraphSpec,
    results: readonly TaskResult[],
    joins: JoinState,
    state: Record<string, unknown>,
    step: number,
  ): Promise<PreparedTask[]> {
    const checkpointId = newCheckpointId();
    const tasks = prepareNextTasks(spec, results, joins, taskIdMaker(checkpointId, step));
    // An ephemeral thread names its checkpoint and saves nothing: no promise and no await per superstep.
    const saving = this.saveCheckpoint(checkpointId, state, tasks, joins, step - 1, "loop", this.persistent ? stepWrites(results) : null);
    if (saving !== undefined) await saving;
    return tasks;
  }

  /**
   * Make a checkpoint: saved to the store (a persistent thread) or only named (an ephemeral one).
   * Returns undefined when nothing is saved (an ephemeral thread), else the promise of the save.
   */
  private saveCheckpoint(
    checkpointId: string,
    values: Record<string, unknown>,
    tasks: PreparedTask[],
    joins: JoinState,
    step: number,
    source: CheckpointMetadata["source"],
    writes: Record<string, unknown> | null,
  ): Promise<void> | undefined {
    const parentConfig = this.current;
    const checkpointer = this.checkpointer;
    this.saved = EMPTY_SAVED;
    this.pendingSaves = [];
    if (checkpointer === undefined) {
      // Nothing is kept, so there is no checkpoint to report (LangGraph emits none without a checkpointer either).
      this.current = { configurable: { thread_id: this.threadId, checkpoint_ns: this.namespace, checkpoint_id: checkpointId } };
      return undefined;
    }
    return this.storeCheckpoint(checkpointer, parentConfig, checkpointId, values, tasks, joins, step, source, writes);
  }

  private async storeCheckpoint(
    checkpointer: Checkpointer,
    parentConfig: CheckpointConfig | undefined,
    checkpointId: string,
    values: Record<string, unknown>,
    tasks: PreparedTask[],
    joins: JoinState,
    step: number,
    source: CheckpointMetadata["source"],
    writes: Record<string, unknown> | null,
  ): Promise<void> {
    const checkpoint: Checkpoint = {
      v: CHECKPOINT_FORMAT_VERSION,
      id: checkpointId,
      ts: new Date().toISOString(),
      channel_values: values,
      pending_tasks: tasks.map(toPersistedTask),
      joins: structuredClone(joins),
    };
    const metadata: CheckpointMetadata = { ...this.runMetadata, source, step, writes, parents: {} };
    this.current = await checkpointer.put(this.target(parentConfig?.configurable.checkpoint_id), checkpoint, metadata);
    this.saved = new Map();
    if (this.stream.wantsDebug) this.emitCheckpoint(checkpoint.ts, checkpoint.channel_values, tasks, metadata, parentConfig);
  }

  private emitCheckpoint(
    timestamp: string,
    values: Record<string, unknown>,
    tasks: readonly PreparedTask[],
    metadata: CheckpointMetadata,
    parentConfig: CheckpointConfig | undefined,
  ): void {
    this.stream.push("debug", this.namespace === "" ? [] : this.namespace.split("|"), {
      type: "checkpoint",
      timestamp,
      step: metadata.step,
      payload: {
        config: this.current,
        parentConfig,
        values,
        metadata,
        next: tasks.map((task) => task.node),
        // LangGraph's shape of a snapshot task; none has a result or interrupts yet.
        tasks: tasks.map((task) => {
          const entry: Record<string, unknown> = { id: task.id, name: task.node, path: task.path, interrupts: [] };
          const state = this.spec === undefined ? undefined : subgraphConfig(this.spec, this.threadId, this.namespace, task);
          if (state !== undefined) entry.state = state;
          entry.result = undefined;
          return entry;
        }),
      },
    });
  }

  private target(checkpointId: string | undefined): CheckpointConfig {
    return { configurable: { thread_id: this.threadId, checkpoint_ns: this.namespace, checkpoint_id: checkpointId } };
  }

  /** The pending tasks of a checkpoint the run continues (CHECKPOINT error when one names a node the graph lost). */
  private pendingTasks(spec: GraphSpec, tuple: CheckpointTuple): PreparedTask[] {
    return readPendingTasks(tuple.checkpoint, (node) => spec.nodes.has(node), this.describe());
  }

  private describe(): string {
    return this.namespace === "" ? `thread "${this.threadId}"` : `thread "${this.threadId}" (subgraph "${this.namespace}")`;
  }

  private requireStore(method: string): Checkpointer {
    if (this.checkpointer === undefined) {
      throw new WeftError("CHECKPOINT", `${method}() reads saved threads, so the graph needs a checkpointer: compile({ checkpointer: new MemorySaver() }).`);
    }
    return this.checkpointer;
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
      await this.checkpointer!.putWrites(this.currentConfig(), [resumeWrite(interrupt.id, value)], taskIdentifier);
      this.saved.get(taskIdentifier)!.resume.push({ id: interrupt.id, value });
    }
  }
}

const DONE: Promise<void> = Promise.resolve();
const NO_RESUME: ReadonlyMap<string, unknown> = new Map();
const EMPTY_SAVED: Map<string, SavedTask> = new Map();
