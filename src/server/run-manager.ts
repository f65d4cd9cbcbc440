// Runs on the server. The API side creates a run's record, claims its thread (atomically, in the
// record store) and adds its job to the queue; the worker side executes the job: it writes every
// event to the event log (in batches, event-batcher.ts), which clients on any instance read, and
// re-attempts a run whose worker died from the run's last checkpoint (tasks that finished are not
// run again).
import { randomUUID } from "node:crypto";
import { WeftError, describeError } from "../errors.js";
import { Command } from "../core/command.js";
import type { CompiledGraph } from "../graph/compiled-graph.js";
import type { EventLog, NewEvent } from "./event-log.js";
import { EventBatcher } from "./event-batcher.js";
import { httpError } from "./http-error.js";
import { isRecordId } from "./request-fields.js";
import {
  type AssistantRecord,
  FINISHED_RUN_STATUSES,
  type RecordStore,
  type RunRecord,
  type RunRow,
  type RunStatus,
  type ThreadRecord,
  type ThreadRow,
} from "./record-store.js";
import type { RunQueue } from "./run-queue.js";
import { type RunRequest, graphModesOf } from "./run-request.js";
import { UIMessageEvents, UI_MESSAGE_MODES } from "./ui-message-events.js";
import { wireEventOf } from "./wire-format.js";

export type { RunRecord, RunStatus, ThreadRecord };

/** Events a run appends between two turns of the event loop. */
const YIELD_EVERY = 32;
const NO_EVENTS: readonly NewEvent[] = [];

/** A compiled graph of any state shape. */
export type AnyGraph = CompiledGraph<any, any>;

export interface RunManagerOptions {
  /** Attempts a run gets before it ends in error (each worker that dies or hands it back costs one). Default 3. */
  maxAttempts: number;
  /** Milliseconds a run with multitask_strategy "interrupt" or "rollback" waits for the run it stops. Default 30,000. */
  interruptWaitMs: number;
}

const isFinished = (status: RunStatus) => FINISHED_RUN_STATUSES.includes(status);

