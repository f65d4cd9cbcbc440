// The Agent Streaming Protocol over HTTP, as `@langchain/react` v1's `useStream` speaks it:
// `POST /threads/:id/commands` (run.start, input.respond, state.get, state.listCheckpoints,
// state.fork) and `POST /threads/:id/stream/events` (SSE). A run started here is a normal server
// run (record, queue, event log), so leases, cancel and several instances work as for any run.
import { WeftError, describeError, describeValue } from "../../errors.js";
import { httpError, jsonResponse, statusOf } from "../http-error.js";
import type { RunRow, ThreadRow } from "../record-store.js";
import { checkThreadId, isObject } from "../request-fields.js";
import { readJsonBody } from "../request-guard.js";
import type { AnyGraph } from "../run-manager.js";
import { type Route, type RouteEntry, type ServerContext, graphOfThread, newThread, threadOf } from "../routes/context.js";
import { parseRunRequest } from "../run-request.js";
import { eventStreamResponse } from "../sse.js";
import { threadStateOf } from "../thread-state.js";
import { type EventFilter, RunStartSignal, threadEventStream } from "./thread-event-stream.js";

/** Every stream mode a protocol run logs: what the translation needs for all channels ("debug" gives tasks and checkpoints). */
const PROTOCOL_STREAM_MODES = ["values", "updates", "messages-tuple", "tools", "custom", "debug"];
const CHANNELS = ["values", "updates", "messages", "tools", "lifecycle", "input", "checkpoints", "tasks", "custom"];
const COMMAND_FIELDS = ["id", "method", "params"];

type ErrorCode = "invalid_argument" | "unknown_command" | "no_such_run" | "no_such_interrupt" | "no_such_checkpoint" | "not_supported" | "permission_denied" | "unknown_error";

/** A protocol error answer: the protocol's `{ type: "error" }` with the HTTP status that fits it. */
class CommandError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

function invalid(message: string, field: string): CommandError {
  return new CommandError(422, "invalid_argument", message, field);
}

