// Runs on the server: a run executes here, independently of the request that started it, and
// writes every event to the event log; clients (on this instance or another) read the log.
import { randomUUID } from "node:crypto";
import { WeftError, describeError } from "../errors.js";
import { Command } from "../core/command.js";
import type { CompiledGraph } from "../graph/compiled-graph.js";
import type { EventLog } from "./event-log.js";
import { httpError } from "./http-error.js";
import { type RunRequest, graphModesOf } from "./run-request.js";
import { wireEventOf } from "./wire-format.js";

export type RunStatus = "pending" | "running" | "success" | "error" | "interrupted";

export interface RunRecord extends Record<string, unknown> {
  run_id: string;
  thread_id: string | null;
  assistant_id: string;
  created_at: string;
  updated_at: string;
  status: RunStatus;
  metadata: Record<string, unknown>;
  multitask_strategy: "reject";
  kwargs: { stream_mode: string[]; subgraphs: boolean; resumable: boolean };
}

export interface ThreadRecord extends Record<string, unknown> {
  thread_id: string;
  created_at: string;
  updated_at: string;
  metadata: Record<string, unknown>;
  status: "idle" | "busy" | "error" | "interrupted";
  /** The last run's final values; the state when the graph has no checkpointer. */
  values: Record<string, unknown> | null;
  config: Record<string, unknown>;
  interrupts: Record<string, unknown>;
}

/** Events a run appends between two turns of the event loop. */
const YIELD_EVERY = 32;

/** A compiled graph of any state shape. */
export type AnyGraph = CompiledGraph<any, any>;

export class RunManager {
  /** Runs executing in this process, by id, so a cancel request can abort them. */
  private readonly local = new Map<string, AbortController>();
  private readonly finished = new Set<Promise<void>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly log: EventLog,
    private readonly graphs: ReadonlyMap<string, AnyGraph>,
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

  /** Start a run (on a thread, or stateless with `threadId` null); resolves once its first event is logged. */
  async start(request: RunRequest, threadId: string | null): Promise<RunRecord> {
    const graph = this.graphOf(request.assistantId);
    if (request.command !== undefined && graph.checkpointer === undefined) {
      throw httpError(422, `\`command\` resumes a saved thread, so assistant "${request.assistantId}" needs a checkpointer.`, "command");
    }
    const now = new Date().toISOString();
    let thread: ThreadRecord | undefined;
    if (threadId !== null) {
      thread = await this.log.getRecord<ThreadRecord>("thread", threadId);
      if (thread === undefined) throw httpError(404, `Thread ${threadId} not found; create it with POST /threads.`);
      if (thread.status === "busy") {
        throw httpError(409, `Thread ${threadId} is already running a run; wait for it, cancel it, or use another thread.`);
      }
      thread = { ...thread, status: "busy", updated_at: now, metadata: { ...thread.metadata, graph_id: request.assistantId, assistant_id: request.assistantId } };
      await this.log.putRecord("thread", threadId, thread);
    }
    const run: RunRecord = {
      run_id: randomUUID(),
      thread_id: threadId,
      assistant_id: request.assistantId,
      created_at: now,
      updated_at: now,
      status: "running",
      metadata: request.metadata,
      multitask_strategy: "reject",
      kwargs: { stream_mode: request.streamModes, subgraphs: request.subgraphs, resumable: request.resumable },
    };
    try {
      await this.log.putRecord("run", run.run_id, run);
      await this.log.append(run.run_id, "metadata", { run_id: run.run_id, thread_id: threadId ?? undefined, attempt: 1 });
    } catch (error) {
      // The run never started: the thread must not stay busy.
      if (thread !== undefined) await this.log.putRecord("thread", thread.thread_id, { ...thread, status: "idle" }).catch(() => undefined);
      throw error;
    }
    const controller = new AbortController();
    this.local.set(run.run_id, controller);
    const done = this.execute(graph, request, run, thread, controller).finally(() => {
      this.local.delete(run.run_id);
      this.finished.delete(done);
    });
    this.finished.add(done);
    return run;
  }

  /** Cancel a run wherever it executes. */
  async cancel(runId: string): Promise<void> {
    if (!this.abortLocal(runId)) await this.log.requestCancel(runId);
  }

