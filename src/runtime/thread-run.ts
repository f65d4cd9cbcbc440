// The persistence side of a run on a thread: where it starts (input, resume or replay), saving each
// finished task's writes as it finishes, and a checkpoint after every superstep.
import type { Checkpoint, CheckpointConfig, CheckpointMetadata, CheckpointTuple, Checkpointer } from "../checkpoint/checkpointer.js";
import { newCheckpointId } from "../checkpoint/checkpoint-id.js";
import { WeftError } from "../errors.js";
import { type Command, isCommand } from "../graph/command.js";
import type { GraphSpec } from "../graph/graph-spec.js";
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
  updateToWrites,
} from "./algo.js";
import type { Interrupt } from "./interrupt.js";
import { INTERRUPT_CHANNEL, RESUME_CHANNEL, ROUTES_CHANNEL, type SavedTask, readSavedTasks } from "./saved-tasks.js";
import type { TaskResult } from "./task.js";
import { taskId } from "./task-id.js";

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
    if (channel === undefined) writes.push([key, value]);
    else channel.restore(value);
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
  ) {}

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

    if (tuple === undefined) {
      throw new WeftError(
        "INVALID_INPUT",
        `Thread "${this.threadId}" has no checkpoint to ${isCommand(input) ? "resume" : "continue"}; start it with an input object.`,
        { details: { threadId: this.threadId } },
      );
    }
    // Replaying a past checkpoint forks: its tasks run again from scratch. Continuing the latest one
    // keeps what its tasks had finished (after a crash) and their interrupt answers.
    const replay = this.requestedCheckpointId !== undefined && !isCommand(input);
    if (!replay) this.saved = readSavedTasks(tuple.pendingWrites);
    if (isCommand(input)) await this.answerInterrupts(tuple, input);
    return { channels, joins, step: lastStep + 1, tasks: tuple.checkpoint.pending_tasks, inputApplied: false };
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
    const metadata: CheckpointMetadata = { source, step, writes, parents: {} };
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
  private async answerInterrupts(tuple: CheckpointTuple, command: Command): Promise<void> {
    const pending: Array<{ taskId: string; interrupt: Interrupt }> = [];
    for (const [taskIdentifier, saved] of this.saved) for (const interrupt of saved.interrupts) pending.push({ taskId: taskIdentifier, interrupt });
    if (!("resume" in command)) {
      throw new WeftError("INVALID_INPUT", "A Command given as run input needs `resume`; to change the state of a thread use graph.updateState().");
    }
    if (pending.length === 0) {
      throw new WeftError("INVALID_INPUT", `Thread "${this.threadId}" has no pending interrupt to resume; start a new turn with an input object.`, {
        details: { threadId: this.threadId, checkpointId: tuple.checkpoint.id },
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
      await this.checkpointer.putWrites(tuple.config, [[RESUME_CHANNEL, { id: interrupt.id, value }]], taskIdentifier);
      this.saved.get(taskIdentifier)!.resume.push({ id: interrupt.id, value });
    }
  }
}