/** The routes, for the handler's route table. */
export function protocolRoutes(context: ServerContext): RouteEntry[] {
  const { store, runs, log } = context;
  const runStarts = new RunStartSignal();

  const success = (id: number, result: unknown, threadId: string) => jsonResponse({ type: "success", id, result, meta: { thread_id: threadId } });

  /** Create the thread when the browser made its id up (as the protocol's `run.start` does). */
  const ensureThread = async (threadId: string, owner: string | null): Promise<ThreadRow> => {
    await store.insertThread(newThread(threadId, {}, owner));
    return threadOf(context, threadId, owner);
  };

  const graphFor = (row: ThreadRow): AnyGraph => {
    const graph = graphOfThread(context, row);
    if (graph === undefined) throw new CommandError(409, "no_such_run", `Thread ${row.thread.thread_id} has had no run yet; send run.start first.`);
    return graph;
  };

  /** Start a run the usual way (parseRunRequest checks every field) and answer its id. */
  const startRun = async (threadId: string, owner: string | null, body: Record<string, unknown>): Promise<RunRow> => {
    if (context.closing()) throw httpError(503, "The server is shutting down; send the run to another instance.");
    const runRequest = parseRunRequest({ ...body, stream_mode: PROTOCOL_STREAM_MODES, stream_subgraphs: true, stream_resumable: true });
    const row = await runs.create(runRequest, threadId, owner);
    runStarts.notify(threadId);
    return row;
  };

  /**
   * Start a run from a checkpoint (`checkpoint_id` in the config's configurable, as the client's `forkFrom`
   * and state.fork send it): the run manager checks the thread has it, and its answer names `field`.
   */
  const startFromCheckpoint = async (threadId: string, owner: string | null, body: Record<string, unknown>, field: string): Promise<RunRow> => {
    const configurable = (body.config as { configurable?: Record<string, unknown> }).configurable;
    const checkpointId = configurable?.checkpoint_id;
    if (checkpointId === undefined) return startRun(threadId, owner, body);
    try {
      return await startRun(threadId, owner, { ...body, checkpoint_id: checkpointId });
    } catch (error) {
      if (!WeftError.isInstance(error) || error.details.field !== "checkpoint_id") throw error;
      const status = statusOf(error);
      throw new CommandError(status, status === 404 ? "no_such_checkpoint" : "invalid_argument", error.message, field);
    }
  };

  const configOf = (params: Record<string, unknown>, field: string) => {
    const config = params.config ?? {};
    if (!isObject(config)) throw invalid(`\`${field}\` must be an object.`, field);
    return config;
  };

  const metadataOf = (params: Record<string, unknown>, field: string) => {
    const metadata = params.metadata ?? {};
    if (!isObject(metadata)) throw invalid(`\`${field}\` must be an object.`, field);
    return metadata;
  };

  const strategyOf = (params: Record<string, unknown>) => {
    const strategy = params.multitaskStrategy ?? params.multitask_strategy ?? "enqueue";
    if (!["reject", "interrupt", "rollback", "enqueue"].includes(strategy as string)) {
      throw invalid(`\`params.multitaskStrategy\` must be "reject", "interrupt", "rollback" or "enqueue", not ${describeValue(strategy)}.`, "params.multitaskStrategy");
    }
    return strategy;
  };

  const commands: Record<string, (threadId: string, owner: string | null, params: Record<string, unknown>) => Promise<unknown>> = {
    "run.start": async (threadId, owner, params) => {
      if (typeof params.assistant_id !== "string" || params.assistant_id === "") throw invalid("`params.assistant_id` is required: the graph to run.", "params.assistant_id");
      await runs.assistant(params.assistant_id, owner, "params.assistant_id");
      const thread = await ensureThread(threadId, owner);
      // As the protocol says: on a thread paused at an interrupt(), run.start's input is the resume value.
      const graph = graphOfThread(context, thread);
      const input = params.input ?? null;
      const resumes = input !== null && graph?.checkpointer !== undefined && ((await threadStateOf(thread.thread, graph)).interrupts as unknown[]).length > 0;
      if (!resumes && input !== null && !isObject(input)) {
        throw invalid(`\`params.input\` must be an object of state values or null, not ${describeValue(input)}.`, "params.input");
      }
      const row = await startFromCheckpoint(
        threadId,
        owner,
        {
          assistant_id: params.assistant_id,
          ...(resumes ? { command: { resume: input } } : { input }),
          config: configOf(params, "params.config"),
          metadata: metadataOf(params, "params.metadata"),
          multitask_strategy: strategyOf(params),
        },
        "params.config.configurable.checkpoint_id",
      );
      return { run_id: row.run.run_id };
    },
    "input.respond": async (threadId, owner, params) => {
      const thread = await threadOf(context, threadId, owner);
      const graph = graphFor(thread);
      const state = await threadStateOf(thread.thread, graph);
      const pending = new Set((state.interrupts as Array<{ id?: string }>).map((interrupt) => interrupt.id));
      let resume: unknown;
      if (Array.isArray(params.responses)) {
        const map: Record<string, unknown> = {};
        for (const [index, entry] of params.responses.entries()) {
          if (!isObject(entry) || typeof entry.interrupt_id !== "string") throw invalid("Each of `params.responses` needs an `interrupt_id` string.", `params.responses.${index}.interrupt_id`);
          map[entry.interrupt_id] = entry.response;
        }
        resume = map;
      } else if (typeof params.interrupt_id === "string") {
        resume = pending.size > 1 ? { [params.interrupt_id]: params.response } : params.response;
      } else {
        throw invalid("`params.interrupt_id` is required: the id of the interrupt to answer (from its input.requested event).", "params.interrupt_id");
      }
      const asked = Array.isArray(params.responses) ? Object.keys(resume as object) : [params.interrupt_id as string];
      const unknown = asked.find((id) => !pending.has(id));
      if (unknown !== undefined) throw new CommandError(404, "no_such_interrupt", `Thread ${threadId} has no pending interrupt ${JSON.stringify(unknown)}; read GET /threads/${threadId}/state for the pending ones.`, "params.interrupt_id");
      const command: Record<string, unknown> = { resume };
      if (params.update !== undefined) command.update = params.update;
      if (params.goto !== undefined) command.goto = params.goto;
      await startRun(threadId, owner, {
        assistant_id: assistantOf(thread),
        command,
        config: configOf(params, "params.config"),
        metadata: metadataOf(params, "params.metadata"),
        multitask_strategy: "enqueue",
      });
      return {};
    },
    "state.get": async (threadId, owner, params) => {
      const thread = await threadOf(context, threadId, owner);
      const state = await threadStateOf(thread.thread, graphOfThread(context, thread));
      let values = (state.values ?? {}) as Record<string, unknown>;
      if (params.keys !== undefined) {
        if (!Array.isArray(params.keys) || params.keys.some((key) => typeof key !== "string")) throw invalid("`params.keys` must be an array of state keys.", "params.keys");
        values = Object.fromEntries(Object.entries(values).filter(([key]) => (params.keys as string[]).includes(key)));
      }
      const checkpointId = (state.checkpoint as { checkpoint_id?: string } | null)?.checkpoint_id;
      return checkpointId === undefined ? { values } : { values, checkpoint: { id: checkpointId } };
    },
    "state.listCheckpoints": async (threadId, owner, params) => {
      const thread = await threadOf(context, threadId, owner);
      const graph = graphFor(thread);
      const limit = params.limit ?? 10;
      if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > 1000) throw invalid("`params.limit` must be a whole number from 1 to 1000.", "params.limit");
      if (params.before !== undefined && typeof params.before !== "string") throw invalid("`params.before` must be a checkpoint id.", "params.before");
      if (graph.checkpointer === undefined) return { checkpoints: [] };
      const before = params.before === undefined ? undefined : { configurable: { thread_id: threadId, checkpoint_id: params.before } };
      const checkpoints: Array<Record<string, unknown>> = [];
      for await (const snapshot of graph.getStateHistory({ configurable: { thread_id: threadId } }, { limit: limit as number, before })) {
        const id = (snapshot.config as { configurable?: { checkpoint_id?: string } }).configurable?.checkpoint_id;
        checkpoints.push({ id, timestamp: snapshot.createdAt ?? null, step: snapshot.metadata?.step ?? -1, metadata: snapshot.metadata ?? {} });
      }
      return { checkpoints };
    },
    "state.fork": async (threadId, owner, params) => {
      const thread = await threadOf(context, threadId, owner);
      graphFor(thread);
      if (typeof params.checkpoint_id !== "string" || params.checkpoint_id === "") throw invalid("`params.checkpoint_id` is required: the checkpoint to run from.", "params.checkpoint_id");
      const config = configOf(params, "params.config");
      const configurable = isObject(config.configurable) ? config.configurable : {};
      const row = await startFromCheckpoint(
        threadId,
        owner,
        { assistant_id: assistantOf(thread), input: params.input ?? null, config: { ...config, configurable: { ...configurable, checkpoint_id: params.checkpoint_id } }, multitask_strategy: "enqueue" },
        "params.checkpoint_id",
      );
      return { run_id: row.run.run_id, thread_id: threadId };
    },
  };

  const command: Route = async (request, [threadId], _url, owner) => {
    let id: number | null = null;
    try {
      checkThreadId(threadId!, "thread_id");
      const body = await readJsonBody(request, context.maxBodyBytes);
      if (!isObject(body)) throw invalid(`A command is a JSON object { id, method, params }, not ${describeValue(body)}.`, "body");
      const extra = Object.keys(body).find((key) => !COMMAND_FIELDS.includes(key));
      if (extra !== undefined) throw invalid(`Unknown field "${extra}" in the command; a command has id, method and params.`, extra);
      if (!Number.isInteger(body.id) || (body.id as number) < 0) throw invalid("`id` must be a whole number >= 0 (the client's command counter).", "id");
      id = body.id as number;
      if (typeof body.method !== "string") throw invalid("`method` must be a command name such as \"run.start\".", "method");
      const params = body.params ?? {};
      if (!isObject(params)) throw invalid("`params` must be an object.", "params");
      const handle = commands[body.method];
      if (handle === undefined) {
        const known = Object.keys(commands).join(", ");
        if (body.method.startsWith("subscription.")) throw new CommandError(400, "not_supported", `${body.method} is for WebSocket connections; over HTTP, open POST /threads/${threadId}/stream/events with a filter.`, "method");
        throw new CommandError(400, "unknown_command", `Unknown command ${JSON.stringify(body.method.slice(0, 100))}; this server answers ${known}.`, "method");
      }
      return success(id, await handle(threadId!, owner, params), threadId!);
    } catch (error) {
      return commandErrorResponse(id, error);
    }
  };

  const events: Route = async (request, [threadId], _url, owner) => {
    await threadOf(context, checkThreadId(threadId!, "thread_id"), owner).catch(async (error: unknown) => {
      // A stream may open before the browser's first run.start creates the thread: it waits for it.
      if (statusOf(error) !== 404) throw error;
      await ensureThread(threadId!, owner);
    });
    const filter = parseFilter(await readJsonBody(request, context.maxBodyBytes));
    return eventStreamResponse((signal) => threadEventStream(store, log, threadId!, filter, signal, runStarts), { heartbeatMs: context.heartbeatMs, signal: request.signal });
  };

  return [
    ["POST", /^\/threads\/([^/]+)\/commands$/, command],
    ["POST", /^\/threads\/([^/]+)\/stream\/events$/, events],
  ];
}