  /** Abort the runs of this process and wait until their logs are closed. */
  async close(): Promise<void> {
    this.unsubscribe();
    for (const runId of this.local.keys()) this.abortLocal(runId);
    await Promise.allSettled([...this.finished]);
  }

  private abortLocal(runId: string): boolean {
    const controller = this.local.get(runId);
    if (controller === undefined) return false;
    controller.abort(new WeftError("ABORTED", `Run ${runId} was cancelled.`));
    return true;
  }

  private async execute(graph: AnyGraph, request: RunRequest, run: RunRecord, thread: ThreadRecord | undefined, controller: AbortController) {
    const wanted = new Set<string>(graphModesOf(request.streamModes));
    // "values" is always read, for the final state, but only sent when asked for.
    const modes = graphModesOf(request.streamModes);
    if (!modes.includes("values")) modes.push("values");
    const configurable: Record<string, unknown> = { ...request.configurable };
    if (graph.checkpointer !== undefined) configurable.thread_id = run.thread_id ?? run.run_id;
    let finalValues: Record<string, unknown> | null = null;
    let status: RunStatus = "success";
    let appended = 0;
    try {
      const input = request.command !== undefined ? new Command(request.command as ConstructorParameters<typeof Command>[0]) : request.input;
      const stream = graph.stream(input, {
        streamMode: modes,
        subgraphs: request.subgraphs,
        configurable,
        tags: request.tags,
        metadata: { ...request.metadata, run_id: run.run_id, thread_id: run.thread_id ?? undefined, assistant_id: run.assistant_id, graph_id: run.assistant_id },
        recursionLimit: request.recursionLimit,
        interruptBefore: request.interruptBefore,
        interruptAfter: request.interruptAfter,
        signal: controller.signal,
      });
      const wireOptions = { subgraphs: request.subgraphs, routeMessagesByTag: request.routeMessagesByTag, runTags: request.tags };
      for await (const item of stream as AsyncIterable<unknown[]>) {
        const { event, data, mode, namespace } = wireEventOf(item, wireOptions);
        if (mode === "values" && namespace.length === 0) finalValues = data as Record<string, unknown>;
        if (!wanted.has(mode)) continue;
        await this.log.append(run.run_id, event, data);
        // A model that produces tokens without I/O would keep this loop in microtasks and starve
        // every socket of the process; yielding to the event loop now and then keeps clients served.
        if (++appended % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      const aborted = controller.signal.aborted;
      status = aborted ? "interrupted" : "error";
      await this.log
        .append(run.run_id, "error", { error: WeftError.isInstance(error) ? error.code : "Error", message: describeError(error) })
        .catch(() => undefined);
    }
    await this.finish(graph, run, thread, status, finalValues, configurable);
  }

  private async finish(
    graph: AnyGraph,
    run: RunRecord,
    thread: ThreadRecord | undefined,
    status: RunStatus,
    finalValues: Record<string, unknown> | null,
    configurable: Record<string, unknown>,
  ): Promise<void> {
    const now = new Date().toISOString();
    try {
      if (thread !== undefined) {
        let threadStatus: ThreadRecord["status"] = status === "error" ? "error" : "idle";
        let values = finalValues ?? thread.values;
        if (graph.checkpointer !== undefined) {
          const snapshot = await graph.getState({ configurable });
          values = snapshot.values;
          // Paused at interrupt() or at a breakpoint: the thread has tasks left to run.
          if (status !== "error" && snapshot.next.length > 0) threadStatus = "interrupted";
        }
        await this.log.putRecord("thread", thread.thread_id, { ...thread, status: threadStatus, values, updated_at: now });
      }
      // A stateless run's thread exists only for that run (as on_completion "delete" in LangGraph).
      if (thread === undefined && graph.checkpointer !== undefined) await graph.checkpointer.deleteThread(run.run_id);
      await this.log.putRecord("run", run.run_id, { ...run, status, updated_at: now });
    } catch (error) {
      console.error(`weft server: saving the end of run ${run.run_id} failed: ${describeError(error)}`);
    } finally {
      // Readers end when the log ends, and read the records above first: a client that sees the
      // stream close finds the run's final status.
      await this.log.end(run.run_id).catch((error: unknown) => console.error(`weft server: closing the log of run ${run.run_id} failed: ${describeError(error)}`));
    }
  }
}