export class RunManager {
  /** Runs executing in this process, by id, so a cancel request can abort them. */
  private readonly local = new Map<string, { controller: AbortController; cancelled: boolean }>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: RecordStore,
    private readonly log: EventLog,
    private readonly graphs: ReadonlyMap<string, AnyGraph>,
    private readonly queue: RunQueue,
    private readonly options: RunManagerOptions,
  ) {
    this.unsubscribe = log.onCancelRequest((runId) => this.abortLocal(runId));
  }

  graphOf(assistantId: string, field = "assistant_id"): AnyGraph {
    const graph = this.graphs.get(assistantId);
    if (graph === undefined) {
      const known = [...this.graphs.keys()].map((name) => `"${name}"`).join(", ");
      throw httpError(404, `Assistant ${JSON.stringify(assistantId.slice(0, 80))} not found; this server has ${known}.`, field);
    }
    return graph;
  }

  /**
   * The graph an assistant id names: a served graph (its id is the graph id), or an assistant made
   * with POST /assistants over one, visible to `owner`. 404 naming `field` otherwise.
   */
  async assistant(assistantId: string, owner: string | null, field = "assistant_id"): Promise<{ graphId: string; graph: AnyGraph; record: AssistantRecord | undefined }> {
    const served = this.graphs.get(assistantId);
    if (served !== undefined) return { graphId: assistantId, graph: served, record: undefined };
    const row = isRecordId(assistantId) ? await this.store.getAssistant(assistantId) : undefined;
    if (row === undefined || (owner !== null && row.owner !== owner)) return { graphId: assistantId, graph: this.graphOf(assistantId, field), record: undefined };
    const graph = this.graphs.get(row.assistant.graph_id);
    if (graph === undefined) throw httpError(404, `Assistant ${assistantId} runs graph "${row.assistant.graph_id}", which this server does not serve.`, field);
    return { graphId: row.assistant.graph_id, graph, record: row.assistant };
  }

  /**
   * Create a run (on a thread, or stateless with `threadId` null) and queue it; resolves once its
   * first event is logged. A busy thread answers by the run's multitask strategy.
   */
  async create(given: RunRequest, threadId: string | null, owner: string | null): Promise<RunRow> {
    const { graph, graphId, record } = await this.assistant(given.assistantId, owner);
    const request = record === undefined ? given : withAssistantConfig(given, graphId, record);
    if (request.command !== undefined && graph.checkpointer === undefined) {
      throw httpError(422, `\`command\` resumes a saved thread, so assistant "${request.assistantId}" needs a checkpointer.`, "command");
    }
    if (request.multitaskStrategy === "rollback" && threadId !== null && graph.checkpointer === undefined) {
      throw httpError(422, `multitask_strategy "rollback" restores a saved thread, so assistant "${request.assistantId}" needs a checkpointer.`, "multitask_strategy");
    }
    if (request.checkpointId !== undefined) await this.checkFork(request, threadId, graph);
    if (request.strictResume && request.command?.resume !== undefined && threadId !== null && graph.checkpointer !== undefined) {
      await checkStrictResume(graph, threadId, request);
    }
    const now = new Date().toISOString();
    let row: RunRow = {
      run: {
        run_id: randomUUID(),
        thread_id: threadId,
        assistant_id: request.assistantId,
        created_at: now,
        updated_at: now,
        status: "pending",
        metadata: request.metadata,
        multitask_strategy: request.multitaskStrategy,
        kwargs: { stream_mode: request.streamModes, subgraphs: request.subgraphs, resumable: request.resumable },
        attempt: 0,
        max_attempts: this.options.maxAttempts,
      },
      owner,
      request,
      leaseOwner: null,
      leaseExpiresAt: 0,
      cancelRequested: false,
      enqueued: request.multitaskStrategy === "enqueue",
    };
    const runId = row.run.run_id;
    if (threadId !== null) {
      const thread = await this.store.getThread(threadId);
      if (thread === undefined || (owner !== null && thread.owner !== owner)) throw threadNotFound(threadId);
    }
    await this.store.insertRun(row);
    try {
      if (threadId !== null) row = await this.claimForCreate(row, threadId, graph);
      await this.log.append(runId, "metadata", { run_id: runId, thread_id: threadId ?? undefined, attempt: 1 });
    } catch (error) {
      await this.store.deleteRun(runId).catch(() => undefined);
      throw error;
    }
    await this.queue.enqueue(runId);
    return row;
  }

  /** A run from a checkpoint forks a saved thread: it needs a thread, a checkpointer and that checkpoint. */
  private async checkFork(request: RunRequest, threadId: string | null, graph: AnyGraph): Promise<void> {
    const field = "checkpoint_id";
    if (threadId === null) throw httpError(422, "A run from a checkpoint forks a thread; send it to POST /threads/{thread_id}/runs/stream, not a stateless route.", field);
    if (graph.checkpointer === undefined) throw httpError(422, `A run from a checkpoint forks a saved thread, so assistant "${request.assistantId}" needs a checkpointer.`, field);
    const tuple = await graph.checkpointer.getTuple({ configurable: { thread_id: threadId, checkpoint_ns: "", checkpoint_id: request.checkpointId } });
    if (tuple === undefined) throw httpError(404, `Checkpoint ${request.checkpointId!.slice(0, 100)} is not a checkpoint of thread ${threadId}; take one from POST /threads/${threadId}/history.`, field);
  }

  private async claimForCreate(row: RunRow, threadId: string, graph: AnyGraph): Promise<RunRow> {
    const runId = row.run.run_id;
    const strategy = row.request.multitaskStrategy;
    const deadline = Date.now() + this.options.interruptWaitMs;
    for (;;) {
      const claim = await this.claimThread(threadId, row);
      if (claim.outcome === "missing") throw threadNotFound(threadId);
      if (claim.outcome === "claimed" || strategy === "enqueue") return row;
      if (strategy === "reject") {
        throw httpError(409, `Thread ${threadId} is already running a run; wait for it, cancel it, or send multitask_strategy "enqueue", "interrupt" or "rollback".`);
      }
      // "interrupt" and "rollback": stop the run that holds the thread, then take the thread.
      if (Date.now() > deadline) throw httpError(409, `Thread ${threadId} is still running run ${claim.currentRunId} ${this.options.interruptWaitMs} ms after it was asked to stop.`);
      await this.cancel(claim.currentRunId);
      await this.waitForEnd(claim.currentRunId, AbortSignal.timeout(Math.max(1, deadline - Date.now())));
      if (strategy === "rollback") {
        const checkpointId = await this.checkpointBefore(graph, threadId, claim.currentRunId);
        await this.store.deleteRun(claim.currentRunId);
        if (checkpointId === undefined) await graph.checkpointer!.deleteThread(threadId);
        const configurable = { ...row.request.configurable };
        if (checkpointId !== undefined) configurable.checkpoint_id = checkpointId;
        row = (await this.store.updateRun(runId, (current) => ({ ...current, request: { ...current.request, configurable } }))) ?? row;
      }
    }
  }

  /** The newest checkpoint of the thread that an earlier run than `runId` wrote (the state before `runId`). */
  private async checkpointBefore(graph: AnyGraph, threadId: string, runId: string): Promise<string | undefined> {
    for await (const snapshot of graph.getStateHistory({ configurable: { thread_id: threadId } })) {
      if (snapshot.metadata?.run_id !== runId) return (snapshot.config as { configurable?: { checkpoint_id?: string } }).configurable?.checkpoint_id;
    }
    return undefined;
  }

  /**
   * Make `row`'s run the one that holds the thread, atomically: it succeeds when the thread holds no
   * run, or a run that has ended or vanished (its process died between two writes); an enqueued run
   * also waits for older pending runs of the thread.
   */
  private async claimThread(
    threadId: string,
    row: RunRow,
  ): Promise<{ outcome: "claimed" } | { outcome: "missing" } | { outcome: "busy"; currentRunId: string }> {
    const runId = row.run.run_id;
    for (;;) {
      const thread = await this.store.getThread(threadId);
      if (thread === undefined) return { outcome: "missing" };
      if (thread.currentRunId === runId) return { outcome: "claimed" };
      const stale = thread.currentRunId;
      if (stale !== null) {
        const current = await this.store.getRun(stale);
        if (current !== undefined && !isFinished(current.run.status)) return { outcome: "busy", currentRunId: stale };
      }
      if (row.enqueued) {
        const [oldest] = await this.store.listRuns({ threadId, status: ["pending", "running"], limit: 1, offset: 0 });
        if (oldest !== undefined && oldest.run.run_id !== runId) return { outcome: "busy", currentRunId: oldest.run.run_id };
      }
      const now = new Date().toISOString();
      const assistantId = row.run.assistant_id;
      const claimed = await this.store.updateThread(threadId, (current) =>
        current.currentRunId !== stale
          ? undefined
          : {
              ...current,
              currentRunId: runId,
              thread: { ...current.thread, status: "busy", updated_at: now, metadata: { ...current.thread.metadata, graph_id: row.request.graphId ?? assistantId, assistant_id: assistantId } },
            },
      );
      if (claimed !== undefined) return { outcome: "claimed" };
      // Another writer changed the thread between the read and the write: look again.
    }
  }

  /** The worker side: execute (or re-attempt, or end) the run of a job. */
  readonly process = async (runId: string, handover: AbortSignal): Promise<"done" | "later" | "handover"> => {
    let row = await this.store.getRun(runId);
    if (row === undefined || isFinished(row.run.status)) return "done";
    const graph = this.graphs.get(row.request.graphId ?? row.run.assistant_id);
    if (graph === undefined) {
      await this.end(row, undefined, "error", { error: "SERVER", message: `This worker does not serve assistant "${row.run.assistant_id}"; serve the same graphs on every instance.` });
      return "done";
    }
    if (row.cancelRequested) {
      await this.end(row, graph, "interrupted", { error: "ABORTED", message: `Run ${runId} was cancelled.` });
      return "done";
    }
    const threadId = row.run.thread_id;
    if (threadId !== null && !row.enqueued && (await this.store.getThread(threadId))?.currentRunId !== runId) {
      // The API claims the thread of a run that is not enqueued (and may still be stopping the run
      // before it); a run whose API process died before claiming ends here once that cannot be.
      if (Date.now() - Date.parse(row.run.created_at) < 2 * this.options.interruptWaitMs) return "later";
      await this.end(row, graph, "error", { error: "SERVER", message: `Run ${runId} never got its thread ${threadId}; the process that created it stopped. Start the run again.` });
      return "done";
    }
    if (threadId !== null) {
      const claim = await this.claimThread(threadId, row);
      if (claim.outcome === "missing") {
        await this.end(row, graph, "error", { error: "SERVER", message: `Thread ${threadId} was deleted before run ${runId} could run.` });
        return "done";
      }
      if (claim.outcome === "busy") {
        if (row.enqueued) return "later";
        await this.end(row, graph, "error", { error: "SERVER", message: `Thread ${threadId} is held by run ${claim.currentRunId}.` });
        return "done";
      }
    }
    const attempt = row.run.attempt + 1;
    if (attempt > row.run.max_attempts) {
      await this.end(row, graph, "error", {
        error: "ATTEMPTS_EXHAUSTED",
        message: `Run ${runId} was started ${row.run.max_attempts} times and each worker died or stopped before it finished. ${
          threadId === null ? "" : `The thread keeps the state of its last checkpoint (GET /threads/${threadId}/state); start a new run to continue it.`
        }`,
      });
      return "done";
    }
    const started = await this.store.updateRun(runId, (current) =>
      isFinished(current.run.status) ? undefined : { ...current, run: { ...current.run, status: "running", attempt, updated_at: new Date().toISOString() } },
    );
    if (started === undefined) return "done";
    row = started;
    if (attempt > 1) await this.log.append(runId, "metadata", { run_id: runId, thread_id: threadId ?? undefined, attempt });

    const local = { controller: new AbortController(), cancelled: false };
    this.local.set(runId, local);
    const onHandover = () => local.controller.abort(handover.reason);
    handover.addEventListener("abort", onHandover, { once: true });
    try {
      const outcome = await this.execute(graph, row, local.controller.signal, handover);
      if (handover.aborted && !local.cancelled) return "handover";
      await this.end(row, graph, outcome.status, outcome.error, outcome.finalValues);
      return "done";
    } finally {
      handover.removeEventListener("abort", onHandover);
      this.local.delete(runId);
    }
  };

  /** Cancel a run wherever it executes, or before it starts. */
  async cancel(runId: string): Promise<void> {
    const row = await this.store.updateRun(runId, (current) => (isFinished(current.run.status) ? undefined : { ...current, cancelRequested: true }));
    if (row === undefined) return;
    if (!this.abortLocal(runId)) await this.log.requestCancel(runId);
    // A run that waits in the queue looks at its cancel request now.
    if (row.run.status === "pending") await this.queue.enqueue(runId);
  }

  /** Resolves once the run has ended (or `signal` aborts); answers the run's last row. */
  async waitForEnd(runId: string, signal?: AbortSignal): Promise<RunRow | undefined> {
    for (;;) {
      const row = await this.store.getRun(runId);
      if (row === undefined || isFinished(row.run.status) || signal?.aborted) return row;
      try {
        for await (const _event of this.log.read(runId, { now: true }, signal)) {
          // Reading the log to its end is waiting for the run on whichever instance executes it.
        }
      } catch (error) {
        // No log yet (the run waits in the queue, or its log went with a process that died): look again shortly.
        if (!WeftError.isInstance(error) || error.details.status !== 404) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  /** Stop listening for cancel requests; the queue's close() ends or hands back the runs executing here. */
  close(): void {
    this.unsubscribe();
  }

  private abortLocal(runId: string): boolean {
    const local = this.local.get(runId);
    if (local === undefined) return false;
    local.cancelled = true;
    local.controller.abort(new WeftError("ABORTED", `Run ${runId} was cancelled.`));
    return true;
  }

  private configurableOf(graph: AnyGraph, row: RunRow): Record<string, unknown> {
    const configurable: Record<string, unknown> = { ...row.request.configurable };
    if (graph.checkpointer !== undefined) configurable.thread_id = row.run.thread_id ?? row.run.run_id;
    return configurable;
  }

  private async execute(
    graph: AnyGraph,
    row: RunRow,
    signal: AbortSignal,
    handover: AbortSignal,
  ): Promise<{ status: RunStatus; error?: { error: string; message: string }; finalValues: Record<string, unknown> | null }> {
    const { request, run } = row;
    const wanted = new Set<string>(graphModesOf(request.streamModes));
    // "values" is always read, for the final state, but only sent when asked for.
    const modes = request.format === "ui-message" ? [...UI_MESSAGE_MODES] : graphModesOf(request.streamModes);
    if (!modes.includes("values")) modes.push("values");
    const configurable = this.configurableOf(graph, row);
    let input: unknown = request.command !== undefined ? new Command(request.command as ConstructorParameters<typeof Command>[0]) : request.input;
    if (run.attempt > 1 && graph.checkpointer !== undefined) {
      // A re-attempt continues from the last checkpoint this run wrote: finished tasks are not run again.
      const { checkpoint_id: _fork, ...latest } = configurable;
      const snapshot = await graph.getState({ configurable: latest });
      if (snapshot.metadata?.run_id === run.run_id) {
        input = null;
        delete configurable.checkpoint_id;
      }
    }
    let finalValues: Record<string, unknown> | null = null;
    let appended = 0;
    const batcher = new EventBatcher(this.log, run.run_id);
    const ui = request.format === "ui-message" ? new UIMessageEvents(request.command !== undefined) : undefined;
    try {
      const stream = graph.stream(input, {
        streamMode: modes,
        subgraphs: request.subgraphs,
        configurable,
        tags: request.tags,
        metadata: { ...request.metadata, run_id: run.run_id, thread_id: run.thread_id ?? undefined, assistant_id: run.assistant_id, graph_id: run.assistant_id },
        recursionLimit: request.recursionLimit,
        interruptBefore: request.interruptBefore,
        interruptAfter: request.interruptAfter,
        signal,
      });
      const wireOptions = { subgraphs: request.subgraphs, routeMessagesByTag: request.routeMessagesByTag, runTags: request.tags };
      // Each stream item as the event or events the response format sends (none for an unwanted
      // mode), noting the final values. One event is not wrapped in an array: this runs per token.
      const eventsOf = (item: unknown[]): NewEvent | readonly NewEvent[] => {
        if (ui !== undefined) {
          if (item[0] !== "values") return ui.accept(item);
          finalValues = item[1] as Record<string, unknown>;
          return NO_EVENTS;
        }
        const wire = wireEventOf(item, wireOptions);
        if (wire.mode === "values" && wire.namespace.length === 0) finalValues = wire.data as Record<string, unknown>;
        return wanted.has(wire.mode) ? wire : NO_EVENTS;
      };
      for await (const item of stream as AsyncIterable<unknown[]>) {
        const events = eventsOf(item);
        if (!Array.isArray(events)) {
          const taking = batcher.add(events as NewEvent);
          if (taking !== undefined) await taking;
        } else {
          for (const event of events as readonly NewEvent[]) {
            const taking = batcher.add(event);
            if (taking !== undefined) await taking;
          }
        }
        // A model that produces tokens without I/O would keep this loop in microtasks and starve
        // every socket of the process; yielding to the event loop now and then keeps clients served.
        if (++appended % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      if (ui !== undefined) for (const event of ui.finish()) await batcher.add(event);
      await batcher.flush();
      return { status: "success", finalValues };
    } catch (error) {
      // What the run produced before it failed is logged before its error event.
      await batcher.flush().catch(() => undefined);
      const status: RunStatus = signal.aborted ? "interrupted" : "error";
      // A handover is not the end of the response: the next attempt goes on with it.
      if (ui !== undefined && !handover.aborted) {
        for (const { event, data } of ui.fail(error)) await this.log.append(run.run_id, event, data).catch(() => undefined);
      }
      return { status, error: { error: WeftError.isInstance(error) ? error.code : "Error", message: describeError(error) }, finalValues };
    }
  }

  /** Record the run's end (thread first, then run, then the log's end marker), and wake the next run of its thread. */
  private async end(
    row: RunRow,
    graph: AnyGraph | undefined,
    status: RunStatus,
    error?: { error: string; message: string },
    finalValues: Record<string, unknown> | null = null,
  ): Promise<void> {
    const { run } = row;
    const now = new Date().toISOString();
    let next: RunRow | undefined;
    try {
      if (error !== undefined) await this.log.append(run.run_id, "error", error).catch(() => undefined);
      if (run.thread_id !== null) {
        let threadStatus: ThreadRecord["status"] = status === "error" ? "error" : "idle";
        let values = finalValues;
        if (graph?.checkpointer !== undefined) {
          const snapshot = await graph.getState({ configurable: { thread_id: run.thread_id } });
          values = snapshot.values;
          // Paused at interrupt() or at a breakpoint: the thread has tasks left to run.
          if (status !== "error" && snapshot.next.length > 0) threadStatus = "interrupted";
        }
        await this.store.updateThread(run.thread_id, (current: ThreadRow) =>
          current.currentRunId !== run.run_id
            ? undefined
            : { ...current, currentRunId: null, thread: { ...current.thread, status: threadStatus, values: values ?? current.thread.values, updated_at: now } },
        );
        // Wake the oldest run enqueued behind this one (other pending runs are started by their API request).
        next = (await this.store.listRuns({ threadId: run.thread_id, status: ["pending"], limit: 100, offset: 0 })).find((each) => each.enqueued);
      }
      // A stateless run's thread exists only for that run (as on_completion "delete" in LangGraph).
      if (run.thread_id === null && graph?.checkpointer !== undefined && row.request.onCompletion !== "keep") await graph.checkpointer.deleteThread(run.run_id);
      await this.store.updateRun(run.run_id, (current) => ({
        ...current,
        run: { ...current.run, status, updated_at: now, ...(error === undefined ? {} : { error }) },
      }));
    } catch (failure) {
      console.error(`weft server: saving the end of run ${run.run_id} failed: ${describeError(failure)}`);
    } finally {
      // Readers end when the log ends, and read the records above first: a client that sees the
      // stream close finds the run's final status.
      await this.log.end(run.run_id).catch((failure: unknown) => console.error(`weft server: closing the log of run ${run.run_id} failed: ${describeError(failure)}`));
    }
    if (next !== undefined) await this.queue.enqueue(next.run.run_id).catch(() => undefined);
  }
}

/**
 * strict_resume: a resume must answer an interrupt that is waiting. With a map of interrupt ids,
 * every id must be waiting; otherwise the thread must have at least one waiting interrupt.
 */
async function checkStrictResume(graph: AnyGraph, threadId: string, request: RunRequest): Promise<void> {
  const snapshot = await graph.getState({ configurable: { thread_id: threadId, ...(request.checkpointId === undefined ? {} : { checkpoint_id: request.checkpointId }) } });
  const waiting = new Set(snapshot.tasks.flatMap((task) => task.interrupts.map((each) => each.id)));
  if (waiting.size === 0) throw httpError(409, `strict_resume: thread ${threadId} has no interrupt waiting for an answer; send \`input\` to start a new turn.`, "command.resume");
  const resume = request.command!.resume;
  if (typeof resume !== "object" || resume === null || Array.isArray(resume)) return;
  const keys = Object.keys(resume);
  const known = keys.filter((key) => waiting.has(key));
  // A map that names some waiting interrupts and some others answers interrupts that are not waiting.
  if (known.length > 0 && known.length < keys.length) {
    const unknown = keys.filter((key) => !waiting.has(key)).map((key) => JSON.stringify(key.slice(0, 60)));
    throw httpError(409, `strict_resume: interrupt ${unknown.join(", ")} of thread ${threadId} is not waiting; answer only ${[...waiting].map((id) => JSON.stringify(id)).join(", ")}.`, "command.resume");
  }
}

function threadNotFound(threadId: string) {
  return httpError(404, `Thread ${threadId} not found; create it with POST /threads.`);
}

/** A run of an assistant record: its config is the base, the run's own config wins (as in LangGraph). */
function withAssistantConfig(request: RunRequest, graphId: string, record: AssistantRecord): RunRequest {
  const config = record.config as { configurable?: Record<string, unknown>; tags?: unknown; recursion_limit?: unknown };
  const tags = Array.isArray(config.tags) ? config.tags.filter((tag): tag is string => typeof tag === "string") : [];
  return {
    ...request,
    graphId,
    configurable: { ...config.configurable, ...record.context, ...request.configurable },
    tags: [...tags, ...request.tags.filter((tag) => !tags.includes(tag))],
    recursionLimit: request.recursionLimit ?? (typeof config.recursion_limit === "number" ? config.recursion_limit : undefined),
  };
}
