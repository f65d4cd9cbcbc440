// The superstep loop: run the step's tasks concurrently, apply their writes together in task
// order, stream the new state, and prepare the next step, until no task is left. On a thread
// (a checkpointer is set) it also saves each task's writes as it finishes and a checkpoint per step.
import { newCheckpointId } from "../core/checkpoint-id.js";
import { WeftError } from "../errors.js";
import { START } from "../core/constants.js";
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
  staticRoutes,
  updateToWrites,
} from "./algo.js";
import { abortReason } from "./abortable-delay.js";
import { GraphInterrupt, INTERRUPT, type Interrupt } from "./interrupt.js";
import { type RunContext, type TaskResult, runTask } from "./task.js";
import { taskId } from "../core/task-id.js";
import { taskIdMaker } from "./thread-run.js";

/** Run a graph from `input` to the end; resolves to the final state (with `__interrupt__` when a node paused). */
export async function runLoop(run: RunContext, input: unknown): Promise<Record<string, unknown>> {
  const { spec, stream, namespace, signal, thread } = run;
  let channels: Channels;
  let joins: JoinState;
  let step: number;
  let tasks: PreparedTask[];
  let state: Record<string, unknown>;
  const runKey = thread === undefined ? crypto.randomUUID() : "";
  let resuming = false;

  if (thread === undefined) {
    channels = createChannels(spec);
    joins = {};
    applyWrites(channels, updateToWrites(spec, "input", input));
    state = readState(channels);
    if (stream.wantsValues) stream.push("values", namespace, state);
    step = 1;
    tasks = prepareNextTasks(spec, [await startRoutes(run, state)], joins, (node, index) => taskId(runKey, step, node, index));
  } else {
    const start = await thread.begin(spec, input, (inputState) => startRoutes(run, inputState));
    ({ channels, joins, step, tasks } = start);
    state = readState(channels);
    if (start.inputApplied && stream.wantsValues) stream.push("values", namespace, state);
    resuming = !start.inputApplied;
  }

  const firstStep = step;
  while (tasks.length > 0) {
    if (thread !== undefined && thread.stopsBefore(tasks, resuming && step === firstStep)) return state;
    if (signal.aborted) throw abortReason(signal);
    if (step - firstStep >= run.recursionLimit) {
      throw new WeftError(
        "RECURSION_LIMIT",
        `Recursion limit of ${run.recursionLimit} reached without hitting a stop condition. ` +
          `Raise \`recursionLimit\` in the run options, or check the graph's conditional edges for a loop that never ends.`,
        { details: { recursionLimit: run.recursionLimit, step } },
      );
    }
    const results = await runStep(run, tasks, step, state, channels);
    const interrupts = collectInterrupts(results);
    if (interrupts !== undefined) return paused(run, state, interrupts);
    const writes = results.length === 1 ? results[0]!.writes : results.flatMap((result) => result.writes);
    try {
      applyWrites(channels, writes);
    } catch (error) {
      throw namingWriters(error, results);
    }
    state = readState(channels);
    if (stream.wantsValues) stream.push("values", namespace, state);
    step++;
    if (thread === undefined) {
      tasks = prepareNextTasks(spec, results, joins, (node, index) => taskId(runKey, step, node, index));
    } else {
      const checkpointId = newCheckpointId();
      tasks = prepareNextTasks(spec, results, joins, taskIdMaker(checkpointId, step));
      await thread.saveCheckpoint(checkpointId, state, tasks, joins, step - 1, "loop", stepWrites(results));
      if (tasks.length > 0 && thread.stopsAfter(results)) return state;
    }
    if (stream.mustWait) await stream.drained();
  }
  return state;
}