/** The assistant the thread last ran (an assistant record's id, or a served graph's). */
function assistantOf(thread: ThreadRow): unknown {
  return thread.thread.metadata.assistant_id ?? thread.thread.metadata.graph_id;
}

function parseFilter(body: unknown): EventFilter {
  if (!isObject(body)) throw httpError(422, `The body must be a JSON object { channels, namespaces?, depth?, since? }, not ${describeValue(body)}.`, "body");
  const extra = Object.keys(body).find((key) => !["channels", "namespaces", "depth", "since"].includes(key));
  if (extra !== undefined) throw httpError(422, `Unknown field "${extra}" in the event filter; it takes channels, namespaces, depth and since.`, extra);
  const channels = body.channels;
  if (!Array.isArray(channels) || channels.length === 0 || channels.some((channel) => typeof channel !== "string" || (!CHANNELS.includes(channel) && !channel.startsWith("custom:")))) {
    throw httpError(422, `\`channels\` must be a non-empty array of ${CHANNELS.join(", ")} or "custom:<name>".`, "channels");
  }
  const filter: EventFilter = { channels: channels as string[] };
  if (body.namespaces !== undefined && body.namespaces !== null) {
    const namespaces = body.namespaces;
    if (!Array.isArray(namespaces) || namespaces.some((namespace) => !Array.isArray(namespace) || namespace.some((segment) => typeof segment !== "string"))) {
      throw httpError(422, "`namespaces` must be an array of namespaces, each an array of strings ([] is the root graph).", "namespaces");
    }
    filter.namespaces = namespaces as string[][];
  }
  for (const field of ["depth", "since"] as const) {
    const value = body[field];
    if (value === undefined || value === null) continue;
    if (!Number.isSafeInteger(value) || (value as number) < 0) throw httpError(422, `\`${field}\` must be a whole number >= 0.`, field);
    filter[field] = value as number;
  }
  return filter;
}

function commandErrorResponse(id: number | null, error: unknown): Response {
  if (error instanceof CommandError) {
    return jsonResponse({ type: "error", id, error: error.code, message: error.message, ...(error.field === undefined ? {} : { field: error.field }) }, error.status);
  }
  const status = statusOf(error);
  const field = WeftError.isInstance(error) ? error.details.field : undefined;
  // A 404 naming a field (an unknown assistant) is a bad argument; one without (the thread) has no run to act on.
  const code: ErrorCode =
    status === 404 && field === undefined ? "no_such_run" : status === 403 || status === 401 ? "permission_denied" : status < 500 ? "invalid_argument" : "unknown_error";
  // An unexpected failure is logged here and not described to the client (as errorResponse does).
  if (status >= 500 && !(WeftError.isInstance(error) && error.code === "SERVER")) console.error("weft server: a protocol command failed:", error);
  const message = status >= 500 && !(WeftError.isInstance(error) && error.code === "SERVER") ? "The command failed on the server; its log has the cause." : describeError(error);
  return jsonResponse({ type: "error", id, error: code, message, ...(field === undefined ? {} : { field }) }, status);
}
