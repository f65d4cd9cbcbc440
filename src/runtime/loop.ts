// The superstep loop: run the step's tasks concurrently, apply their writes together in task
// order, stream the new state, and prepare the next step, until no task is left.
import { WeftError } from "../errors.js";
import { START } from "../graph/constants.js";
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
import { type RunContext, type TaskResult, runTask } from "./task.js";
import { taskId } from "./task-id.js";

/** Run a graph from `input` to the end; resolves to the final state. */
export async function runLoop(run: RunContext, input: unknown): Promise<Record<string, unknown>> {
  const { spec, stream, namespace, signal } = run;
  const channels: Channels = createChannels(spec);
  const runKey = crypto.randomUUID();
  const joins: JoinState = {};

  applyWrites(channels, updateToWrites(spec, "input", input));
  let state = readState(channels);
  if (stream.wantsValues) stream.push("values", namespace, state);

  let step = 1;
  let tasks = prepareNextTasks(spec, [await startRoutes(run, state)], joins, (node, index) => taskId(runKey, step, node, index));

  while (tasks.length > 0) {
    if (signal.aborted) throw abortReason(signal);
    if (step > run.recursionLimit) {
      throw new WeftError(
        "RECURSION_LIMIT",
        `Recursion limit of ${run.recursionLimit} reached without hitting a stop condition. ` +
          `Raise \`recursionLimit\` in the run options, or check the graph's conditional edges for a loop that never ends.`,
        { details: { recursionLimit: run.recursionLimit, step } },
      );
    }
    const results = await runStep(run, tasks, step, state, channels);
    const writes = results.length === 1 ? results[0]!.writes : results.flatMap((result) => result.writes);
    applyWrites(channels, writes);
    state = readState(channels);
    if (stream.wantsValues) stream.push("values", namespace, state);
    step++;
    tasks = prepareNextTasks(spec, results, joins, (node, index) => taskId(runKey, step, node, index));
    if (stream.mustWait) await stream.drained();
  }
  return state;
}

/** The routes out of START: its edges, and its conditional edges evaluated on the input state. */
async function startRoutes(run: RunContext, state: Record<string, unknown>): Promise<FinishedTask> {
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
  if (tasks.length === 1) return [await runTask(run, tasks[0]!, step, state, channels)];
  let failure: { error: unknown } | undefined;
  const settled = await Promise.allSettled(
    tasks.map((task) =>
      runTask(run, task, step, state, channels).catch((error: unknown) => {
        if (failure === undefined) {
          failure = { error };
          run.abortRun?.(error);
        }
        throw error;
      }),
    ),
  );
  if (failure !== undefined) throw failure.error;
  return settled.map((result) => (result as PromiseFulfilledResult<TaskResult>).value);
}