/** The routes out of START: its edges, and its conditional edges evaluated on the input state. */
export async function startRoutes(run: Pick<RunContext, "spec" | "tags" | "metadata" | "configurable" | "signal">, state: Record<string, unknown>): Promise<FinishedTask> {
  const routes: FinishedTask["routes"][number][] = [...staticRoutes(run.spec, START)];
  for (const branch of run.spec.branches.get(START) ?? []) {
    const config = { tags: run.tags, metadata: run.metadata, configurable: run.configurable, signal: run.signal, writer: () => {} };
    const result = await branch.router(state, config);
    routes.push(...routerResultToRoutes(run.spec, START, result, branch.pathMap));
  }
  return { node: START, routes };
}

/**
 * Run one superstep's tasks concurrently. Results come back in task order (not finish order), so
 * writes apply deterministically. The first failure aborts the run, which cancels the siblings.
 */
async function runStep(
  run: RunContext,
  tasks: readonly PreparedTask[],
  step: number,
  state: Record<string, unknown>,
  channels: Channels,
): Promise<TaskResult[]> {
  const execute = run.thread === undefined ? runTask : runSavedTask;
  if (tasks.length === 1) return [await execute(run, tasks[0]!, step, state, channels)];
  let failure: { error: unknown } | undefined;
  const settled = await Promise.allSettled(
    tasks.map((task) =>
      execute(run, task, step, state, channels).catch((error: unknown) => {
        if (failure === undefined) {
          failure = { error };
          run.abortRun?.(error);
        }
        throw error;
      }),
    ),
  );
  if (failure !== undefined) {
    await run.thread?.settle();
    throw failure.error;
  }
  return settled.map((result) => (result as PromiseFulfilledResult<TaskResult>).value);
}

/** On a thread: reuse what the task finished before a crash or pause, else run it and save its writes as soon as it finishes. */
async function runSavedTask(run: RunContext, task: PreparedTask, step: number, state: Record<string, unknown>, channels: Channels): Promise<TaskResult> {
  const thread = run.thread!;
  const finished = thread.finishedResult(task);
  if (finished !== undefined) {
    if (run.stream.wantsUpdates) run.stream.push("updates", run.namespace, { [task.node]: finished.update ?? null });
    return finished;
  }
  let result: TaskResult;
  try {
    result = await runTask(run, task, step, state, channels);
  } catch (error) {
    await thread.saveTaskError(task, error);
    throw error;
  }
  await thread.saveTaskResult(result);
  return result;
}

/** A write the state refused (a reducer threw, two values for a last-value key): say which nodes wrote it. */
function namingWriters(error: unknown, results: readonly TaskResult[]): unknown {
  if (!WeftError.isInstance(error) || typeof error.details.key !== "string") return error;
  const key = error.details.key;
  const writers = [...new Set(results.filter((result) => result.writes.some(([written]) => written === key)).map((result) => result.node))];
  if (writers.length === 0) return error;
  error.node ??= writers[0];
  error.details.nodes = writers;
  error.message += ` (written by ${writers.map((node) => `"${node}"`).join(", ")})`;
  return error;
}

function collectInterrupts(results: readonly TaskResult[]): Interrupt[] | undefined {
  let interrupts: Interrupt[] | undefined;
  for (const result of results) if (result.interrupts !== undefined) (interrupts ??= []).push(...result.interrupts);
  return interrupts;
}

/**
 * A step ended with nodes paused at interrupt(). The root run reports the interrupts and stops
 * (finished siblings' writes are already saved); a subgraph passes them up to its parent task.
 */
function paused(run: RunContext, state: Record<string, unknown>, interrupts: Interrupt[]): Record<string, unknown> {
  if (run.thread === undefined) throw new GraphInterrupt(interrupts);
  const { stream, namespace } = run;
  if (stream.wantsUpdates) stream.push("updates", namespace, { [INTERRUPT]: interrupts });
  if (stream.wantsValues) stream.push("values", namespace, { [INTERRUPT]: interrupts });
  return { ...state, [INTERRUPT]: interrupts };
}

/** `metadata.writes` of a step's checkpoint: what each node returned (a list when Sends ran a node several times). */
function stepWrites(results: readonly TaskResult[]): Record<string, unknown> {
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
