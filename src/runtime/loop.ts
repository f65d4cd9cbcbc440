// The superstep loop: run the step's tasks concurrently, apply their writes together in LangGraph's
// order, stream the new state, and let the thread make the next step's checkpoint, until no task is
// left. Every run takes this one path; the thread is ephemeral when the graph has no checkpointer.
import { START } from "../core/constants.js";
import { GraphInterrupt, INTERRUPT, type Interrupt } from "../core/interrupt.js";
import type { FinishedTask, PreparedTask } from "../core/task.js";
import { WeftError } from "../errors.js";
import { type Channels, applyWrites, readState, sortForWrites } from "./algo.js";
import { abortReason } from "./abortable-delay.js";
import { GraphRecursionError } from "./graph-recursion-error.js";
import type { TaskScratchpad } from "./config.js";
import { ABANDON_AFTER_MS, AbandonWatch } from "./abandon-watch.js";
import { routesOf } from "./routes.js";
import { type RunContext, type TaskResult, nodeError, runTask, taskConfig } from "./task.js";

/** Run a graph from `input` to the end; resolves to the final state (with `__interrupt__` when a node paused). */
export async function runLoop(run: RunContext, input: unknown): Promise<Record<string, unknown>> {
  // Made before any node runs, so the listener's cold code is not paid between a node's first token and its delivery.
  const watch = new AbandonWatch(run.signal);
  try {
    return await runSteps(run, watch, input);
  } finally {
    watch.dispose();
  }
}

async function runSteps(run: RunContext, watch: AbandonWatch, input: unknown): Promise<Record<string, unknown>> {
  const { spec, stream, namespace, signal, thread } = run;
  const start = await thread.begin(spec, input, (inputState, inputStep, taskId) => startRoutes(run, watch, inputState, inputStep, taskId));
  const { channels, joins } = start;
  let { step, tasks } = start;
  let state = readState(channels);
  // As in LangGraph: a run shows the state first when its input wrote a state key, and always when
  // it resumes, continues or steers a thread (the state it starts from).
  if (start.showState && stream.wantsValues) stream.push("values", namespace, state);
  const resuming = !start.inputApplied;
  // As in LangGraph, the input counts as a step: a run that applies input has recursionLimit - 1
  // supersteps for its nodes; a run that continues a thread (resume, breakpoint) has recursionLimit + 1.
  const maxSteps = start.inputApplied ? run.recursionLimit - 1 : run.recursionLimit + 1;
  const firstStep = step;
  while (tasks.length > 0) {
    if (thread.stopsBefore(tasks, resuming && step === firstStep)) return atBreakpoint(run, state);
    if (signal.aborted) throw abortReason(signal);
    if (step - firstStep >= maxSteps) throw new GraphRecursionError(run.recursionLimit, step);
    const results = sortForWrites(await runStep(run, watch, tasks, step, state, channels));
    const interrupts = collectInterrupts(results);
    if (interrupts !== undefined) return paused(run, state, channels, results, interrupts);
    const writes = results.length === 1 ? results[0]!.writes : results.flatMap((result) => result.writes);
    try {
      applyWrites(channels, writes);
    } catch (error) {
      throw namingWriters(error, results);
    }
    // A step that wrote no state key shows no new state (LangGraph emits values only after writes).
    if (writes.length > 0) {
      state = readState(channels);
      if (stream.wantsValues) stream.push("values", namespace, state);
    }
    step++;
    tasks = await thread.nextStep(spec, results, joins, state, step);
    // As in LangGraph, a breakpoint after the last node still stops (and reports) the run.
    if (thread.stopsAfter(results)) return atBreakpoint(run, state);
    if (stream.mustWait) await stream.drained();
  }
  return state;
}

/**
 * The routes out of START: its edges, and its conditional edges evaluated on the input state, as
 * LangGraph's hidden `__start__` task of the input's step: a model called in a START router streams
 * in messages mode under `langgraph_node: "__start__"`, with the tag "langsmith:hidden".
 */
async function startRoutes(run: RunContext, watch: AbandonWatch, state: Record<string, unknown>, step: number, taskId: string): Promise<FinishedTask> {
  const task: PreparedTask = { id: taskId, node: START, kind: "pull", triggers: [START], path: ["__pregel_pull", START] };
  // A router cannot pause the run: interrupt() there is refused as in a run without a checkpointer.
  const scratchpad: TaskScratchpad = { taskId, checkpointed: false, resume: NO_ANSWERS, interruptCounter: 0 };
  const config = taskConfig(run, task, step, scratchpad, [...run.tags, HIDDEN_TAG]);
  // As a node's routers: an error is the __start__ task's (NODE_FAILED, or MODEL_CALL for a model
  // call), and a router that ignores an abort is not waited for.
  const routing = routesOf(run.spec, START, state, config).catch((error: unknown) => {
    throw nodeError(START, error);
  });
  const routes = await watch.until(routing);
  if (routes === undefined) throw abandoned(run.signal, [START]);
  return routes;
}

const HIDDEN_TAG = "langsmith:hidden";
const NO_ANSWERS: ReadonlyMap<string, unknown> = new Map();

/**
 * Run one superstep's tasks concurrently. Results come back in task order (not finish order). The
 * first failure aborts the run, which cancels the siblings. A task that ignores the abort is not
 * waited for (as in LangGraph.js): the step ends ABANDON_AFTER_MS after the signal fired.
 */
async function runStep(
  run: RunContext,
  watch: AbandonWatch,
  tasks: readonly PreparedTask[],
  step: number,
  state: Record<string, unknown>,
  channels: Channels,
): Promise<TaskResult[]> {
  if (tasks.length === 1) {
    const result = await watch.until(runTask(run, tasks[0]!, step, state, channels));
    if (result !== undefined) return [result];
    await run.thread.settle();
    throw abandoned(run.signal, [tasks[0]!.node]);
  }
  const running = new Set(tasks.map((task) => task.node));
  let failure: { error: unknown } | undefined;
  const work = Promise.allSettled(
    tasks.map((task) =>
      runTask(run, task, step, state, channels).then(
        (result) => {
          running.delete(task.node);
          return result;
        },
        (error: unknown) => {
          running.delete(task.node);
          if (failure === undefined) {
            failure = { error };
            run.abortRun?.(error);
          }
          throw error;
        },
      ),
    ),
  );
  const settled = await watch.until(work);
  if (failure !== undefined || settled === undefined) {
    await run.thread.settle();
    // A real failure is the run's error; an abort that some nodes ignored names them.
    const aborted = failure === undefined || (WeftError.isInstance(failure.error) && failure.error.code === "ABORTED");
    throw settled === undefined && aborted ? abandoned(run.signal, running) : failure!.error;
  }
  return settled.map((result) => (result as PromiseFulfilledResult<TaskResult>).value);
}

/** The error of a step whose tasks did not stop when the run was aborted: the abort, naming them. */
function abandoned(signal: AbortSignal, running: Iterable<string>): unknown {
  const reason = abortReason(signal);
  const nodes = [...running];
  if (WeftError.isInstance(reason) && reason.code !== "ABORTED") return reason;
  const said = reason instanceof Error && reason.name !== "AbortError" ? reason.message : "the run was aborted";
  const error = new WeftError(
    "ABORTED",
    `Node${nodes.length > 1 ? "s" : ""} ${nodes.map((node) => `"${node}"`).join(", ")} did not stop within ${ABANDON_AFTER_MS} ms of the abort ` +
      `(${said}), so the run stopped without waiting for ${nodes.length > 1 ? "them" : "it"}; pass \`config.signal\` on to the calls a node awaits.`,
    { cause: reason, details: { nodes } },
  );
  error.node = nodes[0];
  return error;
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
 * A step ended with nodes paused at interrupt(). Every graph on the way up reports the interrupts in
 * its own namespace (seen with `subgraphs: true`); a subgraph then passes them up to its parent task.
 * The root run stops: the writes of the step's finished tasks are saved with the checkpoint and, as
 * in LangGraph, show in the state it ends with (and in getState()).
 */
function paused(
  run: RunContext,
  state: Record<string, unknown>,
  channels: Channels,
  results: readonly TaskResult[],
  interrupts: Interrupt[],
): Record<string, unknown> {
  if (!run.thread.persistent) throw new GraphInterrupt(interrupts);
  const { stream, namespace } = run;
  if (stream.wantsUpdates) stream.push("updates", namespace, { [INTERRUPT]: interrupts });
  if (stream.wantsValues) stream.push("values", namespace, { [INTERRUPT]: interrupts });
  if (run.parentScratchpad !== undefined) throw new GraphInterrupt(interrupts);
  const finished = results.flatMap((result) => (result.interrupts === undefined ? result.writes : []));
  if (finished.length > 0) {
    try {
      applyWrites(channels, finished);
    } catch (error) {
      throw namingWriters(error, results);
    }
    state = readState(channels);
    if (stream.wantsValues) stream.push("values", namespace, state);
  }
  return { ...state, [INTERRUPT]: interrupts };
}

/** A static breakpoint (interruptBefore/interruptAfter) stopped the run: reported as an empty `__interrupt__`, as in LangGraph. */
function atBreakpoint(run: RunContext, state: Record<string, unknown>): Record<string, unknown> {
  const { stream, namespace } = run;
  if (stream.wantsUpdates) stream.push("updates", namespace, { [INTERRUPT]: [] });
  if (stream.wantsValues) stream.push("values", namespace, { [INTERRUPT]: [] });
  return { ...state, [INTERRUPT]: [] };
}
